"""What the monitoring exports contain: indicator values and outcome records as a header and
rows (one implementation behind both the CSV and the XLSX), and a programme's indicators with
baselines, periods, targets and actuals in the IATI 2.03 `result` structure.

Callers check access first (monitoring.permissions.get_programme_for_indicators) and pass a
dialogues.services.attribution.Redactor built for the reader, so a reader who may not see
identities never reads a participant's name in an export, as on the pages.

Every text cell is redacted, cleared of control characters that neither XML nor a spreadsheet
may hold, given plain line feeds for line ends (an XLSX reader turns a carriage return into
one anyway, and the CSV must match), and neutralised: text a spreadsheet would read as a
formula (starting with =, +, -, @, a tab, a carriage return or a line feed) gets a leading
apostrophe. Numbers stay Decimals and dates stay
dates, so each format can type its cells.

Definitions of the IATI export (the indicator pages use the same ones):

- A *period* is a target period of the indicator. Values whose own period lies within no
  target period are not dropped: each distinct (start, end) of such values becomes a period
  of its own, with an actual and no target.
- The *actual* of a period is the latest value recorded for the whole indicator (no
  disaggregation) whose own period lies within it, both days included; "latest" means the
  value whose period ends last, then the one recorded last (as
  monitoring.services.indicators.progress_from). Values are not summed: an indicator may be a
  level (hours of access per month, uptime) as easily as a count, and a sum of levels means
  nothing. A group's value (a region, say) never counts towards the actual.
- Each group with values in the period gets its own `actual` carrying a `dimension`, its
  value chosen by the same rule among that group's values.
"""

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any, NamedTuple

from django.utils import translation
from django.utils.translation import gettext as _

from monitoring.forms.indicators import link_label
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, OutcomeRecord
from monitoring.services.outcomes import LINK_FIELDS

# Rows are read from the database in chunks of this many, so memory stays flat however long
# the export: one query on SQLite and PostgreSQL (a server-side cursor) at any size.
CHUNK_SIZE = 2000

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection";
# a line feed is what a carriage return becomes here).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters that XML 1.0 and the XLSX format refuse (tab, line feed and carriage
# return are allowed), plus the two non-characters XML also refuses.
_ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Table(NamedTuple):
    """An export's header and rows of plain values (str, Decimal, date or None). `rows` is an
    iterator that reads the database as it goes: iterate it once. `widths` suggests a display
    width per column, in characters."""

    header: list[str]
    rows: Iterable[list[Any]]
    widths: list[int]


