"""Server-side SVG charts: geometry a reader can trust (higher is higher, a gap is not a zero,
bars from zero), escaped text, a data table equal to the data, the awkward cases (nothing,
one point, equal, negative, long, many), ids unique on a page, no inline style, French
numbers, and a WeasyPrint PDF that carries the chart and its table."""

import io
import logging
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from itertools import pairwise

import pypdf
import pytest
from django.template.loader import render_to_string
from django.utils import translation

from monitoring.charts import (
    MIN_LABEL_SLOT,
    PLOT_BOTTOM,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    Chart,
    Point,
    Series,
    bar_chart,
    line_chart,
)
from uptake.print_layout import STATIC_SCHEME, lay_out

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & \"Ridge\" <b>"
MONTHS = ("Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026")


def parse(markup):
    return ET.fromstring(markup)  # noqa: S314 (our own output, not untrusted input)


def svg_root(chart):
    return parse(str(chart.svg))


def with_class(root, name):
    return [element for element in root.iter() if name in (element.get("class") or "").split()]


def numbers(text):
    return [float(number) for number in re.findall(r"-?\d+(?:\.\d+)?", text)]


def runs(path_data):
    """The (x, y) vertices of each subpath of "M x,y L x,y ... M ..." path data."""
    return [
        [tuple(numbers(vertex)) for vertex in re.findall(r"[ML]\s*-?[\d.]+,-?[\d.]+", run)]
        for run in re.split(r"(?=M)", path_data)
        if run.strip()
    ]


def circle_centre(path_data):
    """Centre of a circle marker drawn as "M x-r,y a r,r 0 1,0 2r,0 ..."."""
    left, y, radius = numbers(path_data)[:3]
    return left + radius, y


def series_groups(root):
    return with_class(root, "chart-series")


def line_of(group):
    lines = with_class(group, "chart-line")
    return runs(lines[0].get("d")) if lines else []


def texts(root, group_class):
    (group,) = with_class(root, group_class)
    return [(element.text, element.attrib) for element in group.iter(f"{SVG}text")]


def bars(root):
    return [
        {name: float(rect.get(name)) for name in ("x", "y", "width", "height")}
        for rect in with_class(root, "chart-bar")
    ]


def tick_values(root):
    return [(float(attrs["y"]), text) for text, attrs in texts(root, "chart-ticks")]


def figure_html(*charts):
    return "".join(
        render_to_string("monitoring/charts/figure.html", {"chart": chart}) for chart in charts
    )


def one_series(values, labels=MONTHS, name="Access hours"):
    return Series(
        name, tuple(Point(label, value) for label, value in zip(labels, values, strict=False))
    )


# --- Geometry -----------------------------------------------------------------------------


def test_a_higher_value_is_drawn_higher_and_later_labels_further_along():
    chart = line_chart(title="Hours", unit="hours", series=[one_series([10, 30, 20])])

    (group,) = series_groups(svg_root(chart))
    ((first, second, third),) = line_of(group)
    assert first[0] < second[0] < third[0]
    # SVG's y grows downwards: the highest value has the smallest y.
    assert second[1] < third[1] < first[1]
    assert all(PLOT_TOP <= y <= PLOT_BOTTOM for _x, y in (first, second, third))


def test_a_missing_value_breaks_the_line_instead_of_dropping_to_zero():
    chart = line_chart(title="Hours", unit="hours", series=[one_series([10, 20, None, 30, 40])])
    root = svg_root(chart)

    (group,) = series_groups(root)
    before, after = line_of(group)
    assert len(before) == len(after) == 2
    # Nothing is drawn at the third label: not a vertex, not a marker.
    gap_x = (before[-1][0] + after[0][0]) / 2
    markers = [circle_centre(marker.get("d")) for marker in with_class(group, "chart-marker")]
    assert len(markers) == 4
    assert all(abs(x - gap_x) > 1 for x, _y in markers)
    # The lowest vertex is the 10, well above the zero line.
    zero_y = next(y for y, text in tick_values(root) if text == "0")
    assert max(y for run in (before, after) for _x, y in run) < zero_y - 1


def test_a_value_standing_alone_between_gaps_still_shows_as_a_marker():
    chart = line_chart(title="Hours", unit="", series=[one_series([None, 12, None])])

    (group,) = series_groups(svg_root(chart))
    assert line_of(group) == []
    assert len(with_class(group, "chart-marker")) == 1


