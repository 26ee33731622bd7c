"""The kept results page (monitoring.services.results_snapshots): served while nothing behind
it changes, never after a change (an indicator value, an outcome, attendance, a new
participant whose name must now be withheld), expired when a session ends, kept per
language, not kept when the data changed while it rendered, rendered again by the beat
task, holding nothing a donor may not see; and the team's dashboard, kept apart for
readers who may see participants' names and for those who may not."""

import importlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from dialogues.models import Attendance, DialogueParticipant
from dialogues.services.participant_records import participant_erase
from dialogues.services.sessions import session_record_attendance
from dialogues.services.teams import programme_update_settings
from monitoring.models import ResultsSnapshot
from monitoring.services import results_snapshots
from monitoring.services.indicators import indicator_create, indicator_value_record
from monitoring.services.outcomes import outcome_record_create
from monitoring.services.results_snapshots import (
    results_page,
    results_snapshot_refresh,
    snapshots_due,
)
from monitoring.tasks import refresh_results_snapshots
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SessionFactory,
)
from tests.monitoring.test_risks import make_risk
from tests.uptake.factories import aide_memoire, non_paper

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)
OUTSIDER = "Velimor Ashgrove"  # named in an outcome before they join the programme


@pytest.fixture
def places(programme, dialogue):
    return [
        DialogueParticipantFactory(
            dialogue=dialogue,
            participant=ParticipantFactory(programme=programme),
            status=DialogueParticipant.Status.CONFIRMED,
            consent_given_on=date(2026, 1, 5),
        )
        for _ in range(12)
    ]


@pytest.fixture
def held(dialogue):
    starts = datetime(2026, 3, 2, 9, tzinfo=UTC)
    return SessionFactory(dialogue=dialogue, starts_at=starts, ends_at=starts + timedelta(hours=3))


def _indicator(programme, officer, name):
    return indicator_create(
        programme=programme,
        actor=officer,
        name=name,
        definition="Convoys through the corridor.",
        unit="convoys",
        direction="up",
        category="outcome",
        baseline_value=Decimal("4"),
        baseline_date=date(2025, 12, 31),
    )


@pytest.fixture
def indicator(programme, officer):
    return _indicator(programme, officer, "Crossings per month")


def _outcome(programme, officer, change):
    return outcome_record_create(
        programme=programme,
        actor=officer,
        change=change,
        social_actor="Northern liaison office",
        observed_on=date(2026, 3, 4),
        place="Northern corridor",
        significance="First regular crossing in two years.",
        contribution="The dialogue drafted the trigger list.",
        sources="Convoy logs.",
        confidence="medium",
    )


def _kept_then_served(programme, now=NOW):
    first = results_page(programme, now=now)
    second = results_page(programme, now=now)
    assert not first.served_from_snapshot
    assert second.served_from_snapshot
    assert second.body == first.body
    return second


def test_a_page_is_kept_and_served_until_a_change(programme, held, places, indicator):
    kept = _kept_then_served(programme)
    assert "<dt>Sessions held</dt><dd>1</dd>" in kept.body
    assert kept.computed_at == NOW


def test_a_new_indicator_value_is_shown_at_once(programme, officer, indicator):
    _kept_then_served(programme)
    indicator_value_record(
        indicator=indicator,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        value=Decimal("17"),
        evidence="Convoy log.",
        actor=officer,
    )
    page = results_page(programme, now=NOW)
    assert not page.served_from_snapshot
    assert "17 convoys" in page.body


def test_recorded_attendance_is_shown_at_once(programme, officer, held, places):
    before = _kept_then_served(programme)
    assert "<dt>Attendances</dt><dd>0</dd>" in before.body
    session_record_attendance(
        session=held, marks=dict.fromkeys(places, Attendance.Status.PRESENT), actor=officer
    )
    page = results_page(programme, now=NOW)
    assert not page.served_from_snapshot
    assert "<dt>Attendances</dt><dd>12</dd>" in page.body


