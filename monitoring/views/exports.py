"""Downloads of the monitoring data: indicator values and outcome records as CSV and XLSX
(the same rows, from monitoring.services.exports), and the indicators as IATI-style results
XML. Programmes come through monitoring.permissions only: the team members who read the
indicator pages (facilitators, programme officers, legal reviewers) may download; donors
and strangers get 404, anonymous visitors the login page."""

import csv
import re
import tempfile
from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from xlsxwriter import Workbook

from dialogues.services.attribution import reader_redactor
from monitoring.permissions import get_programme_for_indicators
from monitoring.services import exports

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses these in a sheet's title and cuts it at 31 characters.
_SHEET_TITLE_REFUSED = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_LENGTH = 31
# Pixels per character of column width in Excel's default font (Calibri 11). The table's
# widths are stored as given, as openpyxl stored them: XlsxWriter's set_column would add
# Excel's 5 px cell padding, widening every column.
_PIXELS_PER_CHARACTER = 7


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_response(table, filename):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_csv_text(value) for value in row])
    return response


def _sheet_title(title):
    return _SHEET_TITLE_REFUSED.sub(" ", title).strip()[:SHEET_TITLE_LENGTH] or "Sheet"


def _xlsx_cell(sheet, row, column, value, formats):
    """A typed cell: numbers as numbers with two decimals, dates as dates, text always as
    text. write_string, never write: write would store a string starting with "=" as a
    formula (and one that looks like a URL as a link); the rows are already neutralised,
    and this makes sure. An empty text or None leaves the cell empty."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(row, column, value)
    elif isinstance(value, Decimal):
        sheet.write_number(row, column, float(value), formats["number"])
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, formats["date"])
    else:
        # Table rows hold only these types; anything else is a bug, not a cell to guess at.
        raise TypeError(f"No XLSX cell for {type(value).__name__}")


def _xlsx_response(table, filename, sheet_title):
    """`table` as a one-sheet workbook: a bold, frozen header row, column widths from the
    table, typed cells. Written by XlsxWriter in constant_memory mode, which flushes each row
    to a temporary file once the next one starts (strings inline, no shared-strings table),
    so memory stays flat however many rows; the workbook is assembled in a temporary file
    and streamed from there. Rows must therefore be written in order, as they are here."""
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        # in_memory stays False: XlsxWriter turns constant_memory off when it is on.
        # Closing the workbook (the with block, also on an error) removes its own temporary
        # files; the zip goes into `spooled`, which XlsxWriter leaves open.
        with Workbook(spooled, {"constant_memory": True, "in_memory": False}) as workbook:
            formats = {
                "number": workbook.add_format({"num_format": "0.00"}),
                "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            }
            bold = workbook.add_format({"bold": True})
            sheet = workbook.add_worksheet(_sheet_title(sheet_title))
            sheet.freeze_panes(1, 0)
            for column, width in enumerate(table.widths):
                sheet.set_column_pixels(column, column, width * _PIXELS_PER_CHARACTER)
            for column, text in enumerate(table.header):
                sheet.write_string(0, column, text, bold)
            for row, values in enumerate(table.rows, start=1):
                for column, value in enumerate(values):
                    _xlsx_cell(sheet, row, column, value, formats)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return FileResponse(
        spooled, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def _indicator_values(request, programme_id):
    programme = get_programme_for_indicators(request.user, programme_id)
    redact = reader_redactor(request.user, programme)
    return exports.indicator_value_rows(programme, redact=redact)


def _outcomes(request, programme_id):
    programme = get_programme_for_indicators(request.user, programme_id)
    redact = reader_redactor(request.user, programme)
    return exports.outcome_rows(programme, redact=redact)


@login_required
@require_GET
def indicator_values_csv(request, programme_id):
    """Every recorded value of the programme's indicators as CSV: indicator, unit, period,
    value, disaggregation, evidence, comment. Names withheld as on the pages. Queries:
    session, user, programme, permission checks, the identity check (and the participants
    when names are withheld), the values."""
    return _csv_response(_indicator_values(request, programme_id), "indicator-values.csv")


@login_required
@require_GET
def indicator_values_xlsx(request, programme_id):
    """The rows of indicator_values_csv as an XLSX workbook, with the same queries."""
    return _xlsx_response(
        _indicator_values(request, programme_id), "indicator-values.xlsx", _("Indicator values")
    )


@login_required
@require_GET
def outcomes_csv(request, programme_id):
    """The programme's outcome records as CSV, newest first, with their links (names
    withheld as on the page). Queries: session, user, programme, permission checks, the
    identity check (and the participants when names are withheld), one per link kind, the
    records."""
    return _csv_response(_outcomes(request, programme_id), "outcomes.csv")


@login_required
@require_GET
def outcomes_xlsx(request, programme_id):
    """The rows of outcomes_csv as an XLSX workbook, with the same queries."""
    return _xlsx_response(_outcomes(request, programme_id), "outcomes.xlsx", _("Outcomes"))


@login_required
@require_GET
def indicators_iati(request, programme_id):
    """The programme's indicators with baselines, periods, targets and actuals as IATI 2.03
    results XML (definitions in monitoring.services.exports). Queries: session, user,
    programme, permission checks, the identity check (and the participants when names are
    withheld), indicators, targets, values."""
    programme = get_programme_for_indicators(request.user, programme_id)
    redact = reader_redactor(request.user, programme)
    body = exports.iati_results_xml(
        programme,
        exports.indicator_results(programme, redact=redact),
        redact=redact,
        generated_at=timezone.now(),
    )
    response = HttpResponse(body, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="indicator-results-iati.xml"'
    return response
