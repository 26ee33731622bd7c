"""Non-papers and aide-mémoires in print: a plain-dict context in, PDF bytes out.

The HTML comes from an autoescaped template (templates/uptake/pdf/) and the caller's plain
dict, never from model instances or string formatting; it is laid out by
uptake.print_layout (which loads nothing but Parley's own static files) in a bounded render
process (uptake.render_processes).

Callers: uptake.services.exports (through a view or a Celery task). WeasyPrint is slow to
import, so import this module only where a PDF is rendered; it imports no models.
"""

from django.template.loader import render_to_string
from django.utils import translation

from uptake.print_context import print_context
from uptake.print_layout import STYLESHEETS
from uptake.render_processes import RenderedPdf, html_to_pdf

TEMPLATES = {
    "non_paper": "uptake/pdf/non_paper.html",
    "aide_memoire": "uptake/pdf/aide_memoire.html",
}


def render_pdf(context: dict) -> RenderedPdf:
    """Render a non-paper or aide-mémoire as an A4 PDF.

    `context` is the plain dict described in uptake.services.exports.pdf_context;
    `context["kind"]` ("non_paper" or "aide_memoire") selects the template. The dict is not
    modified. Raises ValueError for an unknown kind, KeyError for a missing key, and
    PdfTooLarge or PdfRenderFailed as html_to_pdf does.
    Callers: uptake.services.exports, after its permission and attribution checks.
    """
    return html_to_pdf(render_html(context), stylesheets=STYLESHEETS)


def render_html(context: dict, *, syllable_breaks: bool = True) -> str:
    """The print HTML for `context`, in its language. `syllable_breaks=False` leaves Burmese
    without break opportunities; only tests showing why they are needed turn it off."""
    kind = context["kind"]
    if kind not in TEMPLATES:
        raise ValueError(f"Unknown document kind for a PDF: {kind!r}")
    language_code = context["language_code"]
    with translation.override(language_code):
        return render_to_string(
            TEMPLATES[kind], print_context(context, syllable_breaks=syllable_breaks)
        )