def test_a_new_participant_s_name_is_withheld_at_once(programme, officer, dialogue):
    """The safety case: an outcome written before someone joins names them; once they are a
    participant, the kept page that shows the name must not be served again."""
    _outcome(programme, officer, f"{OUTSIDER} chaired the crossing committee.")
    assert OUTSIDER in _kept_then_served(programme).body
    ParticipantFactory(programme=programme, full_name=OUTSIDER)
    page = results_page(programme, now=NOW)
    assert not page.served_from_snapshot
    assert OUTSIDER not in page.body


def test_a_deleted_outcome_disappears_at_once(programme, officer):
    outcome = _outcome(programme, officer, "The liaison office opened the northern crossing.")
    assert "opened the northern crossing" in _kept_then_served(programme).body
    outcome.delete()
    assert "opened the northern crossing" not in results_page(programme, now=NOW).body


def test_a_kept_page_expires_when_a_session_ends(programme, dialogue, places):
    later = SessionFactory(
        dialogue=dialogue,
        starts_at=NOW + timedelta(minutes=10),
        ends_at=NOW + timedelta(minutes=40),
    )
    assert "<dt>Sessions held</dt><dd>0</dd>" in _kept_then_served(programme).body
    assert results_page(programme, now=later.ends_at - timedelta(seconds=1)).served_from_snapshot
    after = results_page(programme, now=later.ends_at + timedelta(seconds=1))
    assert not after.served_from_snapshot
    assert "<dt>Sessions held</dt><dd>1</dd>" in after.body


def test_a_kept_page_expires_at_the_programme_s_midnight_and_after_an_hour(programme):
    _kept_then_served(programme)
    assert results_page(programme, now=NOW + timedelta(minutes=59)).served_from_snapshot
    assert not results_page(programme, now=NOW + timedelta(minutes=61)).served_from_snapshot
    programme.time_zone = "Asia/Tokyo"  # NOW is 21:00 there: the day turns in three hours
    programme.save()
    late = datetime(2026, 4, 1, 14, 30, tzinfo=UTC)  # 23:30 in Tokyo
    _kept_then_served(programme, now=late)
    assert not results_page(programme, now=late + timedelta(minutes=31)).served_from_snapshot


def test_each_language_has_its_own_page(programme):
    with translation.override("fr"):
        _kept_then_served(programme)
    with translation.override("en"):
        assert not results_page(programme, now=NOW).served_from_snapshot
        assert results_page(programme, now=NOW).served_from_snapshot
    assert set(ResultsSnapshot.objects.get(programme=programme).pages) == {
        "results/fr",
        "results/en",
    }


def test_a_page_rendered_while_the_data_changed_is_not_kept(programme, officer, monkeypatch):
    """A write that lands while the page renders (simulated: the write comes from inside
    the render) gives a new token: the render, which may have read the data before it, is
    dropped, and the next view renders again."""
    real = results_snapshots.donor_results

    def render_during_a_write(programme, **kwargs):
        results = real(programme, **kwargs)
        _outcome(programme, officer, "Written while the page rendered.")
        return results

    monkeypatch.setattr(results_snapshots, "donor_results", render_during_a_write)
    results_page(programme, now=NOW)
    monkeypatch.undo()
    page = results_page(programme, now=NOW)
    assert not page.served_from_snapshot
    assert "Written while the page rendered." in page.body


def test_the_beat_task_renders_changed_pages_again_in_their_languages(programme, officer):
    now = timezone.now()  # the task runs on the real clock
    with translation.override("fr"):
        _kept_then_served(programme, now=now)
    _kept_then_served(programme, now=now)
    _outcome(programme, officer, "The ford opened on market days.")
    assert snapshots_due() == [programme.pk]
    assert refresh_results_snapshots.apply().get() == 2
    assert snapshots_due() == []
    for language in ("fr", "en"):
        with translation.override(language):
            page = results_page(programme)
        assert page.served_from_snapshot
        assert "The ford opened on market days." in page.body
    assert refresh_results_snapshots.apply().get() == 0


