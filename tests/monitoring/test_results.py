"""The donors' results page and PDF report, and the team's M&E dashboard: figures against a
hand-built programme, suppression where groups are small and not where they are large, who
reaches each page, bad periods, query counts, and a sweep of every monitoring page and
export a donor can reach for participant names, codes, red lines and confidential titles."""

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, reverse
from pypdf import PdfReader

from dialogues.models import Attendance, DialogueParticipant, Participant
from monitoring import urls as monitoring_urls
from monitoring.models import ExpectationStatement, Indicator, RedLine
from monitoring.services.indicators import indicator_create, indicator_value_record, target_set
from monitoring.services.outcomes import outcome_record_create
from monitoring.services.results import donor_results
from monitoring.services.suppression import HIDDEN, SMALL
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
    SessionFactory,
)
from uptake.models import Document

Gender = Participant.Gender
Category = Participant.Category

NAME_CANARY = "Zorvanka Quillbrith"
ALIAS_CANARY = "Commander Quillfeather"
RED_LINE_CANARY = "RedLineCanary: never name the Ostrel ford crossing"
AIDE_CANARY = "AideCanary: the envoy's private channel"


def _session(dialogue, day):
    starts = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return SessionFactory(dialogue=dialogue, starts_at=starts, ends_at=starts + timedelta(hours=3))


@pytest.fixture
def world(programme, dialogue, officer):
    """Thirteen confirmed people in one dialogue: 8 women and 5 men (a breakdown shown in
    full), in categories 6 experts, 5 civil society, 2 community voices (the small cell
    suppressed, and the other non-zero cells hidden so that it cannot be worked out).
    Two held sessions; at each, all thirteen present: 26 attendances, continuity 13 of 13.
    The first person carries the name canary, with an alias; an aide-mémoire, a red line,
    an indicator mentioning the name, an outcome and an expectation statement."""
    categories = [Category.TECHNICAL_EXPERT] * 6 + [Category.CIVIL_SOCIETY] * 5
    categories += [Category.COMMUNITY_VOICE] * 2
    genders = [Gender.WOMAN] * 8 + [Gender.MAN] * 5
    places = []
    for index, (gender, category) in enumerate(zip(genders, categories, strict=True)):
        extra = {"full_name": NAME_CANARY, "aliases": ALIAS_CANARY} if index == 0 else {}
        person = ParticipantFactory(programme=programme, gender=gender, category=category, **extra)
        places.append(
            DialogueParticipantFactory(
                dialogue=dialogue,
                participant=person,
                status=DialogueParticipant.Status.CONFIRMED,
                consent_given_on=date(2026, 1, 5),
            )
        )
    for day in (date(2026, 2, 2), date(2026, 3, 2)):
        session = _session(dialogue, day)
        Attendance.objects.bulk_create(
            Attendance(session=session, dialogue_participant=p, status=Attendance.Status.PRESENT)
            for p in places
        )
    Document.objects.create(dialogue=dialogue, kind=Document.Kind.AIDE_MEMOIRE, title=AIDE_CANARY)
    RedLine.objects.create(programme=programme, statement=RED_LINE_CANARY, harm="Ford villages.")
    ExpectationStatement.objects.create(
        programme=programme,
        audience="the negotiating delegations",
        statement="We offer options for the corridor, not guarantees of access.",
        made_on=date(2026, 1, 10),
    )
    indicator = indicator_create(
        programme=programme,
        actor=officer,
        name=f"Crossings escorted by {NAME_CANARY}",
        definition="Convoys per month through the corridor.",
        unit="convoys",
        direction=Indicator.Direction.UP_IS_GOOD,
        category=Indicator.Category.OUTCOME,
        baseline_value=Decimal("4"),
        baseline_date=date(2025, 12, 31),
    )
    target_set(
        indicator=indicator,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        value=Decimal("10"),
        actor=officer,
    )
    for month, value in ((1, "6"), (2, "9"), (3, "12")):
        indicator_value_record(
            indicator=indicator,
            period_start=date(2026, month, 1),
            period_end=date(2026, month + 1, 1) - timedelta(days=1),
            value=Decimal(value),
            evidence="Convoy log.",
            actor=officer,
        )
    outcome_record_create(
        programme=programme,
        actor=officer,
        change="The liaison office opened the northern crossing twice a week.",
        social_actor="Northern liaison office",
        observed_on=date(2026, 3, 4),
        place="Northern corridor",
        significance="First regular crossing in two years.",
        contribution="The dialogue drafted the trigger list the office now uses.",
        sources="Convoy logs.",
        confidence="medium",
    )
    return {"indicator": indicator, "codes": [p.participant.code for p in places]}


