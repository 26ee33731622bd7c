"""Outcome indicators: define them, set targets per period (a change of target is logged with
its reason), record values with evidence, and compare actuals with targets.

Callers check access first (monitoring.permissions.get_indicator_for_user or
get_programme_for_indicators); these services trust the objects they are given.

Definitions (the pages repeat them):

- The *actual* of a target period is the latest value recorded for the whole indicator (no
  disaggregation) whose own period lies within the target period, both days included;
  "latest" means the value whose period ends last, then the one recorded last. Values for a
  group (a region, say) are shown but never count towards the actual, so a total is never
  mixed with its parts.
- A period is *on track* when its actual reaches the target in the indicator's direction:
  at least the target when up is good, at most the target when down is good. With no actual
  yet, on track is unknown (None).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, TargetChange
from uptake.services.ladder import programme_today

INDICATOR_FIELDS = (
    "name",
    "definition",
    "unit",
    "direction",
    "category",
    "counts_people",
    "baseline_value",
    "baseline_date",
)


@transaction.atomic
def indicator_create(*, programme, actor, **fields):
    """Define an indicator on `programme`. Fields are INDICATOR_FIELDS; raises
    ValidationError for a missing or invalid one."""
    indicator = Indicator(programme=programme, created_by=actor)
    for name in INDICATOR_FIELDS:
        if name in fields:  # a missing one keeps the model's default; full_clean says so
            setattr(indicator, name, fields[name])
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, indicator, actor, **fields):
    """Change an indicator's definition or baseline (fields among INDICATOR_FIELDS);
    raises ValidationError for an invalid value or an unknown field."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def target_set(*, indicator, period_start, period_end, value, reason=None, explanation="", actor):
    """Set the target of `indicator` for the period. A new period's target needs no reason.
    Changing an existing target's value needs a reason (TargetChange.Reason) and an
    explanation, and writes a TargetChange. Raises ValidationError otherwise, or when the
    period ends before it starts. Setting the same value again changes nothing."""
    if period_start and period_end and period_end < period_start:
        raise ValidationError(
            {"period_end": _("The period ends before it starts.")}, code="period_reversed"
        )
    target = (
        IndicatorTarget.objects.select_for_update()
        .filter(indicator=indicator, period_start=period_start, period_end=period_end)
        .first()
    )
    if target is None:
        target = IndicatorTarget(
            indicator=indicator, period_start=period_start, period_end=period_end, value=value
        )
        target.full_clean()
        target.save()
        return target
    if target.value == value:
        return target
    errors = {}
    if reason not in TargetChange.Reason.values:
        errors["reason"] = _("Say why the target changes: choose a reason.")
    if not (explanation or "").strip():
        errors["explanation"] = _("Explain the change of target in a sentence or two.")
    if errors:
        raise ValidationError(errors, code="reason_required")
    change = TargetChange(
        indicator=indicator,
        target=target,
        old_value=target.value,
        new_value=value,
        reason=reason,
        explanation=explanation.strip(),
        changed_by=actor,
    )
    target.value = value
    target.full_clean()
    change.full_clean()
    target.save(update_fields=["value"])
    change.save()
    return target


@transaction.atomic
def indicator_value_record(
    *, indicator, period_start, period_end, value, evidence, comment="", disaggregation="", actor
):
    """Record a value of `indicator` over a period, with its evidence (required: where the
    figure comes from). Raises ValidationError for missing evidence, a reversed period or a
    period that has not begun."""
    if not (evidence or "").strip():
        raise ValidationError(
            {"evidence": _("Say where this value comes from: evidence is required.")},
            code="evidence_required",
        )
    if period_start and period_end and period_end < period_start:
        raise ValidationError(
            {"period_end": _("The period ends before it starts.")}, code="period_reversed"
        )
    # A value is observed, so its period has begun (on the programme's calendar).
    if period_start and period_start > programme_today(indicator.programme):
        raise ValidationError(
            {"period_start": _("This period has not begun yet: record the value once it has.")},
            code="period_to_come",
        )
    recorded = IndicatorValue(
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        value=value,
        evidence=evidence.strip(),
        comment=(comment or "").strip(),
        disaggregation=(disaggregation or "").strip(),
        recorded_by=actor,
    )
    recorded.full_clean()
    recorded.save()
    return recorded


@dataclass(frozen=True)
class PeriodProgress:
    target: IndicatorTarget
    actual: object  # Decimal or None
    on_track: bool | None


def is_on_track(direction, actual, target_value):
    if actual is None:
        return None
    if direction == Indicator.Direction.DOWN_IS_GOOD:
        return actual <= target_value
    return actual >= target_value


def progress_from(indicator, targets, values):
    """Fold already-loaded `targets` and `values` of `indicator` into PeriodProgress rows,
    one per target in period order (see the module docstring for the definitions)."""
    totals = [each for each in values if not each.disaggregation]
    rows = []
    for target in sorted(targets, key=lambda t: (t.period_start, t.period_end)):
        within = [
            each
            for each in totals
            if target.period_start <= each.period_start and each.period_end <= target.period_end
        ]
        latest = max(within, key=lambda v: (v.period_end, v.recorded_at, v.pk), default=None)
        actual = latest.value if latest else None
        rows.append(
            PeriodProgress(
                target=target,
                actual=actual,
                on_track=is_on_track(indicator.direction, actual, target.value),
            )
        )
    return rows


def indicator_progress(indicator):
    """Per target period of `indicator`: the target, the actual and whether it is on track
    (definitions in the module docstring). Two queries."""
    return progress_from(indicator, list(indicator.targets.all()), list(indicator.values.all()))


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: Indicator
    latest_value: IndicatorValue | None
    current: PeriodProgress | None
    # Every target period's progress, and every whole-indicator value, both in period order:
    # what the dashboards chart.
    progress: tuple[PeriodProgress, ...] = ()
    totals: tuple[IndicatorValue, ...] = ()


def programme_indicator_summaries(programme, today):
    """For the list page: each indicator of `programme` with its latest whole-indicator
    value and its *current* target period (the one containing `today`, else the last one
    that has started, else the first), with actual and on-track. Three queries at any size:
    indicators, their targets, their values."""
    indicators = list(programme.indicators.all())
    targets, values = {}, {}
    for target in IndicatorTarget.objects.filter(indicator__programme=programme):
        targets.setdefault(target.indicator_id, []).append(target)
    for each in IndicatorValue.objects.filter(indicator__programme=programme).only(
        "indicator_id", "period_start", "period_end", "value", "disaggregation", "recorded_at"
    ):
        values.setdefault(each.indicator_id, []).append(each)
    summaries = []
    for indicator in indicators:
        rows = progress_from(indicator, targets.get(indicator.pk, []), values.get(indicator.pk, []))
        current = next(
            (r for r in rows if r.target.period_start <= today <= r.target.period_end), None
        )
        if current is None:
            started = [r for r in rows if r.target.period_start <= today]
            current = started[-1] if started else (rows[0] if rows else None)
        totals = sorted(
            (v for v in values.get(indicator.pk, []) if not v.disaggregation),
            key=lambda v: (v.period_start, v.period_end, v.recorded_at, v.pk),
        )
        latest = max(totals, key=lambda v: (v.period_end, v.recorded_at, v.pk), default=None)
        summaries.append(IndicatorSummary(indicator, latest, current, tuple(rows), tuple(totals)))
    return summaries
