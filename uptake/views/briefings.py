"""Briefings of a non-paper version and the Track I feedback after them, with the step that
closes the loop: iterate the non-paper with the feedback attached.

Versions come through uptake.permissions.get_non_paper_chain_for_user, briefings through
get_briefing_for_user, feedback through get_feedback_for_user. The titles, notes and the
language adjustments are passed through the viewer's Redactor (free text could name a
participant); carriers and principals are not participants."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialogues.forms import add_service_errors
from uptake.forms.briefings import BriefingForm, BriefingOutcomeForm, FeedbackForm
from uptake.models import Briefing, Carrier, Document
from uptake.permissions import (
    ChainAction,
    get_briefing_for_user,
    get_feedback_for_user,
    get_non_paper_chain_for_user,
)
from uptake.services import briefings as services
from uptake.services import feedback as feedback_services
from uptake.services.vetting import vetting_summary
from uptake.views.documents import redactor_for


def _document_context(request, document):
    """What every page of a version's chain shows of it: its titles as this reader may see
    them (for the breadcrumb and headings), and the redactor for the rest."""
    _show_identity, redact = redactor_for(request.user, document)
    return redact, {
        "document": document,
        "dialogue": document.dialogue,
        "dialogue_title": redact(document.dialogue.title),
        "shown_title": redact(document.title),
    }


@login_required
@require_GET
def briefing_list(request, document_id):
    """A version's briefings with their outcome and feedback. Queries: the version with its
    dialogue and programme, the chain check (two), the identity check (two), [the roster,
    for readers who may not see names], the briefings with their carriers, their feedback,
    the verdicts and the clearance, the menu's roles."""
    document, allowed = get_non_paper_chain_for_user(request.user, document_id)
    redact, context = _document_context(request, document)
    briefings = list(services.briefings_of(document))
    for briefing in briefings:
        briefing.shown_principal = redact(briefing.principal)
    return render(
        request,
        "uptake/briefings/list.html",
        {
            **context,
            "briefings": briefings,
            "summary": vetting_summary(document),
            "can_manage": ChainAction.MANAGE in allowed,
            "delivered": document.status == Document.Status.DELIVERED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def briefing_create(request, document_id):
    """Record a briefing of a delivered version. Recorded as briefed, it passes the vetting
    gate or is refused, with the frameworks still missing or blocked."""
    document, _allowed = get_non_paper_chain_for_user(request.user, document_id, ChainAction.MANAGE)
    programme = document.dialogue.programme
    _redact, context = _document_context(request, document)
    form = BriefingForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            briefing = services.briefing_create(
                document=document, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The briefing through %(carrier)s was recorded.")
                % {"carrier": briefing.carrier.name},
            )
            return redirect("uptake:briefing_detail", briefing.public_id)
    return render(
        request,
        "uptake/briefings/create.html",
        {
            **context,
            "form": form,
            "summary": vetting_summary(document),
            "delivered": document.status == Document.Status.DELIVERED,
            "has_carriers": Carrier.objects.filter(programme=programme).exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _render_briefing(request, briefing, allowed, *, status=200, **forms):
    """The briefing's page; `forms` holds a refused form (`outcome_form` or
    `feedback_form`), shown with what was typed."""
    document = briefing.document
    redact, context = _document_context(request, document)
    can_manage = ChainAction.MANAGE in allowed
    briefed = briefing.outcome == Briefing.Outcome.BRIEFED
    feedback = list(briefing.feedback.select_related("iteration"))
    for item in feedback:
        item.shown_language_adjustments = redact(item.language_adjustments)
        item.shown_notes = redact(item.notes)
    outcome_form = forms.get("outcome_form")
    if outcome_form is None and can_manage and not briefed:
        outcome_form = BriefingOutcomeForm(initial={"outcome": briefing.outcome})
    feedback_form = forms.get("feedback_form")
    if feedback_form is None and can_manage and briefed:
        feedback_form = FeedbackForm()
    return render(
        request,
        "uptake/briefings/detail.html",
        {
            **context,
            "briefing": briefing,
            "shown_notes": redact(briefing.notes),
            "shown_principal": redact(briefing.principal),
            "feedback": feedback,
            "can_manage": can_manage,
            "outcome_form": outcome_form,
            "feedback_form": feedback_form,
            "summary": vetting_summary(document) if not briefed else None,
        },
        status=status,
    )


@login_required
@require_GET
def briefing_detail(request, briefing_id):
    briefing, allowed = get_briefing_for_user(request.user, briefing_id)
    return _render_briefing(request, briefing, allowed)


@login_required
@require_POST
def briefing_outcome(request, briefing_id):
    briefing, allowed = get_briefing_for_user(request.user, briefing_id, ChainAction.MANAGE)
    form = BriefingOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.briefing_set_outcome(
                briefing=briefing, outcome=form.cleaned_data["outcome"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            briefing.refresh_from_db()
            messages.success(
                request,
                _("The briefing is now %(outcome)s.")
                % {"outcome": briefing.get_outcome_display().lower()},
            )
            return redirect("uptake:briefing_detail", briefing.public_id)
    return _render_briefing(request, briefing, allowed, status=400, outcome_form=form)


@login_required
@require_POST
def feedback_add(request, briefing_id):
    briefing, allowed = get_briefing_for_user(request.user, briefing_id, ChainAction.MANAGE)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            feedback_services.feedback_add(
                briefing=briefing, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The feedback was recorded."))
            return redirect("uptake:briefing_detail", briefing.public_id)
    return _render_briefing(request, briefing, allowed, status=400, feedback_form=form)


@login_required
@require_POST
def feedback_iterate(request, feedback_id):
    """Start the next version of the non-paper with this feedback attached."""
    feedback, _allowed = get_feedback_for_user(request.user, feedback_id, ChainAction.MANAGE)
    try:
        following = feedback_services.feedback_iterate(feedback=feedback, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("uptake:briefing_detail", feedback.briefing.public_id)
    messages.success(
        request,
        _(
            "Version %(version)s holds this feedback. Edit its text; it goes through vetting "
            "again before it can be relayed."
        )
        % {"version": following.version},
    )
    return redirect("uptake:document_detail", following.public_id)
