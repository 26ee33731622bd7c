"""Outcome indicators: targets and their logged changes, values with evidence, progress
against hand-computed numbers, who reaches each page, bad input, the CSV, query counts."""

import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, TargetChange
from monitoring.services.indicators import (
    indicator_create,
    indicator_progress,
    indicator_update,
    indicator_value_record,
    target_set,
)
from uptake.services.ladder import programme_today

UP, DOWN = Indicator.Direction.UP_IS_GOOD, Indicator.Direction.DOWN_IS_GOOD
Q1 = (date(2025, 1, 1), date(2025, 3, 31))
Q2 = (date(2025, 4, 1), date(2025, 6, 30))


def make_indicator(programme, actor=None, *, name="Humanitarian access hours", direction=UP):
    return indicator_create(
        programme=programme,
        actor=actor,
        name=name,
        definition="Hours per month the corridor stays open.",
        unit="hours",
        direction=direction,
        category=Indicator.Category.OUTCOME,
        baseline_value=Decimal("40"),
        baseline_date=date(2024, 12, 1),
    )


def value(indicator, period, amount, *, disaggregation="", evidence="Corridor log"):
    return indicator_value_record(
        indicator=indicator,
        period_start=period[0],
        period_end=period[1],
        value=Decimal(amount),
        evidence=evidence,
        disaggregation=disaggregation,
        actor=None,
    )


def target(indicator, period, amount, **kwargs):
    return target_set(
        indicator=indicator,
        period_start=period[0],
        period_end=period[1],
        value=Decimal(amount),
        actor=None,
        **kwargs,
    )


# --- Services -----------------------------------------------------------------------------


def test_a_new_target_needs_no_reason(programme):
    indicator = make_indicator(programme)
    created = target(indicator, Q1, "60")
    assert created.value == Decimal("60")
    assert not TargetChange.objects.exists()


def test_changing_a_target_needs_a_reason_and_an_explanation(programme, officer):
    indicator = make_indicator(programme)
    target(indicator, Q1, "60")
    with pytest.raises(ValidationError) as error:
        target(indicator, Q1, "50")
    assert set(error.value.message_dict) == {"reason", "explanation"}
    with pytest.raises(ValidationError) as error:
        target(indicator, Q1, "50", reason=TargetChange.Reason.IMPLEMENTATION_DELAY)
    assert set(error.value.message_dict) == {"explanation"}
    assert IndicatorTarget.objects.get().value == Decimal("60")
    assert not TargetChange.objects.exists()


def test_a_change_of_target_is_logged_with_its_reason(programme, officer):
    indicator = make_indicator(programme)
    target(indicator, Q1, "60")
    target_set(
        indicator=indicator,
        period_start=Q1[0],
        period_end=Q1[1],
        value=Decimal("50"),
        reason=TargetChange.Reason.CONTEXT_CHANGED,
        explanation="Fighting closed the northern road.",
        actor=officer,
    )
    change = TargetChange.objects.get()
    assert (change.old_value, change.new_value) == (Decimal("60"), Decimal("50"))
    assert change.reason == "context" and change.changed_by == officer
    assert change.explanation == "Fighting closed the northern road."
    assert IndicatorTarget.objects.get().value == Decimal("50")


def test_a_value_needs_evidence(programme):
    indicator = make_indicator(programme)
    with pytest.raises(ValidationError) as error:
        value(indicator, Q1, "10", evidence="   ")
    assert "evidence" in error.value.message_dict
    assert not IndicatorValue.objects.exists()


def test_a_value_for_a_period_not_yet_begun_is_refused(programme):
    indicator = make_indicator(programme)
    tomorrow = programme_today(programme) + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        value(indicator, (tomorrow, tomorrow + timedelta(days=30)), "10")
    assert "period_start" in error.value.message_dict
    assert not IndicatorValue.objects.exists()


def test_a_reversed_period_is_refused_by_the_services(programme):
    indicator = make_indicator(programme)
    with pytest.raises(ValidationError):
        target(indicator, (Q1[1], Q1[0]), "60")
    with pytest.raises(ValidationError):
        value(indicator, (Q1[1], Q1[0]), "60")


def test_indicator_update_changes_the_baseline_and_refuses_other_fields(programme):
    indicator = make_indicator(programme)
    indicator_update(indicator=indicator, actor=None, baseline_value=Decimal("35"))
    indicator.refresh_from_db()
    assert indicator.baseline_value == Decimal("35")
    with pytest.raises(ValidationError):
        indicator_update(indicator=indicator, actor=None, programme=None)


