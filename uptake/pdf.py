"""Print layout of non-papers and aide-mémoires: a plain-dict context in, PDF bytes out.

The HTML comes from an autoescaped template (templates/uptake/pdf/) and the caller's plain
dict, never from model instances or string formatting, and WeasyPrint may load nothing but
Parley's own static files: `safe_url_fetcher` refuses every other URL without any network or
filesystem access, so text typed into a document cannot make the renderer fetch anything.

Every render that makes a PDF runs in a render process forked from the caller's, with a
wall-clock deadline (settings.PDF_RENDER_TIMEOUT_SECONDS) and a cap on the memory the render
may add to it (settings.PDF_RENDER_MEMORY_MB): however long or convoluted a document, the
render process is killed when it passes either, and the caller gets PdfTooLarge, never a
stuck worker. A fork, not a fresh interpreter: it starts with WeasyPrint and Django's
settings as the caller has them (about 1.3 s saved), and a fork works in a Celery prefork
worker, where multiprocessing refuses to start children.

Callers: uptake.services.exports (through a view or a Celery task). WeasyPrint is slow to
import, so import this module only where a PDF is rendered; it imports no models.
"""

import faulthandler
import functools
import json
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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from uptake.print_context import print_context

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
        return render_to_string(
            TEMPLATES[kind], print_context(context, syllable_breaks=syllable_breaks)
        )


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


# --- The bounded render -------------------------------------------------------------------
#
# A render process is forked from this one at its first PDF and then lays out one document
# after another, each under the limits its request carries: its heap, fonts and parsed
# stylesheets are its own and stay warm. A fresh child for every render (as Parley did
# first) maps its whole heap afresh each time, which cost half as much again as the layout
# itself (docs/performance.md, R2). A render process that fails, passes a limit or does not
# answer in time is stopped, never given the next document; one that has served
# _RENDERS_PER_PROCESS renders makes way for a fresh one, so a long run's leftovers never
# pile up. Each thread takes an idle render process or forks its own, so renders never wait
# for one another.

# A line in each weight the print stylesheets use and in each script Parley prints, so the
# fonts a document needs are loaded before the first render (see _loaded_fonts).
_FONT_WARM_UP_HTML = (
    "<p>Parley <b>Parley</b> <span style='font-weight: 600'>Parley</span> "
    "<span dir='rtl'>\u0627\u0644\u0646\u0647\u0631</span> \u1019\u103c\u1005\u103a</p>"
)
_RENDERS_PER_PROCESS = 100
# How long a fork waits for Pango's own threads to finish (see _RenderProcess.start).
_PANGO_SETTLE_SECONDS = 1.0

# A request: its length, then JSON. An answer: status, page count, the PDF's length, then
# the PDF's bytes. Statuses besides _RENDERED end the render process.
_REQUEST_LENGTH = struct.Struct("!Q")
_ANSWER = struct.Struct("!BIQ")
_RENDERED = 0
_FAILED = 1
_TOO_LARGE = 3
# What this process makes of a render process that gave no answer.
_NO_ANSWER = 254
_PAST_DEADLINE = 255
_READ_BYTES = 1024 * 1024


def html_to_pdf(html: str, stylesheets=()) -> RenderedPdf:
    """Lay out print HTML with `stylesheets` (`parley-static:` URLs) and write it as a PDF,
    in a render process that is stopped after settings.PDF_RENDER_TIMEOUT_SECONDS and may
    add at most settings.PDF_RENDER_MEMORY_MB to its memory for this render.

    Raises PdfTooLarge when the render passes either limit, PdfRenderFailed when it fails
    otherwise. Callers: render_pdf, monitoring.pdf."""
    timeout = settings.PDF_RENDER_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    request = json.dumps(
        {
            "html": html,
            "stylesheets": list(stylesheets),
            "memory_bytes": settings.PDF_RENDER_MEMORY_MB * 1024 * 1024,
            # A backstop should this process die before it can stop the render.
            "cpu_seconds": math.ceil(timeout) + 1,
        }
    ).encode()
    process = _idle_render_process() or _RenderProcess.start()
    status = _NO_ANSWER
    try:
        status, page_count, content = process.exchange(request, deadline)
    finally:
        # Also when the wait itself is interrupted (a Celery soft time limit): a render
        # process that did not answer is stopped, never left running or unreaped.
        if status == _RENDERED:
            _return_to_pool(process)
        else:
            process.stop()
    if status == _RENDERED:
        return RenderedPdf(content=content, page_count=page_count)
    if status == _PAST_DEADLINE:
        logger.warning("PDF render stopped after %s seconds", timeout)
        raise PdfTooLarge("time")
    # A signal: the CPU-time backstop (SIGXCPU), or a library that aborted when an
    # allocation failed under the memory cap.
    if status == _TOO_LARGE or (status == _NO_ANSWER and process.exit_code < 0):
        logger.warning("PDF render stopped at its memory or CPU limit (exit %s)", status)
        raise PdfTooLarge("memory")
    raise PdfRenderFailed(f"renderer stopped ({status}, exit {process.exit_code})")


