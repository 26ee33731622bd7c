"""The figures of issue 8, one function each. Every figure is a ratio against a limit measured
in the same run (so a noisy, shared machine slows both sides), each side the median of `runs`
timings after one warm-up. Pages are requested in-process through django.test.Client with
force_login (no network, no second factor: bench users are ordinary team members).

Each function returns one or more Result rows; R5 and R6 compare two scales and are computed
by `compare_pages` from what `measure_pages` collected at each scale.
"""

import json
import logging
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from bench import dataset, texts
from dialogues.models import DialogueParticipant, Membership, Participant, Session
from dialogues.views.participants import REGISTER_PAGE_SIZE
from monitoring.models import Indicator, IndicatorValue, OutcomeRecord
from monitoring.services.results import donor_results
from monitoring.services.results_snapshots import results_changed
from uptake.models import Commitment, Document, Notification, Reminder, Revision


@dataclass
class Result:
    figure: str
    scale: str
    value: float
    shown: str
    target: str
    passed: bool
    detail: str = ""


@dataclass
class Context:
    """What every figure needs: the generated data and how to measure."""

    generated: object  # bench.dataset.Generated
    runs: int
    quick: bool
    write: object

    @property
    def scale(self):
        return f"{self.generated.plan.scale:g}×"


def _median_pair(first, second, runs, *, warm_up=True):
    """Medians of `first()` and `second()` timings, interleaved so both see the same noise,
    after one warm-up of each (skipped by --quick: the smoke test wants numbers, fast)."""
    if warm_up:
        first()
        second()
    a, b = [], []
    for _ in range(runs):
        started = time.perf_counter()
        first()
        a.append(time.perf_counter() - started)
        started = time.perf_counter()
        second()
        b.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _get(client, url):
    """The response and the size of its body, read as a browser would and not kept: a
    download's memory is measured without the harness holding the file. A streamed response
    is closed by the test client once its content is consumed, the database connection kept
    (closing it again would end a test's transaction)."""
    response = client.get(url)
    if response.streaming:
        return response, sum(len(chunk) for chunk in response.streaming_content)
    return response, len(response.content)


def _ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def _cpu_seconds(usage):
    return usage.ru_utime + usage.ru_stime


def _render_process_usage():
    """{pid: (CPU seconds, minor page faults)} of this process's idle render processes
    (uptake.render_processes), from /proc (Linux; CPU in clock ticks, 10 ms)."""
    from uptake.render_processes import render_process_ids

    ticks = os.sysconf("SC_CLK_TCK")
    usage = {}
    for pid in render_process_ids():
        # The fields after the command's closing parenthesis, from the state (field 3) on.
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        minor_faults, user, system = int(fields[10 - 3]), int(fields[14 - 3]), int(fields[15 - 3])
        usage[pid] = ((user + system) / ticks, minor_faults)
    return usage


# --- R1: the donor's results page against the SQL behind it --------------------------------


