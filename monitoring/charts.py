"""Server-side SVG charts for the dashboards and the donor report: one implementation, so a
browser and WeasyPrint draw the same figure, each with a data table for screen readers.

This module only computes numbers (scales, ticks, positions, path data) and formatted
strings; the SVG comes from autoescaped templates (templates/monitoring/charts/), so a
label such as `<b>&"` is text, never markup. The SVG uses presentation attributes only (no
style attribute, no <style>, no script: the CSP forbids inline styles) and a fixed viewBox
with width and height, so it scales in a page and has a definite size on paper.
`monitoring/charts/figure.html` puts the SVG and its data table in a <figure>.

Geometry, so that a reader can trust the picture:

- Each label is one x position, spaced evenly; a line joins a series' values in label order.
  A value of None breaks the line (a gap, never a zero). A label that a series does not
  have at all is skipped, so a target set only for some periods still joins up.
- Bars always start at zero. A bar without a value (None, e.g. a count suppressed as "<5")
  is not drawn: its display text stands at the baseline instead.
- A line chart starts its axis at zero unless every value lies in the top sixth of the
  range (the spreadsheet rule): a change is not blown up by a cut-off axis.
- Ticks fall on round numbers (1, 2 or 5 times a power of ten).

Known limit: WeasyPrint 70 lays out SVG text one character at a time, so Arabic or Burmese
labels inside the SVG come out unjoined in a PDF (a browser draws them properly). The data
table beside every chart is HTML and carries every label correctly in both.
"""

import math
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

NO_VALUE = "—"
ELLIPSIS = "…"

# The drawing, in viewBox units (CSS pixels at full size; A4's text block is ~650 wide).
WIDTH = 640
PLOT_LEFT = 72  # room for tick labels such as "-12,500.5"
PLOT_RIGHT = WIDTH - 16
PLOT_TOP = 32  # room for the unit above the axis
PLOT_HEIGHT = 200
PLOT_BOTTOM = PLOT_TOP + PLOT_HEIGHT
X_LABEL_BASELINE = PLOT_BOTTOM + 20
LEGEND_TOP = PLOT_BOTTOM + 44
LEGEND_ROW = 22
LEGEND_COLUMNS = 3
EMPTY_HEIGHT = 64
FONT_SIZE = 12
VALUE_FONT_SIZE = 11
# A generous average advance of a glyph, in em: labels are cut to what surely fits.
CHAR_EM = 0.6
MIN_LABEL_SLOT = 64  # x labels closer than this are thinned out
TICK_COUNT = 5
FONT_FAMILY = "Noto Sans, Noto Sans Arabic, Noto Sans Myanmar, sans-serif"

# Contrast against white (WCAG 2.2): text and axis #1a1a1a 17.4:1, #595959 7.0:1; every
# series colour at least 5.4:1, so lines and markers pass 3:1 and value labels 4.5:1.
# Grid lines are decoration only (the tick labels carry the scale), so they may be light.
TEXT_COLOUR = "#1a1a1a"
AXIS_COLOUR = "#595959"
GRID_COLOUR = "#d9d9d9"
BAR_COLOUR = "#1f3a5f"
# Series differ by colour, dash pattern and marker shape, so no one relies on colour alone.
SERIES_STYLES = (
    ("#1f3a5f", "", "circle"),  # navy 11.5:1, solid
    ("#b04a00", "2 3", "square"),  # burnt orange 5.5:1, dotted
    ("#1d6b36", "10 3 2 3", "triangle"),  # green 6.5:1, dash-dot
    ("#6a3d9a", "14 4", "diamond"),  # purple 7.6:1, long dash
)
TARGET_STYLE = ("#4a5560", "7 5", "bar")  # slate 7.6:1, dashed, a short crossbar


@dataclass(frozen=True)
class Point:
    """One x position: `label` names it, `value` (None for no value) places it, `display`
    is what the table shows (default: the formatted value, or "—")."""

    label: str
    value: Decimal | int | float | None
    display: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Chart:
    """A drawn chart: `svg` for the picture, `columns` and `rows` (formatted strings) for
    its data table, `summary` one sentence for the caption and the SVG's description."""

    title: str
    unit: str
    svg: SafeString
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    summary: str


# --- Public API ---------------------------------------------------------------------------


