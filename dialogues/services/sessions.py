"""Sessions of a dialogue: scheduling, attendance, non-attributed notes, the calendar feed."""

import zoneinfo
from datetime import UTC
from functools import cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from dialogues.models import Attendance, DialogueParticipant, Session
from dialogues.services.attribution import (
    actor_sees_identity,
    dialogue_mention_finder,
    refuse_if_names_withheld,
)
from dialogues.services.design import lock_dialogue_for_change
from dialogues.signals import attendance_recorded

# What a name in a text handed outside the team (a calendar file) is replaced with.
NAME_WITHHELD = "[…]"


@cache
def _time_zones_by_lower_name():
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def canonical_time_zone(name):
    """The IANA time zone `name` as the zone database spells it ("asia/yangon" gives
    "Asia/Yangon"), or None when there is no such zone."""
    return _time_zones_by_lower_name().get((name or "").strip().lower())


def time_zone_names():
    """Every IANA time zone name, sorted, for the form's suggestions."""
    return sorted(_time_zones_by_lower_name().values())


def session_zone(session):
    """The session's time zone. A name the zone database does not know (a row written outside
    these services, or a zone since withdrawn) falls back to UTC rather than an error page."""
    name = canonical_time_zone(session.time_zone)
    return zoneinfo.ZoneInfo(name) if name else UTC


def _check_session(session, rounds):
    errors = {}
    if canonical_time_zone(session.time_zone) != session.time_zone:
        errors["time_zone"] = _("Unknown time zone: use an IANA name such as Asia/Yangon.")
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    if rounds is not None and any(r.dialogue_id != session.dialogue_id for r in rounds):
        errors["rounds"] = _("Choose rounds of this dialogue only.")
    if errors:
        raise ValidationError(errors)
    session.full_clean()


def _refuse_notes(fields):
    if "notes" in fields:
        raise ValueError("Use session_record_notes: notes go through the non-attribution check.")


@transaction.atomic
def session_create(*, dialogue, actor, rounds=(), **fields):
    """Schedule a session of `dialogue`. `starts_at` and `ends_at` are aware datetimes
    (stored in UTC); `time_zone` is the IANA name of where it happens; `rounds` are rounds of
    this dialogue. Raises ValidationError for a closed or abandoned dialogue, an unknown zone,
    an end not after the start, a round of another dialogue or any invalid field.
    Caller: someone with design_dialogues."""
    _refuse_notes(fields)
    dialogue = lock_dialogue_for_change(dialogue)
    session = Session(dialogue=dialogue, **fields)
    _check_session(session, list(rounds))
    session.save()
    session.rounds.set(rounds)
    return session


@transaction.atomic
def session_update(*, session, actor, rounds=None, **fields):
    """Change a session's title, times, zone, location, agenda and (unless None) rounds, under
    the same rules as session_create. Raises ValidationError too when `actor` may not see
    identities and the stored title, location or agenda names a participant.
    Caller: someone with design_dialogues."""
    _refuse_notes(fields)
    dialogue = lock_dialogue_for_change(session.dialogue)
    session = Session.objects.select_for_update().get(pk=session.pk)
    refuse_if_names_withheld(
        actor=actor,
        dialogue=dialogue,
        texts=[session.title, session.location, session.agenda],
        message=_(
            "The title, location or agenda of this session names a participant, which is "
            "withheld from you: only a team member who may see identities can change it."
        ),
    )
    for name, value in fields.items():
        setattr(session, name, value)
    rounds = None if rounds is None else list(rounds)
    _check_session(session, rounds)
    session.save()
    if rounds is not None:
        session.rounds.set(rounds)
    return session


