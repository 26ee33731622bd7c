"""Print HTML laid out by WeasyPrint that may load nothing but Parley's own static files:
`safe_url_fetcher` refuses every other URL without any network or filesystem access, so text
typed into a document cannot make the renderer fetch anything. The print stylesheets are
parsed once a process.

Unbounded: PDFs are made through uptake.render_processes.html_to_pdf, which runs this in a
render process with a deadline and a memory cap. WeasyPrint is slow to import: import this
module only where a PDF is laid out; it imports no models.
"""

import functools
import logging
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Static files are addressed by a private scheme that only our fetcher understands, e.g.
# "parley-static:uptake/css/pdf.css": there is no host to reach and no filesystem path to
# escape from, and no other fetcher would know what to do with it.
STATIC_SCHEME = "parley-static"
STYLESHEET_URL = f"{STATIC_SCHEME}:uptake/css/pdf.css"
# What render_pdf lays its HTML out with (the templates link none: see parsed_stylesheets).
STYLESHEETS = (STYLESHEET_URL,)

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


class UnsafeResourceError(ValueError):
    """A document asked for a resource other than one of Parley's own static files."""


def lay_out(html: str, stylesheets=(), *, font_config=None):
    """Lay out print HTML into pages (a weasyprint Document) with the safe fetcher and
    `stylesheets` (`parley-static:` URLs, see parsed_stylesheets); `font_config` as a
    render process passes it (by default WeasyPrint loads the fonts afresh).
    No base URL: a relative reference has nothing to resolve against and is dropped.
    Unbounded: only a render process (html_to_pdf), the fonts' warm-up (our own small
    HTML) and tests with HTML of their own call it."""
    return HTML(string=html, url_fetcher=safe_url_fetcher).render(
        stylesheets=parsed_stylesheets(stylesheets), font_config=font_config
    )


def parsed_stylesheets(urls):
    """The `parley-static:` stylesheets `urls`, each parsed once per process and file
    version. Given rather than linked from the HTML, which WeasyPrint would parse again on
    every render (about a tenth of a two-page non-paper's time); a render process keeps them
    for its next render. They apply as user stylesheets: rules in a document's own <style>
    would give way to them (our templates have none).
    Raises UnsafeResourceError for a URL that is not one of Parley's static files."""
    return [_parsed_stylesheet(url) for url in urls]


def _parsed_stylesheet(url):
    path = finders.find(_static_path(url))
    if not path:
        raise _refused(url, "not one of Parley's static files")
    # The file's version in the key: an edited stylesheet is read again without a restart.
    return _parse_stylesheet(url, os.stat(path).st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _parse_stylesheet(url, _version):
    return CSS(url=url, url_fetcher=safe_url_fetcher)


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