def line_chart(
    *,
    title: str,
    unit: str,
    series: Sequence[Series],
    target: Series | None = None,
    label_heading: str | None = None,
) -> Chart:
    """Lines of `series` against a dashed `target`, over the labels of all of them in the
    order they first appear. `label_heading` heads the table's label column ("Period")."""
    all_series = [*series, *([target] if target is not None else [])]
    styles = [SERIES_STYLES[index % len(SERIES_STYLES)] for index in range(len(series))]
    if target is not None:
        styles.append(TARGET_STYLE)

    labels = _ordered_labels(all_series)
    index_of = {label: index for index, label in enumerate(labels)}
    # Per series, label -> (value, display); a label repeated in a series keeps its last point.
    lookups = [
        {point.label: (_as_decimal(point.value), _display(point)) for point in one.points}
        for one in all_series
    ]
    values = [value for lookup in lookups for value, _ in lookup.values() if value is not None]

    columns = (
        label_heading or _("Period"),
        *(_with_unit_heading(one.name, unit) for one in all_series),
    )
    rows = tuple(
        (label, *(lookup.get(label, (None, NO_VALUE))[1] for lookup in lookups)) for label in labels
    )
    summary = _line_summary(series, target, unit)

    frame = _Frame(title=title, summary=summary, unit=unit, labels=labels)
    drawn = []
    if values:
        scale = _Scale.for_line(values)
        frame.set_scale(scale)
        for one, lookup, (colour, dash, marker) in zip(all_series, lookups, styles, strict=True):
            positions = [
                (frame.x(index_of[label]), None if value is None else scale.y(value))
                for label, (value, _display_text) in lookup.items()
            ]
            positions.sort(key=lambda position: position[0])
            drawn.append(
                {
                    "name": one.name,
                    "colour": colour,
                    "dash": dash,
                    "path": _line_path(positions),
                    "markers": [
                        _marker_path(marker, x, y, frame.marker_size)
                        for x, y in positions
                        if y is not None
                    ],
                    "is_target": one is target,
                }
            )
    elif labels:
        frame.message = _("No values to show")
    frame.legend = _legend(all_series, styles) if all_series and labels else []
    svg = frame.render("monitoring/charts/line.svg", {"series": drawn})
    return Chart(title=title, unit=unit, svg=svg, columns=columns, rows=rows, summary=summary)


def bar_chart(
    *, title: str, unit: str, bars: Sequence[Point], label_heading: str | None = None
) -> Chart:
    """One bar per point from a zero baseline; a point without a value gets no bar, only its
    display text. `label_heading` heads the table's label column ("Category")."""
    labels = [bar.label for bar in bars]
    values = [_as_decimal(bar.value) for bar in bars]
    displays = [_display(bar) for bar in bars]

    columns = (label_heading or _("Category"), capfirst(unit) if unit else _("Value"))
    rows = tuple(zip(labels, displays, strict=True))
    summary = _bar_summary(labels, values, displays, unit)

    frame = _Frame(title=title, summary=summary, unit=unit, labels=labels)
    drawn, notes = [], []
    present = [value for value in values if value is not None]
    if present:
        scale = _Scale.for_bars(present)
        frame.set_scale(scale)
        band = frame.band
        bar_width = min(band * 0.6, 64)
        zero = scale.y(Decimal(0))
        fits = [_text_width(display, VALUE_FONT_SIZE) <= band for display in displays]
        for index, (value, display) in enumerate(zip(values, displays, strict=True)):
            centre = frame.x(index)
            if value is None:
                if fits[index]:
                    notes.append({"x": _n(centre), "y": _n(zero - 4), "text": display})
                continue
            # Round both ends first, so that every bar meets the zero line exactly.
            top, base = round(scale.y(value), 2), round(zero, 2)
            drawn.append(
                {
                    "x": _n(centre - bar_width / 2),
                    "y": _n(min(top, base)),
                    "width": _n(bar_width),
                    "height": _n(abs(base - top)),
                }
            )
            if fits[index]:
                label_y = top - 4 if value >= 0 else top + VALUE_FONT_SIZE + 2
                notes.append({"x": _n(centre), "y": _n(label_y), "text": display})
    elif labels:
        frame.message = _("No values to show")
    svg = frame.render("monitoring/charts/bars.svg", {"bars": drawn, "notes": notes})
    return Chart(title=title, unit=unit, svg=svg, columns=columns, rows=rows, summary=summary)


# --- Values and their text ----------------------------------------------------------------


