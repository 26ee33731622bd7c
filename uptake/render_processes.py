"""The bounded render: print HTML in, PDF bytes out, in a render process with limits.

Every render that makes a PDF runs in a render process forked from the caller's, with a
wall-clock deadline (settings.PDF_RENDER_TIMEOUT_SECONDS) and a cap on the memory the render
may add to it (settings.PDF_RENDER_MEMORY_MB): however long or convoluted a document, the
render process is killed when it passes either, and the caller gets PdfTooLarge, never a
stuck worker. A fork, not a fresh interpreter: it starts with WeasyPrint and Django's
settings as the caller has them (about 1.3 s saved), and a fork works in a Celery prefork
worker, where multiprocessing refuses to start children.

Callers: uptake.pdf.render_pdf and monitoring.pdf. WeasyPrint is slow to import: import this
module only where a PDF is rendered; it imports no models.
"""

import contextlib
import faulthandler
import functools
import json
import logging
import math
import os
import resource
import select
import signal
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint.text.fonts import FontConfiguration

from uptake.print_layout import STYLESHEETS, lay_out

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int


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


# --- The bounded render -------------------------------------------------------------------
#
# A render process is forked from this one at its first PDF and then lays out one document
# after another, each under the limits its request carries: its heap, fonts and parsed
# stylesheets are its own and stay warm. A fresh child for every render (as Parley did
# first) maps its whole heap afresh each time, which cost half as much again as the layout
# itself (docs/performance.md, R2). A render process that fails, passes a limit or does not
# answer in time is stopped, never given the next document; one that may have been harmed
# (WeasyPrint logged an error, or its resident memory grew by a quarter of the memory cap)
# retires
# after answering, as does one that has served _RENDERS_PER_PROCESS renders or waited
# _IDLE_SECONDS for work. Each thread takes an idle render process or forks its own, so
# renders never wait for one another; at most _IDLE_KEPT wait.

# A line in each weight the print stylesheets use and in each script Parley prints, so the
# fonts a document needs are loaded before the first render (see _loaded_fonts).
_FONT_WARM_UP_HTML = (
    "<p>Parley <b>Parley</b> <span style='font-weight: 600'>Parley</span> "
    "<span dir='rtl'>\u0627\u0644\u0646\u0647\u0631</span> \u1019\u103c\u1005\u103a</p>"
)
_RENDERS_PER_PROCESS = 100
_IDLE_KEPT = 2
_IDLE_SECONDS = 600
# How long a fork waits for Pango's own threads to finish (see _RenderProcess.start).
_PANGO_SETTLE_SECONDS = 1.0

# A request: its length, then JSON. An answer: status, page count, the PDF's length, then
# the PDF's bytes. A render process ends after any answer but _RENDERED.
_REQUEST_LENGTH = struct.Struct("!Q")
_ANSWER = struct.Struct("!BIQ")
_RENDERED = 0
_FAILED = 1
_RENDERED_AND_RETIRING = 2
_TOO_LARGE = 3
# What this process makes of a render process that gave no answer.
_NO_ANSWER = 254
_PAST_DEADLINE = 255
# The signals that end a render process at one of its limits: the CPU and wall-clock
# backstops, a library that aborted or crashed when an allocation failed, the kernel's
# out-of-memory killer.
_LIMIT_SIGNALS = frozenset(
    {signal.SIGXCPU, signal.SIGALRM, signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGKILL}
)
# A document whose reused render process died gets a fresh one only with this much time left.
_RETRY_SECONDS_LEFT = 1.0
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
            # CPU and wall-clock backstops, should this process die before it can stop
            # the render.
            "backstop_seconds": math.ceil(timeout) + 1,
        },
        ensure_ascii=False,
    ).encode()
    process = _idle_render_process()
    status, page_count, content = _exchange(process, request, deadline)
    if (
        process is not None
        and (status == _NO_ANSWER or status < 0)
        and deadline - time.monotonic() > _RETRY_SECONDS_LEFT
    ):
        # A render process that had rendered before ended without an answer: it may have
        # died just before (killed from outside, or done waiting for work). The document
        # gets its verdict from a fresh one.
        status, page_count, content = _exchange(None, request, deadline)
    if status in (_RENDERED, _RENDERED_AND_RETIRING):
        return RenderedPdf(content=content, page_count=page_count)
    if status == _PAST_DEADLINE:
        logger.warning("PDF render stopped after %s seconds", timeout)
        raise PdfTooLarge("time")
    if status == _TOO_LARGE or -status in _LIMIT_SIGNALS:
        # MemoryError or RecursionError; or a signal a limit sends, or a library that
        # aborted or crashed when an allocation failed under the memory cap.
        logger.warning("PDF render stopped at its memory or CPU limit (%s)", status)
        raise PdfTooLarge("memory")
    # Another signal (a SIGTERM or SIGHUP meant for the server) is not the document's doing.
    raise PdfRenderFailed(f"renderer stopped ({status})")


