"""What a donor sees of a programme: aggregates only, suppressed, beside the expectations the
programme set. One builder for the dashboard page and the PDF report, so both say the same.

Nothing here returns a participant's name or code, a confidential document's title, a red
line or a dialogue's title: counts of people go through monitoring.services.suppression, and
the free texts donors may read (indicator names, outcome records, expectation statements,
all written by the team for this audience) pass through the programme-wide redactor anyway,
in case a name slipped in. Callers check access first
(monitoring.permissions.get_programme_for_results).
"""

import datetime
from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogues.services.attribution import programme_redactor
from monitoring.charts import Chart
from monitoring.models import ExpectationStatement
from monitoring.services import activity, figures, indicators, outputs
from monitoring.services.suppression import (
    SMALL,
    SMALL_COUNT_LIMIT,
    SafeBreakdown,
    SafeShare,
    suppress_breakdown,
    suppress_share,
)
from uptake.services.ladder import programme_today


@dataclass(frozen=True)
class DonorIndicator:
    name: str
    definition: str
    unit: str
    category: str
    direction: str
    # Values as displayed ("<5" for 1 to 4 when the indicator counts people); None: none yet.
    baseline_value: str
    baseline_date: datetime.date
    latest_value: str | None
    latest_period_end: datetime.date | None
    target_value: str | None
    on_track: bool | None
    chart: Chart


@dataclass(frozen=True)
class DonorOutcome:
    change: str
    social_actor: str
    observed_on: datetime.date
    place: str
    significance: str
    contribution: str
    sources: str
    confidence: str


@dataclass(frozen=True)
class DonorExpectation:
    audience: str
    statement: str
    made_on: datetime.date


@dataclass(frozen=True)
class Breakdowns:
    """One population (people or attendances) by gender and by category, suppressed."""

    total_display: str  # the headline count
    by_gender: SafeBreakdown
    by_category: SafeBreakdown
    gender_chart: Chart | None
    category_chart: Chart | None


@dataclass(frozen=True)
class DonorResults:
    programme_name: str
    period: activity.Period
    computed_at: datetime.datetime
    sessions_held: int
    participants: Breakdowns
    attendance: Breakdowns
    continuity: SafeShare
    outputs: outputs.OutputMetrics
    indicators: tuple[DonorIndicator, ...]
    outcomes: tuple[DonorOutcome, ...]
    expectations: tuple[DonorExpectation, ...]

    @property
    def breakdowns(self):
        """(title, suppressed breakdown, chart or None) for the four balance figures."""
        return (
            (
                _("Participants by gender"),
                self.participants.by_gender,
                self.participants.gender_chart,
            ),
            (
                _("Participants by category"),
                self.participants.by_category,
                self.participants.category_chart,
            ),
            (_("Attendance by gender"), self.attendance.by_gender, self.attendance.gender_chart),
            (
                _("Attendance by category"),
                self.attendance.by_category,
                self.attendance.category_chart,
            ),
        )


def _cells(breakdown):
    return [(share.label, share.count) for share in breakdown.shares]


def _breakdowns(gender, category, *, gender_title, category_title, unit, linked_to=None):
    """The population by gender and by category, suppressed. `linked_to` is the participants'
    Breakdowns when this is their attendance: a dimension whose participant breakdown hides
    anything is hidden here too, or attendances divided by sessions would give back the
    people behind a hidden cell."""
    by_gender = suppress_breakdown(gender.total, _cells(gender))
    by_category = suppress_breakdown(category.total, _cells(category))
    if linked_to is not None:
        by_gender = _hidden_with(by_gender, linked_to.by_gender)
        by_category = _hidden_with(by_category, linked_to.by_category)
    return Breakdowns(
        total_display=by_gender.total_display,
        by_gender=by_gender,
        by_category=by_category,
        gender_chart=figures.breakdown_chart(gender_title, by_gender, unit=unit)
        if by_gender.is_shown
        else None,
        category_chart=figures.breakdown_chart(category_title, by_category, unit=unit)
        if by_category.is_shown
        else None,
    )


