"""The render processes behind every PDF (uptake.pdf.html_to_pdf): one lays out document after
document with its fonts loaded once; one that fails, runs out of time, is interrupted, dies or
has served its share is stopped and reaped, and the next render gets a fresh one; threads do
not wait for each other; and a process forked from a renderer never touches its parent's."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from weasyprint import document as weasyprint_document

from uptake import pdf as uptake_pdf
from uptake.pdf import (
    STATIC_SCHEME,
    STYLESHEETS,
    PdfRenderFailed,
    PdfTooLarge,
    html_to_pdf,
    render_process_ids,
)

SHORT = "<h1>Corridor</h1><p>Open the crossing for traders on market days.</p>"
# Some hundreds of milliseconds of layout, enough to catch a render in the middle.
LONG = "<p>Talks resumed near the crossing after the rains.</p>" * 3000


@pytest.fixture(autouse=True)
def fresh_render_processes():
    """Each test starts with no idle render process, and leaves none forked under its
    patches or settings for the tests after it."""
    uptake_pdf.stop_idle_render_processes()
    yield
    uptake_pdf.stop_idle_render_processes()


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
    real_configuration = uptake_pdf.FontConfiguration

    def counting_configuration():
        with made.open("a") as log:  # written in the render process, read here
            log.write(f"{os.getpid()}\n")
        return real_configuration()

    def refused():
        raise AssertionError("a render loaded the fonts afresh")

    monkeypatch.setattr(uptake_pdf, "FontConfiguration", counting_configuration)
    # WeasyPrint's own default, which a render given no fonts would use.
    monkeypatch.setattr(weasyprint_document, "FontConfiguration", refused)
    uptake_pdf._loaded_fonts.cache_clear()  # loaded by the render process, not inherited
    try:
        rendered = [html_to_pdf(SHORT, STYLESHEETS) for _ in range(3)]
        (render_process,) = render_process_ids()
    finally:
        uptake_pdf._loaded_fonts.cache_clear()

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
    monkeypatch.setattr(uptake_pdf, "_RENDERS_PER_PROCESS", 2)

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


def test_renders_in_two_threads_run_side_by_side_in_two_render_processes():
    start = threading.Barrier(2)
    pages = []

    def render():
        start.wait()
        pages.append(html_to_pdf(LONG).page_count)

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pages) == 2 and pages[0] == pages[1] > 1
    assert len(set(render_process_ids())) == 2


def test_a_process_forked_from_a_renderer_neither_uses_nor_holds_its_render_processes():
    html_to_pdf(SHORT)
    (parents_render_process,) = render_process_ids()
    (inherited,) = uptake_pdf._idle
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
        uptake_pdf,
        "_pango_threads",
        lambda: ["[pango] FcFontSetSort"] if time.monotonic() < ends_at else [],
    )

    assert html_to_pdf(SHORT).page_count == 1
    assert forked_at[0] >= ends_at

    # One that never ends (later Pangos keep one, idle) holds the fork up no longer.
    uptake_pdf.stop_idle_render_processes()
    monkeypatch.setattr(uptake_pdf, "_pango_threads", lambda: ["[pango] fontconfig"])
    monkeypatch.setattr(uptake_pdf, "_PANGO_SETTLE_SECONDS", 0.1)
    asked = time.monotonic()

    assert html_to_pdf(SHORT).page_count == 1
    assert 0.1 <= forked_at[1] - asked < 1.0
