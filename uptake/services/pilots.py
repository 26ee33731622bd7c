"""Micro-pilots: proposed from a step of a delivered non-paper to generate proof-points at
low political risk, agreed only after a do-no-harm check, then run, completed or stopped.

Every function here is called by someone who manages the programme's uptake chain
(uptake.permissions.ChainAction.MANAGE: programme officers and facilitators); the views
check that through the chokepoint before calling."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues.services.attribution import refuse_if_names_withheld
from uptake import content as document_content
from uptake.models import Document, Pilot, ProofPoint
from uptake.services.documents import head_revision
from uptake.services.ladder import programme_today

Status = Pilot.Status

# A finished pilot is a record: its dates and scope no longer change.
FINISHED = frozenset({Status.COMPLETED, Status.STOPPED})
# Proof-points come from a pilot that ran.
COLLECTING_PROOF = frozenset({Status.RUNNING, Status.COMPLETED})

TITLE_MAX_LENGTH = Pilot._meta.get_field("title").max_length
NAMES_WITHHELD = gettext_lazy(
    "The pilot's description names a participant, which is withheld from you: only a team "
    "member who may see identities can change it."
)


def step_choices(document):
    """The steps of a delivered non-paper a pilot can be proposed from, as (index, text)
    pairs from its frozen text (the caller redacts the text for its reader)."""
    content = document_content.normalise(document.kind, head_revision(document).content)
    return list(enumerate(step["text"] for step in content["steps"]))


def _required(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _clean_description(*, title, scope, parties):
    """The pilot's title, scope and parties, stripped; ValidationError naming each missing
    one (all at once, so a form shows every problem)."""
    errors = {}
    cleaned = {}
    for field, value, message in [
        ("title", title, _("Give the pilot a short title.")),
        ("scope", scope, _("Describe the pilot's scope: what, where, for how long.")),
        ("parties", parties, _("Name the parties involved (institutions, not participants).")),
    ]:
        try:
            cleaned[field] = _required(value, field, message)
        except ValidationError as error:
            errors.update(error.message_dict)
    if "title" in cleaned and len(cleaned["title"]) > TITLE_MAX_LENGTH:
        errors["title"] = [
            _("Keep the title under %(max)s characters.") % {"max": TITLE_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_dates(starts_on, ends_on):
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The pilot cannot end before it starts.")})


def _lock(pilot):
    return (
        Pilot.objects.select_for_update()
        .select_related("document__dialogue__programme")
        .get(pk=pilot.pk)
    )


@transaction.atomic
def pilot_propose(*, document, step_index, title, scope, parties, starts_on, ends_on, actor):
    """Propose a micro-pilot from step `step_index` (an index into the delivered text's
    steps, or None for the non-paper as a whole) of the non-paper version `document`.

    Raises ValidationError when `document` is not a delivered non-paper (pilots test what
    was delivered, whose text no longer changes), for a step it does not have, a missing
    title, scope or parties, or an end before the start.
    Caller: someone with ChainAction.MANAGE on the document's programme."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_non_paper or document.status != Document.Status.DELIVERED:
        raise ValidationError(
            _(
                "A pilot is proposed from a delivered non-paper: this version is %(status)s. "
                "Deliver it first."
            )
            % {"status": document.get_status_display().lower()},
            code="not_delivered",
        )
    if step_index is not None:
        count = len(step_choices(document))
        if not 0 <= step_index < count:
            raise ValidationError(
                {"step_index": _("This version has no such step: choose one of its steps.")}
            )
    cleaned = _clean_description(title=title, scope=scope, parties=parties)
    _check_dates(starts_on, ends_on)
    pilot = Pilot(
        document=document,
        step_index=step_index,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
        **cleaned,
    )
    pilot.full_clean()
    pilot.save()
    return pilot


@transaction.atomic
def pilot_record_do_no_harm(*, pilot, notes, actor):
    """Record the do-no-harm check of a proposed pilot: who could be hurt, how that is
    avoided, who was consulted. Recording it again replaces the earlier one. A pilot cannot
    be agreed without it.

    Raises ValidationError without notes, or once the pilot is no longer proposed (the check
    is what the agreement rests on: it is not rewritten afterwards).
    Caller: someone with ChainAction.MANAGE on the pilot's programme."""
    pilot = _lock(pilot)
    if pilot.status != Status.PROPOSED:
        raise ValidationError(
            _("The do-no-harm check is recorded while a pilot is proposed; this one is %(status)s.")
            % {"status": pilot.get_status_display().lower()},
            code="not_proposed",
        )
    pilot.do_no_harm_notes = _required(
        notes, "notes", _("Write down the do-no-harm check: who could be hurt and how not.")
    )
    pilot.do_no_harm_by = actor
    pilot.do_no_harm_at = timezone.now()
    pilot.full_clean()
    pilot.save(update_fields=["do_no_harm_notes", "do_no_harm_by", "do_no_harm_at"])
    return pilot