def _hidden_with(breakdown, participants):
    if not breakdown.is_shown or participants.is_complete:
        return breakdown
    return SafeBreakdown(
        total=breakdown.total,
        total_display=breakdown.total_display,
        cells=(),
        hidden_reason=_(
            "Not shown: it would reveal the small groups hidden in the participants' breakdown."
        ),
    )


def _plain_value(value):
    return floatformat(value, "-2g")


def _people_value(value):
    """A number of people: "<5" from 1 to 4 (an indicator that counts people)."""
    return SMALL if 0 < value < SMALL_COUNT_LIMIT else floatformat(value, "-2g")


def _indicators(programme, *, period, redact, today):
    rows = []
    for summary in indicators.programme_indicator_summaries(programme, today):
        indicator = summary.indicator
        name, unit = redact(indicator.name), redact(indicator.unit)
        latest = summary.latest_value
        shown = _people_value if indicator.counts_people else _plain_value
        rows.append(
            DonorIndicator(
                name=name,
                definition=redact(indicator.definition),
                unit=unit,
                category=indicator.get_category_display(),
                direction=indicator.get_direction_display(),
                baseline_value=shown(indicator.baseline_value),
                baseline_date=indicator.baseline_date,
                latest_value=shown(latest.value) if latest else None,
                latest_period_end=latest.period_end if latest else None,
                target_value=shown(summary.current.target.value) if summary.current else None,
                on_track=summary.current.on_track if summary.current else None,
                chart=figures.indicator_chart(
                    summary,
                    name=name,
                    unit=unit,
                    period=period,
                    small_counts_hidden=indicator.counts_people,
                ),
            )
        )
    return tuple(rows)


def _outcomes(programme, *, period, redact):
    records = programme.outcome_records.order_by("-observed_on", "-pk")
    if period.start:
        records = records.filter(observed_on__gte=period.start)
    if period.end:
        records = records.filter(observed_on__lte=period.end)
    return tuple(
        DonorOutcome(
            change=redact(record.change),
            social_actor=redact(record.social_actor),
            observed_on=record.observed_on,
            place=redact(record.place),
            significance=redact(record.significance),
            contribution=redact(record.contribution),
            sources=redact(record.sources),
            confidence=record.get_confidence_display(),
        )
        for record in records
    )


def _expectations(programme, *, redact):
    return tuple(
        DonorExpectation(
            audience=redact(each.audience), statement=redact(each.statement), made_on=each.made_on
        )
        for each in ExpectationStatement.objects.filter(programme=programme)
    )


def donor_results(programme, *, period=None, now=None):
    """The donor view of `programme` over `period` (activity.Period; open by default).

    Queries, whatever the data size: the seven of activity.programme_activity, those of
    outputs.programme_outputs, the three of indicators.programme_indicator_summaries, the
    participants for the redactor, the outcome records, the expectation statements.
    """
    period = period or activity.Period()
    now = now or timezone.now()
    # Donors see neither names nor codes, whoever asks: the report is the same for everyone.
    redact = programme_redactor(programme, show_identity=False, with_codes=True)
    metrics = activity.programme_activity(programme, period=period, now=now).total
    continuity = metrics.continuity
    participants = _breakdowns(
        metrics.participant_gender,
        metrics.participant_category,
        gender_title=_("Participants by gender"),
        category_title=_("Participants by category"),
        unit=_("people"),
    )
    return DonorResults(
        programme_name=programme.name,
        period=period,
        computed_at=now,
        sessions_held=metrics.sessions_held,
        participants=participants,
        attendance=_breakdowns(
            metrics.attendance_gender,
            metrics.attendance_category,
            gender_title=_("Attendance by gender"),
            category_title=_("Attendance by category"),
            unit=_("attendances"),
            linked_to=participants,
        ),
        continuity=suppress_share(continuity.numerator, continuity.denominator),
        outputs=outputs.programme_outputs(programme, period=period),
        indicators=_indicators(
            programme, period=period, redact=redact, today=programme_today(programme, now)
        ),
        outcomes=_outcomes(programme, period=period, redact=redact),
        expectations=_expectations(programme, redact=redact),
    )
