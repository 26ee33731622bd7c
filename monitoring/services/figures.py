"""Charts of the dashboards and the donor report, drawn from metrics already computed (and,
for donors, already suppressed): one implementation, so the page and the PDF show the same
figure."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from monitoring.charts import Point, Series, bar_chart, line_chart
from monitoring.services.suppression import SMALL, SMALL_COUNT_LIMIT


def _period_label(start, end):
    """The month (e.g. Nov 2025) for a whole calendar month, else the first and last day."""
    ends_month = (end + datetime.timedelta(days=1)).month != end.month
    if start.day == 1 and ends_month and (start.year, start.month) == (end.year, end.month):
        return date_format(start, "M Y")
    return _("%(start)s to %(end)s") % {
        "start": date_format(start, "j M Y"),
        "end": date_format(end, "j M Y"),
    }


def latest_per_period(values):
    """One value per (start, end) period, the last recorded; in period order."""
    latest = {}
    for value in values:
        latest[(value.period_start, value.period_end)] = value
    return [latest[key] for key in sorted(latest)]


def in_period(values, period):
    """The values whose own period starts within `period` (both days included)."""
    return [
        value
        for value in values
        if (period.start is None or value.period_start >= period.start)
        and (period.end is None or value.period_start <= period.end)
    ]


def _point(label, value, small_counts_hidden):
    if small_counts_hidden and value is not None and 0 < value < SMALL_COUNT_LIMIT:
        return Point(label=label, value=None, display=SMALL)
    return Point(label=label, value=value)


def indicator_chart(summary, *, name, unit, period, small_counts_hidden=False):
    """A line of the indicator's whole-indicator values in `period`, against the target of
    the target period each value falls in (a dashed line). With `small_counts_hidden` (a
    count of people, for donors), values from 1 to 4 are not drawn and read "<5"."""
    values = latest_per_period(in_period(summary.totals, period))

    def target_for(value):
        for row in summary.progress:
            target = row.target
            if target.period_start <= value.period_start and value.period_end <= target.period_end:
                return target.value
        return None

    labels = [_period_label(value.period_start, value.period_end) for value in values]
    actual = Series(
        name=_("Actual"),
        points=tuple(
            _point(label, value.value, small_counts_hidden)
            for label, value in zip(labels, values, strict=True)
        ),
    )
    targets = [target_for(value) for value in values]
    target = (
        Series(
            name=_("Target"),
            points=tuple(
                _point(label, value, small_counts_hidden)
                for label, value in zip(labels, targets, strict=True)
            ),
        )
        if any(value is not None for value in targets)
        else None
    )
    return line_chart(title=name, unit=unit, series=[actual], target=target)


def breakdown_chart(title, breakdown, *, unit):
    """Bars of a suppressed breakdown: a hidden cell has no bar, and its table cell says why
    ("<5" or "hidden")."""
    return bar_chart(
        title=title,
        unit=unit,
        bars=[
            Point(label=cell.label, value=cell.count, display=cell.display)
            for cell in breakdown.cells
        ],
    )