def test_bar_heights_are_proportional_and_stand_on_a_zero_baseline():
    chart = bar_chart(
        title="People",
        unit="people",
        bars=[Point("Women", 10), Point("Men", 20), Point("Other", 40)],
    )
    root = svg_root(chart)

    drawn = bars(root)
    assert [bar["height"] / drawn[0]["height"] for bar in drawn] == pytest.approx([1, 2, 4])
    zero_y = next(y for y, text in tick_values(root) if text == "0")
    assert zero_y == pytest.approx(PLOT_BOTTOM)
    assert all(bar["y"] + bar["height"] == pytest.approx(zero_y) for bar in drawn)


def test_negative_bars_hang_below_the_zero_line():
    chart = bar_chart(title="Change", unit="", bars=[Point("A", -5), Point("B", 10)])
    root = svg_root(chart)

    negative, positive = bars(root)
    zero_y = next(y for y, text in tick_values(root) if text == "0")
    assert PLOT_TOP < zero_y < PLOT_BOTTOM
    assert negative["y"] == pytest.approx(zero_y)
    assert positive["y"] + positive["height"] == pytest.approx(zero_y)
    # Coordinates are written to 0.01 of a unit.
    assert positive["height"] == pytest.approx(2 * negative["height"], abs=0.02)
    assert min(float(text) for _y, text in tick_values(root)) <= -5
    assert with_class(root, "chart-zero"), "the zero line is drawn where it falls"


def test_negative_values_on_a_line_keep_their_order():
    chart = line_chart(title="Net", unit="", series=[one_series([-8, -2, 3])])

    (group,) = series_groups(svg_root(chart))
    ((low, middle, high),) = line_of(group)
    assert high[1] < middle[1] < low[1]


def test_ticks_fall_on_round_numbers_and_cover_the_data():
    chart = line_chart(title="Share", unit="", series=[one_series([0.13, 0.4, 0.97])])
    root = svg_root(chart)

    ticks = [Decimal(text) for _y, text in tick_values(root)]
    steps = {b - a for a, b in pairwise(ticks)}
    assert len(steps) == 1
    (step,) = steps
    significant = step.normalize().as_tuple().digits
    assert significant in ((1,), (2,), (5,))
    assert ticks[0] <= Decimal("0.13") and ticks[-1] >= Decimal("0.97")
    assert 3 <= len(ticks) <= 7


def test_a_line_starts_at_zero_unless_its_values_crowd_the_top():
    spread = line_chart(title="Spread", unit="", series=[one_series([20, 240])])
    crowded = line_chart(title="Crowded", unit="%", series=[one_series([98.5, 99.2, 99.9])])

    assert tick_values(svg_root(spread))[0][1] == "0"
    assert float(tick_values(svg_root(crowded))[0][1]) >= 98


# --- The awkward cases --------------------------------------------------------------------


@pytest.mark.parametrize(
    "chart",
    [
        line_chart(title="Nothing", unit="hours", series=[]),
        line_chart(title="Nothing", unit="hours", series=[Series("Empty", ())]),
        bar_chart(title="Nothing", unit="people", bars=[]),
    ],
    ids=["no series", "an empty series", "no bars"],
)
def test_a_chart_without_data_says_so_in_the_picture_and_the_table(chart):
    root = svg_root(chart)

    assert [element.text for element in with_class(root, "chart-message")] == ["No data"]
    assert not with_class(root, "chart-line") and not with_class(root, "chart-bar")
    assert chart.rows == ()
    assert chart.summary == "No data."
    assert "No data to show." in figure_html(chart)


def test_a_line_whose_values_are_all_missing_draws_no_line_and_lists_its_labels():
    chart = line_chart(title="Hours", unit="hours", series=[one_series([None, None, None])])
    root = svg_root(chart)

    assert [element.text for element in with_class(root, "chart-message")] == ["No values to show"]
    assert not with_class(root, "chart-line") and not with_class(root, "chart-marker")
    assert chart.rows == tuple((label, "—") for label in MONTHS[:3])
    assert chart.summary == "No values to show."


