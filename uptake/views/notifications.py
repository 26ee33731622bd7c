"""A user's own notifications: the list, opening one, marking all read, and which reminder
kinds they mute. Nobody sees anyone else's: a notification is fetched only among the
signed-in user's own, so another's id is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues.forms import add_service_errors
from uptake.forms.notifications import NotificationSettingsForm
from uptake.models import Notification, ReminderMute
from uptake.permissions import notifications_for_user, withhold_stale_identity
from uptake.services.reminders import notifications_mark_read, reminder_mute_set

PAGE_SIZE = 50


def _own_notification(user, public_id):
    try:
        return notifications_for_user(user).get(public_id=public_id)
    except (Notification.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


@login_required
@require_GET
def notification_list(request):
    """The signed-in user's notifications, newest first, 50 a page. Queries: the session and
    user, the navigation (roles, unread count), the page count, the page, [the programmes
    where they may see identities]."""
    notifications = notifications_for_user(request.user).order_by("-created_at", "-id")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = withhold_stale_identity(request.user, page.object_list)
    return render(request, "uptake/notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, notification_id):
    """Mark one of the user's notifications read and go to what it is about (a path on this
    site only), or back to the list."""
    notification = _own_notification(request.user, notification_id)
    notifications_mark_read(user=request.user, notification=notification)
    url = notification.url
    if (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    ):
        return redirect(url)
    messages.success(request, _("The notification is marked as read."))
    return redirect("uptake:notification_list")


@login_required
@require_POST
def notifications_read_all(request):
    count = notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    else:
        messages.info(request, _("You had no unread notifications."))
    return redirect("uptake:notification_list")


@login_required
def notification_settings(request):
    """Which kinds of reminder the user mutes: a checkbox per kind."""
    muted = sorted(ReminderMute.objects.filter(user=request.user).values_list("kind", flat=True))
    form = NotificationSettingsForm(
        request.POST if request.method == "POST" else None, initial={"muted": muted}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                reminder_mute_set(user=request.user, kinds=form.cleaned_data["muted"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("uptake:notification_settings")
        return render(request, "uptake/notifications/settings.html", {"form": form}, status=400)
    return render(request, "uptake/notifications/settings.html", {"form": form})