@transaction.atomic
def session_record_attendance(*, session, marks, actor):
    """Record the attendance of a session in one go.

    `marks` maps DialogueParticipant to an Attendance.Status value, or to None to clear a
    mark. Confirmed participants can be marked; a mark recorded earlier for someone no longer
    confirmed can still be corrected or cleared. Raises ValidationError, and records nothing,
    when the dialogue is closed or abandoned, a participant is not in the session's dialogue,
    is not confirmed, or a status is unknown. Caller: someone with design_dialogues."""
    lock_dialogue_for_change(session.dialogue)
    session = Session.objects.select_for_update().get(pk=session.pk)
    existing = {a.dialogue_participant_id: a for a in session.attendance.all()}
    problems = []
    for place, status in marks.items():
        if place.dialogue_id != session.dialogue_id:
            problems.append(
                _("%(code)s is not a participant of this dialogue.")
                % {"code": place.participant.code}
            )
        elif status is not None and status not in Attendance.Status.values:
            problems.append(
                _("Unknown attendance for %(code)s.") % {"code": place.participant.code}
            )
        elif (
            status is not None
            and place.status != DialogueParticipant.Status.CONFIRMED
            and place.pk not in existing
        ):
            problems.append(
                _("%(code)s is not confirmed, so their attendance cannot be recorded.")
                % {"code": place.participant.code}
            )
    if problems:
        raise ValidationError(problems)

    to_create, to_update, to_clear = [], [], []
    for place, status in marks.items():
        record = existing.get(place.pk)
        if status is None:
            if record is not None:
                to_clear.append(record.pk)
        elif record is None:
            to_create.append(Attendance(session=session, dialogue_participant=place, status=status))
        elif record.status != status:
            record.status = status
            to_update.append(record)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(to_update, ["status"])
    Attendance.objects.filter(pk__in=to_clear).delete()
    attendance_recorded.send(sender=Session, session=session)


class AttributionUnconfirmed(ValidationError):
    """The writer has not confirmed that the notes attribute nothing to anyone.

    `mentions` (attribution.Mention) are the names found, mapped to codes: show them only to
    users allowed to see identities. For a writer who may not see identities it is always
    empty, and the message names no one either way."""

    def __init__(self, mentions):
        if mentions:
            message = _(
                "This note contains the name or an alias of a participant. Check that it "
                "attributes nothing to anyone, then confirm."
            )
        else:
            message = _("Check that this note attributes nothing to anyone, then confirm.")
        super().__init__(message, code="attribution_unconfirmed")
        self.mentions = mentions


@transaction.atomic
def session_record_notes(*, session, notes, attribution_checked, actor):
    """Save the session's non-attributed notes.

    Raises AttributionUnconfirmed, and saves nothing, unless `attribution_checked` (the writer
    confirms that the note attributes nothing to anyone) when:
    - `actor` may see identities and the notes contain the name or an alias of a participant
      of the dialogue (the exception carries those mentions);
    - `actor` may not see identities, whatever the notes say: asking only when a name is found
      would tell them who takes part.
    Raises ValidationError when the dialogue is closed or abandoned, or when `actor` may not
    see identities and the stored notes name a participant (they are withheld from them, so
    they may not overwrite them). Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(session.dialogue)
    session = Session.objects.select_for_update().get(pk=session.pk)
    sees_identity = actor_sees_identity(actor, dialogue.programme)
    finder = dialogue_mention_finder(dialogue)
    if not sees_identity and finder.find(session.notes):
        raise ValidationError(
            _(
                "These notes name a participant, which is withheld from you: only a team "
                "member who may see identities can change them."
            ),
            code="names_withheld",
        )
    if not attribution_checked:
        if not sees_identity:
            raise AttributionUnconfirmed([])
        mentions = finder.find(notes)
        if mentions:
            raise AttributionUnconfirmed(mentions)
    session.notes = notes
    session.full_clean()
    session.save(update_fields=["notes"])
    return session


def sessions_calendar(*, dialogue):
    """The dialogue's sessions as an iCalendar file (bytes): one event per session with its
    title, times in its own zone, location and agenda. It leaves the team's hands (calendar
    apps sync it to other servers), so it lists no participant and any participant name or
    alias in the text is withheld. Caller: a team member with view_dialogues."""
    return _calendar(dialogue, dialogue_mention_finder(dialogue))


def sessions_calendar_download(*, dialogue):
    """(file name, iCalendar bytes) for downloading sessions_calendar. The file name comes
    from the dialogue's title with any participant name or alias left out, like the file's
    content. Caller: a team member with view_dialogues."""
    finder = dialogue_mention_finder(dialogue)
    name = slugify(finder.redact(dialogue.title, " ")) or "dialogue"
    return f"{name}-sessions.ics", _calendar(dialogue, finder)


def _calendar(dialogue, finder):
    calendar = Calendar()
    calendar.add("prodid", "-//Parley//Dialogue sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", finder.redact(dialogue.title, NAME_WITHHELD))
    stamp = timezone.now().astimezone(UTC)
    for session in dialogue.sessions.order_by("starts_at", "pk"):
        zone = session_zone(session)
        event = Event()
        event.add("uid", f"{session.public_id}@parley")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("summary", finder.redact(session.title, NAME_WITHHELD))
        if session.location:
            event.add("location", finder.redact(session.location, NAME_WITHHELD))
        if session.agenda:
            event.add("description", finder.redact(session.agenda, NAME_WITHHELD))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
