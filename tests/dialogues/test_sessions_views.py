"""Session pages: who reaches them, what the forms keep and refuse, attendance, the
non-attribution guard on notes, identity on every page, the iCalendar download, query counts."""

import re
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from dialogues.models import Attendance, Dialogue, DialogueParticipant, Round, Session
from dialogues.services.teams import programme_update_settings
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
    RoundFactory,
    SessionFactory,
)

Status = Attendance.Status
NAME = "José Ramos"
ALIAS = "El Ingeniero"


def confirmed(dialogue, **participant_fields):
    return DialogueParticipantFactory(
        dialogue=dialogue,
        participant=ParticipantFactory(programme=dialogue.programme, **participant_fields),
        status=DialogueParticipant.Status.CONFIRMED,
        consent_given_on=date(2026, 1, 5),
    )


@pytest.fixture
def session(dialogue):
    return SessionFactory(
        dialogue=dialogue,
        title="Framing the corridor",
        starts_at=datetime(2026, 3, 2, 2, 30, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
        time_zone="Asia/Yangon",
        location="Guesthouse, room 2",
        agenda="Welcome and ground rules",
    )


@pytest.fixture
def jose(dialogue):
    return confirmed(dialogue, full_name=NAME, aliases=ALIAS)


@pytest.fixture
def urls(dialogue, session):
    d, s = dialogue.public_id, session.public_id
    return {
        "list": reverse("dialogues:session_list", args=[d]),
        "ical": reverse("dialogues:sessions_ical", args=[d]),
        "detail": reverse("dialogues:session_detail", args=[d, s]),
        "create": reverse("dialogues:session_create", args=[d]),
        "edit": reverse("dialogues:session_edit", args=[d, s]),
        "attendance": reverse("dialogues:session_attendance", args=[d, s]),
        "notes": reverse("dialogues:session_notes", args=[d, s]),
    }


READS = ["list", "ical", "detail"]
WRITE_PAGES = ["create", "edit"]
POSTS = ["create", "edit", "attendance", "notes"]
ALL = READS + WRITE_PAGES + ["attendance", "notes"]


def close(dialogue):
    Dialogue.objects.filter(pk=dialogue.pk).update(status=Dialogue.Status.CLOSED)


def title_of(html):
    return html[html.index("<title>") : html.index("</title>")]


def session_data(**overrides):
    data = {
        "title": "Options day",
        "time_zone": "Asia/Yangon",
        "starts_at": "2026-04-01T09:00",
        "ends_at": "2026-04-01T12:30",
        "location": "Hotel annex",
        "agenda": "Options, one by one",
    }
    data.update(overrides)
    return data


# --- Access -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_anonymous_visitors_are_sent_to_log_in(client, urls, name):
    response = client.post(urls[name]) if name in POSTS else client.get(urls[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("role_fixture", ["stranger", "donor"])
def test_strangers_and_donors_get_404_and_learn_nothing(
    request, login, urls, session, name, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    response = client.post(urls[name]) if name in POSTS else client.get(urls[name])
    assert response.status_code == 404
    assert session.title not in response.content.decode()


@pytest.mark.parametrize("name", READS)
@pytest.mark.parametrize("role_fixture", ["facilitator", "officer", "legal_reviewer"])
def test_the_team_reads_every_session_page(request, login, urls, name, role_fixture):
    assert login(request.getfixturevalue(role_fixture)).get(urls[name]).status_code == 200


@pytest.mark.parametrize("name", WRITE_PAGES)
def test_a_legal_reviewer_cannot_open_the_forms(login, legal_reviewer, urls, name):
    assert login(legal_reviewer).get(urls[name]).status_code == 403


@pytest.mark.parametrize("name", POSTS)
def test_a_legal_reviewer_cannot_change_anything(login, legal_reviewer, urls, session, jose, name):
    data = {
        **session_data(title="Hijacked"),
        f"mark-{jose.public_id}": Status.PRESENT,
        "notes": "Changed",
    }
    response = login(legal_reviewer).post(urls[name], data)
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.title == "Framing the corridor"
    assert session.notes == ""
    assert Session.objects.count() == 1
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role_fixture", ["facilitator", "officer"])
def test_facilitators_and_officers_schedule_and_edit_sessions(
    request, login, urls, dialogue, session, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    assert client.get(urls["create"]).status_code == 200
    assert client.post(urls["create"], session_data()).status_code == 302
    assert dialogue.sessions.filter(title="Options day").exists()
    assert client.get(urls["edit"]).status_code == 200
    response = client.post(urls["edit"], session_data(title="Framing, day one"), follow=True)
    assert "Session “Framing, day one” saved." in response.content.decode()
    session.refresh_from_db()
    assert session.title == "Framing, day one"


@pytest.mark.parametrize("name", ["attendance", "notes"])
def test_writes_refuse_get(login, facilitator, urls, name):
    assert login(facilitator).get(urls[name]).status_code == 405


def test_unknown_malformed_and_foreign_session_ids_are_404(login, facilitator, dialogue):
    client = login(facilitator)
    foreign = SessionFactory(dialogue=DialogueFactory(programme=dialogue.programme))
    d = dialogue.public_id
    for path in (
        reverse("dialogues:session_detail", args=[d, uuid.uuid4()]),
        reverse("dialogues:session_edit", args=[d, foreign.public_id]),
        reverse("dialogues:session_list", args=[uuid.uuid4()]),
        f"/dialogues/{d}/sessions/not-a-uuid/",
    ):
        assert client.get(path).status_code == 404, path
    notes = reverse("dialogues:session_notes", args=[d, foreign.public_id])
    assert client.post(notes, {"notes": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.notes == ""


# --- Scheduling -------------------------------------------------------------------------


def test_times_are_typed_and_shown_in_the_sessions_zone_and_stored_in_utc(
    login, facilitator, dialogue, urls
):
    framing = RoundFactory(dialogue=dialogue, kind=Round.Kind.FRAMING)
    response = login(facilitator).post(
        urls["create"], session_data(time_zone="asia/yangon", rounds=[framing.pk]), follow=True
    )
    created = dialogue.sessions.get(title="Options day")
    assert created.starts_at == datetime(2026, 4, 1, 2, 30, tzinfo=UTC)
    assert created.time_zone == "Asia/Yangon"
    assert list(created.rounds.all()) == [framing]
    html = response.content.decode()
    assert "Session “Options day” scheduled." in html
    assert "Wed 1 Apr 2026, 09:00" in html
    assert "12:30" in html
    assert "Asia/Yangon (UTC+0630)" in html


def test_the_edit_form_shows_local_times(login, facilitator, urls):
    html = login(facilitator).get(urls["edit"]).content.decode()
    assert 'value="2026-03-02T09:00"' in html
    assert 'value="2026-03-02T12:30"' in html
    assert 'value="Asia/Yangon"' in html


def test_an_end_before_the_start_is_a_form_error_with_the_input_kept(
    login, facilitator, dialogue, urls
):
    response = login(facilitator).post(
        urls["create"], session_data(ends_at="2026-04-01T08:00", agenda="Keep this agenda")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The session must end after it starts." in html
    assert 'value="Options day"' in html
    assert 'value="2026-04-01T08:00"' in html
    assert "Keep this agenda" in html
    assert not dialogue.sessions.filter(title="Options day").exists()


def test_an_unknown_time_zone_is_a_form_error_with_the_input_kept(
    login, facilitator, dialogue, urls
):
    response = login(facilitator).post(urls["create"], session_data(time_zone="Mars/Base_One"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown time zone" in html
    assert 'value="Mars/Base_One"' in html
    assert 'value="2026-04-01T09:00"' in html
    assert not dialogue.sessions.filter(title="Options day").exists()


def test_a_time_skipped_by_a_clock_change_is_refused(login, facilitator, dialogue, urls):
    response = login(facilitator).post(
        urls["create"],
        session_data(
            time_zone="Europe/Zurich", starts_at="2026-03-29T02:30", ends_at="2026-03-29T05:00"
        ),
    )
    assert "This time does not exist in Europe/Zurich" in response.content.decode()
    assert not dialogue.sessions.filter(title="Options day").exists()


@pytest.mark.parametrize(
    ("zone", "field", "typed"),
    [
        # Before year 1 in UTC.
        ("Asia/Tokyo", "starts_at", "0001-01-01T00:00"),
        # After year 9999 in UTC.
        ("America/New_York", "ends_at", "9999-12-31T23:00"),
    ],
)
def test_a_time_beyond_the_calendar_in_utc_is_a_form_error_with_the_input_kept(
    login, facilitator, dialogue, urls, zone, field, typed
):
    data = session_data(time_zone=zone, starts_at="2026-04-01T09:00", ends_at="2026-04-01T12:00")
    data[field] = typed
    response = login(facilitator).post(urls["create"], data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This time is too far in the past or the future." in html
    assert f'value="{typed}"' in html
    assert f'value="{zone}"' in html
    assert not dialogue.sessions.filter(title="Options day").exists()


def test_the_earliest_and_latest_times_that_fit_are_kept_and_shown(
    login, facilitator, dialogue, urls
):
    client = login(facilitator)
    late = session_data(
        title="Late",
        time_zone="America/New_York",
        starts_at="9999-12-31T17:00",
        ends_at="9999-12-31T18:59",
    )
    assert client.post(urls["create"], late).status_code == 302
    session = dialogue.sessions.get(title="Late")
    detail = reverse("dialogues:session_detail", args=[dialogue.public_id, session.public_id])
    for url in (detail, urls["list"], urls["ical"]):
        assert client.get(url).status_code == 200


def test_garbage_in_every_field_never_breaks_the_form(login, facilitator, dialogue, urls):
    response = login(facilitator).post(
        urls["create"],
        {"title": "", "time_zone": "", "starts_at": "soon", "ends_at": "", "rounds": ["x"]},
    )
    assert response.status_code == 200
    assert 'value="soon"' in response.content.decode()
    assert dialogue.sessions.count() == 1


def test_a_round_of_another_dialogue_cannot_be_chosen(login, facilitator, dialogue, urls):
    foreign = RoundFactory(dialogue=DialogueFactory(programme=dialogue.programme))
    response = login(facilitator).post(urls["create"], session_data(rounds=[foreign.pk]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not dialogue.sessions.filter(title="Options day").exists()


def test_pages_link_back_to_the_programme_and_the_dialogue(login, legal_reviewer, dialogue, urls):
    client = login(legal_reviewer)
    for name in ("list", "detail"):
        html = client.get(urls[name]).content.decode()
        assert reverse("dialogues:programme_detail", args=[dialogue.programme.public_id]) in html
        assert reverse("dialogues:dialogue_detail", args=[dialogue.public_id]) in html


def test_the_list_offers_writes_only_to_those_who_may_write(
    login, legal_reviewer, facilitator, urls
):
    assert urls["create"] not in login(legal_reviewer).get(urls["list"]).content.decode()
    assert urls["create"] in login(facilitator).get(urls["list"]).content.decode()


# --- Attendance -------------------------------------------------------------------------


def test_attendance_is_saved_together_and_shown(login, facilitator, dialogue, session, urls, jose):
    other = confirmed(dialogue)
    invited = DialogueParticipantFactory(dialogue=dialogue)
    response = login(facilitator).post(
        urls["attendance"],
        {f"mark-{jose.public_id}": Status.PRESENT, f"mark-{other.public_id}": Status.PARTIAL},
        follow=True,
    )
    html = response.content.decode()
    assert "Attendance saved." in html
    assert dict(session.attendance.values_list("dialogue_participant", "status")) == {
        jose.pk: Status.PRESENT,
        other.pk: Status.PARTIAL,
    }
    assert invited.participant.code not in html
    assert "1 invited participant is not confirmed yet" in html


def test_attendance_with_htmx_answers_with_the_section_only(
    login, facilitator, session, urls, jose
):
    response = login(facilitator).post(
        urls["attendance"],
        {f"mark-{jose.public_id}": Status.ABSENT},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<section id="attendance"')
    assert "Attendance saved." in html
    assert '<option value="absent" selected>' in html
    assert session.attendance.get().status == Status.ABSENT


def test_a_bad_attendance_value_is_an_error_and_records_nothing(
    login, facilitator, session, urls, jose
):
    response = login(facilitator).post(urls["attendance"], {f"mark-{jose.public_id}": "asleep"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not session.attendance.exists()


def test_a_legal_reviewer_sees_attendance_but_no_form(login, legal_reviewer, session, urls, jose):
    Attendance.objects.create(session=session, dialogue_participant=jose, status=Status.PARTIAL)
    html = login(legal_reviewer).get(urls["detail"]).content.decode()
    assert "Partly present" in html
    assert urls["attendance"] not in html
    assert urls["notes"] not in html


# --- Identity ---------------------------------------------------------------------------


def test_a_facilitator_sees_names_on_the_attendance_list(login, facilitator, urls, jose):
    html = login(facilitator).get(urls["detail"]).content.decode()
    assert NAME in html
    assert jose.participant.code in html


@pytest.mark.parametrize("role_fixture", ["officer", "legal_reviewer"])
def test_without_identity_a_participant_is_only_a_code_on_every_session_page(
    request, login, session, urls, jose, role_fixture
):
    Attendance.objects.create(session=session, dialogue_participant=jose, status=Status.PRESENT)
    session.notes = f"Discussed the bridge. {ALIAS} asked for maps."
    session.save()
    client = login(request.getfixturevalue(role_fixture))
    for name in READS:
        body = client.get(urls[name]).content.decode()
        assert NAME not in body, name
        assert "Ramos" not in body, name
        assert ALIAS not in body, name
    detail = client.get(urls["detail"]).content.decode()
    assert jose.participant.code in detail
    assert "Discussed the bridge. [name withheld] asked for maps." in detail


@pytest.fixture
def named_session(dialogue, jose):
    return SessionFactory(
        dialogue=dialogue,
        title=f"Lunch at {NAME}'s farm",
        location=f"{ALIAS}'s guesthouse",
        agenda="Ask jose ramos about the bridge",
        time_zone="Asia/Yangon",
    )


@pytest.mark.parametrize("role_fixture", ["officer", "legal_reviewer"])
def test_without_identity_names_in_a_sessions_title_location_and_agenda_are_withheld(
    request, login, dialogue, named_session, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    d, s = dialogue.public_id, named_session.public_id
    detail = client.get(reverse("dialogues:session_detail", args=[d, s])).content.decode()
    listing = client.get(reverse("dialogues:session_list", args=[d])).content.decode()
    for html in (detail, listing):
        assert "Ramos" not in html
        assert "ramos" not in html
        assert ALIAS not in html
        assert "Lunch at [name withheld]&#x27;s farm" in html
    assert "Lunch at [name withheld]" in title_of(detail)
    assert "<h1>Lunch at [name withheld]&#x27;s farm</h1>" in detail
    assert "[name withheld]&#x27;s guesthouse" in detail
    assert "Ask [name withheld] about the bridge" in detail


def test_a_facilitator_sees_a_sessions_texts_as_typed(login, facilitator, dialogue, named_session):
    d, s = dialogue.public_id, named_session.public_id
    html = login(facilitator).get(reverse("dialogues:session_detail", args=[d, s])).content.decode()
    assert "<h1>Lunch at José Ramos&#x27;s farm</h1>" in html
    assert "El Ingeniero&#x27;s guesthouse" in html
    assert "Ask jose ramos about the bridge" in html
    assert "[name withheld]" not in html


def test_without_identity_a_session_naming_someone_cannot_be_edited(
    login, officer, dialogue, named_session
):
    client = login(officer)
    url = reverse("dialogues:session_edit", args=[dialogue.public_id, named_session.public_id])
    html = client.get(url).content.decode()
    assert response_has_no_name(html)
    assert "Edit “Lunch at [name withheld]&#x27;s farm”" in html
    assert 'name="title"' not in html
    assert "only a team member who may see identities can change it" in html
    response = client.post(url, session_data(title="Renamed"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "only a team member who may see identities can change it" in html
    assert 'value="Renamed"' in html
    assert response_has_no_name(html)
    named_session.refresh_from_db()
    assert named_session.title == f"Lunch at {NAME}'s farm"


def response_has_no_name(html):
    return "Ramos" not in html and "ramos" not in html and ALIAS not in html


def test_an_officer_sees_names_where_the_programme_allows_it(
    login, officer, facilitator, programme, urls, jose
):
    programme_update_settings(programme=programme, actor=facilitator, officers_see_identity=True)
    assert NAME in login(officer).get(urls["detail"]).content.decode()


def test_someone_without_identity_cannot_edit_notes_that_hold_a_name(
    login, officer, session, urls, jose
):
    session.notes = f"{NAME} will circulate a map."
    session.save()
    html = login(officer).get(urls["detail"]).content.decode()
    assert NAME not in html
    assert 'name="notes"' not in html
    assert "withheld from you" in html


# --- Notes ------------------------------------------------------------------------------


def test_the_notes_section_says_plainly_that_notes_are_non_attributed(login, facilitator, urls):
    html = login(facilitator).get(urls["detail"]).content.decode()
    assert "These notes are non-attributed." in html
    assert "never who said it" in html


def test_notes_without_names_are_saved_at_once(login, facilitator, session, urls, jose):
    response = login(facilitator).post(urls["notes"], {"notes": "A pause was proposed."})
    assert response.status_code == 302
    assert response["Location"].endswith("#notes")
    session.refresh_from_db()
    assert session.notes == "A pause was proposed."


def test_a_note_naming_a_participant_warns_a_facilitator_with_who_and_where(
    login, facilitator, session, urls, jose
):
    typed = "The bridge came up. jose ramos wants the corridor open at dawn."
    response = login(facilitator).post(urls["notes"], {"notes": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This note may attribute something to a participant" in html
    assert f"{NAME} ({jose.participant.code})" in html
    assert "jose ramos wants the corridor" in html
    assert "I have checked: this note attributes nothing to anyone." in html
    assert typed in html
    session.refresh_from_db()
    assert session.notes == ""


def test_confirming_saves_the_note(login, facilitator, session, urls, jose):
    typed = f"Nothing is attributed; {ALIAS} is the name of the bridge."
    response = login(facilitator).post(urls["notes"], {"notes": typed, "attribution_checked": "on"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.notes == typed


def test_without_identity_the_confirmation_is_asked_from_the_start(login, officer, urls):
    html = login(officer).get(urls["detail"]).content.decode()
    assert 'name="attribution_checked"' in html


def test_without_identity_every_note_needs_the_confirmation_so_names_cannot_be_probed(
    login, officer, dialogue, session, urls, jose
):
    other = confirmed(dialogue)
    client = login(officer)
    answers = {}
    for typed in (f"{ALIAS} proposed a pause.", "Someone proposed a pause."):
        response = client.post(urls["notes"], {"notes": typed})
        html = response.content.decode()
        assert response.status_code == 200
        assert typed in html
        # What they typed is kept; nothing tells whether it names a participant, or whom.
        answers[typed] = html.replace(typed, "TYPED")
        warning = html[html.index('<div class="attribution-warning"') :]
        warning = warning[: warning.index("</div>")]
        assert "Confirm that this note attributes nothing to anyone" in warning
        assert "name or an alias" not in warning
        assert "I have checked: this note attributes nothing to anyone." in html
        assert NAME not in html
        assert jose.participant.code not in html[html.index('id="notes"') :]
        assert other.participant.code not in warning
    # The two answers differ only in the per-response tokens.
    first, second = (
        re.sub(r'(nonce="|csrfmiddlewaretoken" value="|CSRFToken": ")[^"]*"', r"\1", html)
        for html in answers.values()
    )
    assert first == second
    session.refresh_from_db()
    assert session.notes == ""

    response = client.post(
        urls["notes"], {"notes": "Someone proposed a pause.", "attribution_checked": "on"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.notes == "Someone proposed a pause."


def test_without_identity_notes_that_name_someone_cannot_be_overwritten_by_a_post(
    login, officer, session, urls, jose
):
    session.notes = f"{NAME} will circulate a map."
    session.save()
    response = login(officer).post(
        urls["notes"], {"notes": "Overwritten.", "attribution_checked": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "These notes name a participant, which is withheld from you" in html
    assert NAME not in html
    session.refresh_from_db()
    assert session.notes == f"{NAME} will circulate a map."


# --- iCalendar --------------------------------------------------------------------------


def test_the_calendar_downloads_as_an_ics_attachment_with_each_session(
    login, legal_reviewer, session, urls, jose
):
    second = SessionFactory(dialogue=session.dialogue, title="Options", time_zone="UTC")
    response = login(legal_reviewer).get(urls["ical"])
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".ics" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{session.public_id}@parley", f"{second.public_id}@parley"}
    framing = events[f"{session.public_id}@parley"]
    assert framing.start == datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Yangon"))
    assert str(framing["SUMMARY"]) == "Framing the corridor"
    assert str(framing["LOCATION"]) == "Guesthouse, room 2"
    assert str(framing["DESCRIPTION"]) == "Welcome and ground rules"
    body = response.content.decode()
    assert NAME not in body
    assert jose.participant.code not in body


def test_the_calendar_file_name_leaves_out_participant_names(login, facilitator, dialogue, jose):
    Dialogue.objects.filter(pk=dialogue.pk).update(title=f"Talks with {NAME}")
    response = login(facilitator).get(reverse("dialogues:sessions_ical", args=[dialogue.public_id]))
    assert response["Content-Disposition"] == 'attachment; filename="talks-with-sessions.ics"'


# --- A closed dialogue ------------------------------------------------------------------


def test_a_closed_dialogue_refuses_a_new_session_with_the_input_kept(
    login, facilitator, dialogue, urls
):
    close(dialogue)
    response = login(facilitator).post(urls["create"], session_data(agenda="Keep this agenda"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This dialogue is closed: its record can no longer change." in html
    assert 'value="Options day"' in html
    assert "Keep this agenda" in html
    assert not dialogue.sessions.filter(title="Options day").exists()


def test_a_closed_dialogue_refuses_attendance_and_notes_with_a_message(
    login, facilitator, session, urls, jose
):
    close(session.dialogue)
    client = login(facilitator)
    response = client.post(urls["attendance"], {f"mark-{jose.public_id}": Status.PRESENT})
    assert response.status_code == 200
    assert "its record can no longer change" in response.content.decode()
    response = client.post(urls["notes"], {"notes": "Late note", "attribution_checked": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "its record can no longer change" in html
    assert "Late note" in html
    session.refresh_from_db()
    assert session.notes == ""
    assert not session.attendance.exists()


def test_a_closed_dialogue_offers_no_write_controls(login, facilitator, dialogue, urls, jose):
    close(dialogue)
    client = login(facilitator)
    listing = client.get(urls["list"]).content.decode()
    detail = client.get(urls["detail"]).content.decode()
    create = client.get(urls["create"]).content.decode()
    assert "This dialogue is closed: its record can no longer change." in listing
    assert urls["create"] not in listing
    for url in (urls["edit"], urls["attendance"], urls["notes"]):
        assert url not in detail
    assert 'name="notes"' not in detail
    assert "Save attendance" not in detail
    assert 'name="title"' not in create


# --- Query counts -----------------------------------------------------------------------


def populate(dialogue, times):
    """`times` sessions, each covering two rounds, and `times` confirmed participants each
    marked in every session."""
    rounds = [
        RoundFactory(dialogue=dialogue, kind=Round.Kind.FRAMING),
        RoundFactory(dialogue=dialogue, kind=Round.Kind.INTERESTS),
    ]
    places = [confirmed(dialogue) for _ in range(times)]
    sessions = []
    for _ in range(times):
        session = SessionFactory(dialogue=dialogue, time_zone="Asia/Yangon")
        session.rounds.set(rounds)
        Attendance.objects.bulk_create(
            Attendance(session=session, dialogue_participant=place, status=Status.PRESENT)
            for place in places
        )
        sessions.append(session)
    return sessions


@pytest.mark.parametrize("times", [1, 10])
def test_the_session_list_runs_the_same_queries_at_1x_and_10x(
    login, facilitator, dialogue, django_assert_max_num_queries, times
):
    populate(dialogue, times)
    client = login(facilitator)
    url = reverse("dialogues:session_list", args=[dialogue.public_id])
    # 12: Django session, user; dialogue with programme; the chokepoint's check (user and
    # group permissions); the identity check (two); sessions with their attendance counts;
    # their rounds; the design_dialogues check (user and group permissions); the menu's roles.
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("present, 0 partly") == times


@pytest.mark.parametrize("times", [1, 10])
@pytest.mark.parametrize("role_fixture", ["facilitator", "officer"])
def test_the_session_page_runs_the_same_queries_at_1x_and_10x(
    request, login, dialogue, django_assert_max_num_queries, times, role_fixture
):
    session = populate(dialogue, times)[0]
    session.notes = "The corridor was discussed."
    session.save()
    client = login(request.getfixturevalue(role_fixture))
    url = reverse("dialogues:session_detail", args=[dialogue.public_id, session.public_id])
    # 12: Django session, user; dialogue with programme; the user's permissions (user and
    # group, loaded once for the chokepoint, identity and design_dialogues checks); the
    # session; its rounds; the roster with its participants; the session's marks; without
    # identity, the programme's participants whose names to withhold; the menu's roles.
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<option value="present" selected>') == times


@pytest.mark.parametrize("times", [1, 10])
def test_the_session_list_without_identity_runs_the_same_queries_at_1x_and_10x(
    login, officer, dialogue, django_assert_max_num_queries, times
):
    populate(dialogue, times)
    client = login(officer)
    url = reverse("dialogues:session_list", args=[dialogue.public_id])
    # 13: as for a facilitator, plus the roster whose names are withheld.
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("present, 0 partly") == times
