"""The donor report as a PDF: the same results and the same SVG charts as the results page,
laid out by WeasyPrint with uptake.print_layout's fetcher, which loads nothing but Parley's
own static files, in a bounded render process (uptake.render_processes). WeasyPrint is slow
to import: import this module only where a report is rendered."""

from django.template.loader import render_to_string
from django.utils import translation

from uptake.print_layout import STATIC_SCHEME
from uptake.render_processes import html_to_pdf

STYLESHEETS = (
    f"{STATIC_SCHEME}:monitoring/css/report.css",
    f"{STATIC_SCHEME}:monitoring/css/charts.css",
)


def render_donor_report(programme_name, page):
    """A4 PDF of the results `page` (monitoring.services.results_snapshots.ResultsPage:
    already suppressed and redacted) of the programme `programme_name`, in the active
    language. Raises uptake.render_processes.PdfTooLarge or PdfRenderFailed when
    the render passes its limits or fails. Callers: monitoring.views.dashboards, after
    monitoring.permissions.get_programme_for_results."""
    language = translation.get_language() or "en"
    html = render_to_string(
        "monitoring/pdf/donor_report.html",
        {
            "programme_name": programme_name,
            "page": page,
            "language_code": language,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
        },
    )
    return html_to_pdf(html, stylesheets=STYLESHEETS)