class _Recorder:
    """A connection.execute_wrapper that keeps every statement with its parameters."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def r1_donor_dashboard(ctx):
    """The donor's results page (monitoring:results, the dashboard donors have) served as it
    is between changes, from its kept page (monitoring.services.results_snapshots) ÷ the
    bare SQL aggregates behind it: the SELECT statements donor_results runs, recorded with
    their parameters and replayed on a raw cursor, with no ORM, Python or template around
    them. The first view after a change renders the page live: its time and ratio are
    given beside, for the record."""
    generated = ctx.generated
    programme = generated.focus_programme
    client = _client(generated.users["donor"])
    url = reverse("monitoring:results", args=[programme.public_id])
    recorder = _Recorder()
    with translation.override(settings.LANGUAGE_CODE), connection.execute_wrapper(recorder):
        donor_results(programme)
    selects = [
        (sql, params)
        for sql, params in recorder.statements
        if sql.lstrip().upper().startswith("SELECT")
    ]

    def kept_page():
        response, _ = _get(client, url)
        if response.status_code != 200:
            raise RuntimeError(f"The donor's results page answered {response.status_code}")

    def live_page():
        results_changed(programme.pk)
        kept_page()

    def bare_sql():
        with connection.cursor() as cursor:
            for sql, params in selects:
                cursor.execute(sql, params)
                cursor.fetchall()

    kept_page()  # keeps the page
    page_time, sql_time = _median_pair(kept_page, bare_sql, ctx.runs, warm_up=not ctx.quick)
    live_time, _ = _median_pair(live_page, bare_sql, ctx.runs, warm_up=False)
    ratio = page_time / sql_time
    return [
        Result(
            "R1",
            ctx.scale,
            ratio,
            f"{ratio:.2f}",
            "< 1.0 (snapshot)",
            ratio < 1.0,
            f"page served from its snapshot {_ms(page_time)}, the {len(selects)} SELECTs "
            f"behind it {_ms(sql_time)}; rendered live after a change {_ms(live_time)} "
            f"({live_time / sql_time:.2f})",
        )
    ]


# --- PDFs: R2, R3, M1 ------------------------------------------------------------------------


def _pdf_document(ctx, *, kind, title, content):
    """A document of the focus programme's first dialogue with one revision (bench text)."""
    programme = ctx.generated.focus_programme
    dialogue = programme.dialogues.order_by("pk").first()
    document = Document.objects.create(
        dialogue=dialogue,
        kind=kind,
        title=title,
        head=1,
        created_by=ctx.generated.users["facilitator"],
    )
    Revision.objects.create(
        document=document,
        number=1,
        title=title,
        content=content,
        author=ctx.generated.users["facilitator"],
    )
    return document


def two_page_non_paper(ctx):
    return _pdf_document(
        ctx,
        kind=Document.Kind.NON_PAPER,
        title="Bench non-paper: access triggers in the corridor",
        content=texts.two_page_non_paper(),
    )


def r2_pdf_export(ctx):
    """A two-page non-paper through Parley (uptake.services.exports.document_export_pdf:
    guard, context, template, fonts, running headers, bounded render process, stored file)
    ÷ WeasyPrint writing minimal HTML of the same text in this process: every word Parley
    prints on the page body, as bare headings and paragraphs (bench.texts.minimal_html),
    rendered the plain way, `HTML(string=...).render().write_pdf()`. Also shown: the same
    minimal HTML rendered as Parley sets WeasyPrint up (fonts loaded once a process, no
    network fetcher), the stricter limit."""
    from weasyprint import HTML

    from uptake import pdf, print_layout, render_processes
    from uptake.services.exports import document_export_pdf

    document = two_page_non_paper(ctx)
    facilitator = ctx.generated.users["facilitator"]
    printed = []
    real_html_to_pdf = pdf.html_to_pdf

    def capturing(html, stylesheets=()):
        printed.append(html)
        return real_html_to_pdf(html, stylesheets)

    with mock.patch.object(pdf, "html_to_pdf", capturing):
        document_export_pdf(document=document, actor=facilitator)
    minimal = texts.minimal_html(printed[0])
    words = len(re.sub(r"<[^>]+>", " ", minimal).split())
    pages = {}
    # Where Parley's time goes, in CPU (which other processes' load stretches far less than
    # wall time): this process (guard, context, template, storage, log), the render
    # process, and its page faults (a process maps every page its render's heap needs the
    # first time; one that has rendered before reuses its own).
    spent = {"parent": [], "render": [], "faults": [], "in_process": []}

    def parley():
        before = resource.getrusage(resource.RUSAGE_SELF), _render_process_usage()
        pages["parley"] = document_export_pdf(document=document, actor=facilitator).page_count
        after = resource.getrusage(resource.RUSAGE_SELF), _render_process_usage()
        spent["parent"].append(_cpu_seconds(after[0]) - _cpu_seconds(before[0]))
        spent["render"].append(
            sum(cpu - before[1].get(pid, (0, 0))[0] for pid, (cpu, _) in after[1].items())
        )
        spent["faults"].append(
            sum(faults - before[1].get(pid, (0, 0))[1] for pid, (_, faults) in after[1].items())
        )

    def in_process():
        """The layout of the same HTML in this process, no render process."""
        start = time.process_time()
        fonts = render_processes._loaded_fonts()
        print_layout.lay_out(printed[0], print_layout.STYLESHEETS, font_config=fonts).write_pdf()
        spent["in_process"].append(time.process_time() - start)

    def bare():
        rendered = HTML(string=minimal).render()
        pages["bare"] = len(rendered.pages)
        rendered.write_pdf()

    def bare_set_up():
        fonts = render_processes._loaded_fonts()
        fetcher = print_layout.safe_url_fetcher
        HTML(string=minimal, url_fetcher=fetcher).render(font_config=fonts).write_pdf()

    parley_time, bare_time = _median_pair(parley, bare, ctx.runs, warm_up=not ctx.quick)
    set_up_time, _ = _median_pair(bare_set_up, bare, ctx.runs, warm_up=not ctx.quick)
    for _ in range(ctx.runs):
        in_process()
    # The last `runs` of each: the warm-up export is left out, as _median_pair leaves it.
    cpu = {name: statistics.median(values[-ctx.runs :]) for name, values in spent.items()}
    ratio = parley_time / bare_time
    per_page = parley_time / pages["parley"]
    return [
        Result(
            "R2",
            ctx.scale,
            ratio,
            f"{ratio:.2f}",
            "≤ 1.5",
            ratio <= 1.5,
            f"Parley {_ms(parley_time)} for {pages['parley']} pages, minimal HTML of the same "
            f"{words} words {_ms(bare_time)} for {pages['bare']}; "
            f"set up as Parley's {_ms(set_up_time)} ({parley_time / set_up_time:.2f}); "
            f"Parley's CPU: {_ms(cpu['parent'])} here, {_ms(cpu['render'])} in the render "
            f"process ({cpu['faults']:.0f} page faults), the same layout in this process "
            f"{_ms(cpu['in_process'])}",
        ),
        Result(
            "R2 ms/page",
            ctx.scale,
            per_page * 1000,
            f"{per_page * 1000:.0f} ms",
            "≤ 60 ms",
            per_page <= 0.060,
            f"{pages['parley']} pages",
        ),
    ]