def test_a_programme_never_viewed_is_not_rendered_by_the_task(programme, officer):
    _outcome(programme, officer, "Nobody has looked yet.")
    assert programme.pk in snapshots_due()
    assert results_snapshot_refresh(programme.pk) == 0
    assert programme.pk not in snapshots_due()


def test_the_first_view_of_a_day_marks_the_page_viewed(programme):
    # Marks go by the UTC day. In Tokyo a page rendered at 23:50 UTC is still current at
    # 00:10 UTC (its day turns at 15:00 UTC): served on the next UTC day.
    programme.time_zone = "Asia/Tokyo"
    programme.save()
    evening = datetime(2026, 4, 1, 23, 50, tzinfo=UTC)
    _kept_then_served(programme, now=evening)
    assert ResultsSnapshot.objects.get(programme=programme).viewed == {"results/en": "2026-04-01"}
    with CaptureQueriesContext(connection) as same_day:
        assert results_page(programme, now=evening + timedelta(minutes=5)).served_from_snapshot
    with CaptureQueriesContext(connection) as next_day:
        assert results_page(programme, now=evening + timedelta(minutes=20)).served_from_snapshot
    assert len(same_day) == 1
    assert len(next_day) == 2
    assert ResultsSnapshot.objects.get(programme=programme).viewed == {"results/en": "2026-04-02"}


def test_pages_kept_before_views_were_recorded_count_as_viewed_on_the_migration_day(programme):
    migration = importlib.import_module("monitoring.migrations.0007_kept_pages_viewed")
    _kept_then_served(programme)
    ResultsSnapshot.objects.update(viewed={})
    migration.mark_kept_pages_viewed_today(apps, None)
    today = datetime.now(UTC).date().isoformat()
    assert ResultsSnapshot.objects.get(programme=programme).viewed == {"results/en": today}


def test_a_page_nobody_viewed_for_a_week_is_dropped_instead_of_rendered_again(programme, officer):
    with translation.override("fr"):
        _kept_then_served(programme, now=NOW)
    later = NOW + results_snapshots.IDLE_AFTER + timedelta(days=1)
    _kept_then_served(programme, now=later)
    _outcome(programme, officer, "The ford opened on market days.")
    assert results_snapshot_refresh(programme.pk, now=later) == 1
    snapshot = ResultsSnapshot.objects.get(programme=programme)
    assert set(snapshot.pages) == set(snapshot.viewed) == {"results/en"}
    assert snapshots_due(later) == []
    assert "The ford opened on market days." in results_page(programme, now=later).body
    # Its next view renders it again, and keeps it.
    with translation.override("fr"):
        page = results_page(programme, now=later)
        assert not page.served_from_snapshot
        assert "The ford opened on market days." in page.body
        assert results_page(programme, now=later).served_from_snapshot


def test_the_kept_page_holds_no_name_or_code(programme, officer, places):
    person = places[0].participant
    _indicator(programme, officer, f"Crossings escorted by {person.full_name} ({person.code})")
    assert "Crossings escorted by" in _kept_then_served(programme).body
    stored = json.dumps(ResultsSnapshot.objects.get(programme=programme).pages)
    for place in places:
        assert place.participant.full_name not in stored
        assert place.participant.code not in stored


def test_a_programme_with_a_kept_page_can_be_deleted(db):
    doomed = ProgrammeFactory(name="Short-lived programme")
    ParticipantFactory(programme=doomed)
    _kept_then_served(doomed)
    doomed.delete()
    assert not ResultsSnapshot.objects.exists()


