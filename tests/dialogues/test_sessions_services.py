"""Session services: scheduling rules, attendance in one go, the non-attribution guard, and the
iCalendar file."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from icalendar import Calendar

from dialogues.models import Attendance, Dialogue, DialogueParticipant, Round, Session
from dialogues.services import sessions as services
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
    RoundFactory,
    SessionFactory,
)

Status = Attendance.Status
YANGON = ZoneInfo("Asia/Yangon")


def confirmed(dialogue, **participant_fields):
    return DialogueParticipantFactory(
        dialogue=dialogue,
        participant=ParticipantFactory(programme=dialogue.programme, **participant_fields),
        status=DialogueParticipant.Status.CONFIRMED,
        consent_given_on=date(2026, 1, 5),
    )


def schedule(dialogue, **overrides):
    fields = {
        "title": "Framing the corridor",
        "starts_at": datetime(2026, 3, 2, 9, 0, tzinfo=YANGON),
        "ends_at": datetime(2026, 3, 2, 12, 30, tzinfo=YANGON),
        "time_zone": "Asia/Yangon",
        "location": "Guesthouse, room 2",
        "agenda": "Welcome\nGround rules",
    }
    fields.update(overrides)
    return services.session_create(dialogue=dialogue, actor=None, **fields)


def test_a_session_is_stored_in_utc_with_its_zone_and_rounds(dialogue):
    framing = RoundFactory(dialogue=dialogue, kind=Round.Kind.FRAMING)
    session = schedule(dialogue, rounds=[framing])
    session.refresh_from_db()
    assert session.starts_at == datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    assert session.time_zone == "Asia/Yangon"
    assert list(session.rounds.all()) == [framing]


def test_a_session_must_end_after_it_starts(dialogue):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as refused:
        schedule(dialogue, starts_at=start, ends_at=start)
    assert "ends_at" in refused.value.error_dict
    assert not dialogue.sessions.exists()


def test_an_unknown_time_zone_is_refused(dialogue):
    with pytest.raises(ValidationError) as refused:
        schedule(dialogue, time_zone="Mars/Olympus_Mons")
    assert "time_zone" in refused.value.error_dict


def test_a_round_of_another_dialogue_is_refused(dialogue):
    foreign = RoundFactory(dialogue=DialogueFactory(programme=dialogue.programme))
    with pytest.raises(ValidationError) as refused:
        schedule(dialogue, rounds=[foreign])
    assert "rounds" in refused.value.error_dict
    assert not dialogue.sessions.exists()


def test_notes_cannot_bypass_the_attribution_guard_through_create_or_update(dialogue):
    with pytest.raises(ValueError, match="session_record_notes"):
        schedule(dialogue, notes="José said so")
    session = SessionFactory(dialogue=dialogue)
    with pytest.raises(ValueError, match="session_record_notes"):
        services.session_update(session=session, actor=None, notes="José said so")


def test_updating_keeps_the_rules_and_leaves_rounds_alone_unless_given(dialogue):
    framing = RoundFactory(dialogue=dialogue, kind=Round.Kind.FRAMING)
    session = schedule(dialogue, rounds=[framing])
    with pytest.raises(ValidationError):
        services.session_update(session=session, actor=None, ends_at=session.starts_at)
    services.session_update(session=session, actor=None, title="Framing, day one")
    session.refresh_from_db()
    assert session.title == "Framing, day one"
    assert list(session.rounds.all()) == [framing]


def test_attendance_is_recorded_changed_and_cleared_in_one_call(dialogue):
    session = SessionFactory(dialogue=dialogue)
    first, second, third = (confirmed(dialogue) for _ in range(3))
    services.session_record_attendance(
        session=session,
        marks={first: Status.PRESENT, second: Status.PARTIAL, third: Status.ABSENT},
        actor=None,
    )
    services.session_record_attendance(
        session=session,
        marks={first: Status.ABSENT, second: None, third: Status.ABSENT},
        actor=None,
    )
    recorded = dict(session.attendance.values_list("dialogue_participant", "status"))
    assert recorded == {first.pk: Status.ABSENT, third.pk: Status.ABSENT}


def test_attendance_refuses_a_participant_of_another_dialogue_and_records_nothing(dialogue):
    session = SessionFactory(dialogue=dialogue)
    ours = confirmed(dialogue)
    theirs = confirmed(DialogueFactory(programme=dialogue.programme))
    with pytest.raises(ValidationError) as refused:
        services.session_record_attendance(
            session=session, marks={ours: Status.PRESENT, theirs: Status.PRESENT}, actor=None
        )
    assert theirs.participant.code in refused.value.messages[0]
    assert theirs.participant.full_name not in " ".join(refused.value.messages)
    assert not session.attendance.exists()


def test_only_confirmed_participants_can_be_marked(dialogue):
    session = SessionFactory(dialogue=dialogue)
    invited = DialogueParticipantFactory(dialogue=dialogue)
    with pytest.raises(ValidationError, match="not confirmed"):
        services.session_record_attendance(
            session=session, marks={invited: Status.PRESENT}, actor=None
        )


def test_a_mark_recorded_before_someone_withdrew_can_still_be_corrected(dialogue):
    session = SessionFactory(dialogue=dialogue)
    place = confirmed(dialogue)
    services.session_record_attendance(session=session, marks={place: Status.PRESENT}, actor=None)
    place.status = DialogueParticipant.Status.WITHDRAWN
    place.save()
    services.session_record_attendance(session=session, marks={place: Status.PARTIAL}, actor=None)
    assert session.attendance.get().status == Status.PARTIAL


def test_an_unknown_attendance_status_is_refused(dialogue):
    session = SessionFactory(dialogue=dialogue)
    with pytest.raises(ValidationError, match="Unknown attendance"):
        services.session_record_attendance(
            session=session, marks={confirmed(dialogue): "asleep"}, actor=None
        )


def test_notes_naming_a_participant_wait_for_confirmation(dialogue, facilitator):
    session = SessionFactory(dialogue=dialogue)
    place = confirmed(dialogue, full_name="José Ramos", aliases="El Ingeniero")
    with pytest.raises(services.AttributionUnconfirmed) as warned:
        services.session_record_notes(
            session=session,
            notes="el ingeniero suggested a pause",
            attribution_checked=False,
            actor=facilitator,
        )
    assert [m.participant for m in warned.value.mentions] == [place.participant]
    assert "José" not in " ".join(warned.value.messages)
    session.refresh_from_db()
    assert session.notes == ""

    services.session_record_notes(
        session=session,
        notes="el ingeniero suggested a pause",
        attribution_checked=True,
        actor=facilitator,
    )
    session.refresh_from_db()
    assert session.notes == "el ingeniero suggested a pause"


def test_notes_without_names_save_at_once_for_someone_who_may_see_identities(dialogue, facilitator):
    session = SessionFactory(dialogue=dialogue)
    confirmed(dialogue, full_name="José Ramos")
    services.session_record_notes(
        session=session,
        notes="A pause was suggested.",
        attribution_checked=False,
        actor=facilitator,
    )
    session.refresh_from_db()
    assert session.notes == "A pause was suggested."


@pytest.mark.parametrize("notes", ["A pause was suggested.", "José Ramos suggested a pause."])
def test_without_identity_every_note_waits_for_confirmation_and_the_answer_names_no_one(
    dialogue, officer, notes
):
    # Asking only when a name is found would let them test who takes part.
    session = SessionFactory(dialogue=dialogue)
    confirmed(dialogue, full_name="José Ramos")
    with pytest.raises(services.AttributionUnconfirmed) as warned:
        services.session_record_notes(
            session=session, notes=notes, attribution_checked=False, actor=officer
        )
    assert warned.value.mentions == []
    assert warned.value.messages == [
        "Check that this note attributes nothing to anyone, then confirm."
    ]
    session.refresh_from_db()
    assert session.notes == ""
    services.session_record_notes(
        session=session, notes=notes, attribution_checked=True, actor=officer
    )
    session.refresh_from_db()
    assert session.notes == notes


def test_no_actor_counts_as_someone_without_identity(dialogue):
    session = SessionFactory(dialogue=dialogue)
    with pytest.raises(services.AttributionUnconfirmed):
        services.session_record_notes(
            session=session, notes="A pause.", attribution_checked=False, actor=None
        )


def test_without_identity_notes_that_name_someone_cannot_be_overwritten(
    dialogue, officer, facilitator
):
    session = SessionFactory(dialogue=dialogue, notes="José Ramos will circulate a map.")
    confirmed(dialogue, full_name="José Ramos")
    with pytest.raises(ValidationError) as refused:
        services.session_record_notes(
            session=session, notes="Wiped.", attribution_checked=True, actor=officer
        )
    assert refused.value.error_list[0].code == "names_withheld"
    assert "José" not in " ".join(refused.value.messages)
    session.refresh_from_db()
    assert session.notes == "José Ramos will circulate a map."
    # Someone who may see the names may rewrite them.
    services.session_record_notes(
        session=session, notes="A map will circulate.", attribution_checked=False, actor=facilitator
    )
    session.refresh_from_db()
    assert session.notes == "A map will circulate."


def test_without_identity_a_session_whose_texts_name_someone_cannot_be_changed(
    dialogue, officer, facilitator
):
    confirmed(dialogue, full_name="José Ramos", aliases="El Ingeniero")
    session = schedule(dialogue, location="El Ingeniero's guesthouse")
    with pytest.raises(ValidationError) as refused:
        services.session_update(session=session, actor=officer, location="Hotel annex")
    assert refused.value.error_list[0].code == "names_withheld"
    session.refresh_from_db()
    assert session.location == "El Ingeniero's guesthouse"
    services.session_update(session=session, actor=facilitator, location="Hotel annex")
    unnamed = schedule(dialogue, title="Options")
    services.session_update(session=unnamed, actor=officer, title="Options, day two")
    unnamed.refresh_from_db()
    assert unnamed.title == "Options, day two"


def close(dialogue, status=Dialogue.Status.CLOSED):
    Dialogue.objects.filter(pk=dialogue.pk).update(status=status)
    dialogue.refresh_from_db()


@pytest.mark.parametrize("status", [Dialogue.Status.CLOSED, Dialogue.Status.ABANDONED])
def test_a_closed_or_abandoned_dialogue_refuses_every_session_change(dialogue, facilitator, status):
    session = schedule(dialogue)
    place = confirmed(dialogue)
    close(dialogue, status)
    changes = [
        lambda: schedule(dialogue, title="Another"),
        lambda: services.session_update(session=session, actor=facilitator, title="Changed"),
        lambda: services.session_record_notes(
            session=session, notes="Changed", attribution_checked=True, actor=facilitator
        ),
        lambda: services.session_record_attendance(
            session=session, marks={place: Status.PRESENT}, actor=facilitator
        ),
    ]
    for change in changes:
        with pytest.raises(ValidationError, match="can no longer change"):
            change()
    assert list(Session.objects.values_list("title", "notes")) == [("Framing the corridor", "")]
    assert not Attendance.objects.exists()


def test_a_participant_who_declined_is_still_guarded(dialogue, facilitator):
    session = SessionFactory(dialogue=dialogue)
    DialogueParticipantFactory(
        dialogue=dialogue,
        participant=ParticipantFactory(programme=dialogue.programme, full_name="Anna Lind"),
        status=DialogueParticipant.Status.DECLINED,
    )
    with pytest.raises(services.AttributionUnconfirmed):
        services.session_record_notes(
            session=session,
            notes="Anna Lind objected.",
            attribution_checked=False,
            actor=facilitator,
        )


def test_the_calendar_has_one_event_per_session_in_its_own_zone(dialogue):
    first = schedule(dialogue)
    second = schedule(
        dialogue,
        title="Options",
        starts_at=datetime(2026, 3, 3, 14, 0, tzinfo=ZoneInfo("Europe/Zurich")),
        ends_at=datetime(2026, 3, 3, 17, 0, tzinfo=ZoneInfo("Europe/Zurich")),
        time_zone="Europe/Zurich",
        location="",
        agenda="",
    )
    calendar = Calendar.from_ical(services.sessions_calendar(dialogue=dialogue))
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"{first.public_id}@parley", f"{second.public_id}@parley"}

    framing = events[f"{first.public_id}@parley"]
    assert framing.start == datetime(2026, 3, 2, 9, 0, tzinfo=YANGON)
    assert framing.start.tzinfo.key == "Asia/Yangon"
    assert framing.end - framing.start == timedelta(hours=3, minutes=30)
    assert str(framing["SUMMARY"]) == "Framing the corridor"
    assert str(framing["LOCATION"]) == "Guesthouse, room 2"
    assert str(framing["DESCRIPTION"]) == "Welcome\nGround rules"
    assert events[f"{second.public_id}@parley"].start.tzinfo.key == "Europe/Zurich"
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == {"Asia/Yangon", "Europe/Zurich"}


def test_the_calendar_names_no_participant_even_when_a_text_does(dialogue):
    place = confirmed(dialogue, full_name="José Ramos", aliases="El Ingeniero")
    schedule(
        dialogue,
        title="Meeting at José Ramos's house",
        location="El Ingeniero's guesthouse",
        agenda="Ask jose ramos about the bridge",
    )
    body = services.sessions_calendar(dialogue=dialogue).decode()
    assert "Ramos" not in body
    assert "Ingeniero" not in body
    assert place.participant.code not in body
    assert "ATTENDEE" not in body
    assert "Meeting at" in body


def test_the_calendar_file_name_leaves_out_participant_names(programme):
    dialogue = DialogueFactory(programme=programme, title="Talks at José Ramos's farm")
    confirmed(dialogue, full_name="José Ramos")
    schedule(dialogue)
    name, content = services.sessions_calendar_download(dialogue=dialogue)
    assert name == "talks-at-s-farm-sessions.ics"
    assert b"Ramos" not in content