def r3_scripts(ctx):
    """A long aide-mémoire in Burmese and in Arabic ÷ the same in Latin script, each
    through Parley's export in its language; per page, since scripts fill pages
    differently. 20 pages (4 with --quick)."""
    from uptake.services.exports import document_export_pdf

    pages_wanted = 2 if ctx.quick else 20
    facilitator = ctx.generated.users["facilitator"]
    documents = {
        language: _pdf_document(
            ctx,
            kind=Document.Kind.AIDE_MEMOIRE,
            title=f"Bench aide-mémoire ({language})",
            content=texts.long_aide_memoire(language, pages_wanted),
        )
        for language in ("en", "my", "ar")
    }
    pages = {}

    def export(language):
        def run():
            with translation.override(language):
                export = document_export_pdf(document=documents[language], actor=facilitator)
            pages[language] = export.page_count

        return run

    results = []
    for language, name in (("my", "Burmese"), ("ar", "Arabic")):
        script_time, latin_time = _median_pair(
            export(language), export("en"), ctx.runs, warm_up=not ctx.quick
        )
        ratio = (script_time / pages[language]) / (latin_time / pages["en"])
        results.append(
            Result(
                f"R3 {name}",
                ctx.scale,
                ratio,
                f"{ratio:.2f}",
                "≤ 2.0",
                ratio <= 2.0,
                f"{name} {_ms(script_time)} for {pages[language]} pages, Latin "
                f"{_ms(latin_time)} for {pages['en']} pages (per page)",
            )
        )
    return results