def test_not_a_number_is_no_value_rather_than_a_broken_drawing():
    chart = line_chart(title="Hours", unit="", series=[one_series([1, float("nan"), 3])])

    (group,) = series_groups(svg_root(chart))
    assert len(line_of(group)) == 0  # two lone points, each shown by its marker only
    assert len(with_class(group, "chart-marker")) == 2
    assert chart.rows[1] == ("Feb 2026", "—")


def test_a_single_point_is_drawn_in_the_middle_with_a_zero_based_axis():
    chart = line_chart(
        title="Uptime", unit="%", series=[Series("Uptime", (Point("Q1 2026", 99.2),))]
    )
    root = svg_root(chart)

    (group,) = series_groups(root)
    (marker,) = with_class(group, "chart-marker")
    x, y = circle_centre(marker.get("d"))
    assert x == pytest.approx((PLOT_LEFT + PLOT_RIGHT) / 2)
    assert PLOT_TOP <= y < PLOT_BOTTOM
    assert tick_values(root)[0][1] == "0"
    assert chart.rows == (("Q1 2026", "99.2"),)


@pytest.mark.parametrize("value", [5, 0, -3, Decimal("0.25")])
def test_equal_values_are_drawn_level_without_dividing_by_zero(value):
    line = line_chart(title="Flat", unit="", series=[one_series([value] * 3)])
    bar = bar_chart(title="Flat", unit="", bars=[Point(label, value) for label in MONTHS[:3]])

    (group,) = series_groups(svg_root(line))
    ((a, b, c),) = line_of(group)
    assert a[1] == b[1] == c[1]
    assert PLOT_TOP <= a[1] <= PLOT_BOTTOM
    heights = {bar["height"] for bar in bars(svg_root(bar))}
    assert len(heights) == 1


def test_long_labels_are_cut_in_the_picture_and_whole_in_the_table():
    long_label = "Northern corridor crossing points, including the Kyauk ferry landing"
    chart = bar_chart(title="Crossings", unit="", bars=[Point(long_label, 3), Point("B", 4)])

    drawn = [text for text, _attrs in texts(svg_root(chart), "chart-x-labels")]
    assert drawn[0] != long_label and drawn[0].endswith("…")
    assert long_label.startswith(drawn[0][:-1])
    assert chart.rows[0] == (long_label, "3")


def test_many_points_thin_their_labels_and_keep_the_newest():
    labels = [f"Week {number}" for number in range(1, 61)]
    chart = line_chart(title="Weekly", unit="", series=[one_series(list(range(60)), labels=labels)])
    root = svg_root(chart)

    shown = texts(root, "chart-x-labels")
    assert 2 <= len(shown) < 20
    assert shown[-1][0] == "Week 60"
    centres = sorted(float(attrs["x"]) for _text, attrs in shown)
    assert min(b - a for a, b in pairwise(centres)) >= MIN_LABEL_SLOT - 1
    # Every point is still drawn, and every one is in the table.
    (group,) = series_groups(root)
    assert len(line_of(group)[0]) == 60
    assert [row[0] for row in chart.rows] == labels


# --- Text, table and escaping -------------------------------------------------------------


def test_hostile_text_comes_out_escaped_everywhere():
    chart = line_chart(
        title=HOSTILE,
        unit=HOSTILE,
        series=[Series(HOSTILE, (Point(HOSTILE, 1), Point("b", 2, display=HOSTILE)))],
        target=Series(HOSTILE, (Point(HOSTILE, 2),)),
    )
    bars_chart = bar_chart(title=HOSTILE, unit=HOSTILE, bars=[Point(HOSTILE, None, HOSTILE)])

    for one in (chart, bars_chart):
        root = svg_root(one)  # still well-formed XML
        assert "<script" not in str(one.svg) and "<b>" not in str(one.svg)
        assert root.find(f"{SVG}title").text == HOSTILE
        html = figure_html(one)
        assert "<script" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Ridge&quot;" in html
    # The table keeps the text as typed; the template escapes it.
    assert chart.rows[0][0] == HOSTILE and chart.rows[1][1] == HOSTILE


