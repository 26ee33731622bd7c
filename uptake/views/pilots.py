"""Micro-pilots of a delivered non-paper version: the list with the form to propose one,
and a pilot's page with its do-no-harm check, its moves, its proof-points and its edit form.

Versions come through uptake.permissions.get_non_paper_chain_for_user and pilots through
get_pilot_for_user. Free text (titles, step texts, scopes, notes) passes through the
viewer's Redactor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialogues.forms import add_service_errors
from uptake.forms.pilots import (
    DoNoHarmForm,
    PilotForm,
    PilotMoveForm,
    PilotProposeForm,
    ProofPointForm,
)
from uptake.models import Document, Pilot
from uptake.permissions import ChainAction, get_non_paper_chain_for_user, get_pilot_for_user
from uptake.services import pilots as services
from uptake.views.documents import redactor_for

STEP_LABEL_LENGTH = 80

# The button for each move, by the status it leads to.
MOVE_LABELS = {
    Pilot.Status.AGREED: gettext_lazy("Agree the pilot"),
    Pilot.Status.RUNNING: gettext_lazy("Start running it"),
    Pilot.Status.COMPLETED: gettext_lazy("Mark it completed"),
    Pilot.Status.STOPPED: gettext_lazy("Stop the pilot"),
}


def _titles(document, redact):
    """The breadcrumb's titles, as this reader may see them."""
    return {
        "dialogue": document.dialogue,
        "dialogue_title": redact(document.dialogue.title),
        "document": document,
        "shown_title": redact(document.title),
    }


def _steps(document, redact):
    return [
        (index, Truncator(redact(text)).chars(STEP_LABEL_LENGTH))
        for index, text in services.step_choices(document)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def pilot_list(request, document_id):
    """The pilots of a non-paper version and, for those who manage the chain, the form to
    propose one from a step of the delivered text (a POST here proposes). Queries: session,
    user, version with dialogue and programme, permission check (two), identity check (two),
    [roster], the pilots with their proof-point counts, [the head revision, for the form],
    the menu's roles."""
    action = ChainAction.MANAGE if request.method == "POST" else ChainAction.VIEW
    document, allowed = get_non_paper_chain_for_user(request.user, document_id, action)
    _show_identity, redact = redactor_for(request.user, document)
    can_propose = ChainAction.MANAGE in allowed and document.status == Document.Status.DELIVERED
    form = None
    status = 200
    if can_propose:
        data = request.POST if request.method == "POST" else None
        form = PilotProposeForm(data, steps=_steps(document, redact))
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                _("A pilot is proposed from a delivered non-paper: deliver this version first."),
            )
            return redirect("uptake:pilot_list", document.public_id)
        if form.is_valid():
            try:
                pilot = services.pilot_propose(
                    document=document, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The pilot was proposed. Record its do-no-harm check before it is agreed."),
                )
                return redirect("uptake:pilot_detail", pilot.public_id)
        status = 400
    pilots = list(
        document.pilots.annotate(proof_count=Count("proof_points")).order_by("created_at", "id")
    )
    for pilot in pilots:
        pilot.shown_title = redact(pilot.title)
    return render(
        request,
        "uptake/pilots/list.html",
        {
            **_titles(document, redact),
            "pilots": pilots,
            "form": form,
            "can_manage": ChainAction.MANAGE in allowed,
        },
        status=status,
    )


def render_pilot_page(request, pilot, allowed, *, status=200, refusal=None, **forms):
    """The pilot's page. `forms` replaces a blank form by the bound one a refused POST came
    from (do_no_harm_form, stop_form, edit_form, proof_form), so what was typed stays."""
    document = pilot.document
    show_identity, redact = redactor_for(request.user, document)
    can_manage = ChainAction.MANAGE in allowed
    finished = pilot.status in services.FINISHED
    step_text = ""
    if pilot.step_index is not None:
        steps = dict(services.step_choices(document))
        step_text = redact(steps.get(pilot.step_index, ""))
    proof_points = list(pilot.proof_points.select_related("recorded_by"))
    for point in proof_points:
        point.shown_happened = redact(point.happened)
        point.shown_evidence = redact(point.evidence)
    shown = {
        "title": redact(pilot.title),
        "scope": redact(pilot.scope),
        "parties": redact(pilot.parties),
        "do_no_harm_notes": redact(pilot.do_no_harm_notes),
        "stop_reason": redact(pilot.stop_reason),
    }
    # Names withheld from this reader: they may not overwrite what they cannot read.
    edit_withheld = not show_identity and any(
        shown[name] != getattr(pilot, name) for name in ("title", "scope", "parties")
    )
    moves = [
        {"to": status_, "label": MOVE_LABELS[status_]}
        for status_ in Pilot.Status
        if status_ in Pilot.TRANSITIONS[Pilot.Status(pilot.status)]
        and status_ != Pilot.Status.STOPPED
    ]
    may_stop = Pilot.Status.STOPPED in Pilot.TRANSITIONS[Pilot.Status(pilot.status)]
    context = {
        **_titles(document, redact),
        "pilot": pilot,
        "shown": shown,
        "step_text": step_text,
        "proof_points": proof_points,
        "can_manage": can_manage,
        "refusal": refusal,
        "edit_withheld": edit_withheld,
        "moves": moves if can_manage else [],
        "do_no_harm_form": forms.get("do_no_harm_form") or DoNoHarmForm()
        if can_manage and pilot.status == Pilot.Status.PROPOSED
        else None,
        "stop_form": forms.get("stop_form") or PilotMoveForm(initial={"to": Pilot.Status.STOPPED})
        if can_manage and may_stop
        else None,
        "edit_form": forms.get("edit_form")
        or PilotForm(
            initial={
                "title": pilot.title,
                "scope": pilot.scope,
                "parties": pilot.parties,
                "starts_on": pilot.starts_on,
                "ends_on": pilot.ends_on,
            }
        )
        if can_manage and not finished and not edit_withheld
        else None,
        "proof_form": forms.get("proof_form") or ProofPointForm()
        if can_manage and pilot.status in services.COLLECTING_PROOF
        else None,
    }
    return render(request, "uptake/pilots/detail.html", context, status=status)


