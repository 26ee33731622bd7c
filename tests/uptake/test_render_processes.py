"""The render processes behind every PDF (uptake.render_processes.html_to_pdf): one lays out
document after document with its fonts loaded once; one that fails, runs out of time, is
interrupted, dies, may have been harmed or has served its share is stopped and reaped, and the
next render gets a fresh one; threads do not wait for each other; no render process holds
another's pipes or runs its parent's signal handlers, and one whose parent dies ends."""

import contextlib
import os
import resource
import signal
import threading
import time
from pathlib import Path

import pytest
from weasyprint import document as weasyprint_document

from uptake import render_processes
from uptake.print_layout import STATIC_SCHEME, STYLESHEETS
from uptake.render_processes import (
    PdfRenderFailed,
    PdfTooLarge,
    html_to_pdf,
    render_process_ids,
)

SHORT = "<h1>Corridor</h1><p>Open the crossing for traders on market days.</p>"
PARAGRAPH = "<p>Talks resumed near the crossing after the rains.</p>"
# About half a second of layout (12 pages); LONG about five (116 pages).
MEDIUM = PARAGRAPH * 300
LONG = PARAGRAPH * 3000


@pytest.fixture(autouse=True)
def fresh_render_processes():
    """Each test starts with no idle render process, and leaves none forked under its
    patches or settings for the tests after it."""
    render_processes.stop_idle_render_processes()
    yield
    render_processes.stop_idle_render_processes()


def _children():
    """This process's child processes, zombies included (Linux)."""
    pids = set()
    for task in Path("/proc/self/task").iterdir():
        pids.update(int(pid) for pid in (task / "children").read_text().split())
    return pids