def _as_decimal(value):
    """The value as a Decimal, or None for no value (None, NaN, infinities)."""
    if value is None:
        return None
    try:
        if isinstance(value, float):
            # 15 significant digits: what a double holds, without 0.1 + 0.2's tail.
            value = format(value, ".15g")
        number = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _format_number(number, decimal_pos=None):
    """A Decimal in the active language's format ("1,234.5" in English, "1 234,5" in
    French), without trailing zeros: 240.00 hours reads "240"."""
    if decimal_pos is None:
        number = number.quantize(1) if number == number.to_integral_value() else number
        number = number.normalize() if number.as_tuple().exponent < 0 else number
    return number_format(number, decimal_pos=decimal_pos, force_grouping=True)


def _display(point):
    if point.display:
        return point.display
    value = _as_decimal(point.value)
    return NO_VALUE if value is None else _format_number(value)


def _with_unit(text, unit):
    return _("%(value)s %(unit)s") % {"value": text, "unit": unit} if unit else text


def _with_unit_heading(name, unit):
    return _("%(name)s (%(unit)s)") % {"name": name, "unit": unit} if unit else name


def _ordered_labels(all_series):
    seen = {}
    for one in all_series:
        for point in one.points:
            seen.setdefault(point.label, None)
    return list(seen)


def _latest(points):
    for point in reversed(points):
        if _as_decimal(point.value) is not None:
            return point
    return None


def _line_summary(series, target, unit):
    if not any(one.points for one in (*series, *([target] if target is not None else []))):
        return _("No data.")
    latest = [(one, _latest(one.points)) for one in series]
    latest = [(one, point) for one, point in latest if point is not None]
    if not latest:
        return _("No values to show.")
    if len(series) == 1:
        point = latest[0][1]
        values = {"value": _with_unit(_display(point), unit), "label": point.label}
        target_point = next(
            (
                candidate
                for candidate in (target.points if target is not None else ())
                if candidate.label == point.label and _as_decimal(candidate.value) is not None
            ),
            None,
        )
        if target_point is not None:
            values["target"] = _display(target_point)
            return _("Latest %(value)s (%(label)s) against a target of %(target)s.") % values
        return _("Latest %(value)s (%(label)s).") % values
    items = [
        _("%(name)s %(value)s (%(label)s)")
        % {"name": one.name, "value": _display(point), "label": point.label}
        for one, point in latest
    ]
    if unit:
        return _("Latest values in %(unit)s: %(items)s.") % {
            "unit": unit,
            "items": "; ".join(items),
        }
    return _("Latest values: %(items)s.") % {"items": "; ".join(items)}


def _bar_summary(labels, values, displays, unit):
    if not labels:
        return _("No data.")
    shown = [
        (value, label, display)
        for label, value, display in zip(labels, values, displays, strict=True)
        if value is not None
    ]
    not_drawn = len(labels) - len(shown)
    if not shown:
        return _("No values to show.")
    if len(shown) == 1:
        _value, label, display = shown[0]
        text = {"label": label, "value": _with_unit(display, unit), "count": not_drawn}
        if not_drawn:
            return (
                ngettext(
                    "%(label)s: %(value)s; %(count)s other value not drawn.",
                    "%(label)s: %(value)s; %(count)s other values not drawn.",
                    not_drawn,
                )
                % text
            )
        return _("%(label)s: %(value)s.") % text
    high = max(shown, key=lambda item: item[0])
    low = min(shown, key=lambda item: item[0])
    if high[0] == low[0]:
        # "Highest A at 0, lowest B at 0" would name one bar of several equal ones.
        text = {"value": _with_unit(high[2], unit), "count": not_drawn}
        if not_drawn:
            return (
                ngettext(
                    "Every value drawn is %(value)s; %(count)s value not drawn.",
                    "Every value drawn is %(value)s; %(count)s values not drawn.",
                    not_drawn,
                )
                % text
            )
        return _("Every value is %(value)s.") % text
    text = {
        "high_label": high[1],
        "high": _with_unit(high[2], unit),
        "low_label": low[1],
        "low": _with_unit(low[2], unit),
        "count": not_drawn,
    }
    if not_drawn:
        return (
            ngettext(
                "Highest %(high_label)s at %(high)s, lowest drawn %(low_label)s at %(low)s; "
                "%(count)s value not drawn.",
                "Highest %(high_label)s at %(high)s, lowest drawn %(low_label)s at %(low)s; "
                "%(count)s values not drawn.",
                not_drawn,
            )
            % text
        )
    return _("Highest %(high_label)s at %(high)s, lowest %(low_label)s at %(low)s.") % text