def test_progress_up_is_good_uses_the_latest_total_value_in_the_period(programme):
    indicator = make_indicator(programme, direction=UP)
    target(indicator, Q1, "60")
    target(indicator, Q2, "80")
    value(indicator, (date(2025, 1, 1), date(2025, 1, 31)), "50")
    value(indicator, (date(2025, 3, 1), date(2025, 3, 31)), "65")  # latest in Q1
    value(indicator, (date(2025, 3, 1), date(2025, 3, 31)), "90", disaggregation="North")
    value(indicator, (date(2025, 5, 1), date(2025, 5, 31)), "70")  # Q2
    rows = indicator_progress(indicator)
    # Q1: actual 65 (March total; the North figure never counts), 65 >= 60: on track.
    # Q2: actual 70, 70 < 80: not on track.
    assert [(r.target.value, r.actual, r.on_track) for r in rows] == [
        (Decimal("60"), Decimal("65"), True),
        (Decimal("80"), Decimal("70"), False),
    ]


def test_progress_down_is_good_and_unknown_without_values(programme):
    indicator = make_indicator(programme, name="Hotline outage hours", direction=DOWN)
    target(indicator, Q1, "10")
    target(indicator, Q2, "5")
    value(indicator, (date(2025, 2, 1), date(2025, 2, 28)), "8")
    rows = indicator_progress(indicator)
    # Q1: 8 <= 10, on track when down is good. Q2: no value yet: unknown.
    assert [(r.actual, r.on_track) for r in rows] == [(Decimal("8"), True), (None, None)]
    value(indicator, (date(2025, 3, 1), date(2025, 3, 31)), "12")
    assert indicator_progress(indicator)[0].on_track is False  # 12 > 10


@pytest.mark.django_db(transaction=False)
def test_the_database_refuses_a_target_ending_before_it_starts(programme):
    indicator = make_indicator(programme)
    with pytest.raises(IntegrityError):
        IndicatorTarget.objects.create(
            indicator=indicator, period_start=Q1[1], period_end=Q1[0], value=1
        )


# --- Pages: access --------------------------------------------------------------------------


def list_url(programme):
    return reverse("monitoring:indicator_list", args=[programme.public_id])


def detail_url(indicator):
    return reverse("monitoring:indicator_detail", args=[indicator.public_id])