def test_the_page_and_the_pdf_say_the_same(login, programme, donor, officer):
    _outcome(programme, officer, "The liaison office opened the northern crossing.")
    client = login(donor)
    page = client.get(reverse("monitoring:results", args=[programme.public_id]))
    assert "opened the northern crossing" in page.content.decode()
    snapshot_pages = ResultsSnapshot.objects.get(programme=programme).pages
    pdf = client.get(reverse("monitoring:results_pdf", args=[programme.public_id]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    # The PDF was made from the kept page: nothing rendered again.
    assert ResultsSnapshot.objects.get(programme=programme).pages == snapshot_pages


# --- The team's dashboard, kept per class of reader ----------------------------------------

HOST = "Orsolya Vantreck"  # a participant whose name a dialogue's title carries


def _dashboard(client, programme, **filters):
    response = client.get(reverse("monitoring:dashboard", args=[programme.public_id]), filters)
    assert response.status_code == 200
    return response


@pytest.fixture
def hosted(programme):
    ParticipantFactory(programme=programme, full_name=HOST)
    return DialogueFactory(programme=programme, title=f"Talks hosted by {HOST}")


def test_the_dashboard_is_kept_apart_for_readers_who_see_names_and_those_who_do_not(
    login, programme, hosted, facilitator, officer
):
    """The safety case: a page kept for a facilitator, who sees identities, is never
    served to a programme officer, who does not; each class has its own."""
    named = _dashboard(login(facilitator), programme)
    assert not named.context["page"].served_from_snapshot
    assert f"Talks hosted by {HOST}" in named.content.decode()
    withheld = _dashboard(login(officer), programme)
    assert not withheld.context["page"].served_from_snapshot
    assert HOST not in withheld.content.decode()
    assert "Talks hosted by" in withheld.content.decode()
    again = _dashboard(login(officer), programme)
    assert again.context["page"].served_from_snapshot
    assert HOST not in again.content.decode()
    assert _dashboard(login(facilitator), programme).context["page"].served_from_snapshot
    assert set(ResultsSnapshot.objects.get(programme=programme).pages) == {
        "dashboard-named/en",
        "dashboard-withheld/en",
    }


def test_officers_granted_identity_rights_get_the_page_with_names(
    login, programme, hosted, facilitator, officer
):
    _dashboard(login(facilitator), programme)
    programme_update_settings(programme=programme, actor=facilitator, officers_see_identity=True)
    served = _dashboard(login(officer), programme)
    assert f"Talks hosted by {HOST}" in served.content.decode()


def test_a_new_risk_is_on_the_kept_dashboard_at_once(login, programme, facilitator, officer):
    client = login(officer)
    assert "<dt>Open risks</dt><dd>0</dd>" in _dashboard(client, programme).content.decode()
    assert _dashboard(client, programme).context["page"].served_from_snapshot
    make_risk(programme, officer)
    response = _dashboard(client, programme)
    assert not response.context["page"].served_from_snapshot
    assert "<dt>Open risks</dt><dd>1</dd>" in response.content.decode()


def test_a_filtered_dashboard_is_rendered_each_time_and_not_kept(login, programme, officer):
    client = login(officer)
    response = _dashboard(client, programme, date_from="2026-01-01")
    assert response.context["board"].period.start == date(2026, 1, 1)
    assert "page" not in response.context
    assert not ResultsSnapshot.objects.get(programme=programme).pages
    invalid = client.get(
        reverse("monitoring:dashboard", args=[programme.public_id]), {"date_from": "soon"}
    )
    assert invalid.status_code == 400
    html = invalid.content.decode()
    assert 'value="soon"' in html and "Enter a valid date." in html
    clear = reverse("monitoring:dashboard", args=[programme.public_id])
    assert f'<a class="button button-secondary" href="{clear}">Clear</a>' in html


def test_the_beat_task_renders_a_changed_dashboard_again(login, programme, officer):
    client = login(officer)
    _dashboard(client, programme)
    _outcome(programme, officer, "The ford opened on market days.")
    assert refresh_results_snapshots.apply().get() == 1
    served = _dashboard(client, programme)
    assert served.context["page"].served_from_snapshot
    assert "<dt>Outcomes observed</dt><dd>1</dd>" in served.content.decode()


def test_every_table_the_kept_pages_read_is_tracked(programme, dialogue, places, officer):
    """A kept page is right only if a write to any row it read changes the token. Render
    every kind of kept page over a programme with something in each section, and check
    every table their queries read: each must be tracked (TRACKED's receivers, or
    attendance's signal), or hold nothing a page shows that changes while Parley runs."""
    models = apps.get_models(include_auto_created=True)
    tables = {model._meta.db_table: model._meta.label for model in models}
    _indicator(programme, officer, "Crossings per month")
    _outcome(programme, officer, "The liaison office opened the northern crossing.")
    make_risk(programme, officer)
    aide_memoire(dialogue, officer)  # its one reader: a grant row the checks count
    non_paper(dialogue, officer)
    read = set()
    for kind in results_snapshots.RENDERERS:
        with CaptureQueriesContext(connection) as queries:
            results_snapshots._render(programme, kind, NOW)
        for query in queries.captured_queries:
            read |= {tables[t] for t in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])}
    assert {"uptake.Commitment", "monitoring.Risk", "uptake.DocumentUserObjectPermission"} <= read
    signalled = {"dialogues.Attendance"}
    # Codenames and content types do not change while Parley runs; users are read for the
    # commitments' responsible people, whom no kept page shows.
    unchanging = {"auth.Permission", "contenttypes.ContentType", "auth.User"}
    assert read - set(results_snapshots.TRACKED) - signalled - unchanging == set()