@transaction.atomic
def pilot_update(*, pilot, title, scope, parties, starts_on, ends_on, actor):
    """Change a pilot's title, scope, parties or dates while it is not finished.

    Changing the scope or the parties of a proposed pilot clears its do-no-harm check: the
    check was made for what was described, so it is recorded again for the new description.
    Returns the pilot; `pilot.do_no_harm_cleared` says whether that happened.

    Raises ValidationError for a completed or stopped pilot, a new scope or new parties
    for a pilot already agreed or running, a missing title, scope or parties, an end before
    the start, a running pilot without a start date, and when `actor` may not see identities
    and the pilot's description names a participant (it is shown to them with the name
    withheld, so they may not overwrite it).
    Caller: someone with ChainAction.MANAGE on the pilot's programme."""
    pilot = _lock(pilot)
    if pilot.status in FINISHED:
        raise ValidationError(
            _("A %(status)s pilot is a record: its dates and scope no longer change.")
            % {"status": pilot.get_status_display().lower()},
            code="finished",
        )
    refuse_if_names_withheld(
        actor=actor,
        dialogue=pilot.document.dialogue,
        texts=[pilot.title, pilot.scope, pilot.parties],
        message=NAMES_WITHHELD,
    )
    cleaned = _clean_description(title=title, scope=scope, parties=parties)
    _check_dates(starts_on, ends_on)
    if starts_on is None and pilot.status == Status.RUNNING:
        raise ValidationError({"starts_on": _("A running pilot keeps its start date.")})
    described_anew = (cleaned["scope"], cleaned["parties"]) != (pilot.scope, pilot.parties)
    if described_anew and pilot.status != Status.PROPOSED:
        # The parties agreed to what was checked for harm: a different pilot is proposed anew.
        raise ValidationError(
            _(
                "This pilot is %(status)s: it keeps the scope and parties its do-no-harm check "
                "and the agreement were made for. Stop it and propose the new one instead."
            )
            % {"status": pilot.get_status_display().lower()},
            code="agreed_scope",
        )
    pilot.do_no_harm_cleared = bool(
        pilot.status == Status.PROPOSED and described_anew and pilot.do_no_harm_at
    )
    if pilot.do_no_harm_cleared:
        pilot.do_no_harm_notes, pilot.do_no_harm_by, pilot.do_no_harm_at = "", None, None
    for field, value in cleaned.items():
        setattr(pilot, field, value)
    pilot.starts_on, pilot.ends_on = starts_on, ends_on
    pilot.full_clean()
    pilot.save()
    return pilot


@transaction.atomic
def pilot_transition(*, pilot, to_status, actor, stop_reason=""):
    """Move a pilot along proposed → agreed → running → completed, or stop it (from
    proposed, agreed or running).

    Raises ValidationError saying why when the move is not in Pilot.TRANSITIONS, when
    agreeing a pilot whose do-no-harm check is not recorded (the database refuses it too:
    constraint uptake_pilot_agreed_after_do_no_harm), when a pilot without a start date
    would start running, and when stopping without a reason. Completing a pilot before its
    planned end (or without one) sets its end to today, on the programme's calendar.
    Caller: someone with ChainAction.MANAGE on the pilot's programme."""
    pilot = _lock(pilot)
    pilot.check_transition(to_status)
    if to_status == Status.AGREED and pilot.do_no_harm_at is None:
        raise ValidationError(
            _(
                "Record the do-no-harm check before the pilot is agreed: nobody agrees to a "
                "pilot whose risks were not weighed."
            ),
            code="do_no_harm_missing",
        )
    if to_status == Status.RUNNING and pilot.starts_on is None:
        raise ValidationError(
            _("Set the pilot's start date before it starts running."), code="no_start_date"
        )
    if to_status == Status.STOPPED:
        pilot.stop_reason = _required(
            stop_reason, "stop_reason", _("Say why the pilot stopped: it is part of the record.")
        )
    if to_status == Status.COMPLETED:
        # The day it ended, when that is before the planned end (or none was planned).
        today = programme_today(pilot.document.dialogue.programme)
        if (pilot.ends_on is None or pilot.ends_on > today) and pilot.starts_on <= today:
            pilot.ends_on = today
    pilot.status = to_status
    pilot.full_clean()
    pilot.save(update_fields=["status", "stop_reason", "ends_on"])
    return pilot


@transaction.atomic
def proof_point_add(*, pilot, happened, evidence, observed_on, actor):
    """Record a proof-point of a running or completed pilot: what happened, the evidence,
    and the day it was observed (on the programme's calendar: not in the future, not
    before the pilot started).

    Raises ValidationError for a pilot that is not running or completed, or for missing
    or impossible values. Caller: someone with ChainAction.MANAGE on the pilot's programme."""
    pilot = _lock(pilot)
    if pilot.status not in COLLECTING_PROOF:
        raise ValidationError(
            _("Proof-points come from a running or completed pilot; this one is %(status)s.")
            % {"status": pilot.get_status_display().lower()},
            code="not_running",
        )
    errors = {}
    cleaned = {}
    for field, value, message in [
        ("happened", happened, _("Say what happened.")),
        ("evidence", evidence, _("Say what shows it happened: a record, a count, a witness.")),
    ]:
        try:
            cleaned[field] = _required(value, field, message)
        except ValidationError as error:
            errors.update(error.message_dict)
    if observed_on is None:
        errors["observed_on"] = [_("Give the date it was observed.")]
    elif observed_on > programme_today(pilot.document.dialogue.programme):
        errors["observed_on"] = [_("A proof-point cannot be dated in the future.")]
    elif pilot.starts_on and observed_on < pilot.starts_on:
        errors["observed_on"] = [
            _("The pilot started on %(date)s: a proof-point cannot come before it.")
            % {"date": date_format(pilot.starts_on, "j M Y")}
        ]
    if errors:
        raise ValidationError(errors)
    proof_point = ProofPoint(pilot=pilot, observed_on=observed_on, recorded_by=actor, **cleaned)
    proof_point.full_clean()
    proof_point.save()
    return proof_point