def test_table_rows_equal_the_data_and_a_suppressed_bar_is_not_drawn():
    chart = bar_chart(
        title="Participants by gender",
        unit="people",
        bars=[Point("Women", 14), Point("Men", None, display="<5"), Point("Other", 0)],
    )
    root = svg_root(chart)

    assert chart.columns == ("Category", "People")
    assert chart.rows == (("Women", "14"), ("Men", "<5"), ("Other", "0"))
    labels = {text: float(attrs["x"]) for text, attrs in texts(root, "chart-x-labels")}
    bar_centres = [bar["x"] + bar["width"] / 2 for bar in bars(root)]
    assert len(bar_centres) == 2
    assert all(abs(centre - labels["Men"]) > 1 for centre in bar_centres)
    # Where the bar would be, its display says why there is none.
    notes = {text: float(attrs["x"]) for text, attrs in texts(root, "chart-values")}
    assert notes["<5"] == pytest.approx(labels["Men"])
    assert chart.summary == (
        "Highest Women at 14 people, lowest drawn Other at 0 people; 1 value not drawn."
    )


def test_line_table_has_a_column_per_series_and_a_dash_where_a_series_has_no_value():
    actual = Series(
        "Actual",
        (
            Point("Jan 2026", Decimal("120.00")),
            Point("Feb 2026", None),
            Point("Mar 2026", 240),
        ),
    )
    target = Series("Target", (Point("Jan 2026", 200), Point("Mar 2026", 240)))
    chart = line_chart(title="Access hours", unit="hours per month", series=[actual], target=target)

    assert chart.columns == (
        "Period",
        "Actual (hours per month)",
        "Target (hours per month)",
    )
    assert chart.rows == (
        ("Jan 2026", "120", "200"),
        ("Feb 2026", "—", "—"),
        ("Mar 2026", "240", "240"),
    )
    assert chart.summary == "Latest 240 hours per month (Mar 2026) against a target of 240."
    # The target skips the label it does not have: its line joins January to March.
    target_group = with_class(svg_root(chart), "chart-target")[0]
    assert [len(run) for run in line_of(target_group)] == [2]