def value_form(**overrides):
    data = {
        "period_start": "2025-01-01",
        "period_end": "2025-01-31",
        "value": "55",
        "evidence": "Corridor log, January",
        "comment": "",
        "disaggregation": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def indicator(programme):
    return make_indicator(programme)


def test_anonymous_visitors_are_sent_to_log_in(client, programme, indicator):
    for url in (list_url(programme), detail_url(indicator)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_strangers_and_donors_get_404_everywhere(login, programme, indicator, stranger, donor):
    csv_url = reverse("monitoring:indicator_values_csv", args=[programme.public_id])
    record = reverse("monitoring:indicator_value_record", args=[indicator.public_id])
    for user in (stranger, donor):
        client = login(user)
        assert client.get(list_url(programme)).status_code == 404
        assert client.get(detail_url(indicator)).status_code == 404
        assert client.get(csv_url).status_code == 404
        assert client.post(record, value_form()).status_code == 404
    assert not IndicatorValue.objects.exists()


def test_a_legal_reviewer_reads_but_may_not_write(login, programme, indicator, legal_reviewer):
    client = login(legal_reviewer)
    assert client.get(list_url(programme)).status_code == 200
    assert client.get(detail_url(indicator)).status_code == 200
    posts = [
        (reverse("monitoring:indicator_create", args=[programme.public_id]), {"name": "x"}),
        (reverse("monitoring:indicator_value_record", args=[indicator.public_id]), value_form()),
        (
            reverse("monitoring:indicator_target_set", args=[indicator.public_id]),
            {"period_start": "2025-01-01", "period_end": "2025-03-31", "value": "1"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert not IndicatorValue.objects.exists() and not IndicatorTarget.objects.exists()
    assert "Record a value" not in client.get(detail_url(indicator)).content.decode()


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_record_values_and_targets(request, login, indicator, role):
    client = login(request.getfixturevalue(role))
    record = reverse("monitoring:indicator_value_record", args=[indicator.public_id])
    response = client.post(record, value_form())
    assert response.status_code == 302 and response.url == detail_url(indicator)
    assert IndicatorValue.objects.get().value == Decimal("55")
    set_target = reverse("monitoring:indicator_target_set", args=[indicator.public_id])
    data = {"period_start": "2025-01-01", "period_end": "2025-03-31", "value": "60"}
    assert client.post(set_target, data).status_code == 302
    html = client.get(detail_url(indicator)).content.decode()
    # Q1 target 60, actual 55 (January, the only total value): not on track.
    assert "Corridor log, January" in html and "Not on track" in html


def test_an_officer_adds_an_indicator(login, programme, officer):
    response = login(officer).post(
        reverse("monitoring:indicator_create", args=[programme.public_id]),
        {
            "name": "Detainee release processes trialled",
            "definition": "Processes trialled in the period.",
            "unit": "processes",
            "direction": "up",
            "category": "outcome",
            "baseline_value": "0",
            "baseline_date": "2025-01-01",
        },
    )
    created = Indicator.objects.get()
    assert response.status_code == 302 and response.url == detail_url(created)
    assert created.programme == programme and created.created_by == officer


def test_unknown_or_malformed_ids_are_404(login, facilitator):
    client = login(facilitator)
    assert (
        client.get(reverse("monitoring:indicator_detail", args=[uuid.uuid4()])).status_code == 404
    )
    assert client.get("/indicators/not-a-uuid/").status_code == 404
    assert client.get("/programmes/not-a-uuid/indicators/").status_code == 404


# --- Bad input ------------------------------------------------------------------------------


def test_a_value_without_evidence_is_400_with_the_text_kept(login, indicator, officer):
    url = reverse("monitoring:indicator_value_record", args=[indicator.public_id])
    response = login(officer).post(
        url, value_form(evidence="", comment="Counted at the checkpoint", period_end="2025-02-31")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Counted at the checkpoint" in html
    assert 'value="2025-02-31"' in html and "Enter a valid date." in html
    assert not IndicatorValue.objects.exists()


def test_changing_a_target_without_a_reason_is_400_with_the_text_kept(login, indicator, officer):
    target(indicator, Q1, "60")
    url = reverse("monitoring:indicator_target_set", args=[indicator.public_id])
    data = {"period_start": "2025-01-01", "period_end": "2025-03-31", "value": "45"}
    response = login(officer).post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why the target changes" in html and 'value="45"' in html
    assert IndicatorTarget.objects.get().value == Decimal("60")


def test_a_reversed_period_is_400_not_500(login, indicator, officer):
    url = reverse("monitoring:indicator_target_set", args=[indicator.public_id])
    data = {"period_start": "2025-03-31", "period_end": "2025-01-01", "value": "45"}
    response = login(officer).post(url, data)
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()


def test_an_incomplete_indicator_is_400_with_the_text_kept(login, programme, officer):
    url = reverse("monitoring:indicator_create", args=[programme.public_id])
    response = login(officer).post(url, {"name": "Hotline uptime", "baseline_value": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Hotline uptime"' in html and "Enter a number." in html
    assert not Indicator.objects.exists()


# --- CSV ------------------------------------------------------------------------------------


def test_the_csv_lists_values_and_no_participant(
    login, programme, indicator, facilitator, dialogue
):
    from tests.dialogues.factories import ParticipantFactory

    person = ParticipantFactory(programme=programme, full_name="Aung Kyaw Secret")
    value(indicator, Q1, "65", disaggregation="North")
    indicator_value_record(
        indicator=indicator,
        period_start=Q2[0],
        period_end=Q2[1],
        value=Decimal("70"),
        evidence="=HYPERLINK(1)",
        comment="Second quarter",
        actor=facilitator,
    )
    response = login(facilitator).get(
        reverse("monitoring:indicator_values_csv", args=[programme.public_id])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        [
            "Indicator",
            "Unit",
            "Period start",
            "Period end",
            "Value",
            "Disaggregation",
            "Evidence",
            "Comment",
        ],
        [
            "Humanitarian access hours",
            "hours",
            "2025-01-01",
            "2025-03-31",
            "65.00",
            "North",
            "Corridor log",
            "",
        ],
        [
            "Humanitarian access hours",
            "hours",
            "2025-04-01",
            "2025-06-30",
            "70.00",
            "",
            "'=HYPERLINK(1)",
            "Second quarter",
        ],
    ]
    assert person.full_name not in text and person.code not in text


# --- Query count ----------------------------------------------------------------------------


def grow(programme, count):
    for n in range(count):
        indicator = make_indicator(programme, name=f"Indicator {Indicator.objects.count()} {n}")
        target(indicator, Q1, "10")
        target(indicator, (date(2099, 1, 1), date(2099, 12, 31)), "10")  # not started
        value(indicator, Q1, "12")
        value(indicator, Q1, "3", disaggregation="North")


def test_the_list_runs_the_same_queries_at_1x_and_10x(
    login, programme, officer, django_assert_max_num_queries
):
    # 14 queries: session, user, programme, permission checks (view_dialogues, then the
    # recorder permissions), the indicators, their targets, their values, the recorder
    # check for the add form, the menu's roles and unread notifications, plus the
    # messages/guardian lookups; none grows with the number of indicators.
    client = login(officer)
    client.get(list_url(programme))
    grow(programme, 1)
    with django_assert_max_num_queries(14) as small:
        assert client.get(list_url(programme)).status_code == 200
    grow(programme, 9)
    with django_assert_max_num_queries(14) as large:
        response = client.get(list_url(programme))
    assert response.status_code == 200
    assert len(response.context["summaries"]) == 10
    # Each: baseline 40, latest total value 12 (the North 3 is a part), current target the
    # last started period (Q1 2025: 10), 12 >= 10 so on track.
    first = response.context["summaries"][0]
    assert (first.latest_value.value, first.current.target.value, first.current.on_track) == (
        Decimal("12"),
        Decimal("10"),
        True,
    )
    assert "On track" in response.content.decode()
    assert len(small.captured_queries) == len(large.captured_queries)
