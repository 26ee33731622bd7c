"""Briefings: a delivered non-paper version relayed through a carrier to a principal.

Recording one as briefed is the vetting gate: it takes the version's VettingClearance, which
exists only while every framework passes. The database refuses a briefed row without it
(constraint uptake_briefing_briefed_only_when_cleared), so nothing gets around the service."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dialogues.services.attribution import dialogue_mention_finder
from uptake.models import Briefing, BriefingOutcome, Document
from uptake.services.vetting import vetting_summary

PRINCIPAL_MAX_LENGTH = Briefing._meta.get_field("principal").max_length
NOTES_MAX_LENGTH = 4000

# Where an outcome may go. Briefed is final: the text reached the principal, and its
# feedback and the clearance it was relayed under rest on that.
OUTCOME_TRANSITIONS = {
    BriefingOutcome.PENDING: {BriefingOutcome.BRIEFED, BriefingOutcome.DECLINED},
    BriefingOutcome.DECLINED: {BriefingOutcome.PENDING, BriefingOutcome.BRIEFED},
    BriefingOutcome.BRIEFED: set(),
}


def _lock_document(document):
    # The same lock vetting_record takes: a verdict and a relay never interleave.
    return (
        Document.objects.select_for_update()
        .select_related("dialogue__programme")
        .get(pk=document.pk)
    )


def _clearance_or_refuse(document):
    """The version's clearance; ValidationError naming what is missing or blocked if none."""
    summary = vetting_summary(document)
    if not summary.cleared:
        raise ValidationError(summary.gate_messages(), code="not_cleared")
    return summary.clearance


def _check_outcome(outcome):
    if outcome not in BriefingOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    return BriefingOutcome(outcome)


@transaction.atomic
def briefing_create(
    *, document, carrier, principal, briefed_on, outcome=BriefingOutcome.PENDING, notes="", actor
):
    """Record that non-paper version `document` was (or is to be) relayed through `carrier`
    to `principal` on `briefed_on`, with `outcome`. Recorded as briefed, the briefing takes
    the version's clearance.

    Raises ValidationError when the document is not a delivered non-paper, the carrier is
    of another programme, the principal or date is missing, the principal names a participant
    of the dialogue, the outcome is unknown, and when
    it is recorded as briefed while the version is not cleared (naming the frameworks not
    yet vetted and those blocked).
    Caller: someone who manages the programme's chain (ChainAction.MANAGE)."""
    document = _lock_document(document)
    if not document.is_non_paper:
        raise ValidationError(_("Only a non-paper is relayed."), code="not_non_paper")
    if document.status != Document.Status.DELIVERED:
        raise ValidationError(
            _("This version is %(status)s: only a delivered version is relayed.")
            % {"status": document.get_status_display().lower()},
            code="not_delivered",
        )
    if carrier is None or carrier.programme_id != document.dialogue.programme_id:
        raise ValidationError({"carrier": _("Choose a carrier of this programme.")})
    principal = (principal or "").strip()
    if not principal:
        raise ValidationError({"principal": _("Say who was briefed.")})
    if len(principal) > PRINCIPAL_MAX_LENGTH:
        raise ValidationError(
            {"principal": _("Keep this under %(max)s characters.") % {"max": PRINCIPAL_MAX_LENGTH}}
        )
    # The principal is shown to the whole team and in reminders, unredacted: never a name of
    # someone on the dialogue's roster.
    if dialogue_mention_finder(document.dialogue).find(principal):
        raise ValidationError(
            {
                "principal": _(
                    "This names a participant of the dialogue: describe the principal by "
                    "their office instead."
                )
            }
        )
    if briefed_on is None:
        raise ValidationError({"briefed_on": _("Give the date of the briefing.")})
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise ValidationError(
            {"notes": _("Keep the notes under %(max)s characters.") % {"max": NOTES_MAX_LENGTH}}
        )
    outcome = _check_outcome(outcome)
    briefing = Briefing(
        document=document,
        carrier=carrier,
        principal=principal,
        briefed_on=briefed_on,
        outcome=outcome,
        notes=notes,
        created_by=actor,
    )
    if outcome == BriefingOutcome.BRIEFED:
        briefing.clearance = _clearance_or_refuse(document)
    briefing.full_clean()
    briefing.save()
    return briefing


@transaction.atomic
def briefing_set_outcome(*, briefing, outcome, actor):
    """Set the outcome of `briefing`: pending → briefed or declined, declined → pending or
    briefed. Briefed is final. Setting the outcome it already has changes nothing.

    Raises ValidationError for an unknown outcome, a move away from briefed, and for briefed
    while the version is not cleared (naming the frameworks not yet vetted and those
    blocked). Caller: someone who manages the programme's chain (ChainAction.MANAGE)."""
    document = _lock_document(briefing.document)
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    outcome = _check_outcome(outcome)
    if briefing.outcome == outcome:
        return briefing
    if outcome not in OUTCOME_TRANSITIONS[BriefingOutcome(briefing.outcome)]:
        raise ValidationError(
            _(
                "This briefing was recorded as briefed: the text reached the principal, so "
                "that stays. Record what came back as feedback."
            ),
            code="briefed_is_final",
        )
    briefing.outcome = outcome
    briefing.clearance = (
        _clearance_or_refuse(document) if outcome == BriefingOutcome.BRIEFED else None
    )
    briefing.full_clean()
    briefing.save(update_fields=["outcome", "clearance"])
    return briefing


def briefings_of(document):
    """The briefings of version `document`, newest first, each with its carrier and its
    feedback prefetched. Two queries."""
    return list(
        Briefing.objects.filter(document=document)
        .select_related("carrier")
        .prefetch_related("feedback")
        .order_by("-briefed_on", "-id")
    )