def _exports_in_subprocess(document, user, count):
    """Run bench.pdf_worker in a fresh interpreter: one worker's memory, not the bench's."""
    command = [sys.executable, "-m", "bench.pdf_worker", str(document.pk), str(user.pk), str(count)]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
    }
    finished = subprocess.run(  # noqa: S603 (our interpreter, our module, numbers)
        command, capture_output=True, text=True, check=True, env=env, cwd=settings.BASE_DIR
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def m1_pdf_memory(ctx):
    """Peak RSS of one worker exporting 100 two-page PDFs in a row (the worker's plus its
    render process's), after the first tenth and at the end.
    In a fresh interpreter (bench.pdf_worker); in this process in a test, whose data no
    other process can see."""
    from bench import pdf_worker

    count = 3 if ctx.quick else 100
    document = two_page_non_paper(ctx)
    user = ctx.generated.users["facilitator"]
    if database_is_private():
        measured = pdf_worker.export_many(document, user, count)
        where = "in this process (a test's database)"
    else:
        measured = _exports_in_subprocess(document, user, count)
        where = "fresh worker process"
    peak, early = measured["peak_mb"], measured["early_peak_mb"]
    flat = peak <= early * 1.1 + 5
    return [
        Result(
            "M1",
            ctx.scale,
            peak,
            f"{peak:.0f} MB",
            "< 400 MB, flat",
            peak < 400 and flat,
            f"{count} PDFs, {where}: peak {early:.0f} MB after {measured['early_count']}, "
            f"{peak:.0f} MB after {count} (worker {measured['self_mb']:.0f} MB + render "
            f"process {measured['render_mb']:.0f} MB)",
        )
    ]


# --- R4: throughput on gunicorn --------------------------------------------------------------


def database_is_private():
    """Whether no other process can see the data: it is written inside a transaction the
    caller holds (a test's), or in an in-memory SQLite database."""
    if connection.in_atomic_block:
        return True
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def r4_throughput(ctx):
    """Requests per second of the participant register's first page (facilitator, logged in,
    REGISTER_PAGE_SIZE rows) ÷ a trivial logged-in view (bench.urls) on the same gunicorn
    server, loaded by bench.load in a second process over loopback with 10 connections; p95
    of the register. With an in-memory test
    database no server can share it: then both pages are timed in-process, one connection."""
    from bench import load

    generated = ctx.generated
    facilitator = generated.users["facilitator"]
    page = reverse("dialogues:participant_register", args=[generated.focus_programme.public_id])
    trivial = "/bench/trivial/"
    rows = generated.focus_programme.participants.count()
    shown = min(rows, REGISTER_PAGE_SIZE)
    seconds = 0.5 if ctx.quick else 3.0
    if database_is_private():
        client = _client(facilitator)
        with override_settings(ROOT_URLCONF="bench.urls"):
            page_stats = load.in_process(client, page, seconds)
            trivial_stats = load.in_process(client, trivial, seconds)
        where = "in-process, 1 connection (a test's database)"
        runs = [(page_stats, trivial_stats)]
    else:
        name = settings.SESSION_COOKIE_NAME
        cookie = f"{name}={_client(facilitator).cookies[name].value}"
        with load.gunicorn() as base_url:
            load.run(base_url + page, cookie, 10, 0.5)  # warm-up
            load.run(base_url + trivial, cookie, 10, 0.5)
            runs = [
                (
                    load.run(base_url + page, cookie, 10, seconds),
                    load.run(base_url + trivial, cookie, 10, seconds),
                )
                for _ in range(ctx.runs)
            ]
        where = "gunicorn, 2 workers, 10 connections"
    page_rps = statistics.median(each["rps"] for each, _ in runs)
    trivial_rps = statistics.median(each["rps"] for _, each in runs)
    p95 = statistics.median(each["p95_ms"] for each, _ in runs)
    errors = sum(each["errors"] for pair in runs for each in pair)
    ratio = page_rps / trivial_rps
    return [
        Result(
            "R4",
            ctx.scale,
            ratio,
            f"{ratio:.2f}",
            "≥ 0.10, p95 < 100 ms",
            ratio >= 0.10 and p95 < 100 and not errors,
            f"{where}: register (first page, {shown} of {rows} participants) "
            f"{page_rps:.1f} req/s p95 {p95:.0f} ms, "
            f"trivial view {trivial_rps:.1f} req/s, {errors} errors",
        )
    ]


# --- R5, R6: every list, detail and dashboard page -------------------------------------------

NAMESPACES = ("dialogues", "uptake", "monitoring")
HTML = "text/html"


# Downloads, not pages (R2, R8 and M1 measure the exports that matter).
DOWNLOAD = re.compile(r"(\.(pdf|csv|xlsx|xml|ics)|/(download|export)/)$")


def _patterns(resolver, namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, pattern.namespace or namespace)
        elif (
            isinstance(pattern, URLPattern)
            and namespace in NAMESPACES
            and pattern.name
            and not DOWNLOAD.search(str(pattern.pattern))
        ):
            yield namespace, pattern.name, sorted(pattern.pattern.converters)


def _candidates(generated):
    """Ids for every URL argument the pages take, picked the same way at every scale: the
    focus programme, its first dialogue, that dialogue's first objects of each kind."""
    programme = generated.focus_programme
    dialogue = programme.dialogues.order_by("pk").first()
    # The generated documents only, not those the PDF figures add.
    generated_documents = Document.objects.filter(
        dialogue=dialogue, title__regex=dataset.GENERATED_DOCUMENT_TITLE
    ).order_by("pk")
    delivered = generated_documents.filter(status=Document.Status.DELIVERED).first()
    aide_memoire = generated_documents.filter(kind=Document.Kind.AIDE_MEMOIRE).first()
    draft = (
        generated_documents.filter(kind=Document.Kind.NON_PAPER)
        .exclude(status=Document.Status.DELIVERED)
        .first()
    )
    documents = [each for each in (delivered, aide_memoire, draft) if each]
    membership = Membership.objects.filter(
        programme=programme, user=generated.users["facilitator"]
    ).first()
    return {
        "programme_id": [programme.public_id],
        "dialogue_id": [dialogue.public_id],
        "document_id": [each.public_id for each in documents],
        "session_id": [Session.objects.filter(dialogue=dialogue).order_by("pk").first().public_id],
        "participant_id": [
            Participant.objects.filter(programme=programme).order_by("code").first().public_id
        ],
        "entry_id": [
            DialogueParticipant.objects.filter(dialogue=dialogue).order_by("pk").first().public_id
        ],
        "indicator_id": [
            Indicator.objects.filter(programme=programme).order_by("pk").first().public_id
        ],
        "commitment_id": [
            c.public_id for c in Commitment.objects.filter(document=delivered).order_by("pk")[:1]
        ],
        "membership_id": [membership.public_id] if membership else [],
        "outcome_id": [
            each.public_id
            for each in OutcomeRecord.objects.filter(programme=programme).order_by("pk")[:1]
        ],
        "kind": ["framing"],
        "number": [1],
    }


@dataclass
class PageTiming:
    url: str
    user: str
    queries: int
    seconds: float


def _find_pages(generated, clients):
    """Every GET page of the three apps that answers 200 with HTML for one of the bench users,
    with the arguments filled from _candidates. Returns {name: PageTiming of that first
    request} and the names skipped, with why."""
    candidates = _candidates(generated)
    pages, skipped = {}, {}
    for namespace, name, arguments in _patterns(get_resolver()):
        full_name = f"{namespace}:{name}"
        missing = [argument for argument in arguments if not candidates.get(argument)]
        if missing:
            skipped[full_name] = f"no generated {', '.join(missing)}"
            continue
        statuses = set()
        for values in product(*(candidates[argument] for argument in arguments)):
            url = reverse(full_name, kwargs=dict(zip(arguments, values, strict=True)))
            for user_name, client in clients.items():
                recorder = _Recorder()
                started = time.perf_counter()
                with connection.execute_wrapper(recorder):
                    response, _ = _get(client, url)
                seconds = time.perf_counter() - started
                statuses.add(response.status_code)
                if response.status_code == 200 and response["Content-Type"].startswith(HTML):
                    pages[full_name] = PageTiming(url, user_name, len(recorder.statements), seconds)
                    break
                if response.status_code == 200:
                    statuses.add(response["Content-Type"].split(";")[0])
            if full_name in pages:
                break
        if full_name not in pages:
            skipped[full_name] = "answers " + ", ".join(sorted(map(str, statuses)))
    return pages, skipped


def measure_pages(ctx):
    """Queries and median time of every page at this scale (for R5 and R6)."""
    generated = ctx.generated
    clients = {name: _client(user) for name, user in generated.users.items()}
    # Trying each user logs every 403 and 404 with its traceback: not news here.
    request_logger = logging.getLogger("django.request")
    level = request_logger.level
    request_logger.setLevel(logging.ERROR)
    try:
        pages, skipped = _find_pages(generated, clients)
    finally:
        request_logger.setLevel(level)
    if ctx.quick:
        return pages, skipped  # the first request's count and time: numbers, not verdicts
    timings = {}
    for name, first in sorted(pages.items()):
        url, user_name = first.url, first.user
        client = clients[user_name]
        _get(client, url)  # warm-up
        recorder = _Recorder()
        with connection.execute_wrapper(recorder):
            _get(client, url)
        times = []
        for _ in range(ctx.runs):
            started = time.perf_counter()
            _get(client, url)
            times.append(time.perf_counter() - started)
        timings[name] = PageTiming(
            url, user_name, len(recorder.statements), statistics.median(times)
        )
    return timings, skipped


def compare_pages(small, large, small_scale, large_scale):
    """R5 and R6 from the pages measured at the smallest and the largest scale."""
    names = sorted(set(small) & set(large))
    label = f"{large_scale}÷{small_scale}"
    query_ratios = {
        name: large[name].queries / small[name].queries
        if small[name].queries
        else (1.0 if not large[name].queries else float("inf"))
        for name in names
    }
    time_ratios = {name: large[name].seconds / small[name].seconds for name in names}
    over_15 = [name for name in names if large[name].queries > 15 or small[name].queries > 15]
    worst_q = max(names, key=lambda name: abs(query_ratios[name] - 1.0))
    worst_t = max(names, key=lambda name: time_ratios[name])
    growing = [name for name in names if query_ratios[name] != 1.0]
    slow = [name for name in names if time_ratios[name] > 2.0]
    return [
        Result(
            "R5",
            label,
            query_ratios[worst_q],
            f"{query_ratios[worst_q]:.2f}",
            "= 1.0, ≤ 15 queries",
            not growing and not over_15,
            f"{len(names)} pages; worst {worst_q} ({small[worst_q].queries} → "
            f"{large[worst_q].queries}); growing: {len(growing)}; above 15 queries: "
            f"{len(over_15)}",
        ),
        Result(
            "R6",
            label,
            time_ratios[worst_t],
            f"{time_ratios[worst_t]:.2f}",
            "≤ 2.0",
            not slow,
            f"{len(names)} pages; worst {worst_t} ({_ms(small[worst_t].seconds)} → "
            f"{_ms(large[worst_t].seconds)}); above 2.0: {len(slow)}",
        ),
    ]


def page_table(small, large, small_scale, large_scale):
    """One line per page: queries and median time at both scales."""
    lines = [
        f"{'page':44} {'user':11} {'q ' + small_scale:>7} {'q ' + large_scale:>7} "
        f"{'ms ' + small_scale:>9} {'ms ' + large_scale:>9} {'ratio':>6}"
    ]
    for name in sorted(set(small) & set(large)):
        a, b = small[name], large[name]
        lines.append(
            f"{name:44} {a.user:11} {a.queries:>7} {b.queries:>7} {a.seconds * 1000:>9.1f} "
            f"{b.seconds * 1000:>9.1f} {b.seconds / a.seconds:>6.2f}"
        )
    return lines


# --- R7: the reminder sweep ------------------------------------------------------------------


def r7_reminder_sweep(ctx):
    """Finding the due reminders, claiming and delivering each (notifications and e-mails to
    the in-memory backend), as uptake.tasks.scan_reminders → deliver_reminders do, ÷ the bare
    indexed SELECT of the due rows on a raw cursor. The due batch is reset between runs;
    afterwards a second sweep must send nothing."""
    from uptake.services.reminders import reminders_deliver, reminders_due

    now = timezone.now()
    due_ids = reminders_due(now)
    table = Reminder._meta.db_table
    sent = {}

    def reset():
        Notification.objects.filter(reminder_id__in=due_ids).delete()
        Reminder.objects.filter(pk__in=due_ids).update(state=Reminder.State.PENDING, sent_at=None)

    def sweep():
        mail.outbox = []
        reached, _failed = reminders_deliver(reminders_due(now), now)
        sent["notifications"], sent["emails"] = reached, len(mail.outbox)
        sent["messages"] = list(mail.outbox)

    def emails_alone():
        """The same e-mails built and handed to the in-memory backend, no database: what any
        sweep sending them spends."""
        mailer = mail.mailers.default
        for message in sent["messages"]:
            copy = mail.EmailMessage(
                subject=message.subject,
                body=message.body,
                to=message.to,
                headers=message.extra_headers,
            )
            mailer.send_messages([copy])

    def bare_select():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE state = %s AND fire_at <= %s ORDER BY id",  # noqa: S608
                [Reminder.State.PENDING, now],
            )
            cursor.fetchall()

    sweep_times, select_times = [], []
    recorder = _Recorder()
    locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=locmem):
        for run in range(ctx.runs + 1):
            reset()
            started = time.perf_counter()
            bare_select()
            select_time = time.perf_counter() - started
            started = time.perf_counter()
            if run:
                sweep()
            else:  # the warm-up, counting its statements
                with connection.execute_wrapper(recorder):
                    sweep()
            sweep_time = time.perf_counter() - started
            if run:  # the first is the warm-up
                sweep_times.append(sweep_time)
                select_times.append(select_time)
        first = dict(sent)
        email_times = []
        for _run in range(ctx.runs):
            started = time.perf_counter()
            emails_alone()
            email_times.append(time.perf_counter() - started)
        sweep()
        second = dict(sent)
    ratio = statistics.median(sweep_times) / statistics.median(select_times)
    emails_ratio = statistics.median(email_times) / statistics.median(select_times)
    quiet = second["notifications"] == 0 and second["emails"] == 0
    return [
        Result(
            "R7",
            ctx.scale,
            ratio,
            f"{ratio:.1f}",
            "≤ 5.0, second sweep sends nothing",
            ratio <= 5.0 and quiet,
            f"{len(due_ids)} due reminders → {first['notifications']} notifications, "
            f"{first['emails']} e-mails in {_ms(statistics.median(sweep_times))}; SELECT "
            f"{_ms(statistics.median(select_times))}; second sweep sent {second['emails']}; "
            f"{len(recorder.statements)} SQL statements a sweep "
            f"({len(recorder.statements) / max(len(due_ids), 1):.0f} a reminder); the e-mails "
            f"alone, built and handed to the backend without the database, "
            f"{_ms(statistics.median(email_times))} ({emails_ratio:.0f}× the SELECT)",
        )
    ]


