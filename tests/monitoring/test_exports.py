"""Exports of indicator values and outcome records (CSV and XLSX from one set of rows) and
the IATI results XML: same rows in both formats, formulas defused, typed cells, who may
download, hand-computed baselines, targets and actuals, escaping, names withheld, query
counts."""

import csv
import io
import tempfile
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dialogues.services.attribution import Redactor
from monitoring.models import Indicator, IndicatorValue, OutcomeRecord
from monitoring.services.exports import (
    Table,
    indicator_measure,
    indicator_results,
    spreadsheet_safe,
)
from monitoring.services.indicators import (
    indicator_create,
    indicator_progress,
    indicator_value_record,
    target_set,
)
from monitoring.services.outcomes import outcome_record_create
from monitoring.views.exports import _sheet_title, _xlsx_response
from tests.dialogues.factories import ParticipantFactory
from uptake.models import Document, Pilot

UP, DOWN = Indicator.Direction.UP_IS_GOOD, Indicator.Direction.DOWN_IS_GOOD
Q1 = (date(2025, 1, 1), date(2025, 3, 31))
Q2 = (date(2025, 4, 1), date(2025, 6, 30))
NAME = "Aung Kyaw Secret"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def make_indicator(programme, name="Humanitarian access hours", **overrides):
    fields = {
        "name": name,
        "definition": "Hours per month the corridor stays open.",
        "unit": "hours",
        "direction": UP,
        "category": Indicator.Category.OUTCOME,
        "baseline_value": Decimal("40"),
        "baseline_date": date(2024, 12, 1),
        **overrides,
    }
    return indicator_create(programme=programme, actor=None, **fields)


def value(indicator, period, amount, *, disaggregation="", evidence="Corridor log", comment=""):
    return indicator_value_record(
        indicator=indicator,
        period_start=period[0],
        period_end=period[1],
        value=Decimal(amount),
        evidence=evidence,
        comment=comment,
        disaggregation=disaggregation,
        actor=None,
    )


def target(indicator, period, amount):
    return target_set(
        indicator=indicator,
        period_start=period[0],
        period_end=period[1],
        value=Decimal(amount),
        actor=None,
    )


def record(programme, **overrides):
    fields = {
        "change": "The liaison office opened the northern crossing twice a week.",
        "social_actor": "Northern liaison office",
        "observed_on": date(2025, 3, 4),
        "place": "Northern corridor",
        "significance": "First regular crossing in two years.",
        "contribution": "The dialogue drafted the trigger list the office now uses.",
        "sources": "Convoy logs; the office's circular of March.",
        "confidence": OutcomeRecord.Confidence.MEDIUM,
        **overrides,
    }
    return outcome_record_create(programme=programme, actor=None, **fields)


def make_document(dialogue, title="Corridor non-paper"):
    return Document.objects.create(dialogue=dialogue, kind=Document.Kind.NON_PAPER, title=title)


def make_pilot(document, title="Single crossing pilot"):
    return Pilot.objects.create(
        document=document, title=title, scope="One crossing, one week.", parties="Both offices"
    )


def url(name, programme):
    return reverse(f"monitoring:{name}", args=[programme.public_id])


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


def workbook(response):
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def as_csv_text(cell):
    """A cell read back from the XLSX as the CSV writes the same value."""
    if cell.value is None:
        return ""
    if isinstance(cell.value, datetime):
        return cell.value.date().isoformat()
    if isinstance(cell.value, int | float):
        return f"{Decimal(str(cell.value)):.2f}"
    return cell.value


def sheet_rows(book):
    [sheet] = book.worksheets
    return [[as_csv_text(cell) for cell in row] for row in sheet.iter_rows()]


def iati(response):
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 (our own response, not untrusted)


# --- One set of rows, two formats --------------------------------------------------------------


@pytest.fixture
def values_data(programme):
    indicator = make_indicator(programme)
    value(indicator, Q1, "65", disaggregation="North")
    value(indicator, Q2, "70.5", evidence="=HYPERLINK(1)", comment="Second quarter")
    outage = make_indicator(programme, name="Hotline outage hours", unit="hours", direction=DOWN)
    value(outage, Q1, "-2", evidence="Hotline log", comment="+ two calls dropped")
    return indicator


