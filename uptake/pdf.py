"""Print layout of non-papers and aide-mémoires: a plain-dict context in, PDF bytes out.

The HTML comes from an autoescaped template (templates/uptake/pdf/) and the caller's plain
dict, never from model instances or string formatting, and WeasyPrint may load nothing but
Parley's own static files: `safe_url_fetcher` refuses every other URL without any network or
filesystem access, so text typed into a document cannot make the renderer fetch anything.

Every render that makes a PDF runs in a forked child process with a wall-clock deadline
(settings.PDF_RENDER_TIMEOUT_SECONDS) and a cap on the memory it may add to the process it was
forked from (settings.PDF_RENDER_MEMORY_MB): however long or convoluted a document, the
renderer is killed when it passes either, and the caller gets PdfTooLarge, never a stuck
worker. A fork, not a fresh interpreter: the child starts with WeasyPrint already imported
(about 1.3 s saved per PDF), and a fork works in a Celery prefork worker, where
multiprocessing refuses to start children.

Callers: uptake.services.exports (through a view or a Celery task). WeasyPrint is slow to
import, so import this module only where a PDF is rendered; it imports no models.
"""

import faulthandler
import functools
import logging
import math
import os
import re
import resource
import select
import signal
import struct
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
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


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


class UnsafeResourceError(ValueError):
    """A document asked for a resource other than one of Parley's own static files."""


class PdfRenderFailed(Exception):
    """The renderer stopped without producing a PDF. `message` says so to the reader."""

    message = gettext_lazy(
        "The PDF could not be made. Try again; if it fails again, tell the programme's "
        "administrator."
    )