# --- R8: XLSX against CSV --------------------------------------------------------------------


def r8_exports(ctx):
    """The indicator values of the export programme (100,000 at fraction 1) as XLSX ÷ the
    same rows as CSV, through the download views; and the XLSX export's peak Python memory
    (tracemalloc) for those rows against the focus programme's far fewer."""
    generated = ctx.generated
    client = _client(generated.users["facilitator"])
    big = generated.export_programme
    small = generated.focus_programme
    sizes = {}

    def url(name, programme):
        return reverse(f"monitoring:indicator_values_{name}", args=[programme.public_id])

    def download(name, programme):
        response, size = _get(client, url(name, programme))
        if response.status_code != 200:
            raise RuntimeError(f"The {name} export answered {response.status_code}")
        sizes[name, programme.pk] = size

    xlsx_time, csv_time = _median_pair(
        lambda: download("xlsx", big), lambda: download("csv", big), ctx.runs, warm_up=not ctx.quick
    )
    rows = IndicatorValue.objects.filter(indicator__programme=big).count()
    small_rows = IndicatorValue.objects.filter(indicator__programme=small).count()
    peaks = {}
    for label, programme in (("small", small), ("big", big)):
        tracemalloc.start()
        download("xlsx", programme)
        peaks[label] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    ratio = xlsx_time / csv_time
    flat = peaks["big"] <= peaks["small"] * 1.5 + 2
    return [
        Result(
            "R8",
            ctx.scale,
            ratio,
            f"{ratio:.2f}",
            "≤ 5.0, memory flat",
            ratio <= 5.0 and flat,
            f"{rows:,} values: XLSX {_ms(xlsx_time)} ({sizes['xlsx', big.pk] / 2**20:.1f} MB), "
            f"CSV {_ms(csv_time)}; XLSX peak {peaks['big']:.1f} MB for {rows:,} rows, "
            f"{peaks['small']:.1f} MB for {small_rows:,}",
        )
    ]


FIGURES = {
    "R1": r1_donor_dashboard,
    "R2": r2_pdf_export,
    "R3": r3_scripts,
    "R4": r4_throughput,
    "R7": r7_reminder_sweep,
    "R8": r8_exports,
    "M1": m1_pdf_memory,
}
# Measured per scale and compared between the smallest and the largest.
PAGE_FIGURES = ("R5", "R6")
ALL_FIGURES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "M1")