def test_the_csv_and_the_xlsx_of_indicator_values_hold_the_same_rows(
    login, programme, facilitator, values_data
):
    client = login(facilitator)
    rows = csv_rows(client.get(url("indicator_values_csv", programme)))
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
            "Hotline outage hours",
            "hours",
            "2025-01-01",
            "2025-03-31",
            "-2.00",
            "",
            "Hotline log",
            "'+ two calls dropped",
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
            "70.50",
            "",
            "'=HYPERLINK(1)",
            "Second quarter",
        ],
    ]
    assert sheet_rows(workbook(client.get(url("indicator_values_xlsx", programme)))) == rows


def test_the_csv_and_the_xlsx_of_outcomes_hold_the_same_rows(login, programme, dialogue, officer):
    indicator = make_indicator(programme)
    document = make_document(dialogue)
    record(programme, social_actor="Water board", observed_on=date(2025, 1, 10))
    record(
        programme,
        social_actor="@Northern office",
        confidence="high",
        indicators=[indicator],
        dialogues=[dialogue],
        documents=[document],
        pilots=[make_pilot(document)],
    )
    client = login(officer)
    rows = csv_rows(client.get(url("outcomes_csv", programme)))
    assert rows[0] == [
        "When",
        "Who changed",
        "What changed",
        "Where",
        "Significance",
        "Contribution",
        "Sources and substantiation",
        "Confidence",
        "Links",
    ]
    # Newest first; links by kind (indicators, dialogues, non-papers, pilots).
    assert rows[1][:2] == ["2025-03-04", "'@Northern office"] and rows[1][7] == "High"
    assert rows[1][8] == (
        "Humanitarian access hours; Corridor triggers; "
        "Non-paper v1: Corridor non-paper (Corridor triggers); Pilot: Single crossing pilot"
    )
    assert rows[2][:2] == ["2025-01-10", "Water board"] and rows[2][8] == ""
    assert len(rows) == 3
    assert sheet_rows(workbook(client.get(url("outcomes_xlsx", programme)))) == rows


# --- Formulas, control characters, types ---------------------------------------------------


# A carriage return is exported as a line feed: an XLSX reader would make it one anyway.
@pytest.mark.parametrize(
    ("trigger", "exported"),
    [("=", "="), ("+", "+"), ("-", "-"), ("@", "@"), ("\t", "\t"), ("\r", "\n"), ("\n", "\n")],
)
def test_text_a_spreadsheet_would_run_is_defused_in_both_formats(
    login, programme, facilitator, trigger, exported
):
    # Stored directly: the services strip surrounding blanks, an import might not.
    indicator = make_indicator(programme, name=f"{trigger}SUM(A1:A9)", unit=f"{trigger}1+1")
    IndicatorValue.objects.create(
        indicator=indicator,
        period_start=Q1[0],
        period_end=Q1[1],
        value=Decimal("1"),
        evidence=f"{trigger}cmd|' /C calc'!A0",
        comment="\x07" + trigger + "bell first",
    )
    client = login(facilitator)
    [_, row] = csv_rows(client.get(url("indicator_values_csv", programme)))
    texts = [row[0], row[1], row[6], row[7]]
    assert texts == [
        f"'{exported}SUM(A1:A9)",
        f"'{exported}1+1",
        f"'{exported}cmd|' /C calc'!A0",
        f"'{exported}bell first",  # the bell removed, then the formula defused
    ]
    book = workbook(client.get(url("indicator_values_xlsx", programme)))
    [cells] = book.worksheets[0].iter_rows(min_row=2)
    for cell in (cells[0], cells[1], cells[6], cells[7]):
        assert cell.data_type == "s"
    assert [cells[0].value, cells[1].value, cells[6].value, cells[7].value] == texts
    assert not [c for row in book.worksheets[0].iter_rows() for c in row if c.data_type == "f"]


def test_spreadsheet_safe_leaves_ordinary_text_and_removes_control_characters():
    assert spreadsheet_safe("Corridor log") == "Corridor log"
    assert spreadsheet_safe("a\x00b\x1fc\td\ne") == "abc\td\ne"
    assert spreadsheet_safe("") == "" and spreadsheet_safe(None) == ""
    assert spreadsheet_safe("2+2=4") == "2+2=4"  # only a leading trigger is a formula
    assert spreadsheet_safe("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_the_xlsx_cells_are_typed_with_a_frozen_bold_header(
    login, programme, facilitator, values_data
):
    response = login(facilitator).get(url("indicator_values_xlsx", programme))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="indicator-values.xlsx"'
    [sheet] = workbook(response).worksheets
    assert sheet.title == "Indicator values"
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["A"].width == 36
    [start, end, amount] = sheet["C2"], sheet["D2"], sheet["E2"]
    assert start.is_date and start.value == datetime(2025, 1, 1)
    assert start.number_format == "yyyy-mm-dd" and end.value == datetime(2025, 3, 31)
    assert amount.data_type == "n" and amount.value == -2 and amount.number_format == "0.00"
    assert sheet["E4"].value == 70.5
    assert sheet["F2"].value is None  # an empty text is an empty cell, not ""


