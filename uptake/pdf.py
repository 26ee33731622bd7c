"""Print layout of non-papers and aide-mémoires: a plain-dict context in, PDF bytes out.

The HTML comes from an autoescaped template (templates/uptake/pdf/) and the caller's plain
dict, never from model instances or string formatting, and WeasyPrint may load nothing but
Parley's own static files: `safe_url_fetcher` refuses every other URL without any network or
filesystem access, so text typed into a document cannot make the renderer fetch anything.

Callers: uptake.services.exports (through a view or a Celery task). WeasyPrint is slow to
import, so import this module only where a PDF is rendered; it imports no models.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from uptake.myanmar import add_syllable_breaks

logger = logging.getLogger(__name__)

TEMPLATES = {
    "non_paper": "uptake/pdf/non_paper.html",
    "aide_memoire": "uptake/pdf/aide_memoire.html",
}

# Static files are addressed by a private scheme that only our fetcher understands, e.g.
# "parley-static:uptake/css/pdf.css": there is no host to reach and no filesystem path to
# escape from, and no other fetcher would know what to do with it.
STATIC_SCHEME = "parley-static"
STYLESHEET_URL = f"{STATIC_SCHEME}:uptake/css/pdf.css"

# What a print layout may load, by suffix. Fonts come from fontconfig, never by URL.
_STATIC_CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
# Each segment starts with a letter, digit or underscore: no "..", no ".", no hidden files;
# no "%", "\\", "?" or "#" anywhere, so nothing is decoded or reinterpreted on the way.
_STATIC_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
_LOGGED_URL_LENGTH = 60


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


class UnsafeResourceError(ValueError):
    """A document asked for a resource other than one of Parley's own static files."""


def render_pdf(context: dict) -> RenderedPdf:
    """Render a non-paper or aide-mémoire as an A4 PDF.

    `context` is the plain dict described in uptake.services.exports.pdf_context;
    `context["kind"]` ("non_paper" or "aide_memoire") selects the template. The dict is not
    modified. Raises ValueError for an unknown kind and KeyError for a missing key.
    Callers: uptake.services.exports, after its permission and attribution checks.
    """
    document = lay_out(render_html(context))
    return RenderedPdf(content=document.write_pdf(), page_count=len(document.pages))


def render_html(context: dict, *, syllable_breaks: bool = True) -> str:
    """The print HTML for `context`, in its language. `syllable_breaks=False` leaves Burmese
    without break opportunities; only tests showing why they are needed turn it off."""
    kind = context["kind"]
    if kind not in TEMPLATES:
        raise ValueError(f"Unknown document kind for a PDF: {kind!r}")
    language_code = context["language_code"]
    with translation.override(language_code):
        print_context = _print_context(context, syllable_breaks=syllable_breaks)
        return render_to_string(TEMPLATES[kind], print_context)


def lay_out(html: str):
    """Lay out print HTML into pages (a weasyprint Document) with the safe fetcher.
    No base URL: a relative reference has nothing to resolve against and is dropped."""
    return HTML(string=html, url_fetcher=safe_url_fetcher).render()


# --- The context the templates see ------------------------------------------------------


def _print_context(context, *, syllable_breaks):
    """A new dict for the templates: every free text becomes {text, dir} runs or lists of
    paragraphs, with Burmese break opportunities; the caller's dict is left as it was."""
    document_direction = _language_direction(context["language_code"])

    def run(text):
        text = " ".join(str(text or "").split())
        if syllable_breaks:
            text = add_syllable_breaks(text)
        return {"text": text, "dir": _direction(text, document_direction)}

    def paragraphs(text):
        return [run(line) for line in str(text or "").splitlines() if line.strip()]

    prepared = {
        "kind": context["kind"],
        "stylesheet_url": STYLESHEET_URL,
        "language_code": context["language_code"],
        "direction": document_direction,
        "title": run(context["title"]),
        "programme_name": run(context["programme_name"]),
        "dialogue_title": run(context["dialogue_title"]),
        "date": context["date"],
        "version": context["version"],
        "revision": context["revision"],
        "status_label": context["status_label"],
        "classification": context["classification"],
    }
    if context["kind"] == "aide_memoire":
        prepared.update(
            reader_name=run(context["reader_name"]),
            # The footer names the reader and the day they took it, so a leak can be traced.
            prepared_on=timezone.localdate(),
            sections=[
                {"title": run(section["title"]), "body": paragraphs(section["body"])}
                for section in context["sections"]
            ],
        )
        return prepared

    step_texts = {step["number"]: step["text"] for step in context["steps"]}
    prepared.update(
        problem=paragraphs(context["problem"]),
        steps=[
            {
                "number": step["number"],
                "text": paragraphs(step["text"]),
                "who": run(step["who"]),
                "when": run(step["when"]),
                "how": paragraphs(step["how"]),
                "ladder_label": step["ladder_label"],
            }
            for step in context["steps"]
        ],
        ladder=[
            {
                "label": rung["label"],
                "steps": [run(_ladder_entry(entry, step_texts)) for entry in rung["steps"]],
            }
            for rung in context["ladder"]
            # An empty rung says nothing on paper and costs a line of the two pages.
            if rung["steps"]
        ],
        legal_notes=paragraphs(context["legal_notes"]),
        operational_notes=paragraphs(context["operational_notes"]),
    )
    return prepared