def test_an_erased_participant_s_name_is_not_left_in_a_kept_page(login, programme, facilitator):
    """Kept pages hold names escaped as HTML (O&#x27;Neill), which an erasure's search for
    the name would not find: a change to a participant drops the kept bodies."""
    person = ParticipantFactory(programme=programme, full_name="Aoife O'Neill")
    DialogueFactory(programme=programme, title="Talks hosted by Aoife O'Neill")
    assert "O&#x27;Neill" in _dashboard(login(facilitator), programme).content.decode()
    assert "O&#x27;Neill" in json.dumps(ResultsSnapshot.objects.get(programme=programme).pages)
    participant_erase(participant=person, actor=facilitator)
    stored = json.dumps(ResultsSnapshot.objects.get(programme=programme).pages)
    assert "Neill" not in stored and "Aoife" not in stored
    assert person.code in _dashboard(login(facilitator), programme).content.decode()


def test_a_page_of_a_kind_or_language_no_longer_rendered_does_not_keep_it_due(programme):
    _kept_then_served(programme)
    snapshot = ResultsSnapshot.objects.get(programme=programme)
    entry = dict(snapshot.pages["results/en"], valid_until=NOW.isoformat())
    snapshot.pages = {"en": entry, "results/xx": entry}  # before kinds; a language removed
    snapshot.expires_at = NOW
    snapshot.save()
    assert results_snapshot_refresh(programme.pk, now=NOW + timedelta(hours=2)) == 0
    assert snapshots_due(NOW + timedelta(days=1)) == []


def test_a_programme_whose_pages_fail_to_render_does_not_hold_up_the_others(
    programme, officer, monkeypatch, caplog
):
    other = ProgrammeFactory(name="Second programme")
    now = timezone.now()
    for each in (programme, other):
        _kept_then_served(each, now=now)
        results_snapshots.results_changed(each.pk, now=now - timedelta(minutes=1))
    real = results_snapshots.RENDERERS[results_snapshots.RESULTS]

    def failing_for_the_first(each, when):
        if each.pk == programme.pk:
            raise RuntimeError(f"Broken template near {OUTSIDER}")
        return real(each, when)

    monkeypatch.setitem(
        results_snapshots.RENDERERS, results_snapshots.RESULTS, failing_for_the_first
    )
    assert refresh_results_snapshots.apply().get() == 1
    assert results_page(other).served_from_snapshot
    assert ResultsSnapshot.objects.get(programme=programme).expires_at > now
    assert snapshots_due() == []
    assert f"programme {programme.pk} failed (RuntimeError)" in caplog.text
    assert OUTSIDER not in caplog.text