def test_the_xlsx_writer_keeps_raw_text_as_text_and_leaves_no_temporary_files(
    monkeypatch, tmp_path
):
    # The views hand the writer neutralised rows; the writer itself must still never turn
    # text into a formula, a link or a number, nor leave its temporary files behind, even
    # when reading the rows fails halfway.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rows = [
        ["=1+1", date(2025, 1, 2), Decimal("1.5")],
        ["https://example.org", None, None],
        ["007", "", Decimal("-0.25")],
    ]
    response = _xlsx_response(Table(["Text", "When", "Value"], iter(rows), [10, 12, 8]), "t", "T")
    [sheet] = workbook(response).worksheets
    texts = [sheet["A2"], sheet["A3"], sheet["A4"]]
    assert [(c.value, c.data_type, c.hyperlink) for c in texts] == [
        ("=1+1", "s", None),
        ("https://example.org", "s", None),
        ("007", "s", None),
    ]
    assert sheet["B2"].is_date and sheet["B2"].value == datetime(2025, 1, 2)
    assert sheet["B3"].value is None and sheet["B4"].value is None
    assert (sheet["C4"].value, sheet["C4"].number_format) == (-0.25, "0.00")
    assert list(tmp_path.iterdir()) == []

    def failing():
        yield ["first"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        _xlsx_response(Table(["Text"], failing(), [10]), "t", "T")
    assert list(tmp_path.iterdir()) == []


def test_the_outcomes_xlsx_names_its_sheet_and_file(login, programme, officer):
    record(programme)
    response = login(officer).get(url("outcomes_xlsx", programme))
    assert response["Content-Disposition"] == 'attachment; filename="outcomes.xlsx"'
    [sheet] = workbook(response).worksheets
    assert sheet.title == "Outcomes"
    assert sheet["A2"].is_date and sheet["A2"].value == datetime(2025, 3, 4)


def test_sheet_titles_are_made_acceptable_to_excel():
    title = _sheet_title("Valeurs: [T1/T2] *?\\ des indicateurs du programme")
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")
    assert title.startswith("Valeurs")
    assert _sheet_title("[]") == "Sheet"


# --- Who may download -----------------------------------------------------------------------

EXPORTS = [
    "indicator_values_csv",
    "indicator_values_xlsx",
    "outcomes_csv",
    "outcomes_xlsx",
    "indicators_iati",
]


def test_anonymous_visitors_are_sent_to_log_in(client, programme):
    for name in EXPORTS:
        response = client.get(url(name, programme))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_strangers_and_donors_get_404(login, programme, stranger, donor):
    make_indicator(programme)
    for user in (stranger, donor):
        client = login(user)
        for name in EXPORTS:
            assert client.get(url(name, programme)).status_code == 404, (user, name)


@pytest.mark.parametrize("role", ["facilitator", "officer", "legal_reviewer"])
def test_team_members_who_read_indicators_download_every_export(request, login, programme, role):
    client = login(request.getfixturevalue(role))
    for name in EXPORTS:
        response = client.get(url(name, programme))
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert client.post(url(name, programme)).status_code == 405


# --- IATI results ---------------------------------------------------------------------------


@pytest.fixture
def results_data(programme):
    access = make_indicator(programme)
    target(access, Q1, "60")
    target(access, Q2, "80")
    value(access, (date(2024, 11, 1), date(2024, 11, 30)), "35", evidence="November log")
    value(access, (date(2025, 1, 1), date(2025, 1, 31)), "50")
    value(access, (date(2025, 3, 1), date(2025, 3, 31)), "65", evidence="March log")
    value(access, (date(2025, 3, 1), date(2025, 3, 31)), "90", disaggregation="North")
    value(access, (date(2025, 2, 1), date(2025, 2, 28)), "20", disaggregation="South")
    value(access, (date(2025, 3, 1), date(2025, 3, 31)), "30", disaggregation="South")
    value(access, (date(2025, 5, 1), date(2025, 5, 31)), "70")
    downtime = make_indicator(
        programme,
        name="Hotline downtime",
        definition="Share of hours the hotline is down.",
        unit="% of hours",
        direction=DOWN,
        category=Indicator.Category.OUTPUT,
        baseline_value=Decimal("12.5"),
        baseline_date=date(2024, 6, 30),
    )
    target(downtime, Q1, "10")
    return access, downtime


def test_the_iati_xml_has_hand_computed_baselines_targets_and_actuals(
    login, programme, facilitator, results_data
):
    response = login(facilitator).get(url("indicators_iati", programme))
    assert response.status_code == 200
    assert response.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert 'filename="indicator-results-iati.xml"' in response["Content-Disposition"]
    root = iati(response)
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    [activity] = root
    assert activity.findtext("iati-identifier") == str(programme.public_id)
    assert activity.findtext("title/narrative") == "Lakeshore Access Programme"
    # Outcome indicators first (IATI result type 2), then output ones (type 1).
    results = activity.findall("result")
    assert [r.get("type") for r in results] == ["2", "1"]
    assert results[0].findtext("title/narrative") == "Outcome indicators"

    [access] = results[0].findall("indicator")
    assert (access.get("measure"), access.get("ascending")) == ("1", "1")
    assert access.findtext("title/narrative") == "Humanitarian access hours"
    assert access.findtext("description/narrative") == "Hours per month the corridor stays open."
    baseline = access.find("baseline")
    assert dict(baseline.attrib) == {"year": "2024", "iso-date": "2024-12-01", "value": "40.00"}

    def period_summary(period):
        return (
            period.find("period-start").get("iso-date"),
            period.find("period-end").get("iso-date"),
            [t.get("value") for t in period.findall("target")],
            [
                (
                    a.get("value"),
                    [(d.get("name"), d.get("value")) for d in a.findall("dimension")],
                    a.findtext("comment/narrative"),
                )
                for a in period.findall("actual")
            ],
        )

    # November lies in no target period: a period of its own, actual 35, no target.
    # Q1: target 60; actual 65 (March, the latest whole-indicator value; January's 50 is
    # earlier), then per group the latest: North 90, South 30 (March over February's 20).
    # Q2: target 80, actual 70 (May).
    assert [period_summary(p) for p in access.findall("period")] == [
        ("2024-11-01", "2024-11-30", [], [("35.00", [], "November log")]),
        (
            "2025-01-01",
            "2025-03-31",
            ["60.00"],
            [
                ("65.00", [], "March log"),
                ("90.00", [("disaggregation", "North")], "Corridor log"),
                ("30.00", [("disaggregation", "South")], "Corridor log"),
            ],
        ),
        ("2025-04-01", "2025-06-30", ["80.00"], [("70.00", [], "Corridor log")]),
    ]

    [downtime] = results[1].findall("indicator")
    # A unit in per cent is IATI measure 2; down is good, so not ascending.
    assert (downtime.get("measure"), downtime.get("ascending")) == ("2", "0")
    assert dict(downtime.find("baseline").attrib) == {
        "year": "2024",
        "iso-date": "2024-06-30",
        "value": "12.50",
    }
    # A target without values yet: no actual.
    assert [period_summary(p) for p in downtime.findall("period")] == [
        ("2025-01-01", "2025-03-31", ["10.00"], [])
    ]


def test_the_iati_actuals_are_the_actuals_of_the_indicator_pages(programme, results_data):
    access, downtime = results_data
    exported = {r.title: r for r in indicator_results(programme, redact=Redactor())}
    for indicator in (access, downtime):
        periods = {(p.start, p.end): p for p in exported[indicator.name].periods}
        for row in indicator_progress(indicator):
            period = periods[(row.target.period_start, row.target.period_end)]
            assert (period.target, period.actual) == (row.target.value, row.actual)


def test_indicator_measure_reads_percentages_from_the_unit():
    assert [indicator_measure(u) for u in ("%", "per cent", "Percentage of days", "hours")] == [
        "2",
        "2",
        "2",
        "1",
    ]
    assert indicator_measure("processes trialled") == "1"


def test_the_iati_xml_escapes_what_the_team_wrote(login, programme, facilitator):
    indicator = make_indicator(
        programme,
        name='Access <hours> & "trips" ]]> – Hpa-an',
        definition="Counted at <checkpoints>\x0b & logged.",
    )
    value(indicator, Q1, "5", disaggregation='North & "East"', evidence="<script>x</script>")
    response = login(facilitator).get(url("indicators_iati", programme))
    body = response.content
    assert b"<script>" not in body and b"<hours>" not in body
    assert "– Hpa-an".encode() in body  # UTF-8, not character references
    root = iati(response)
    found = root.find("iati-activity/result/indicator")
    assert found.findtext("title/narrative") == 'Access <hours> & "trips" ]]> – Hpa-an'
    assert found.findtext("description/narrative") == "Counted at <checkpoints> & logged."
    group = found.find("period/actual/dimension")
    assert group.get("value") == 'North & "East"'
    assert found.findtext("period/actual/comment/narrative") == "<script>x</script>"


# --- Names withheld --------------------------------------------------------------------------


@pytest.fixture
def named_data(programme, dialogue):
    indicator = make_indicator(programme, name=f"Hours opened after {NAME}'s call")
    value(indicator, Q1, "12", evidence=f"Confirmed by {NAME}", disaggregation=f"{NAME} area")
    target(indicator, Q1, "10")
    # Outcome texts may not name a participant when written; this one was written before
    # the person joined the programme.
    record(programme, sources=f"Phone call with {NAME}", dialogues=[dialogue])
    ParticipantFactory(programme=programme, full_name=NAME)
    return indicator


def export_texts(client, programme):
    """Every text of every export, as the reader downloads it."""
    texts = [client.get(url(name, programme)).content.decode() for name in EXPORTS[::2]]
    for name in ("indicator_values_xlsx", "outcomes_xlsx"):
        book = workbook(client.get(url(name, programme)))
        texts += [str(c.value) for row in book.worksheets[0].iter_rows() for c in row]
    return "\n".join(texts)


def test_names_are_withheld_in_every_export_from_readers_without_identity_rights(
    login, programme, legal_reviewer, named_data
):
    texts = export_texts(login(legal_reviewer), programme)
    assert NAME not in texts and "Aung" not in texts
    assert texts.count("[name withheld]") >= 10
    assert "Hours opened after [name withheld]'s call" in texts
    assert "Phone call with [name withheld]" in texts


def test_a_facilitator_reads_the_names_in_the_exports(login, programme, facilitator, named_data):
    texts = export_texts(login(facilitator), programme)
    assert f"Hours opened after {NAME}'s call" in texts and f"Phone call with {NAME}" in texts
    assert "[name withheld]" not in texts


# --- Query count ----------------------------------------------------------------------------


def grow(programme, dialogue, count):
    for n in range(count):
        indicator = make_indicator(programme, name=f"Indicator {Indicator.objects.count()} {n}")
        target(indicator, Q1, "10")
        value(indicator, Q1, "12")
        value(indicator, Q1, "3", disaggregation="North")
        value(indicator, (date(2024, 11, 1), date(2024, 11, 30)), "9")
        document = make_document(dialogue, title=f"Non-paper {n}")
        record(
            programme,
            indicators=[indicator],
            dialogues=[dialogue],
            documents=[document],
            pilots=[make_pilot(document)],
        )


# Queries for a legal reviewer (names withheld): session, user, programme, six permission
# lookups (view_dialogues for the programme, again for the indicator check, then
# view_identity; user and group rows each), the programme's participants for the redactor;
# then the export's own: the values (indicator values); one per link kind (indicators,
# dialogues, non-papers with their dialogues, pilots) and the records (outcomes); the
# indicators, their targets and their values (IATI). None grows with the data.
QUERY_LIMITS = {
    "indicator_values_csv": 11,
    "indicator_values_xlsx": 11,
    "outcomes_csv": 15,
    "outcomes_xlsx": 15,
    "indicators_iati": 13,
}


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_runs_the_same_queries_at_1x_and_10x(
    login, programme, dialogue, legal_reviewer, name, django_assert_max_num_queries
):
    client = login(legal_reviewer)
    ParticipantFactory(programme=programme, full_name=NAME)
    client.get(url(name, programme))
    grow(programme, dialogue, 1)
    with django_assert_max_num_queries(QUERY_LIMITS[name]) as small:
        first = body_of(client.get(url(name, programme)))
    grow(programme, dialogue, 9)
    with django_assert_max_num_queries(QUERY_LIMITS[name]) as large:
        response = client.get(url(name, programme))
        body = body_of(response)
    assert response.status_code == 200 and len(body) > len(first)
    assert len(small.captured_queries) == len(large.captured_queries)
