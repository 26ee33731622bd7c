"""The 30/60/90-day ladder of a delivered non-paper version, and the page to update one
of its commitments.

Versions come through uptake.permissions.get_non_paper_chain_for_user and commitments
through get_commitment_for_user. Step texts, owners and evidence are free text: they pass
through the viewer's Redactor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dialogues.forms import add_service_errors
from uptake import content as document_content
from uptake.forms.ladder import CommitmentForm
from uptake.models import Commitment
from uptake.permissions import ChainAction, get_commitment_for_user, get_non_paper_chain_for_user
from uptake.services import ladder as services
from uptake.views.documents import redactor_for

LIVE = frozenset({Commitment.Status.OPEN, Commitment.Status.SLIPPED})


def _flag(commitment, today, redact):
    """Set what the page shows of `commitment` for this reader, and whether it is late."""
    commitment.shown_what = redact(commitment.what)
    commitment.shown_owner = redact(commitment.owner)
    commitment.shown_evidence = redact(commitment.evidence)
    commitment.is_overdue = commitment.status in LIVE and commitment.due_on < today
    commitment.days_late = (today - commitment.due_on).days if commitment.is_overdue else 0
    return commitment


@login_required
@require_GET
def ladder(request, document_id):
    """The version's commitments on their rungs (30, 60, 90 days), with due dates, status
    and the overdue ones flagged; a link to update each for those who manage the chain.
    Queries: session, user, version with dialogue and programme, permission check (two),
    identity check (two), [roster], the commitments with who follows them up, the menu's
    roles."""
    document, allowed = get_non_paper_chain_for_user(request.user, document_id)
    _show_identity, redact = redactor_for(request.user, document)
    today = services.programme_today(document.dialogue.programme)
    commitments = [
        _flag(commitment, today, redact)
        for commitment in document.commitments.select_related("responsible").order_by(
            "rung", "step_index"
        )
    ]
    rungs = [
        {
            "days": days,
            "label": document_content.ladder_label(days),
            "commitments": [c for c in commitments if c.rung == days],
        }
        for days in document_content.LADDER_DAYS
    ]
    return render(
        request,
        "uptake/ladder/ladder.html",
        {
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "document": document,
            "shown_title": redact(document.title),
            "rungs": rungs,
            "has_commitments": bool(commitments),
            "overdue_count": sum(c.is_overdue for c in commitments),
            "today": today,
            "can_manage": ChainAction.MANAGE in allowed,
        },
    )


def _names_withheld(show_identity, commitment):
    return not show_identity and (
        commitment.shown_owner != commitment.owner
        or commitment.shown_evidence != commitment.evidence
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, commitment_id):
    """Update a commitment: due date, owner, who follows it up, status, evidence. Invalid
    input comes back with what was typed (400)."""
    commitment, _allowed = get_commitment_for_user(request.user, commitment_id, ChainAction.MANAGE)
    document = commitment.document
    programme = document.dialogue.programme
    show_identity, redact = redactor_for(request.user, document)
    today = services.programme_today(programme)
    _flag(commitment, today, redact)
    if _names_withheld(show_identity, commitment):
        # Refused before they type (the service refuses a POST too).
        messages.error(request, services.NAMES_WITHHELD)
        return redirect("uptake:ladder", document.public_id)
    followers = list(services.managers_of(programme))
    if request.method == "POST":
        form = CommitmentForm(request.POST, followers=followers)
    else:
        form = CommitmentForm(
            initial={
                "due_on": commitment.due_on,
                "owner": commitment.owner,
                "responsible": commitment.responsible_id or "",
                "status": commitment.status,
                "evidence": commitment.evidence,
            },
            followers=followers,
        )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.commitment_update(
                    commitment=commitment,
                    due_on=data["due_on"],
                    owner=data["owner"],
                    responsible=form.responsible_user(),
                    status=data["status"],
                    evidence=data["evidence"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Step %(number)s of the ladder was updated.")
                    % {"number": commitment.step_index + 1},
                )
                return redirect("uptake:ladder", document.public_id)
        status = 400
    return render(
        request,
        "uptake/ladder/commitment_edit.html",
        {
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "document": document,
            "shown_title": redact(document.title),
            "commitment": commitment,
            "rung_label": document_content.ladder_label(commitment.rung),
            "form": form,
        },
        status=status,
    )
