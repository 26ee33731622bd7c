"""Policy carriers and a programme's uptake settings.

Every programme comes through uptake.permissions.get_programme_chain_for_user and every
carrier through get_carrier_for_user. Trust notes reach only users with
ChainAction.VIEW_TRUST_NOTES (officers and facilitators), never legal reviewers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dialogues.forms import add_service_errors
from uptake.forms.carriers import CarrierForm, UptakeSettingsForm
from uptake.models import Carrier
from uptake.permissions import ChainAction, get_carrier_for_user, get_programme_chain_for_user
from uptake.services import carriers as services


def _action_for(request):
    return ChainAction.MANAGE if request.method == "POST" else ChainAction.VIEW


@login_required
@require_http_methods(["GET", "POST"])
def carrier_list(request, programme_id):
    """The programme's carriers, with the form to add one for those who manage the chain.
    Queries: programme, the chain check (two), the carriers with their briefing counts,
    the menu's roles."""
    programme, allowed = get_programme_chain_for_user(
        request.user, programme_id, _action_for(request)
    )
    can_manage = ChainAction.MANAGE in allowed
    with_trust_notes = ChainAction.VIEW_TRUST_NOTES in allowed
    form = None
    if can_manage:
        form = CarrierForm(request.POST or None, with_trust_notes=with_trust_notes)
    if request.method == "POST" and form.is_valid():
        try:
            carrier = services.carrier_create(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s was added to the carriers.") % {"name": carrier.name}
            )
            return redirect("uptake:carrier_list", programme.public_id)
    carriers = Carrier.objects.filter(programme=programme).annotate(
        briefing_count=Count("briefings")
    )
    return render(
        request,
        "uptake/carriers/list.html",
        {
            "programme": programme,
            "carriers": carriers,
            "show_trust_notes": with_trust_notes,
            "can_manage": can_manage,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def carrier_edit(request, carrier_id):
    """A carrier's page; those who manage the chain change it here."""
    carrier, allowed = get_carrier_for_user(request.user, carrier_id, _action_for(request))
    can_manage = ChainAction.MANAGE in allowed
    with_trust_notes = ChainAction.VIEW_TRUST_NOTES in allowed
    form = None
    if can_manage:
        initial = {
            "name": carrier.name,
            "kind": carrier.kind,
            "institution": carrier.institution,
            "principals": carrier.principals,
            "trust_notes": carrier.trust_notes,
        }
        form = CarrierForm(request.POST or None, initial=initial, with_trust_notes=with_trust_notes)
    if request.method == "POST" and form.is_valid():
        try:
            services.carrier_update(carrier=carrier, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The carrier was saved."))
            return redirect("uptake:carrier_edit", carrier.public_id)
    return render(
        request,
        "uptake/carriers/detail.html",
        {
            "programme": carrier.programme,
            "carrier": carrier,
            "briefing_count": carrier.briefings.count(),
            "show_trust_notes": with_trust_notes,
            "can_manage": can_manage,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def uptake_settings(request, programme_id):
    """The programme's uptake settings: after how many days a briefing without feedback is
    chased."""
    programme, _allowed = get_programme_chain_for_user(
        request.user, programme_id, ChainAction.MANAGE
    )
    settings = services.uptake_settings_read(programme)
    form = UptakeSettingsForm(
        request.POST or None,
        initial={"feedback_reminder_days": settings.feedback_reminder_days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.uptake_settings_update(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The uptake settings were saved."))
            return redirect("uptake:uptake_settings", programme.public_id)
    return render(
        request,
        "uptake/carriers/settings.html",
        {"programme": programme, "form": form},
        status=400 if request.method == "POST" else 200,
    )