def _ladder_entry(entry, step_texts):
    """A ladder rung lists steps as ready-made labels ("Step 2: …"), step numbers, or
    {number, text} dicts; all print as "Step 2: …"."""
    if isinstance(entry, dict):
        number, text = entry["number"], entry["text"]
    elif isinstance(entry, int):
        number, text = entry, step_texts.get(entry, "")
    else:
        return entry
    return _("Step %(number)s: %(text)s") % {"number": number, "text": text}


def _direction(text, default):
    """The direction of `text`, "rtl" or "ltr", from its first strong character (what
    dir="auto" would do; WeasyPrint does not support it); `default` when it has none, as
    with only digits."""
    for character in text:
        bidi_class = unicodedata.bidirectional(character)
        if bidi_class == "L":
            return "ltr"
        if bidi_class in ("R", "AL"):
            return "rtl"
    return default


def _language_direction(language_code):
    try:
        return "rtl" if translation.get_language_info(language_code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


# --- Fetching resources -----------------------------------------------------------------


class StaticFilesFetcher(URLFetcher):
    """Serves `parley-static:<path>` from the staticfiles finders and refuses everything
    else with UnsafeResourceError: no http(s) to any host, no file:, no data:, and so no
    redirects either, because it never opens a connection or a path of its own choosing.

    WeasyPrint catches the error, logs it and leaves the resource out; the document still
    renders. Our own warning names only the URL's scheme and host, never its path or query,
    which could carry document text."""

    def __init__(self):
        # Should anything ever reach the parent's urllib machinery, it allows no protocol.
        super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)

    def fetch(self, url, headers=None):
        path = _static_path(url)
        try:
            found = finders.find(path)
        except SuspiciousFileOperation:
            found = None
        if not found:
            raise _refused(url, "not one of Parley's static files")
        content_type = _STATIC_CONTENT_TYPES[Path(path).suffix.lower()]
        return URLFetcherResponse(
            url, body=Path(found).read_bytes(), headers={"Content-Type": content_type}
        )


def _static_path(url):
    """The static file path a `parley-static:` URL names. Raises UnsafeResourceError."""
    scheme, separator, path = url.partition(":")
    if not separator or scheme.lower() != STATIC_SCHEME:
        raise _refused(url, "only Parley's static files may be loaded")
    if not _STATIC_PATH.fullmatch(path):
        raise _refused(url, "malformed static path")
    if Path(path).suffix.lower() not in _STATIC_CONTENT_TYPES:
        raise _refused(url, "file type not allowed in a PDF")
    return path


def _refused(url, reason):
    where = _scheme_and_host(url)
    logger.warning("PDF resource refused (%s): %s", reason, where)
    return UnsafeResourceError(f"{reason}: {where}")


def _scheme_and_host(url):
    """The URL cut down to its scheme and host ("http://127.0.0.1:8000", "file:", "data:"):
    enough to see what was asked for, without the path, query or user info, where document
    text could hide."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(malformed URL)"
    if not parts.scheme:
        return "(no scheme)"
    host = parts.netloc.rpartition("@")[2]
    where = f"{parts.scheme}://{host}" if host else f"{parts.scheme}:"
    return where[:_LOGGED_URL_LENGTH]


safe_url_fetcher = StaticFilesFetcher()