def results_url(programme, **query):
    return reverse("monitoring:results", args=[programme.public_id])


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text + "\n" + str(reader.metadata)


# --- The figures ------------------------------------------------------------------------------


def test_donor_results_count_and_suppress_by_hand(programme, world):
    results = donor_results(programme)
    assert results.sessions_held == 2
    assert results.participants.total_display == "13"
    gender = {cell.label: cell.display for cell in results.participants.by_gender.cells}
    assert gender == {"Woman": "8", "Man": "5", "Another gender": "0", "Prefers not to say": "0"}
    category = {cell.label: cell.display for cell in results.participants.by_category.cells}
    # 2 community voices is small; 13 - 6 - 5 would give it away, so the other non-zero
    # cells are hidden too; zeros stay.
    assert category["Community voice"] == SMALL
    assert category["Technical expert"] == category["Civil society"] == HIDDEN
    assert category["Other"] == "0"
    assert results.attendance.total_display == "26"
    # Attendance by category would give the small cell back (26 attendances at 2 sessions,
    # everyone present): hidden with it. By gender nothing is hidden, so it is shown.
    assert not results.attendance.by_category.is_shown
    assert results.attendance.by_gender.is_complete
    assert results.continuity.percent == 100
    assert [i.latest_value for i in results.indicators] == ["12"]
    assert results.indicators[0].on_track is True
    assert NAME_CANARY not in results.indicators[0].name
    assert len(results.outcomes) == 1 and len(results.expectations) == 1