def stop_idle_render_processes():
    """Stop the render processes waiting for work; the next render forks a fresh one. A
    render process keeps the settings of the moment it was forked: tests that change the
    static files a render may load call this first."""
    with _pool_lock:
        idle = list(_idle)
        _idle.clear()
    for process in idle:
        process.stop()


def render_process_ids():
    """The ids of this process's idle render processes (the bench reads their memory)."""
    with _pool_lock:
        return [process.pid for process in _idle]


_pool_lock = threading.Lock()
_idle = []
# Every render process this process runs, idle or busy: a process forked from this one
# closes their pipes (see _forget_render_processes).
_running = set()


def _idle_render_process():
    while True:
        with _pool_lock:
            if not _idle:
                return None
            process = _idle.pop()
        if process.is_running():
            return process


def _return_to_pool(process):
    if process.renders >= _RENDERS_PER_PROCESS:
        process.stop()
        return
    with _pool_lock:
        _idle.append(process)


def _forget_render_processes():
    """In a process forked from this one (a render process, or a worker forked from a
    server that once rendered): the render processes are the parent's. Their pipes are
    closed here, so that each render process sees its end of file when its own parent
    lets it go, and nothing here ever writes to them."""
    global _pool_lock
    for process in _running:
        process.close_pipes()
    _running.clear()
    _idle.clear()
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_render_processes)


class _RenderProcess:
    """A render process as its parent sees it: its pid and the two pipes to it."""

    def __init__(self, pid, requests, answers):
        self.pid = pid
        self.requests = requests
        self.answers = answers
        self.renders = 0
        self.exit_code = None

    @classmethod
    def start(cls):
        _wait_for_pango_threads()
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(requests_write)
            os.close(answers_read)
            _serve(requests_read, answers_write)
        os.close(requests_read)
        os.close(answers_write)
        # Written with a deadline: see _write_until.
        os.set_blocking(requests_write, False)
        process = cls(pid, requests_write, answers_read)
        with _pool_lock:
            _running.add(process)
        return process

    def exchange(self, request, deadline):
        """Send one request; (status, page count, PDF bytes) of its answer, or status
        _PAST_DEADLINE or _NO_ANSWER with no page and no bytes."""
        self.renders += 1
        try:
            if not _write_until(self.requests, _REQUEST_LENGTH.pack(len(request)), deadline):
                return _PAST_DEADLINE, 0, b""
            if not _write_until(self.requests, request, deadline):
                return _PAST_DEADLINE, 0, b""
        except BrokenPipeError:
            return _NO_ANSWER, 0, b""
        header = _read_until(self.answers, _ANSWER.size, deadline)
        if header is None:
            return _PAST_DEADLINE, 0, b""
        if len(header) < _ANSWER.size:
            return _NO_ANSWER, 0, b""
        status, page_count, length = _ANSWER.unpack(header)
        content = _read_until(self.answers, length, deadline)
        if content is None:
            return _PAST_DEADLINE, 0, b""
        if len(content) < length:
            return _NO_ANSWER, 0, b""
        return status, page_count, content

    def is_running(self):
        """Whether it still runs; one that ended while idle (killed from outside) is reaped
        and forgotten."""
        waited, wait_status = os.waitpid(self.pid, os.WNOHANG)
        if not waited:
            return True
        self._forget(os.waitstatus_to_exitcode(wait_status))
        return False

    def stop(self):
        """Kill it (whatever it is doing: only a render process that answered is kept, and
        only while idle) and reap it; `exit_code` is negative for a signal."""
        if self.exit_code is not None:
            return
        # Whatever status it exited with stands: a process that has exited takes no signal.
        os.kill(self.pid, signal.SIGKILL)
        self._forget(os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1]))

    def close_pipes(self):
        """Closes both pipes, once: a descriptor closed twice could be another file's by
        then."""
        pipes, self.requests, self.answers = (self.requests, self.answers), None, None
        for pipe in pipes:
            if pipe is not None:
                os.close(pipe)

    def _forget(self, exit_code):
        self.exit_code = exit_code
        self.close_pipes()
        with _pool_lock:
            _running.discard(self)


def _wait_for_pango_threads():
    """Pango finishes font matching and sorting in threads of its own ("[pango]
    FcFontSetSort" in Pango 1.50), which a fork does not copy: a render process forked while
    one runs could inherit a lock it holds and hang. Only a process that renders itself
    (tests, the bench) has such threads; a fork waits until none runs, up to
    _PANGO_SETTLE_SECONDS, then goes ahead (later Pangos keep one for fontconfig, idle)."""
    settled_by = time.monotonic() + _PANGO_SETTLE_SECONDS
    while _pango_threads() and time.monotonic() < settled_by:
        time.sleep(0.005)


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