def _refused(request, pilot, allowed, error, form_name, form):
    """The page after a service refused a write: a problem with what was typed comes back
    on the form (400); a move the pilot's state forbids comes back as a refusal (409). The
    bound form is shown either way, so nothing typed is lost."""
    if form is not None and hasattr(error, "error_dict"):
        add_service_errors(form, error)
        return render_pilot_page(request, pilot, allowed, status=400, **{form_name: form})
    return render_pilot_page(
        request, pilot, allowed, status=409, refusal=error.messages, **{form_name: form}
    )


@login_required
@require_GET
def pilot_detail(request, pilot_id):
    """A pilot: what it is, its do-no-harm check, its moves and its proof-points. Queries:
    session, user, pilot with version, dialogue and programme, permission check (two),
    identity check (two), [roster], the head revision (its step), the proof-points with
    who recorded them, who recorded the do-no-harm check, the menu's roles."""
    pilot, allowed = get_pilot_for_user(request.user, pilot_id)
    return render_pilot_page(request, pilot, allowed)


@login_required
@require_POST
def pilot_do_no_harm(request, pilot_id):
    pilot, allowed = get_pilot_for_user(request.user, pilot_id, ChainAction.MANAGE)
    form = DoNoHarmForm(request.POST)
    if form.is_valid():
        try:
            services.pilot_record_do_no_harm(
                pilot=pilot, notes=form.cleaned_data["notes"], actor=request.user
            )
        except ValidationError as error:
            return _refused(request, pilot, allowed, error, "do_no_harm_form", form)
        else:
            messages.success(
                request, _("The do-no-harm check was recorded: the pilot may be agreed.")
            )
            return redirect("uptake:pilot_detail", pilot.public_id)
    return render_pilot_page(request, pilot, allowed, status=400, do_no_harm_form=form)


@login_required
@require_POST
def pilot_move(request, pilot_id):
    """Move the pilot along its lifecycle. A move the lifecycle refuses comes back on the
    pilot's page with the reason (409); a stop without a reason keeps the form (400)."""
    pilot, allowed = get_pilot_for_user(request.user, pilot_id, ChainAction.MANAGE)
    form = PilotMoveForm(request.POST)
    if not form.is_valid():
        return render_pilot_page(
            request, pilot, allowed, status=400, refusal=[_("Choose one of the moves offered.")]
        )
    to_status = form.cleaned_data["to"]
    try:
        services.pilot_transition(
            pilot=pilot,
            to_status=to_status,
            actor=request.user,
            stop_reason=form.cleaned_data["stop_reason"],
        )
    except ValidationError as error:
        stop_form = form if to_status == Pilot.Status.STOPPED else None
        return _refused(request, pilot, allowed, error, "stop_form", stop_form)
    pilot.refresh_from_db()
    messages.success(
        request, _("The pilot is now %(status)s.") % {"status": pilot.get_status_display().lower()}
    )
    return redirect("uptake:pilot_detail", pilot.public_id)


@login_required
@require_POST
def pilot_edit(request, pilot_id):
    pilot, allowed = get_pilot_for_user(request.user, pilot_id, ChainAction.MANAGE)
    form = PilotForm(request.POST)
    if form.is_valid():
        try:
            pilot = services.pilot_update(pilot=pilot, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, pilot, allowed, error, "edit_form", form)
        else:
            messages.success(request, _("The pilot was changed."))
            if pilot.do_no_harm_cleared:
                messages.warning(
                    request,
                    _(
                        "Its scope or parties changed, so its do-no-harm check was cleared: "
                        "record it again for what is now proposed."
                    ),
                )
            return redirect("uptake:pilot_detail", pilot.public_id)
    return render_pilot_page(request, pilot, allowed, status=400, edit_form=form)


@login_required
@require_POST
def proof_point_add(request, pilot_id):
    pilot, allowed = get_pilot_for_user(request.user, pilot_id, ChainAction.MANAGE)
    form = ProofPointForm(request.POST)
    if form.is_valid():
        try:
            services.proof_point_add(pilot=pilot, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _refused(request, pilot, allowed, error, "proof_form", form)
        else:
            messages.success(request, _("The proof-point was recorded."))
            return redirect("uptake:pilot_detail", pilot.public_id)
    return render_pilot_page(request, pilot, allowed, status=400, proof_form=form)