class PdfTooLarge(PdfRenderFailed):
    """The document needed more time or memory than a render may take."""

    @property
    def message(self):
        return _(
            "The PDF could not be made: the document is too long or too complex to print "
            "within %(seconds)s seconds and %(megabytes)s MB. Shorten it and try again."
        ) % {
            "seconds": settings.PDF_RENDER_TIMEOUT_SECONDS,
            "megabytes": settings.PDF_RENDER_MEMORY_MB,
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
        print_context = _print_context(context, syllable_breaks=syllable_breaks)
        return render_to_string(TEMPLATES[kind], print_context)


def lay_out(html: str, stylesheets=(), *, font_config=None):
    """Lay out print HTML into pages (a weasyprint Document) with the safe fetcher and
    `stylesheets` (`parley-static:` URLs, see parsed_stylesheets); `font_config` as
    html_to_pdf's child passes it (by default WeasyPrint loads the fonts afresh).
    No base URL: a relative reference has nothing to resolve against and is dropped.
    Unbounded: only html_to_pdf's child, the fonts' warm-up (our own small HTML) and tests
    with HTML of their own call it."""
    return HTML(string=html, url_fetcher=safe_url_fetcher).render(
        stylesheets=parsed_stylesheets(stylesheets), font_config=font_config
    )


def parsed_stylesheets(urls):
    """The `parley-static:` stylesheets `urls`, each parsed once per process and file
    version. Given rather than linked from the HTML, which WeasyPrint would parse again on
    every render (about a tenth of a two-page non-paper's time). html_to_pdf parses them
    before it forks, so the parsed sheets stay with the parent for the next render. They
    apply as user stylesheets: rules in a document's own <style> would give way to them
    (our templates have none).
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


# --- The bounded render -------------------------------------------------------------------

# A line in each weight the print stylesheets use and in each script Parley prints, so the
# fonts a document needs are loaded before a render forks (see _loaded_fonts).
_FONT_WARM_UP_HTML = (
    "<p>Parley <b>Parley</b> <span style='font-weight: 600'>Parley</span> "
    "<span dir='rtl'>\u0627\u0644\u0646\u0647\u0631</span> \u1019\u103c\u1005\u103a</p>"
)
# Held while the fonts load and while forking: a child forked while another thread was
# inside Pango could inherit one of its locks held, and hang until its deadline.
_fonts_lock = threading.Lock()
# How long a fork waits for Pango's own threads to finish (see _fonts_to_fork_with);
# Pango 1.50's finish in milliseconds after a render.
_PANGO_SETTLE_SECONDS = 1.0
_sharing_fonts_is_safe = True

# The child's exit codes besides 0 (a PDF follows on the pipe).
_EXIT_FAILED = 1
_EXIT_TOO_LARGE = 3
# The child's answer: the page count, then the PDF's bytes.
_PAGE_COUNT = struct.Struct("!I")
_READ_BYTES = 1024 * 1024


def html_to_pdf(html: str, stylesheets=()) -> RenderedPdf:
    """Lay out print HTML with `stylesheets` (`parley-static:` URLs) and write it as a PDF,
    in a child process that is killed after settings.PDF_RENDER_TIMEOUT_SECONDS and may add
    at most settings.PDF_RENDER_MEMORY_MB to the memory of the process it is forked from.

    Raises PdfTooLarge when the render passes either limit, PdfRenderFailed when it fails
    otherwise. Callers: render_pdf, monitoring.pdf."""
    timeout = settings.PDF_RENDER_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    try:
        parsed_stylesheets(stylesheets)  # here, not in the child: see its docstring
    except UnsafeResourceError as refused:
        raise PdfRenderFailed("a print stylesheet is missing") from refused
    with _fonts_lock:
        font_config = _fonts_to_fork_with()
        read_end, write_end = os.pipe()
        pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _render_in_child(
            html,
            stylesheets,
            font_config,
            write_end,
            memory_bytes=settings.PDF_RENDER_MEMORY_MB * 1024 * 1024,
            cpu_seconds=math.ceil(timeout) + 1,
        )
    os.close(write_end)
    in_time = False
    try:
        output, in_time = _read_until(read_end, deadline)
    finally:
        # Also when the wait itself is interrupted (a Celery soft time limit): no child is
        # left running or unreaped.
        os.close(read_end)
        if not in_time:
            os.kill(pid, signal.SIGKILL)
        exit_code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if not in_time:
        logger.warning("PDF render stopped after %s seconds", timeout)
        raise PdfTooLarge("time")
    if exit_code == 0 and len(output) > _PAGE_COUNT.size:
        (page_count,) = _PAGE_COUNT.unpack_from(output)
        return RenderedPdf(content=bytes(output[_PAGE_COUNT.size :]), page_count=page_count)
    # Killed by a signal: the CPU-time backstop (SIGXCPU), or a library that aborted when an
    # allocation failed under the memory cap.
    if exit_code == _EXIT_TOO_LARGE or exit_code < 0:
        logger.warning("PDF render stopped at its memory or CPU limit (exit %s)", exit_code)
        raise PdfTooLarge("memory")
    raise PdfRenderFailed(f"renderer exited with {exit_code}")


def _fonts_to_fork_with():
    """The loaded fonts for the next render's child, or None for a child that loads its own
    (as WeasyPrint does by default: slower, never stuck).

    Pango finishes font matching and sorting in threads of its own ("[pango] FcFontSetSort"
    in Pango 1.50), which a fork does not copy: a child forked while one runs would wait
    for ever for its result. So the fork waits until none runs, up to
    _PANGO_SETTLE_SECONDS; a Pango whose thread never ends (later versions keep one for
    fontconfig) gets no shared fonts in this process. A warm-up that fails (a print
    stylesheet missing) is logged and the render goes on without. Called under
    _fonts_lock."""
    global _sharing_fonts_is_safe
    if not _sharing_fonts_is_safe:
        return None
    try:
        font_config = _loaded_fonts()
    except Exception as error:  # the render itself will fail or succeed on its own
        logger.warning("PDF fonts not preloaded (%s)", type(error).__name__)
        return None
    settled_by = time.monotonic() + _PANGO_SETTLE_SECONDS
    while _pango_threads():
        if time.monotonic() > settled_by:
            logger.warning("PDF fonts not shared: a Pango thread keeps running")
            _sharing_fonts_is_safe = False
            return None
        time.sleep(0.005)
    return font_config


def _pango_threads():
    """The names of this process's running Pango threads (Linux)."""
    names = []
    for task in os.listdir("/proc/self/task"):
        try:
            name = Path(f"/proc/self/task/{task}/comm").read_text().strip()
        except OSError:  # ended meanwhile
            continue
        if name.startswith("[pango]"):
            names.append(name)
    return names


@functools.cache
def _loaded_fonts():
    """This process's fontconfig configuration, with the fonts of a small document in each
    script and weight already loaded. WeasyPrint would otherwise load the configuration
    and every font again in each render's child, a fifth of a two-page non-paper's time;
    each child now starts from the parent's."""
    font_config = FontConfiguration()
    lay_out(_FONT_WARM_UP_HTML, STYLESHEETS, font_config=font_config).write_pdf()
    return font_config


def _read_until(read_end, deadline):
    """(everything the child wrote, whether it finished before `deadline`)."""
    output = bytearray()
    poller = select.poll()
    poller.register(read_end, select.POLLIN)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            return output, False
        chunk = os.read(read_end, _READ_BYTES)
        if not chunk:
            return output, True
        output += chunk


def _render_in_child(html, stylesheets, font_config, write_end, *, memory_bytes, cpu_seconds):
    """The forked child: limit itself, render, write the answer, exit. Never returns, and
    never runs the parent's clean-up (os._exit): it shares the parent's database connection
    and files, and touches neither."""
    exit_code = _EXIT_FAILED
    # A native library may crash rather than fail cleanly at the memory cap: the parent
    # reports that, and a traceback dump on the shared stderr would only be noise.
    faulthandler.disable()
    try:
        _limit(resource.RLIMIT_AS, _address_space_bytes() + memory_bytes)
        # A backstop should the parent die before it can kill us on its deadline.
        _limit(resource.RLIMIT_CPU, cpu_seconds)
        document = lay_out(html, stylesheets, font_config=font_config)
        answer = _PAGE_COUNT.pack(len(document.pages)) + document.write_pdf()
        view = memoryview(answer)
        while view:
            view = view[os.write(write_end, view) :]
        exit_code = 0
    except (MemoryError, RecursionError):
        # Past the memory cap, or nested deeper than the layout's recursion can follow.
        exit_code = _EXIT_TOO_LARGE
    except BaseException as error:
        # The type only: a message could quote the document.
        logger.error("PDF render failed (%s)", type(error).__name__)
    finally:
        os._exit(exit_code)


def _address_space_bytes():
    """This process's virtual memory size (Linux): a fork starts with its parent's."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit(which, value):
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, value))


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