def _exchange(process, request, deadline):
    """(status, page count, PDF bytes) from `process`, or from a fresh render process if
    None. A status below zero is a render process that ended with that signal without
    answering."""
    if process is None:
        try:
            process = _RenderProcess.start()
        except OSError as error:  # no descriptors or processes left: not the document's fault
            logger.error("PDF render process not started (%s)", type(error).__name__)
            return _FAILED, 0, b""
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
    if status == _NO_ANSWER and process.exit_code < 0:
        return process.exit_code, 0, b""
    return status, page_count, content


def stop_idle_render_processes():
    """Stop the render processes waiting for work; the next render forks a fresh one. A
    render process keeps the settings of the moment it was forked: tests that change the
    static files a render may load call this first."""
    with _lock:
        idle = list(_idle)
        _idle.clear()
    for process in idle:
        process.stop()


def render_process_ids():
    """The ids of this process's idle render processes (the bench reads their memory)."""
    with _lock:
        return [process.pid for process in _idle]


# Guards _idle and _running, and is held by every fork of this process (see
# register_at_fork below) while a render process's pipes are made and listed, and while the
# parent closes the child's ends: no process is ever forked holding pipes that
# _forget_render_processes does not know of. Never held while forking: another library's
# fork hook could be waiting on a lock of its own.
_lock = threading.RLock()
# The render process this thread is forking, whose pipes its child keeps.
_forking = threading.local()
_idle = []
# Every render process this process runs, idle or busy.
_running = set()


def _idle_render_process():
    while True:
        with _lock:
            if not _idle:
                return None
            process = _idle.pop()
        if process.is_running():
            return process


def _return_to_pool(process):
    with _lock:
        if process.renders < _RENDERS_PER_PROCESS and len(_idle) < _IDLE_KEPT:
            _idle.append(process)
            return
    process.stop()


def _forget_render_processes():
    """In a process forked from this one (a render process, or a worker forked from a
    server that once rendered): the render processes are the parent's. Their pipes are
    closed here, so that each render process sees its end of file when its own parent
    lets it go, and nothing here ever writes to them."""
    global _lock
    _lock = threading.RLock()
    running = list(_running)
    _running.clear()
    _idle.clear()
    own = getattr(_forking, "process", None)
    for process in running:
        if process is not own:
            process.close_pipes()


os.register_at_fork(
    before=lambda: _lock.acquire(),
    after_in_parent=lambda: _lock.release(),
    after_in_child=_forget_render_processes,
)


