"""Django admin behind the second factor (dialogues.second_factor). ParleyAdminSite is the
project's `admin.site` (config.apps.ParleyAdminConfig): every admin page needs a session
verified by a device, and its log-in asks for the code with the password."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogues.forms.second_factor import AdminLoginForm


class CheckedSelectionAdmin:
    """Mixed into every model admin of the site: an action posted with a selected object that
    cannot be one of the list's (an empty or non-numeric id, a number past the column's range)
    is refused with a message, where Django's admin would filter on it and answer 500."""

    def response_action(self, request, queryset, *args, **kwargs):
        primary_key = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                primary_key.clean(value, None)
        except ValidationError:
            self.message_user(
                request,
                _("The items chosen are not in the list. Choose them again. Nothing was changed."),
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset, *args, **kwargs)


class ParleyAdminSite(OTPAdminSite):
    """django-otp's admin site: staff whose session is not verified by a device are treated as
    not staff (sent to log in). Keeps the name `admin`, so `admin:` URLs stay as they were."""

    login_form = AdminLoginForm
    login_template = "admin/second_factor_login.html"

    def __init__(self, name="admin"):
        super().__init__(name)

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedSelectionAdmin):
            admin_class = type(
                admin_class.__name__,
                (CheckedSelectionAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    """Who has an authenticator app, and a way to remove one whose phone is lost (the person
    then sets up a new one at their next log-in, if staff, or when they choose). Never a way
    to read or set a secret: django-otp's own admin shows the key and its QR code to any
    staff member allowed to view devices, which would let them make anyone's codes."""

    list_display = [
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
    ]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    fields = [
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
        "throttling_failure_timestamp",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def register_device_admin(site):
    """Replace django-otp's device admin (registered by autodiscovery) with the one above."""
    if site.is_registered(TOTPDevice):
        site.unregister(TOTPDevice)
    site.register(TOTPDevice, SecondFactorDeviceAdmin)