def test_a_period_narrows_sessions_attendance_and_outcomes(programme, world):
    from monitoring.services.activity import Period

    results = donor_results(programme, period=Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert results.sessions_held == 1
    assert results.attendance.total_display == "13"
    # One session: no previous one inside the dialogue's history before it? S1 is earlier,
    # so continuity still compares with it: 12 of 12.
    assert results.continuity.percent == 100
    assert len(results.outcomes) == 1
    early = donor_results(programme, period=Period(date(2026, 1, 1), date(2026, 1, 31)))
    assert early.sessions_held == 0 and early.outcomes == ()
    assert early.attendance.total_display == "0"
    assert not early.attendance.by_gender.is_shown


def test_a_small_programme_shows_no_breakdown_and_small_counts_as_less_than_five(
    programme, dialogue
):
    for gender in (Gender.WOMAN, Gender.MAN, Gender.MAN):
        DialogueParticipantFactory(
            dialogue=dialogue,
            participant=ParticipantFactory(programme=programme, gender=gender),
            status=DialogueParticipant.Status.CONFIRMED,
            consent_given_on=date(2026, 1, 5),
        )
    results = donor_results(programme)
    assert results.participants.total_display == SMALL
    assert not results.participants.by_gender.is_shown
    assert results.participants.gender_chart is None


def test_an_indicator_that_counts_people_shows_donors_small_values_as_less_than_five(
    programme, world, officer
):
    delegates = indicator_create(
        programme=programme,
        actor=officer,
        name="Women delegates at the corridor table",
        definition="Women among the delegates in the month.",
        unit="people",
        direction=Indicator.Direction.UP_IS_GOOD,
        category=Indicator.Category.OUTPUT,
        counts_people=True,
        baseline_value=Decimal("2"),
        baseline_date=date(2025, 12, 31),
    )
    for month, value in ((1, "3"), (2, "7")):
        indicator_value_record(
            indicator=delegates,
            period_start=date(2026, month, 1),
            period_end=date(2026, month + 1, 1) - timedelta(days=1),
            value=Decimal(value),
            evidence="Attendance sheet.",
            actor=officer,
        )
    shown = {i.name: i for i in donor_results(programme).indicators}
    women = shown["Women delegates at the corridor table"]
    assert women.baseline_value == SMALL and women.latest_value == "7"
    assert women.chart.rows[0][1] == SMALL and women.chart.rows[1][1] == "7"
    assert ">3<" not in str(women.chart.svg)
    # An indicator of hours is not a count of people: its small values stay.
    hours = next(i for name, i in shown.items() if name != women.name)
    assert hours.baseline_value == "4"


# --- The pages --------------------------------------------------------------------------------


def test_donor_sees_suppressed_results_and_expectations_beside_them(login, programme, world, donor):
    # A code typed into a text donors read is withheld like a name.
    ExpectationStatement.objects.create(
        programme=programme,
        audience="the corridor delegations",
        statement=f"Options only, as {world['codes'][1]} was told.",
        made_on=date(2026, 1, 12),
    )
    response = login(donor).get(results_url(programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;5" in html and HIDDEN in html
    assert "We offer options for the corridor" in html
    assert "<svg" in html and "<table" in html
    assert NAME_CANARY not in html and AIDE_CANARY not in html and RED_LINE_CANARY not in html
    assert "Options only, as" in html and world["codes"][1] not in html


@pytest.mark.parametrize("role", ["donor", "facilitator", "officer"])
def test_the_report_pdf_carries_the_same_results_without_any_identity(
    login, programme, world, role, request
):
    response = login(request.getfixturevalue(role)).get(
        reverse("monitoring:results_pdf", args=[programme.public_id]),
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.content)
    assert programme.name in text
    assert "We offer options for the corridor" in text
    assert "<5" in text
    for canary in (NAME_CANARY, ALIAS_CANARY, RED_LINE_CANARY, AIDE_CANARY, *world["codes"]):
        assert canary not in text


def test_results_and_report_are_for_view_results_holders_only(
    client, login, programme, world, legal_reviewer, stranger
):
    urls = [
        reverse(name, args=[programme.public_id])
        for name in ("monitoring:results", "monitoring:results_pdf")
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    for url in urls:
        assert login(stranger).get(url).status_code == 404
    for url in urls:
        assert login(legal_reviewer).get(url).status_code == 403
    assert client.get(reverse("monitoring:results", args=[uuid.uuid4()])).status_code == 404


def test_the_dashboard_is_for_the_team_and_hidden_from_donors(
    client, login, programme, world, donor, stranger, legal_reviewer, officer
):
    url = reverse("monitoring:dashboard", args=[programme.public_id])
    assert client.get(url).status_code == 302
    assert login(stranger).get(url).status_code == 404
    assert login(donor).get(url).status_code == 404
    response = login(officer).get(url)  # the first view: rendered, then kept
    assert response.status_code == 200
    board = response.context["board"]
    assert board.activity.sessions_held == 2
    assert board.activity.participant_gender.total == 13
    assert board.outcomes_recorded == 1
    assert board.checks.participants_without_consent == 0
    assert login(legal_reviewer).get(url).status_code == 200


def test_the_dashboard_hides_names_in_titles_from_readers_without_identity_rights(
    login, programme, world, officer
):
    html = login(officer).get(reverse("monitoring:dashboard", args=[programme.public_id]))
    assert NAME_CANARY not in html.content.decode()


def test_donors_get_the_programme_to_date_whatever_period_they_ask_for(
    login, programme, world, donor
):
    # Periods chosen by a donor could be subtracted from one another to find small groups.
    response = login(donor).get(
        results_url(programme), {"date_from": "2026-03-01", "date_to": "2026-13-45"}
    )
    assert response.status_code == 200
    assert "<dt>Sessions held</dt><dd>2</dd>" in response.content.decode()
    assert 'name="date_from"' not in response.content.decode()


def test_a_reversed_dashboard_period_is_refused_with_a_message(login, programme, world, officer):
    response = login(officer).get(
        reverse("monitoring:dashboard", args=[programme.public_id]),
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "after the “To” date" in response.content.decode()


# --- Speed ------------------------------------------------------------------------------------


def _grow(programme, times):
    """`times` more dialogues, each with twelve confirmed people at two held sessions, and
    an indicator with three values."""
    for _ in range(times):
        dialogue = DialogueFactory(programme=programme)
        places = [
            DialogueParticipantFactory(
                dialogue=dialogue,
                participant=ParticipantFactory(programme=programme),
                status=DialogueParticipant.Status.CONFIRMED,
                consent_given_on=date(2026, 1, 5),
            )
            for _ in range(12)
        ]
        for day in (date(2026, 2, 3), date(2026, 3, 3)):
            session = _session(dialogue, day)
            Attendance.objects.bulk_create(
                Attendance(session=session, dialogue_participant=p, status="present")
                for p in places
            )
        Document.objects.create(dialogue=dialogue, kind=Document.Kind.NON_PAPER, title="Np")
        indicator = indicator_create(
            programme=programme,
            actor=None,
            name="Hotline uptime",
            definition="Hours.",
            unit="hours",
            direction=Indicator.Direction.UP_IS_GOOD,
            category=Indicator.Category.OUTCOME,
            baseline_value=Decimal("1"),
            baseline_date=date(2025, 12, 31),
        )
        for month in (1, 2, 3):
            indicator_value_record(
                indicator=indicator,
                period_start=date(2026, month, 1),
                period_end=date(2026, month, 28),
                value=Decimal(month),
                evidence="Log.",
                actor=None,
            )


def test_the_dashboard_runs_the_same_queries_at_1x_and_10x_rendered_kept_or_filtered(
    login, programme, world, officer, django_assert_max_num_queries
):
    """Opened with no filter, the first view after a change renders the page (and keeps
    it) and the next is served from the kept page, in at most 15 queries; a filtered view
    is rendered each time. Each runs a fixed number of queries whatever the data size."""
    client = login(officer)
    url = reverse("monitoring:dashboard", args=[programme.public_id])
    client.get(url)  # warms the per-process caches guardian and content types fill
    counts = []
    for times in (1, 9):
        _grow(programme, times)
        with django_assert_max_num_queries(40) as rendered:
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(15) as kept:
            response = client.get(url)
            assert response.status_code == 200
        assert response.context["page"].served_from_snapshot
        with django_assert_max_num_queries(40) as filtered:
            assert client.get(url, {"date_from": "2026-01-01"}).status_code == 200
        counts.append(
            (
                len(rendered.captured_queries),
                len(kept.captured_queries),
                len(filtered.captured_queries),
            )
        )
    assert counts[0] == counts[1]
    assert counts[0][1] < counts[0][0]


def test_the_results_page_runs_the_same_queries_at_1x_and_10x_rendered_or_kept(
    login, programme, world, donor, django_assert_max_num_queries
):
    """The first view after a change renders the page (and keeps it); the next is served
    from the kept page. Each runs a fixed number of queries whatever the data size."""
    client = login(donor)
    url = results_url(programme)
    counts = []
    for times in (1, 9):
        _grow(programme, times)
        with django_assert_max_num_queries(40) as rendered:
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(10) as kept:
            assert client.get(url).status_code == 200
        counts.append((len(rendered.captured_queries), len(kept.captured_queries)))
    assert counts[0] == counts[1]
    assert counts[0][1] < counts[0][0]


# --- The donor sweep --------------------------------------------------------------------------


def _object_ids(programme, world):
    """A public id of this programme for every URL parameter of the monitoring app. A new
    parameter fails the sweep until it is added here, so no donor-reachable page is missed."""
    from monitoring.models import CommuniqueAdoption, OutcomeRecord, Risk

    ids = {
        "programme_id": programme.public_id,
        "indicator_id": world["indicator"].public_id,
        "outcome_id": OutcomeRecord.objects.filter(programme=programme).first().public_id,
    }
    adoption = CommuniqueAdoption.objects.filter(programme=programme).first()
    ids["adoption_id"] = adoption.public_id if adoption else uuid.uuid4()
    risk = Risk.objects.filter(programme=programme).first()
    ids["risk_id"] = risk.public_id if risk else uuid.uuid4()
    return ids


def test_no_donor_reachable_monitoring_page_or_export_shows_a_participant_or_red_line(
    login, programme, world, donor
):
    client = login(donor)
    ids = _object_ids(programme, world)
    canaries = (NAME_CANARY, ALIAS_CANARY, RED_LINE_CANARY, AIDE_CANARY, *world["codes"])
    reached = []
    for pattern in monitoring_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        params = list(pattern.pattern.converters)
        missing = [p for p in params if p not in ids]
        assert not missing, f"Add {missing} to the sweep's ids for {pattern.name}"
        url = reverse(f"monitoring:{pattern.name}", kwargs={p: ids[p] for p in params})
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        reached.append(pattern.name)
        body = (
            pdf_text(response.content)
            if response["Content-Type"] == "application/pdf"
            else response.content.decode()
        )
        for canary in canaries:
            assert canary not in body, (pattern.name, canary)
    assert {"results", "results_pdf"} <= set(reached)
    # The pages that lead a donor there.
    for url in (
        reverse("dialogues:home"),
        reverse("dialogues:programme_list"),
        reverse("dialogues:programme_detail", args=[programme.public_id]),
        reverse("uptake:shared_documents", args=[programme.public_id]),
        reverse("uptake:notification_list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        for canary in canaries:
            assert canary not in response.content.decode(), (url, canary)