def _write_until(pipe, data, deadline):
    """Whether all of `data` went into the (non-blocking) pipe before `deadline`: a render
    process that stopped reading holds no one up. Raises BrokenPipeError if it has gone."""
    view = memoryview(data)
    poller = select.poll()
    poller.register(pipe, select.POLLOUT)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            return False
        try:
            view = view[os.write(pipe, view) :]
        except BlockingIOError:
            continue
    return True


def _read_until(pipe, count, deadline):
    """Up to `count` bytes (fewer at end of file), or None if they did not come before
    `deadline`."""
    output = bytearray()
    poller = select.poll()
    poller.register(pipe, select.POLLIN)
    while len(output) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(remaining * 1000):
            return None
        chunk = os.read(pipe, min(count - len(output), _READ_BYTES))
        if not chunk:
            break
        output += chunk
    return bytes(output)


# --- Inside a render process ----------------------------------------------------------------


def _serve(requests, answers):
    """The render process: answers one request after another until its parent closes the
    pipe or a render fails. Never returns, and never runs the parent's clean-up (os._exit):
    it shares the parent's database connections and files, and touches neither."""
    try:
        # Not the parent's handlers (Celery's, gunicorn's): a signal simply ends it.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # A native library may crash rather than fail cleanly at the memory cap: the parent
        # reports that, and a traceback dump on the shared stderr would only be noise.
        faulthandler.disable()
        font_config = _fonts_or_none()
        while (request := _next_request(requests)) is not None:
            status, page_count, content = _render_bounded(request, font_config)
            _write_all(answers, _ANSWER.pack(status, page_count, len(content)) + content)
            if status != _RENDERED:
                break
    except BaseException as error:  # the parent is gone, or the pipe broke: just end
        logger.debug("PDF render process ended (%s)", type(error).__name__)
    finally:
        os._exit(0)


def _fonts_or_none():
    """The loaded fonts, or None to let each render load its own (slower, still right)."""
    try:
        return _loaded_fonts()
    except Exception as error:  # the render itself will fail or succeed on its own
        logger.warning("PDF fonts not preloaded (%s)", type(error).__name__)
        return None


@functools.cache
def _loaded_fonts():
    """This process's fontconfig configuration, with the fonts of a small document in each
    script and weight already loaded. WeasyPrint would otherwise load the configuration
    and every font again in each render, a fifth of a two-page non-paper's time."""
    font_config = FontConfiguration()
    lay_out(_FONT_WARM_UP_HTML, STYLESHEETS, font_config=font_config).write_pdf()
    return font_config


def _next_request(requests):
    header = _read_all(requests, _REQUEST_LENGTH.size)
    if len(header) < _REQUEST_LENGTH.size:
        return None
    (length,) = _REQUEST_LENGTH.unpack(header)
    body = _read_all(requests, length)
    return json.loads(body) if len(body) == length else None


def _render_bounded(request, font_config):
    """(status, page count, PDF bytes), the memory this render may add and its CPU time
    capped; the caps are lifted again for the next request."""
    memory = _lower_soft_limit(resource.RLIMIT_AS, _address_space_bytes() + request["memory_bytes"])
    cpu = _lower_soft_limit(
        resource.RLIMIT_CPU, math.ceil(time.process_time()) + request["cpu_seconds"]
    )
    try:
        document = lay_out(request["html"], request["stylesheets"], font_config=font_config)
        return _RENDERED, len(document.pages), document.write_pdf()
    except (MemoryError, RecursionError):
        # Past the memory cap, or nested deeper than the layout's recursion can follow.
        return _TOO_LARGE, 0, b""
    except Exception as error:
        # The type only: a message could quote the document.
        logger.error("PDF render failed (%s)", type(error).__name__)
        return _FAILED, 0, b""
    finally:
        resource.setrlimit(resource.RLIMIT_AS, memory)
        resource.setrlimit(resource.RLIMIT_CPU, cpu)


def _read_all(pipe, count):
    """`count` bytes from a blocking pipe, or fewer at end of file."""
    output = bytearray()
    while len(output) < count:
        chunk = os.read(pipe, min(count - len(output), _READ_BYTES))
        if not chunk:
            break
        output += chunk
    return bytes(output)


def _write_all(pipe, data):
    view = memoryview(data)
    while view:
        view = view[os.write(pipe, view) :]


def _address_space_bytes():
    """This process's virtual memory size (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _lower_soft_limit(which, value):
    """Sets the soft limit `which` to `value` (or the hard limit, if lower); the limits as
    they were, to restore."""
    before = _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))
    return before


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