class _RenderProcess:
    """A render process as its parent sees it: its pid and the two pipes to it."""

    def __init__(self, requests, answers, child_ends):
        self.pid = None
        self.requests = requests
        self.answers = answers
        # The ends the render process keeps, held here until it is forked.
        self.child_ends = child_ends
        self.renders = 0
        self.exit_code = None

    @classmethod
    def start(cls):
        _wait_for_pango_threads()
        with _lock:
            pipes = []
            try:
                pipes.extend(os.pipe())
                pipes.extend(os.pipe())
            except OSError:
                for pipe in pipes:
                    os.close(pipe)
                raise
            requests_read, requests_write, answers_read, answers_write = pipes
            process = cls(requests_write, answers_read, (requests_read, answers_write))
            _running.add(process)
        _forking.process = process
        try:
            pid = os.fork()
        except OSError:
            process._forget(None)
            raise
        finally:
            _forking.process = None
        if pid == 0:
            os.close(requests_write)
            os.close(answers_read)
            _serve(requests_read, answers_write)
        with _lock:
            process.pid = pid
            os.close(requests_read)
            os.close(answers_write)
            process.child_ends = None
        # Written with a deadline: see _write_until.
        os.set_blocking(requests_write, False)
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
        """Whether it still runs; one that ended while idle (killed from outside, or done
        waiting for work) is reaped and forgotten."""
        try:
            waited, wait_status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # reaped by someone else
            waited, wait_status = self.pid, 0
        if not waited:
            return True
        self._forget(os.waitstatus_to_exitcode(wait_status))
        return False

    def stop(self):
        """Kill it (whatever it is doing: only a render process that answered is kept, and
        only while idle) and reap it; `exit_code` is negative for a signal."""
        if self.exit_code is not None:
            return
        try:
            # Whatever status it exited with stands: an exited process takes no signal.
            os.kill(self.pid, signal.SIGKILL)
            exit_code = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        except (ProcessLookupError, ChildProcessError):
            exit_code = 0  # reaped by someone else: how it ended is not known
        self._forget(exit_code)

    def close_pipes(self):
        """Closes its pipes, once: a descriptor closed twice could be another file's by
        then."""
        pipes = (self.requests, self.answers, *(self.child_ends or ()))
        self.requests, self.answers, self.child_ends = None, None, None
        for pipe in pipes:
            if pipe is not None:
                with contextlib.suppress(OSError):
                    os.close(pipe)

    def _forget(self, exit_code):
        self.exit_code = exit_code
        with _lock:
            self.close_pipes()
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
    pipe, it has waited _IDLE_SECONDS, or it must retire. Never returns, and never runs the
    parent's clean-up (os._exit): it shares the parent's database connections and files,
    and touches neither."""
    try:
        _default_signal_handling()
        # A native library may crash rather than fail cleanly at the memory cap: the parent
        # reports that, and a traceback dump on the shared stderr would only be noise.
        faulthandler.disable()
        errors = _ErrorCount()
        logging.getLogger("weasyprint").addHandler(errors)
        font_config = _fonts_or_none()
        settled_size = _resident_bytes()
        while (request := _next_request(requests)) is not None:
            seen = errors.count
            status, page_count, content = _render_bounded(request, font_config)
            grown = _resident_bytes() - settled_size
            if status == _RENDERED and (
                errors.count > seen or grown > request["memory_bytes"] // 4
            ):
                status = _RENDERED_AND_RETIRING
            _write_all(answers, _ANSWER.pack(status, page_count, len(content)) + content)
            if status != _RENDERED:
                break
    except BaseException as error:  # the parent is gone, or the pipe broke: just end
        logger.debug("PDF render process ended (%s)", type(error).__name__)
    finally:
        os._exit(0)


def _default_signal_handling():
    """Not the parent's handlers (Celery's, gunicorn's run Python code of theirs, and a
    handler only runs between bytecodes, which a long C call never reaches): every signal
    simply ends a render process, as its limits need; a closed pipe raises
    BrokenPipeError."""
    signal.set_wakeup_fd(-1)
    for number in signal.valid_signals():
        if callable(signal.getsignal(number)):
            signal.signal(number, signal.SIG_DFL)
    # Also where the parent ignored them (a Celery pool process ignores SIGINT): the
    # backstops and a stop must end it.
    for number in (signal.SIGALRM, signal.SIGXCPU, signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


class _ErrorCount(logging.Handler):
    """Counts WeasyPrint's errors: one that failed to load or draw something may have
    caught a failed allocation and left the process harmed."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record):
        self.count += 1


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
    """The next request, or None at end of file or after _IDLE_SECONDS without one."""
    waiting = select.poll()  # not select(), which refuses descriptors past 1023
    waiting.register(requests, select.POLLIN)
    if not waiting.poll(_IDLE_SECONDS * 1000):
        return None
    header = _read_all(requests, _REQUEST_LENGTH.size)
    if len(header) < _REQUEST_LENGTH.size:
        return None
    (length,) = _REQUEST_LENGTH.unpack(header)
    body = _read_all(requests, length)
    return json.loads(body) if len(body) == length else None


def _render_bounded(request, font_config):
    """(status, page count, PDF bytes), with caps on the memory this render may add, its
    CPU time and its wall-clock time; the caps are lifted again for the next request."""
    backstop = request["backstop_seconds"]
    memory = _lower_soft_limit(resource.RLIMIT_AS, _address_space_bytes() + request["memory_bytes"])
    cpu = _lower_soft_limit(resource.RLIMIT_CPU, math.ceil(time.process_time()) + backstop)
    signal.setitimer(signal.ITIMER_REAL, backstop)  # SIGALRM, which now ends the process
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
        signal.setitimer(signal.ITIMER_REAL, 0)
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
    return _statm(0)


def _resident_bytes():
    """This process's resident memory (Linux)."""
    return _statm(1)


def _statm(field):
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[field]) * os.sysconf("SC_PAGE_SIZE")


def _lower_soft_limit(which, value):
    """Lowers the soft limit `which` to `value`, never above the limit already set; the
    limits as they were, to restore."""
    before = soft, hard = resource.getrlimit(which)
    for limit in (soft, hard):
        if limit != resource.RLIM_INFINITY:
            value = min(value, limit)
    resource.setrlimit(which, (value, hard))
    return before
