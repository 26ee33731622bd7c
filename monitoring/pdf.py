"""The donor report as a PDF: the same results and the same SVG charts as the results page,
laid out by WeasyPrint with uptake.pdf's fetcher, which loads nothing but Parley's own static
files. WeasyPrint is slow to import: import this module only where a report is rendered."""

from django.template.loader import render_to_string
from django.utils import translation

from uptake.pdf import STATIC_SCHEME, RenderedPdf, lay_out

STYLESHEETS = (
    f"{STATIC_SCHEME}:monitoring/css/report.css",
    f"{STATIC_SCHEME}:monitoring/css/charts.css",
)


def render_donor_report(results):
    """A4 PDF of `results` (monitoring.services.results.DonorResults, already suppressed and
    redacted), in the active language. Callers: monitoring.views.dashboards, after
    monitoring.permissions.get_programme_for_results."""
    language = translation.get_language() or "en"
    html = render_to_string(
        "monitoring/pdf/donor_report.html",
        {
            "results": results,
            "stylesheets": STYLESHEETS,
            "language_code": language,
            "direction": "rtl" if translation.get_language_bidi() else "ltr",
        },
    )
    document = lay_out(html)
    return RenderedPdf(content=document.write_pdf(), page_count=len(document.pages))
