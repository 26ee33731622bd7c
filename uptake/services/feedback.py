"""The Track I feedback loop: what came back after a briefing, and iterating the non-paper
with it. The next version starts in draft with no vetting, so it is vetted afresh before
it can be relayed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uptake.models import Briefing, BriefingOutcome, Document, Feedback, FeedbackReaction
from uptake.services.documents import document_new_iteration

TEXT_MAX_LENGTH = 4000


def _check_text(name, value):
    value = (value or "").strip()
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {name: _("Keep this under %(max)s characters.") % {"max": TEXT_MAX_LENGTH}}
        )
    return value


@transaction.atomic
def feedback_add(*, briefing, reaction, received_on, language_adjustments="", notes="", actor):
    """Record the reaction that came back through the backchannel after `briefing`, with the
    language adjustments asked for.

    Raises ValidationError when the briefing is not recorded as briefed (nothing reached the
    principal to react to), for an unknown reaction, a missing date or one before the
    briefing, and for over-long texts.
    Caller: someone who manages the programme's chain (ChainAction.MANAGE)."""
    briefing = Briefing.objects.select_for_update().get(pk=briefing.pk)
    if briefing.outcome != BriefingOutcome.BRIEFED:
        raise ValidationError(
            _(
                "Feedback comes back after a briefing: record this one as briefed first "
                "(it is %(outcome)s)."
            )
            % {"outcome": briefing.get_outcome_display().lower()},
            code="not_briefed",
        )
    if reaction not in FeedbackReaction.values:
        raise ValidationError({"reaction": _("Choose the reaction that came back.")})
    if received_on is None:
        raise ValidationError({"received_on": _("Give the date it came back.")})
    if received_on < briefing.briefed_on:
        raise ValidationError(
            {
                "received_on": _("Feedback cannot come back before the briefing (%(date)s).")
                % {"date": briefing.briefed_on.isoformat()}
            }
        )
    feedback = Feedback(
        briefing=briefing,
        reaction=reaction,
        received_on=received_on,
        language_adjustments=_check_text("language_adjustments", language_adjustments),
        notes=_check_text("notes", notes),
        recorded_by=actor,
    )
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_iterate(*, feedback, actor):
    """Bring the feedback into the next text of its non-paper (`feedback.iteration`). The
    version it is about, or the newest version after it, decides how: a newest version still
    being written (draft, in review) takes the feedback; a delivered newest version gets a
    next iteration, a draft with no vetting, that takes it. Returns the version that holds
    the feedback.

    Raises ValidationError when the feedback already led to a version, and when the newest
    version is ready (its text is settled and may be vetted: move it back to review first).
    Caller: someone who manages the programme's chain (ChainAction.MANAGE), who may also
    edit the programme's documents."""
    feedback = Feedback.objects.select_for_update().select_related("briefing").get(pk=feedback.pk)
    if feedback.iteration_id is not None:
        led_to = Document.objects.get(pk=feedback.iteration_id)
        raise ValidationError(
            _("This feedback already led to version %(version)s.") % {"version": led_to.version},
            code="already_iterated",
        )
    # The newest version of the lineage, locked so that two pieces of feedback iterated at
    # once share one next version. Feedback may come back after later versions were made.
    newest = Document.objects.select_for_update().get(pk=feedback.briefing.document_id)
    while (following := Document.objects.filter(previous_version=newest).first()) is not None:
        newest = Document.objects.select_for_update().get(pk=following.pk)
    if newest.status == Document.Status.DELIVERED:
        newest = document_new_iteration(document=newest, actor=actor)
    elif newest.status == Document.Status.READY:
        raise ValidationError(
            _(
                "Version %(version)s is ready: its text is settled and may be vetted already. "
                "Move it back to review to take this feedback into it."
            )
            % {"version": newest.version},
            code="next_ready",
        )
    feedback.iteration = newest
    feedback.save(update_fields=["iteration"])
    return newest


def feedback_for_version(document, *, redact):
    """The feedback version `document` was started to address, oldest first, each with its
    briefing and carrier, and its texts as this reader may see them (`shown_language_
    adjustments`, `shown_notes`: passed through `redact`, the viewer's Redactor, as they are
    free text that could name a participant). One query."""
    items = list(
        Feedback.objects.filter(iteration=document)
        .select_related("briefing__carrier")
        .order_by("received_on", "id")
    )
    for item in items:
        item.shown_language_adjustments = redact(item.language_adjustments)
        item.shown_notes = redact(item.notes)
        item.shown_principal = redact(item.briefing.principal)
    return items
