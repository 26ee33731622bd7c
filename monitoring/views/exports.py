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
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dialogues.services.attribution import reader_redactor
from monitoring.permissions import get_programme_for_indicators
from monitoring.services import exports

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses these in a sheet's title and cuts it at 31 characters.
_SHEET_TITLE_REFUSED = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_LENGTH = 31


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


def _xlsx_cell(sheet, value):
    """A typed cell: numbers as numbers with two decimals, dates as dates, text always as
    text (openpyxl would store a string starting with "=" as a formula; the rows are already
    neutralised, and this makes sure)."""
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.00"
        return cell
    if isinstance(value, str):
        if not value:
            return None
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value  # a date (openpyxl formats it yyyy-mm-dd) or None


def _xlsx_response(table, filename, sheet_title):
    """`table` as a one-sheet workbook: a bold, frozen header row, column widths from the
    table, typed cells. Written in openpyxl's write-only mode to a temporary file, so memory
    stays flat however many rows, and streamed from there."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    for index, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for text in table.header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    spooled = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(spooled)
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
