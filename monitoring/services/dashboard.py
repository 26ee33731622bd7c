"""The programme team's M&E dashboard: every metric in one place, narrowed by dialogue and
period, each figure linking to the page behind it.

Counts here are not suppressed (the team may see them, and the pages behind them list the
records); titles of dialogues and non-papers pass through the programme-wide redactor for
readers without identity rights, as on the chain overview. Callers check access first
(monitoring.permissions.get_programme_for_monitoring).
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from dialogues.models import Programme
from monitoring.charts import Chart
from monitoring.models import LearningEntry, OutcomeRecord, Risk
from monitoring.services import activity, figures, indicators, outputs, risks
from uptake.services import ladder, timeline


@dataclass(frozen=True)
class IndicatorTrend:
    summary: indicators.IndicatorSummary
    name: str
    unit: str
    chart: Chart


@dataclass(frozen=True)
class OfficerDashboard:
    period: activity.Period
    dialogue_title: str | None
    computed_at: datetime.datetime
    today: datetime.date
    activity: activity.ActivityMetrics
    outputs: outputs.OutputMetrics
    indicators: tuple[IndicatorTrend, ...]
    outcomes_recorded: int
    learning_entries: int
    chain_stages: tuple[tuple[str, int], ...]
    non_papers: int
    overdue: tuple
    checks: object  # risks.ConfidentialityChecks
    open_risks: int
    risks_due_for_review: int


def _activity_of(report, dialogue):
    if dialogue is None:
        return report.total
    return next(row.metrics for row in report.dialogues if row.public_id == dialogue.public_id)


def _in_period(queryset, field, period):
    if period.start:
        queryset = queryset.filter(**{f"{field}__gte": period.start})
    if period.end:
        queryset = queryset.filter(**{f"{field}__lte": period.end})
    return queryset


def _count_of(queryset):
    """`queryset` (filtered on OuterRef("pk"), the programme) counted as a subquery."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("programme").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _record_counts(programme, period, today):
    """Outcomes recorded in `period`, learning entries, open risks and open risks due for
    review: one query."""
    open_risks = Risk.objects.filter(programme=OuterRef("pk"), status=Risk.Status.OPEN)
    return (
        Programme.objects.filter(pk=programme.pk)
        .annotate(
            n_outcomes_recorded=_count_of(
                _in_period(
                    OutcomeRecord.objects.filter(programme=OuterRef("pk")), "observed_on", period
                )
            ),
            n_learning_entries=_count_of(LearningEntry.objects.filter(programme=OuterRef("pk"))),
            n_open_risks=_count_of(open_risks),
            n_risks_due_for_review=_count_of(open_risks.filter(review_on__lte=today)),
        )
        .values(
            "n_outcomes_recorded", "n_learning_entries", "n_open_risks", "n_risks_due_for_review"
        )
        .get()
    )


def officer_dashboard(programme, *, redact, dialogue=None, period=None, now=None, dialogues=None):
    """Everything the dashboard shows for the reader `redact` was built for (a
    dialogues.services.attribution.Redactor: reader_redactor), narrowed to `dialogue` (a
    Dialogue of the programme, or None for all) and `period` (activity.Period). Activity, the
    chain and overdue commitments follow the dialogue filter; outputs, indicators, outcomes
    and risks are programme-wide.

    A fixed number of queries whatever the data size: the five of
    activity.programme_activity (given the dialogues), outputs, indicator summaries
    (three), the chain (two), the overdue commitments, the checks, the record counts (one).
    `dialogues`: the programme's dialogues in workflow order, when the caller has them.
    """
    period = period or activity.Period()
    now = now or timezone.now()
    today = ladder.programme_today(programme, now)
    report = activity.programme_activity(
        programme, dialogue=dialogue, period=period, now=now, dialogues=dialogues
    )

    trends = []
    for summary in indicators.programme_indicator_summaries(programme, today):
        name, unit = redact(summary.indicator.name), redact(summary.indicator.unit)
        chart = figures.indicator_chart(summary, name=name, unit=unit, period=period)
        trends.append(IndicatorTrend(summary=summary, name=name, unit=unit, chart=chart))

    chain = timeline.programme_chain(programme, redact=redact, today=today)
    overdue = ladder.overdue_commitments(programme, today=today)
    if dialogue is not None:
        chain = [row for row in chain if row.latest.dialogue_id == dialogue.pk]
        overdue = [each for each in overdue if each.document.dialogue_id == dialogue.pk]
    for commitment in overdue:
        commitment.shown_what = redact(commitment.what)
        commitment.shown_owner = redact(commitment.owner)
        commitment.shown_title = redact(commitment.document.title)
    stages = Counter(row.stage for row in chain)

    counts = _record_counts(programme, period, today)
    return OfficerDashboard(
        period=period,
        dialogue_title=redact(dialogue.title) if dialogue is not None else None,
        computed_at=now,
        today=today,
        activity=_activity_of(report, dialogue),
        outputs=outputs.programme_outputs(programme, period=period),
        indicators=tuple(trends),
        outcomes_recorded=counts["n_outcomes_recorded"],
        learning_entries=counts["n_learning_entries"],
        chain_stages=tuple(
            (stage.label, stages[stage]) for stage in timeline.ChainStage if stages[stage]
        ),
        non_papers=len(chain),
        overdue=tuple(overdue),
        checks=risks.confidentiality_checks(programme, redact=redact),
        open_risks=counts["n_open_risks"],
        risks_due_for_review=counts["n_risks_due_for_review"],
    )