def _direction(text):
    """The writing direction of `text` ("rtl" or "ltr") from its first strong character, as
    dir="auto" would decide; "ltr" when it has none, as with only digits."""
    for character in text:
        bidi_class = unicodedata.bidirectional(character)
        if bidi_class == "L":
            return "ltr"
        if bidi_class in ("R", "AL"):
            return "rtl"
    return "ltr"


def _text_width(text, font_size=FONT_SIZE):
    """A generous estimate of the width `text` takes, in viewBox units."""
    return len(text) * CHAR_EM * font_size


def _truncate(text, width, font_size=FONT_SIZE):
    """`text` cut with "…" to what surely fits in `width` units."""
    room = max(2, int(width / (CHAR_EM * font_size)))
    return text if len(text) <= room else text[: room - 1].rstrip() + ELLIPSIS


def _n(number):
    """A coordinate for an SVG attribute: never localised ("12.5", not "12,5")."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- Scales and drawing -------------------------------------------------------------------


class _Scale:
    """A value range with round ticks, mapped onto the plot's height."""

    def __init__(self, low, high):
        self.low, self.high, self.step = _nice_range(low, high)
        places = max(0, -self.step.normalize().as_tuple().exponent)
        self.ticks = []
        tick = self.low
        while tick <= self.high:
            self.ticks.append((tick, _format_number(tick, decimal_pos=places)))
            tick += self.step

    @classmethod
    def for_line(cls, values):
        low, high = min(values), max(values)
        # Start at zero unless all values crowd the top (or bottom) sixth of the range.
        if low > 0 and (low == high or low * 6 < high * 5):
            low = Decimal(0)
        elif high < 0 and (low == high or high * 6 > low * 5):
            high = Decimal(0)
        return cls(low, high)

    @classmethod
    def for_bars(cls, values):
        return cls(min(Decimal(0), *values), max(Decimal(0), *values))

    def y(self, value):
        share = float((value - self.low) / (self.high - self.low))
        return PLOT_BOTTOM - share * PLOT_HEIGHT


def _nice_range(low, high):
    """(low, high, step): a range covering [low, high], high above low, in steps of 1, 2 or 5
    times a power of ten."""
    if low == high:
        # Only zero can be here (the callers move any other single value off zero).
        low, high = (low - 1, low + 1) if low < 0 else (low, low + 1)
    raw = (high - low) / (TICK_COUNT - 1)
    magnitude = Decimal(1).scaleb(raw.adjusted())
    fraction = raw / magnitude
    nice = next(step for step in (1, 2, 5, 10) if fraction <= step)
    step = magnitude * nice
    return (
        (low / step).to_integral_value(rounding="ROUND_FLOOR") * step,
        (high / step).to_integral_value(rounding="ROUND_CEILING") * step,
        step,
    )


class _Frame:
    """What every chart has: size, title and description, grid, axis, x labels, legend."""

    def __init__(self, *, title, summary, unit, labels):
        self.title, self.summary, self.unit, self.labels = title, summary, unit, labels
        self.band = (PLOT_RIGHT - PLOT_LEFT) / max(1, len(labels))
        self.marker_size = max(1.5, min(4.0, self.band / 4))
        self.scale = None
        self.message = "" if labels else _("No data")
        self.legend = []

    def x(self, index):
        return PLOT_LEFT + (index + 0.5) * self.band

    def set_scale(self, scale):
        self.scale = scale

    def _x_labels(self):
        count = len(self.labels)
        every = max(1, math.ceil(MIN_LABEL_SLOT / self.band))
        room = self.band * every * 0.9
        shown = []
        for index, label in enumerate(self.labels):
            # Count back from the newest, which matters most, so it always has its label.
            if (count - 1 - index) % every:
                continue
            text, direction, x = _truncate(label, room), _direction(label), self.x(index)
            entry = {"x": _n(x), "text": text, "direction": direction, "anchor": "middle"}
            if _text_width(text) / 2 > WIDTH - 4 - x:
                # Too close to the right edge to centre: end it at the edge instead.
                entry["x"] = _n(WIDTH - 4)
                entry["anchor"] = "start" if direction == "rtl" else "end"
            shown.append(entry)
        return shown

    def _grid(self):
        if self.scale is None:
            return []
        return [
            {"y": _n(self.scale.y(tick)), "text": text, "is_zero": tick == 0}
            for tick, text in self.scale.ticks
        ]

    def render(self, template, extra):
        rows = math.ceil(len(self.legend) / LEGEND_COLUMNS)
        height = (LEGEND_TOP + rows * LEGEND_ROW - 8) if rows else (X_LABEL_BASELINE + 16)
        middle = (PLOT_TOP + PLOT_BOTTOM) / 2
        if not self.labels:
            # Nothing to plot: a short strip that says so, not an empty frame.
            height, middle = EMPTY_HEIGHT, EMPTY_HEIGHT / 2 + 5
        unit_direction = _direction(self.unit)
        context = {
            "id": f"chart-{uuid.uuid4().hex[:12]}",
            "width": WIDTH,
            "height": height,
            "font_family": FONT_FAMILY,
            "font_size": FONT_SIZE,
            "value_font_size": VALUE_FONT_SIZE,
            "text_colour": TEXT_COLOUR,
            "axis_colour": AXIS_COLOUR,
            "grid_colour": GRID_COLOUR,
            "bar_colour": BAR_COLOUR,
            "title": self.title,
            "summary": self.summary,
            "unit": {
                # Only beside a scale: with nothing drawn the unit would label nothing.
                "text": _truncate(self.unit, WIDTH - 16) if self.scale else "",
                "direction": unit_direction,
                # Drawn from the left edge whatever its writing direction.
                "anchor": "end" if unit_direction == "rtl" else "start",
            },
            "plot": {
                "left": PLOT_LEFT,
                "right": PLOT_RIGHT,
                "top": PLOT_TOP,
                "bottom": PLOT_BOTTOM,
                "middle": _n(middle),
                "centre": _n((PLOT_LEFT + PLOT_RIGHT) / 2),
                "tick_x": PLOT_LEFT - 8,
                "label_y": X_LABEL_BASELINE,
            },
            "grid": self._grid(),
            "x_labels": self._x_labels(),
            "message": self.message,
            "legend": self.legend,
            **extra,
        }
        # An autoescaped template: render_to_string already returns a SafeString.
        return render_to_string(template, context)