def spreadsheet_safe(text):
    """`text` as a spreadsheet may hold it and never runs it: control characters removed,
    line ends as line feeds, and an apostrophe before text a spreadsheet would read as a
    formula."""
    text = _ILLEGAL_CHARACTERS.sub("", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _cell_text(text, redact):
    return spreadsheet_safe(redact(text or ""))


def indicator_value_rows(programme, *, redact):
    """Every recorded value of `programme`'s indicators, by indicator then period: indicator,
    unit, period start and end (dates), value (Decimal), disaggregation, evidence, comment.
    Texts pass through `redact` (a Redactor for the reader). One query, read in chunks."""
    header = [
        _("Indicator"),
        _("Unit"),
        _("Period start"),
        _("Period end"),
        _("Value"),
        _("Disaggregation"),
        _("Evidence"),
        _("Comment"),
    ]
    values = (
        IndicatorValue.objects.filter(indicator__programme=programme)
        .select_related("indicator")
        .only(
            "period_start",
            "period_end",
            "value",
            "disaggregation",
            "evidence",
            "comment",
            "indicator__name",
            "indicator__unit",
        )
        .order_by("indicator__name", "indicator_id", "period_start", "pk")
    )

    def rows():
        for each in values.iterator(chunk_size=CHUNK_SIZE):
            yield [
                _cell_text(each.indicator.name, redact),
                _cell_text(each.indicator.unit, redact),
                each.period_start,
                each.period_end,
                each.value,
                _cell_text(each.disaggregation, redact),
                _cell_text(each.evidence, redact),
                _cell_text(each.comment, redact),
            ]

    return Table(header, rows(), [36, 14, 12, 12, 12, 20, 48, 48])


def _outcome_link_labels(programme, redact):
    """{outcome record pk: [label, ...]} for the links of `programme`'s outcome records, kinds
    in LINK_FIELDS order and each kind in its model's order, labelled as on the pages. One
    query per link kind, read from the link tables, at any number of records."""
    labels = defaultdict(list)
    for name in LINK_FIELDS:
        relation = OutcomeRecord._meta.get_field(name)
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        ordering = [
            f"-{target}__{key[1:]}" if key.startswith("-") else f"{target}__{key}"
            for key in relation.related_model._meta.ordering
        ]
        # A non-paper's label names its dialogue: fetched in the same query.
        related = f"{target}__dialogue" if name == "documents" else target
        links = (
            relation.remote_field.through.objects.filter(**{f"{source}__programme": programme})
            .select_related(related)
            .order_by(*ordering, "pk")
        )
        for link in links:
            labels[getattr(link, f"{source}_id")].append(link_label(getattr(link, target), redact))
    return labels


def outcome_rows(programme, *, redact):
    """`programme`'s outcome records, newest first: when (date), who changed, what changed,
    where, significance, contribution, sources, confidence, and the linked indicators,
    dialogues, non-papers and pilots (labelled as on the pages). Texts pass through `redact`.
    Five queries (the records, read in chunks, and one per link kind) at any size."""
    header = [
        _("When"),
        _("Who changed"),
        _("What changed"),
        _("Where"),
        _("Significance"),
        _("Contribution"),
        _("Sources and substantiation"),
        _("Confidence"),
        _("Links"),
    ]
    links = _outcome_link_labels(programme, redact)
    records = programme.outcome_records.only(
        "observed_on",
        "social_actor",
        "change",
        "place",
        "significance",
        "contribution",
        "sources",
        "confidence",
        "created_at",
    )

    def rows():
        for record in records.iterator(chunk_size=CHUNK_SIZE):
            yield [
                record.observed_on,
                _cell_text(record.social_actor, redact),
                _cell_text(record.change, redact),
                _cell_text(record.place, redact),
                _cell_text(record.significance, redact),
                _cell_text(record.contribution, redact),
                _cell_text(record.sources, redact),
                str(record.get_confidence_display()),
                _cell_text("; ".join(links.get(record.pk, ())), redact),
            ]

    return Table(header, rows(), [12, 28, 48, 20, 40, 48, 40, 12, 48])


# --- IATI results -----------------------------------------------------------------------------

IATI_VERSION = "2.03"
# IATI ResultType codelist: 1 output, 2 outcome, 3 impact, 9 other (activity indicators).
RESULT_TYPES = {
    Indicator.Category.OUTCOME: "2",
    Indicator.Category.OUTPUT: "1",
    Indicator.Category.ACTIVITY: "9",
}
# IATI IndicatorMeasure codelist: 1 unit, 2 percentage (3 nominal, 4 ordinal, 5 qualitative
# do not arise: every value here is a number).
MEASURE_UNIT, MEASURE_PERCENTAGE = "1", "2"
_PERCENT_UNIT = re.compile(r"%|\bper\s?cent(age)?\b", re.IGNORECASE)
# The dimension name of a value recorded for a group (IndicatorValue.disaggregation).
DIMENSION_NAME = "disaggregation"


@dataclass(frozen=True)
class GroupActual:
    group: str
    value: Decimal
    evidence: str


@dataclass(frozen=True)
class ResultPeriod:
    start: date
    end: date
    target: Decimal | None
    actual: Decimal | None
    actual_evidence: str
    groups: list[GroupActual] = field(default_factory=list)


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator as the IATI export reports it; texts already redacted."""

    category: str
    title: str
    description: str
    measure: str
    ascending: bool
    baseline_value: Decimal
    baseline_date: date
    periods: list[ResultPeriod]


def indicator_measure(unit):
    """The IATI measure code of an indicator counted in `unit`: percentage when the unit is
    a percentage ("%", "percent", "per cent", "percentage"), else unit."""
    return MEASURE_PERCENTAGE if _PERCENT_UNIT.search(unit or "") else MEASURE_UNIT


def _latest(values):
    return max(values, key=lambda v: (v.period_end, v.recorded_at, v.pk), default=None)


def _period(start, end, target, values, redact):
    """The period from `start` to `end` with its target and the actuals of `values` (those
    recorded within it): the whole indicator's, then each group's, groups in name order."""
    totals = [v for v in values if not v.disaggregation]
    latest = _latest(totals)
    by_group = defaultdict(list)
    for each in values:
        if each.disaggregation:
            by_group[each.disaggregation].append(each)
    groups = []
    for group in sorted(by_group, key=str.casefold):
        chosen = _latest(by_group[group])
        groups.append(GroupActual(redact(group), chosen.value, redact(chosen.evidence)))
    return ResultPeriod(
        start=start,
        end=end,
        target=target,
        actual=latest.value if latest else None,
        actual_evidence=redact(latest.evidence) if latest else "",
        groups=groups,
    )


def _indicator_periods(targets, values, redact):
    periods = []
    covered = set()
    for target in targets:
        within = [
            v
            for v in values
            if target.period_start <= v.period_start and v.period_end <= target.period_end
        ]
        covered.update(v.pk for v in within)
        periods.append(
            _period(target.period_start, target.period_end, target.value, within, redact)
        )
    uncovered = defaultdict(list)
    for each in values:
        if each.pk not in covered:
            uncovered[(each.period_start, each.period_end)].append(each)
    for (start, end), within in uncovered.items():
        periods.append(_period(start, end, None, within, redact))
    periods.sort(key=lambda p: (p.start, p.end))
    return periods


def indicator_results(programme, *, redact):
    """`programme`'s indicators with baseline and, per period, target and actuals (see the
    module docstring for the definitions), outcome indicators first, then output, then
    activity ones, each kind by name. Texts pass through `redact`. Three queries at any size:
    indicators, their targets, their values."""
    indicators = list(programme.indicators.all())
    targets, values = defaultdict(list), defaultdict(list)
    for target in IndicatorTarget.objects.filter(indicator__programme=programme).order_by(
        "period_start", "period_end", "pk"
    ):
        targets[target.indicator_id].append(target)
    for each in IndicatorValue.objects.filter(indicator__programme=programme).only(
        "indicator_id",
        "period_start",
        "period_end",
        "value",
        "disaggregation",
        "evidence",
        "recorded_at",
    ):
        values[each.indicator_id].append(each)
    order = list(RESULT_TYPES)
    indicators.sort(key=lambda i: (order.index(i.category), i.name.casefold(), i.pk))
    return [
        IndicatorResult(
            category=indicator.category,
            title=redact(indicator.name),
            description=redact(indicator.definition),
            measure=indicator_measure(indicator.unit),
            ascending=indicator.direction == Indicator.Direction.UP_IS_GOOD,
            baseline_value=indicator.baseline_value,
            baseline_date=indicator.baseline_date,
            periods=_indicator_periods(
                targets.get(indicator.pk, []), values.get(indicator.pk, []), redact
            ),
        )
        for indicator in indicators
    ]


def _xml_text(text):
    return _ILLEGAL_CHARACTERS.sub("", text or "")


def _narrative(parent, tag, text):
    """<tag><narrative>text</narrative></tag>, the IATI way of holding free text."""
    element = ET.SubElement(parent, tag)
    ET.SubElement(element, "narrative").text = _xml_text(text)
    return element


def _number(value):
    return format(value, "f")


def _result_titles():
    return {
        Indicator.Category.OUTCOME: _("Outcome indicators"),
        Indicator.Category.OUTPUT: _("Output indicators"),
        Indicator.Category.ACTIVITY: _("Activity indicators"),
    }


def iati_results_xml(programme, results, *, redact, generated_at):
    """An IATI 2.03 activities document (UTF-8 bytes) for `programme` holding one `result`
    per kind of indicator (outcome, output, activity) with `results` (from
    indicator_results) as its indicators. Only what Parley knows is filled in: the activity
    is identified by the programme's public id and titled with its name (through `redact`);
    a publisher adds their organisation prefix, reporting-org and the other activity
    elements before publishing. No query."""
    root = ET.Element("iati-activities", {"version": IATI_VERSION})
    root.set("generated-datetime", generated_at.replace(microsecond=0).isoformat())
    root.append(
        ET.Comment(
            " Results of a Parley programme in the IATI 2.03 result structure. Prefix "
            "iati-identifier with your organisation identifier and add reporting-org and the "
            "other activity elements before publishing. "
        )
    )
    activity = ET.SubElement(
        root,
        "iati-activity",
        {"{http://www.w3.org/XML/1998/namespace}lang": translation.get_language() or "en"},
    )
    ET.SubElement(activity, "iati-identifier").text = str(programme.public_id)
    _narrative(activity, "title", redact(programme.name))
    titles = _result_titles()
    for category, result_type in RESULT_TYPES.items():
        members = [each for each in results if each.category == category]
        if not members:
            continue
        result = ET.SubElement(activity, "result", {"type": result_type})
        _narrative(result, "title", str(titles[category]))
        for each in members:
            _indicator_element(result, each)
    ET.indent(root)
    buffer = BytesIO()
    ET.ElementTree(root).write(buffer, encoding="UTF-8", xml_declaration=True)
    return buffer.getvalue()


def _indicator_element(result, each):
    indicator = ET.SubElement(
        result,
        "indicator",
        {"measure": each.measure, "ascending": "1" if each.ascending else "0"},
    )
    _narrative(indicator, "title", each.title)
    if each.description:
        _narrative(indicator, "description", each.description)
    ET.SubElement(
        indicator,
        "baseline",
        {
            "year": str(each.baseline_date.year),
            "iso-date": each.baseline_date.isoformat(),
            "value": _number(each.baseline_value),
        },
    )
    for period in each.periods:
        element = ET.SubElement(indicator, "period")
        ET.SubElement(element, "period-start", {"iso-date": period.start.isoformat()})
        ET.SubElement(element, "period-end", {"iso-date": period.end.isoformat()})
        if period.target is not None:
            ET.SubElement(element, "target", {"value": _number(period.target)})
        if period.actual is not None:
            actual = ET.SubElement(element, "actual", {"value": _number(period.actual)})
            _narrative(actual, "comment", period.actual_evidence)
        for group in period.groups:
            actual = ET.SubElement(element, "actual", {"value": _number(group.value)})
            ET.SubElement(
                actual, "dimension", {"name": DIMENSION_NAME, "value": _xml_text(group.group)}
            )
            _narrative(actual, "comment", group.evidence)