def test_figure_pairs_an_labelled_svg_with_a_data_table():
    chart = bar_chart(title="Sessions held", unit="sessions", bars=[Point("Round 1", 3)])
    figure = parse(figure_html(chart))

    assert figure.tag == "figure"
    svg = figure.find(f".//{SVG}svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == desc_id and desc.text == chart.summary
    table = figure.find(".//table")
    assert table.find("caption").text == "Sessions held"
    assert [th.get("scope") for th in table.iter("th")] == ["col", "col", "row"]
    assert "".join(table.find("tbody/tr/td").itertext()) == "3"


def test_two_charts_on_one_page_never_share_an_id():
    first = line_chart(title="Same title", unit="", series=[one_series([1, 2])])
    second = line_chart(title="Same title", unit="", series=[one_series([1, 2])])
    page = parse(f"<main>{figure_html(first, second)}</main>")

    ids = [element.get("id") for element in page.iter() if element.get("id")]
    assert len(ids) == 4 and len(set(ids)) == 4
    for svg in page.iter(f"{SVG}svg"):
        own_ids = {element.get("id") for element in svg.iter() if element.get("id")}
        assert set(svg.get("aria-labelledby").split()) == own_ids


def test_svg_has_a_fixed_size_and_no_style_script_or_handlers():
    chart = line_chart(
        title="Hours",
        unit="hours",
        series=[one_series([1, 2, 3]), one_series([3, 2, 1], name="North")],
        target=one_series([2, 2, 2], name="Target"),
    )
    root = svg_root(chart)

    width, height = int(root.get("width")), int(root.get("height"))
    assert root.get("viewBox") == f"0 0 {width} {height}"
    for element in root.iter():
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
        assert "style" not in element.attrib
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert not [name for name in element.attrib if "href" in name]


def _contrast_with_white(colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(colour[index : index + 2], 16)) for index in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def test_series_differ_by_dash_and_marker_and_every_colour_passes_contrast():
    chart = line_chart(
        title="Hours",
        unit="hours",
        series=[one_series([1, 2, 3]), one_series([3, 2, 1], name="North")],
        target=one_series([2, 2, 2], name="Target"),
    )
    root = svg_root(chart)

    first, second, target = series_groups(root)
    dashes = [
        with_class(group, "chart-line")[0].get("stroke-dasharray")
        for group in (first, second, target)
    ]
    assert len(set(dashes)) == 3
    assert dashes[2], "the target is dashed"
    shapes = [
        re.sub(r"-?[\d.]+", "#", with_class(group, "chart-marker")[0].get("d"))
        for group in (first, second, target)
    ]
    assert len(set(shapes)) == 3
    # Grid lines are decoration (the tick labels carry the scale); everything else that
    # is drawn or written must stand out from the white page.
    grid_colour = with_class(root, "chart-grid")[0].get("stroke")
    colours = {
        element.get(name)
        for element in root.iter()
        for name in ("fill", "stroke")
        if (element.get(name) or "").startswith("#")
    } - {grid_colour, "#ffffff"}
    assert colours
    assert all(_contrast_with_white(colour) >= 4.5 for colour in colours), colours


def test_right_to_left_labels_are_marked_so_their_anchor_holds():
    chart = line_chart(
        title="Access",
        unit="ساعات",
        series=[Series("الشمال", (Point("يناير 2026", 5), Point("Feb 2026", 6)))],
    )
    root = svg_root(chart)

    directions = {text: attrs["direction"] for text, attrs in texts(root, "chart-x-labels")}
    assert directions == {"يناير 2026": "rtl", "Feb 2026": "ltr"}
    (legend_text,) = list(with_class(root, "chart-legend")[0].iter(f"{SVG}text"))
    assert (legend_text.get("direction"), legend_text.get("text-anchor")) == ("rtl", "end")
    assert root.get("direction") == "ltr"  # the axes never mirror


def test_french_numbers_use_commas_while_coordinates_stay_numbers():
    def draw():
        return line_chart(
            title="Part",
            unit="%",
            series=[one_series([Decimal("1.5"), Decimal("1234.25"), 2])],
        )

    english = draw()
    with translation.override("fr"):
        french = draw()

    first, thousands, last = (row[1] for row in french.rows)
    assert (first, last) == ("1,5", "2")
    assert re.fullmatch(r"1\s234,25", thousands)  # a (narrow) no-break space groups
    assert [row[1] for row in english.rows] == ["1.5", "1,234.25", "2"]
    english_root, french_root = svg_root(english), svg_root(french)
    assert [text for _y, text in tick_values(french_root)][1] == "500"
    geometry = [
        [(element.get("d"), element.get("x"), element.get("y")) for element in root.iter()]
        for root in (english_root, french_root)
    ]
    assert geometry[0] == geometry[1]
    for element in french_root.iter():
        for name in ("x", "y", "width", "height"):
            if element.get(name) is not None:
                float(element.get(name))


# --- In a PDF -----------------------------------------------------------------------------


def test_weasyprint_draws_the_figure_and_its_table_into_a_pdf(caplog):
    caplog.set_level(logging.WARNING)
    line = line_chart(
        title="Humanitarian access hours",
        unit="hours per month",
        series=[one_series([120, 150, None, 236, Decimal("240.00")], name="Actual")],
        target=one_series([240] * 5, name="Target"),
    )
    bars_chart = bar_chart(
        title="Participants by gender",
        unit="people",
        bars=[Point("Women", 14), Point("Men", None, display="<5"), Point("Other", 23)],
    )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{STATIC_SCHEME}:monitoring/css/charts.css"></head>'
        f"<body>{figure_html(line, bars_chart)}</body></html>"
    )

    document = lay_out(html)
    pdf = document.write_pdf()

    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for chart in (line, bars_chart):
        assert chart.title in text
        for row in chart.rows:
            assert all(cell in text for cell in row), row
    # Each x label is written twice, once under the chart and once in the table: the
    # picture itself made it into the PDF, not only the table.
    assert text.count("Mar 2026") == 2
    assert text.count("Men") == 2  # not in the summary: its bar is not drawn
    # The SVG's own text: the top tick of the axis (no value or label says 300), and the
    # "<5" written where the suppressed bar is not, besides the one in the table.
    assert "300" in text
    assert text.count("<5") == 2
    problems = [
        record
        for record in caplog.records
        if record.name.startswith(("weasyprint", "uptake.print_layout", "uptake.render_processes"))
        and record.levelno >= logging.WARNING
    ]
    assert problems == []


def test_chart_is_a_frozen_value():
    chart = bar_chart(title="T", unit="", bars=[Point("A", 1)])

    assert isinstance(chart, Chart)
    with pytest.raises(AttributeError):
        chart.title = "Other"