def _line_path(positions):
    """Path data joining runs of consecutive values; a None ends a run (a gap). A run of one
    point draws nothing here: its marker shows it."""
    runs, run = [], []
    for x, y in positions:
        if y is None:
            runs.append(run)
            run = []
        else:
            run.append((x, y))
    runs.append(run)
    return " ".join(
        " ".join(f"{'M' if index == 0 else 'L'}{_n(x)},{_n(y)}" for index, (x, y) in enumerate(run))
        for run in runs
        if len(run) > 1
    )


def _marker_path(kind, x, y, size):
    """Path data of a marker of `kind` centred on (x, y), `size` its half-width."""
    s = size
    if kind == "circle":
        return (
            f"M{_n(x - s)},{_n(y)} a{_n(s)},{_n(s)} 0 1,0 {_n(2 * s)},0 "
            f"a{_n(s)},{_n(s)} 0 1,0 {_n(-2 * s)},0 Z"
        )
    if kind == "square":
        return f"M{_n(x - s)},{_n(y - s)} h{_n(2 * s)} v{_n(2 * s)} h{_n(-2 * s)} Z"
    if kind == "triangle":
        w = s * 1.2
        return f"M{_n(x)},{_n(y - w)} L{_n(x + w)},{_n(y + s)} L{_n(x - w)},{_n(y + s)} Z"
    if kind == "diamond":
        s *= 1.3
        return (
            f"M{_n(x)},{_n(y - s)} L{_n(x + s)},{_n(y)} L{_n(x)},{_n(y + s)} L{_n(x - s)},{_n(y)} Z"
        )
    # "bar": a short crossbar, drawn with the series' stroke.
    return f"M{_n(x - s * 1.8)},{_n(y)} H{_n(x + s * 1.8)}"


def _legend(all_series, styles):
    slot = (WIDTH - 32) / LEGEND_COLUMNS
    entries = []
    for index, (one, (colour, dash, marker)) in enumerate(zip(all_series, styles, strict=True)):
        row, column = divmod(index, LEGEND_COLUMNS)
        x = 16 + column * slot
        y = LEGEND_TOP + row * LEGEND_ROW
        direction = _direction(one.name)
        entries.append(
            {
                "colour": colour,
                "dash": dash,
                "sample": f"M{_n(x)},{_n(y - 4)} H{_n(x + 28)}",
                "marker": _marker_path(marker, x + 14, y - 4, 4),
                "is_bar": marker == "bar",
                "x": _n(x + 36),
                "y": _n(y),
                "text": _truncate(one.name, slot - 44),
                "direction": direction,
                # The name starts just after its sample, whatever its writing direction.
                "anchor": "end" if direction == "rtl" else "start",
            }
        )
    return entries