def _has_exited(pid):
    """Whether `pid` has ended: gone, or a zombie whose parent has not reaped it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] == "Z"


def _wait_until_exited(pid, seconds=5.0):
    give_up = time.monotonic() + seconds
    while not _has_exited(pid) and time.monotonic() < give_up:
        time.sleep(0.01)
    return _has_exited(pid)


def test_one_render_process_lays_out_document_after_document_with_its_fonts_loaded_once(
    monkeypatch, tmp_path
):
    made = tmp_path / "font-configurations"
    real_configuration = render_processes.FontConfiguration

    def counting_configuration():
        with made.open("a") as log:  # written in the render process, read here
            log.write(f"{os.getpid()}\n")
        return real_configuration()

    def refused():
        raise AssertionError("a render loaded the fonts afresh")

    monkeypatch.setattr(render_processes, "FontConfiguration", counting_configuration)
    # WeasyPrint's own default, which a render given no fonts would use.
    monkeypatch.setattr(weasyprint_document, "FontConfiguration", refused)
    render_processes._loaded_fonts.cache_clear()  # loaded by the render process, not inherited
    try:
        rendered = [html_to_pdf(SHORT, STYLESHEETS) for _ in range(3)]
        (render_process,) = render_process_ids()
    finally:
        render_processes._loaded_fonts.cache_clear()

    assert [pdf.page_count for pdf in rendered] == [1, 1, 1]
    assert all(pdf.content.startswith(b"%PDF-") for pdf in rendered)
    assert made.read_text().split() == [str(render_process)]
    assert render_process != os.getpid()


def test_a_render_process_past_its_deadline_is_killed_reaped_and_replaced(settings):
    html_to_pdf(SHORT)
    (first,) = render_process_ids()
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0.05

    with pytest.raises(PdfTooLarge):
        html_to_pdf(LONG)

    assert render_process_ids() == []
    assert first not in _children()  # killed and reaped, not left a zombie
    settings.PDF_RENDER_TIMEOUT_SECONDS = 20
    assert html_to_pdf(SHORT).page_count == 1
    (second,) = render_process_ids()
    assert second != first


def test_a_render_process_whose_render_failed_is_replaced():
    html_to_pdf(SHORT)
    (first,) = render_process_ids()

    with pytest.raises(PdfRenderFailed) as failed:
        html_to_pdf(SHORT, [f"{STATIC_SCHEME}:uptake/css/missing.css"])

    assert type(failed.value) is PdfRenderFailed
    assert first not in _children()
    assert html_to_pdf(SHORT).page_count == 1
    assert render_process_ids() != [first]


def test_a_render_process_that_died_while_idle_is_replaced_without_a_failed_render():
    html_to_pdf(SHORT)
    (first,) = render_process_ids()
    os.kill(first, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    assert _wait_until_exited(first)

    assert html_to_pdf(SHORT).page_count == 1

    assert first not in _children()
    assert render_process_ids() not in ([], [first])


def test_a_render_process_makes_way_for_a_fresh_one_after_its_share_of_renders(monkeypatch):
    monkeypatch.setattr(render_processes, "_RENDERS_PER_PROCESS", 2)

    html_to_pdf(SHORT)
    (first,) = render_process_ids()
    html_to_pdf(SHORT)

    assert render_process_ids() == []
    assert first not in _children()
    html_to_pdf(SHORT)
    assert render_process_ids() not in ([], [first])


def test_a_render_interrupted_while_waiting_stops_its_render_process():
    # As a Celery soft time limit interrupts a task: an exception raised in the wait.
    class Interrupted(Exception):
        pass

    def interrupt(signum, frame):
        raise Interrupted

    children = _children()
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(Interrupted):
            html_to_pdf(LONG)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    assert render_process_ids() == []
    assert _children() == children  # the one it forked is killed and reaped


def _at_once(threads, html):
    """The page counts of `html` rendered by `threads` threads let go at the same moment."""
    start = threading.Barrier(threads)
    pages = []

    def render():
        start.wait()
        pages.append(html_to_pdf(html).page_count)

    running = [threading.Thread(target=render) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return pages


def test_renders_in_two_threads_run_side_by_side_in_two_render_processes():
    pages = _at_once(2, MEDIUM)

    assert len(pages) == 2 and pages[0] == pages[1] > 1
    assert len(set(render_process_ids())) == 2


def test_a_process_forked_from_a_renderer_neither_uses_nor_holds_its_render_processes():
    html_to_pdf(SHORT)
    (parents_render_process,) = render_process_ids()
    (inherited,) = render_processes._idle
    pipes = (inherited.requests, inherited.answers)
    report_read, report_write = os.pipe()

    pid = os.fork()
    if pid == 0:  # the forked process: check, render with its own, report, exit
        code = 1
        try:
            os.close(report_read)
            sees_none = render_process_ids() == []
            closed = []
            for pipe in pipes:
                try:
                    os.fstat(pipe)
                    closed.append(False)
                except OSError:
                    closed.append(True)
            page_count = html_to_pdf(SHORT).page_count
            (own,) = render_process_ids()
            os.write(report_write, f"{sees_none} {all(closed)} {page_count} {own}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(report_write)
    report = os.read(report_read, 1024).decode().split()
    os.close(report_read)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0

    sees_none, closed, page_count, childs_render_process = report
    assert (sees_none, closed, page_count) == ("True", "True", "1")
    assert int(childs_render_process) != parents_render_process
    # With its parent gone, the child's render process saw its pipe close and ended.
    assert _wait_until_exited(int(childs_render_process))
    # The parent's own render process was left alone and still serves it.
    assert html_to_pdf(SHORT).page_count == 1
    assert render_process_ids() == [parents_render_process]


def test_a_fork_waits_for_pangos_own_threads_to_end_and_no_longer_than_its_settle_time(
    monkeypatch,
):
    # Pango 1.50 ends its font-sorting threads soon after a render in this process; a fork
    # while one runs could inherit a lock it holds.
    forked_at = []
    real_fork = os.fork

    def timed_fork():
        forked_at.append(time.monotonic())
        return real_fork()

    monkeypatch.setattr(os, "fork", timed_fork)
    ends_at = time.monotonic() + 0.3
    monkeypatch.setattr(
        render_processes,
        "_pango_threads",
        lambda: ["[pango] FcFontSetSort"] if time.monotonic() < ends_at else [],
    )

    assert html_to_pdf(SHORT).page_count == 1
    assert forked_at[0] >= ends_at

    # One that never ends (later Pangos keep one, idle) holds the fork up no longer.
    render_processes.stop_idle_render_processes()
    monkeypatch.setattr(render_processes, "_pango_threads", lambda: ["[pango] fontconfig"])
    monkeypatch.setattr(render_processes, "_PANGO_SETTLE_SECONDS", 0.1)
    asked = time.monotonic()

    assert html_to_pdf(SHORT).page_count == 1
    assert 0.1 <= forked_at[1] - asked < 1.0


def _pipes_of(pid):
    """The pipes process `pid` holds open, as "pipe:[inode]" (Linux)."""
    pipes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):
            target = os.readlink(descriptor)
            if target.startswith("pipe:"):
                pipes.add(target)
    return pipes


def test_render_processes_forked_at_the_same_moment_hold_none_of_each_others_pipes():
    # Two threads forking at once: without a lock over each process's pipes until it is
    # known, one render process could keep the other's open, and neither would see its
    # parent go.
    for _ in range(5):
        render_processes.stop_idle_render_processes()
        assert _at_once(2, SHORT) == [1, 1]
        first, second = render_processes._idle
        ours = {
            process.pid: {os.readlink(f"/proc/self/fd/{process.requests}")}
            | {os.readlink(f"/proc/self/fd/{process.answers}")}
            for process in (first, second)
        }

        assert not _pipes_of(first.pid) & ours[second.pid]
        assert not _pipes_of(second.pid) & ours[first.pid]


def test_a_render_process_runs_none_of_its_parents_signal_handlers():
    # Celery and gunicorn install Python handlers; in a render process a signal ends it.
    handled = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: handled.append(signum))
    try:
        html_to_pdf(SHORT)
        (pid,) = render_process_ids()
        os.kill(pid, signal.SIGUSR1)

        assert _wait_until_exited(pid)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert handled == []


def test_a_render_process_retires_after_weasyprint_reported_an_error():
    # WeasyPrint catches what fails while loading or drawing (a failed allocation among
    # them) and goes on: the PDF is kept, the process is not.
    html_to_pdf(SHORT)
    (first,) = render_process_ids()

    rendered = html_to_pdf(f"<p>Map</p><img src='{STATIC_SCHEME}:uptake/missing.png' alt=''>")

    assert rendered.content.startswith(b"%PDF-")
    assert render_process_ids() == []
    assert first not in _children()


def test_a_render_process_retires_once_its_memory_grew_by_a_quarter_of_the_memory_cap(
    settings, monkeypatch, tmp_path
):
    # How much a real render grows the memory depends on the free room the render process
    # inherited: the growth is stated instead, from the moment a file exists.
    grown = tmp_path / "grown"
    real_size = render_processes._resident_bytes

    def size():
        return real_size() + (9 * 1024 * 1024 if grown.exists() else 0)

    monkeypatch.setattr(render_processes, "_resident_bytes", size)
    settings.PDF_RENDER_MEMORY_MB = 32  # a quarter: 8 MB

    html_to_pdf(SHORT)
    (first,) = render_process_ids()
    html_to_pdf(SHORT)
    assert render_process_ids() == [first]
    grown.touch()
    assert html_to_pdf(SHORT).page_count == 1

    assert render_process_ids() == []
    assert first not in _children()


def test_at_most_two_idle_render_processes_are_kept():
    assert len(_at_once(3, MEDIUM)) == 3
    assert len(render_process_ids()) == render_processes._IDLE_KEPT == 2


def test_a_render_process_that_waited_long_enough_for_work_ends_and_is_replaced(monkeypatch):
    monkeypatch.setattr(render_processes, "_IDLE_SECONDS", 0.2)
    html_to_pdf(SHORT)
    (first,) = render_process_ids()

    assert _wait_until_exited(first)
    assert html_to_pdf(SHORT).page_count == 1
    assert first not in _children()


def test_a_render_process_that_died_just_after_it_was_taken_costs_the_document_nothing(
    monkeypatch,
):
    html_to_pdf(SHORT)
    (first,) = render_process_ids()
    os.kill(first, signal.SIGKILL)
    assert _wait_until_exited(first)
    # As if it died between the check that it runs and the request.
    monkeypatch.setattr(render_processes._RenderProcess, "is_running", lambda process: True)

    assert html_to_pdf(SHORT).page_count == 1

    assert first not in _children()
    assert render_process_ids() not in ([], [first])


def test_a_render_process_whose_parent_dies_mid_render_ends():
    report_read, report_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker that renders, tells its render process's pid, and is killed
        try:
            os.close(report_read)
            html_to_pdf(SHORT)
            (own,) = render_process_ids()
            os.write(report_write, f"{own}\n".encode())
            html_to_pdf(LONG)
        finally:
            os._exit(0)
    os.close(report_write)
    render_process = int(os.read(report_read, 64).decode())
    os.close(report_read)
    time.sleep(0.3)  # into the long render
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)

    # It finds its pipe closed when it answers (the long render takes about five seconds).
    assert _wait_until_exited(render_process, seconds=20)


def test_a_soft_limit_already_set_is_never_raised():
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    used = int(time.process_time())
    resource.setrlimit(resource.RLIMIT_CPU, (used + 1000, hard))
    try:
        before = render_processes._lower_soft_limit(resource.RLIMIT_CPU, used + 5000)
        assert resource.getrlimit(resource.RLIMIT_CPU) == (used + 1000, hard)
        render_processes._lower_soft_limit(resource.RLIMIT_CPU, used + 500)
        assert resource.getrlimit(resource.RLIMIT_CPU) == (used + 500, hard)
        assert before == (used + 1000, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


@pytest.mark.parametrize(
    ("signal_number", "reported_as"),
    [
        (signal.SIGXCPU, PdfTooLarge),  # the CPU backstop: a limit
        (signal.SIGTERM, PdfRenderFailed),  # meant for the server: not the document's doing
    ],
)
def test_a_render_process_ended_by_a_signal_is_too_large_only_for_a_limits_signal(
    signal_number, reported_as
):
    children = _children()

    def signal_the_render_process():
        give_up = time.monotonic() + 10
        while not (_children() - children) and time.monotonic() < give_up:
            time.sleep(0.01)
        for pid in _children() - children:
            os.kill(pid, signal_number)

    sender = threading.Thread(target=signal_the_render_process)
    sender.start()
    try:
        with pytest.raises(PdfRenderFailed) as stopped:
            html_to_pdf(LONG)
    finally:
        sender.join()

    assert type(stopped.value) is reported_as
    assert _children() == children


def test_signals_the_parent_ignores_still_end_a_render_process():
    # A Celery pool process ignores SIGINT; a stop must still end its render process.
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        html_to_pdf(SHORT)
    finally:
        signal.signal(signal.SIGTERM, previous)
    (pid,) = render_process_ids()

    os.kill(pid, signal.SIGTERM)

    assert _wait_until_exited(pid)


def test_a_render_process_works_whatever_its_pipes_descriptor_numbers():
    # select() refuses descriptors past 1023; a busy worker can hold more files than that.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    held = []
    try:
        while not held or held[-1] < 1100:
            held.append(os.dup(0))

        assert html_to_pdf(SHORT).page_count == 1
        (process,) = render_processes._idle
        assert min(process.requests, process.answers) > 1023
        assert html_to_pdf(SHORT).page_count == 1
    finally:
        render_processes.stop_idle_render_processes()
        for descriptor in held:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
