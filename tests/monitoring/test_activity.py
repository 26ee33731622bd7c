"""Activity metrics: each figure against a hand-computed fixture, the period and dialogue
filters, who reaches the page, what a bad filter does, and the page's query count."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Attendance, Dialogue, DialogueParticipant, Participant, Session
from monitoring.services.activity import Period, Ratio, programme_activity
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
    SessionFactory,
)

Status = Attendance.Status
Gender = Participant.Gender
Category = Participant.Category
PRESENT, PARTIAL, ABSENT = Status.PRESENT, Status.PARTIAL, Status.ABSENT


def place(dialogue, participant, status=DialogueParticipant.Status.CONFIRMED):
    consent = date(2025, 1, 10) if status == DialogueParticipant.Status.CONFIRMED else None
    return DialogueParticipantFactory(
        dialogue=dialogue, participant=participant, status=status, consent_given_on=consent
    )


def session_on(dialogue, day, *, hour=9):
    starts = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return SessionFactory(dialogue=dialogue, starts_at=starts, ends_at=starts + timedelta(hours=3))


def mark(session, places_and_statuses):
    Attendance.objects.bulk_create(
        Attendance(session=session, dialogue_participant=place_, status=status)
        for place_, status in places_and_statuses
    )


@pytest.fixture
def world(programme, dialogue):
    """Two dialogues of the programme, attendance written out by hand:

    Corridor triggers (A): p1 woman expert, p2 man community, p3 woman civil, p5 another
    party, all confirmed; p4 man expert withdrawn (after attending).
        S1 2025-03-03: p1 present, p2 present, p4 present, p5 absent
        S2 2025-04-07: p1 present, p2 partial, p3 present (new), p4 present, p5 present
        S3 2025-05-05: p1 present, p2 absent, p3 absent, p5 partial
        S4 in ten days (not held): p1 present (marked ahead, must not count)
    Detainee lists (B): p5 (also in A) and p6 woman civil, both confirmed.
        T1 2025-04-01: p5 present, p6 present
        T2 2025-06-02: p5 present, p6 absent
    """
    a = dialogue
    b = DialogueFactory(programme=programme, title="Detainee lists")

    def person(gender, category):
        return ParticipantFactory(programme=programme, gender=gender, category=category)

    p1 = person(Gender.WOMAN, Category.TECHNICAL_EXPERT)
    p2 = person(Gender.MAN, Category.COMMUNITY_VOICE)
    p3 = person(Gender.WOMAN, Category.CIVIL_SOCIETY)
    p4 = person(Gender.MAN, Category.TECHNICAL_EXPERT)
    p5 = person(Gender.ANOTHER, Category.POLITICAL_PARTY)
    p6 = person(Gender.WOMAN, Category.CIVIL_SOCIETY)
    a1, a2, a3, a5 = place(a, p1), place(a, p2), place(a, p3), place(a, p5)
    a4 = place(a, p4)  # attends first, withdraws later
    b5, b6 = place(b, p5), place(b, p6)

    s1 = session_on(a, date(2025, 3, 3))
    s2 = session_on(a, date(2025, 4, 7))
    s3 = session_on(a, date(2025, 5, 5))
    s4 = SessionFactory(dialogue=a, starts_at=timezone.now() + timedelta(days=10))
    mark(s1, [(a1, PRESENT), (a2, PRESENT), (a4, PRESENT), (a5, ABSENT)])
    mark(s2, [(a1, PRESENT), (a2, PARTIAL), (a3, PRESENT), (a4, PRESENT), (a5, PRESENT)])
    mark(s3, [(a1, PRESENT), (a2, ABSENT), (a3, ABSENT), (a5, PARTIAL)])
    mark(s4, [(a1, PRESENT)])
    a4.status = DialogueParticipant.Status.WITHDRAWN
    a4.save()

    t1 = session_on(b, date(2025, 4, 1))
    t2 = session_on(b, date(2025, 6, 2))
    mark(t1, [(b5, PRESENT), (b6, PRESENT)])
    mark(t2, [(b5, PRESENT), (b6, ABSENT)])
    return {"a": a, "b": b, "codes": [p.code for p in (p1, p2, p3, p4, p5, p6)]}


def rows(report):
    return {row.title: row.metrics for row in report.dialogues}


def counts(breakdown):
    return {share.value: share.count for share in breakdown.shares if share.count}


# --- Sessions held --------------------------------------------------------------------------


def test_sessions_held_counts_ended_sessions_only(programme, world):
    report = programme_activity(programme)
    by_dialogue = rows(report)
    # A: S1, S2, S3 ended; S4 is in ten days. B: T1, T2. Total 3 + 2 = 5.
    assert by_dialogue["Corridor triggers"].sessions_held == 3
    assert by_dialogue["Detainee lists"].sessions_held == 2
    assert report.total.sessions_held == 5


def test_a_session_counts_as_held_once_its_end_has_passed(programme, dialogue):
    now = timezone.now()
    SessionFactory(dialogue=dialogue, starts_at=now - timedelta(hours=2), ends_at=now)
    SessionFactory(
        dialogue=dialogue, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    # The first ended at `now` exactly: not yet "before now"; a second later it is held.
    assert programme_activity(programme, now=now).total.sessions_held == 0
    assert programme_activity(programme, now=now + timedelta(seconds=1)).total.sessions_held == 1


# --- Attendance continuity ------------------------------------------------------------------


def test_continuity_per_dialogue_and_weighted_overall(programme, world):
    report = programme_activity(programme)
    by_dialogue = rows(report)
    # A, S2: present and confirmed p1, p2 (partial), p3, p5 = 4 (p4 withdrawn: left out);
    #        also at S1: p1, p2 = 2 (p3 new, p5 absent at S1).
    # A, S3: present and confirmed p1, p5 (partial) = 2; also at S2: p1, p5 = 2.
    # A: (2 + 2) of (4 + 2) = 4 of 6. S1 is A's first held session: not counted.
    assert by_dialogue["Corridor triggers"].continuity == Ratio(4, 6)
    # B, T2: present p5 = 1, also at T1: 1. B: 1 of 1.
    assert by_dialogue["Detainee lists"].continuity == Ratio(1, 1)
    # Programme: (4 + 1) of (6 + 1) = 5 of 7, weighted by attendance (not (66.7 + 100) / 2).
    assert report.total.continuity == Ratio(5, 7)
    assert round(report.total.continuity.percent, 1) == 71.4


def test_continuity_is_empty_not_zero_when_nothing_to_compare(programme, dialogue):
    person = place(dialogue, ParticipantFactory(programme=programme))
    mark(session_on(dialogue, date(2025, 3, 3)), [(person, PRESENT)])
    continuity = programme_activity(programme).total.continuity
    assert continuity == Ratio(0, 0)
    assert continuity.percent is None


def test_continuity_compares_with_the_previous_held_session_even_if_unrecorded(programme, dialogue):
    person = place(dialogue, ParticipantFactory(programme=programme))
    mark(session_on(dialogue, date(2025, 3, 3)), [(person, PRESENT)])
    session_on(dialogue, date(2025, 3, 10))  # held, no attendance recorded
    mark(session_on(dialogue, date(2025, 3, 17)), [(person, PRESENT)])
    # Second session: nobody present (0 of 0). Third: 1 present, 0 at the second: 0 of 1.
    assert programme_activity(programme).total.continuity == Ratio(0, 1)


# --- Gender and category balance -----------------------------------------------------------


def test_participant_balance_counts_confirmed_people_once_per_programme(programme, world):
    report = programme_activity(programme)
    by_dialogue = rows(report)
    # A confirmed: p1 woman, p2 man, p3 woman, p5 another (p4 withdrawn) = 4.
    a = by_dialogue["Corridor triggers"]
    assert counts(a.participant_gender) == {"woman": 2, "man": 1, "another": 1}
    assert a.participant_gender.total == 4
    assert counts(a.participant_category) == {
        "expert": 1,
        "community": 1,
        "civil": 1,
        "party": 1,
    }
    # B confirmed: p5 another party, p6 woman civil = 2.
    b = by_dialogue["Detainee lists"]
    assert counts(b.participant_gender) == {"woman": 1, "another": 1}
    # Programme: p1, p2, p3, p5, p6 = 5 people (p5 once, though in both): 4 + 2 - 1.
    assert counts(report.total.participant_gender) == {"woman": 3, "man": 1, "another": 1}
    assert report.total.participant_gender.total == 5
    assert counts(report.total.participant_category) == {
        "expert": 1,
        "community": 1,
        "civil": 2,
        "party": 1,
    }


def test_balance_lists_every_choice_with_its_label_and_share(programme, world):
    gender = programme_activity(programme).total.participant_gender
    assert [share.value for share in gender.shares] == Gender.values
    woman = gender.shares[0]
    assert (woman.label, woman.count, woman.total) == ("Woman", 3, 5)
    assert woman.percent == 60  # 3 / 5
    undisclosed = gender.shares[3]
    assert (undisclosed.count, undisclosed.percent) == (0, 0)


def test_attendance_balance_counts_person_sessions_at_held_sessions(programme, world):
    report = programme_activity(programme)
    a = rows(report)["Corridor triggers"]
    # A held: S1 p1 W, p2 M, p4 M; S2 p1 W, p2 M (partial), p3 W, p4 M, p5 A; S3 p1 W, p5 A
    # (partial). Withdrawn p4's past attendance counts; S4 (future) does not.
    # Woman 1 + 2 + 1 = 4, man 2 + 2 = 4, another 1 + 1 = 2: 10.
    assert counts(a.attendance_gender) == {"woman": 4, "man": 4, "another": 2}
    # Expert: p1 x3 + p4 x2 = 5; community p2 x2; civil p3 x1; party p5 x2.
    assert counts(a.attendance_category) == {
        "expert": 5,
        "community": 2,
        "civil": 1,
        "party": 2,
    }
    # B: T1 p5 A, p6 W; T2 p5 A = 3. Programme: 10 + 3 = 13; woman 4 + 1, another 2 + 2.
    assert counts(report.total.attendance_gender) == {"woman": 5, "man": 4, "another": 4}
    assert report.total.attendance_gender.total == 13
    assert counts(report.total.attendance_category)["civil"] == 2  # p3 in A, p6 in B


# --- Period and dialogue filters -------------------------------------------------------------


def test_a_period_keeps_sessions_starting_in_it_and_leaves_the_roster_alone(programme, world):
    report = programme_activity(programme, period=Period(date(2025, 4, 1), date(2025, 4, 30)))
    by_dialogue = rows(report)
    # April keeps S2 (7 Apr) and T1 (1 Apr, the first day, included); cuts S1, S3, T2.
    assert by_dialogue["Corridor triggers"].sessions_held == 1
    assert by_dialogue["Detainee lists"].sessions_held == 1
    # S2 still compares with S1 (before the period): 2 of 4. T1 is B's first: nothing.
    assert report.total.continuity == Ratio(2, 4)
    # Attendance in April: S2 woman 2, man 2, another 1; T1 another 1, woman 1 = 7.
    assert counts(report.total.attendance_gender) == {"woman": 3, "man": 2, "another": 2}
    # The roster has no dates: still the 5 confirmed people.
    assert report.total.participant_gender.total == 5


def test_the_period_follows_the_programme_calendar(programme, dialogue):
    programme.time_zone = "Asia/Yangon"  # UTC+06:30
    programme.save()
    person = place(dialogue, ParticipantFactory(programme=programme))
    # 20:00 UTC on 30 April is 02:30 on 1 May in Yangon.
    session = session_on(dialogue, date(2025, 4, 30), hour=20)
    mark(session, [(person, PRESENT)])
    april = programme_activity(programme, period=Period(date(2025, 4, 1), date(2025, 4, 30)))
    may = programme_activity(programme, period=Period(start=date(2025, 5, 1)))
    assert (april.total.sessions_held, may.total.sessions_held) == (0, 1)
    assert (april.total.attendance_gender.total, may.total.attendance_gender.total) == (0, 1)


def test_narrowing_to_a_dialogue_reports_only_it(programme, world):
    report = programme_activity(programme, dialogue=world["b"])
    assert [row.title for row in report.dialogues] == ["Detainee lists"]
    assert report.total.sessions_held == 2
    assert report.total.continuity == Ratio(1, 1)
    assert counts(report.total.participant_gender) == {"woman": 1, "another": 1}


# --- The page ---------------------------------------------------------------------------------


def url(programme):
    return reverse("monitoring:activity", args=[programme.public_id])


def test_anonymous_visitors_are_sent_to_log_in(client, programme):
    response = client.get(url(programme))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_strangers_and_donors_get_404(login, programme, stranger, donor):
    assert login(stranger).get(url(programme)).status_code == 404
    assert login(donor).get(url(programme)).status_code == 404


@pytest.mark.parametrize("role", ["facilitator", "officer", "legal_reviewer"])
def test_team_members_who_see_dialogues_see_the_page(request, login, programme, world, role):
    response = login(request.getfixturevalue(role)).get(url(programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Activity metrics" in html
    assert reverse("dialogues:programme_detail", args=[programme.public_id]) in html


def test_an_unknown_or_malformed_programme_id_is_404(login, facilitator):
    client = login(facilitator)
    unknown = reverse("monitoring:activity", args=[uuid.uuid4()])
    assert client.get(unknown).status_code == 404
    assert client.get("/programmes/not-a-uuid/activity/").status_code == 404


def test_the_page_shows_counts_beside_shares_and_no_participant(
    login, programme, facilitator, world
):
    html = login(facilitator).get(url(programme)).content.decode()
    assert "5 of 7 (71%)" in html  # programme continuity
    assert "4 of 6 (67%)" in html  # Corridor triggers
    assert "3 (60%)" in html  # women among the 5 confirmed people
    assert "Attendance continuity" in html and "weighted by attendance" in html
    for code in world["codes"]:
        assert code not in html


def test_the_dialogue_filter_narrows_the_page(login, programme, facilitator, world):
    response = login(facilitator).get(url(programme), {"dialogue": world["b"].public_id})
    assert response.status_code == 200
    assert [row.title for row in response.context["report"].dialogues] == ["Detainee lists"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2025-13-45"}, "Enter a valid date."),
        ({"date_from": "yesterday", "date_to": "2025-02-30"}, "Enter a valid date."),
        ({"date_from": "2025-05-01", "date_to": "2025-04-01"}, "after the “To” date"),
        ({"date_from": "0001-01-01"}, "Choose a date between"),
        ({"dialogue": str(uuid.uuid4())}, "Select a valid choice."),
    ],
)
def test_a_bad_filter_keeps_what_was_typed_and_answers_400(
    login, programme, facilitator, world, query, message
):
    response = login(facilitator).get(url(programme), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Correct the filter to see the figures." in html
    for name in ("date_from", "date_to"):
        if name in query:
            assert f'value="{query[name]}"' in html
    if "Enter a valid date." in message:
        # A refused date comes back as text: a date input would show it blank.
        assert 'type="text" name="date_from"' in html


# --- Query count -----------------------------------------------------------------------------


def grow(programme, dialogues, *, people=4, sessions=3):
    """`dialogues` more dialogues with `people` confirmed people who attend `sessions`
    held sessions each (bulk-created: the point is the page's queries, not the setup's)."""
    first = Dialogue.objects.count()
    for n in range(first, first + dialogues):
        dialogue = Dialogue.objects.create(programme=programme, title=f"Extra {n}", problem="x")
        participants = Participant.objects.bulk_create(
            Participant(
                programme=programme,
                code=f"X-{n}-{i}",
                full_name=f"Person {n}-{i}",
                gender=Gender.values[i % 4],
                category=Category.values[i % 8],
            )
            for i in range(people)
        )
        places = DialogueParticipant.objects.bulk_create(
            DialogueParticipant(
                dialogue=dialogue,
                participant=person,
                status=DialogueParticipant.Status.CONFIRMED,
                consent_given_on=date(2025, 1, 1),
            )
            for person in participants
        )
        start = datetime(2025, 2, 3, 9, tzinfo=UTC)
        held = Session.objects.bulk_create(
            Session(
                dialogue=dialogue,
                title=f"S{k}",
                starts_at=start + timedelta(weeks=k),
                ends_at=start + timedelta(weeks=k, hours=3),
            )
            for k in range(sessions)
        )
        Attendance.objects.bulk_create(
            Attendance(session=session, dialogue_participant=place_, status=PRESENT)
            for session in held
            for place_ in places
        )


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_the_page_runs_the_same_bounded_queries_at_1x_and_10x(
    login, programme, world, role, request, django_assert_max_num_queries
):
    # 15 queries: session, user, programme, the user's permissions (two, loaded once for
    # the chokepoint and the identity check), dialogues for the filter, without identity the
    # participants whose names to withhold from the titles; programme_activity's dialogues,
    # sessions held, continuity, roster per dialogue, people, attendance; the menu's roles
    # and unread notifications.
    client = login(request.getfixturevalue(role))
    client.get(url(programme))  # warms the content-type cache, which guardian may fill
    grow(programme, 1)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url(programme), {"date_from": "2025-01-01"}).status_code == 200
    grow(programme, 9)
    with django_assert_max_num_queries(15) as large:
        response = client.get(url(programme), {"date_from": "2025-01-01"})
    assert response.status_code == 200
    assert len(response.context["report"].dialogues) == 12
    assert len(small.captured_queries) == len(large.captured_queries)
