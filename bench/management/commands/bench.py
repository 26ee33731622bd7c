"""`manage.py bench`: generate the portfolio at each scale, measure the figures of issue 8 and
print one table (see docs/performance.md). It empties the database first, so it refuses any
database whose name does not contain "bench" (a test database aside)."""

import os
import platform
import re
import sqlite3
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.test.utils import override_settings
from django.utils import timezone

from bench import dataset, figures

DOC_PATH = Path(settings.BASE_DIR) / "docs" / "performance.md"
TABLE_START = "<!-- bench table start -->"
TABLE_END = "<!-- bench table end -->"


def database_label():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        return f"PostgreSQL {version}"
    return f"SQLite {sqlite3.sqlite_version}"


def check_database_is_for_benchmarks(name=None):
    """Raise CommandError unless the database `name` (default: the configured one) may be
    emptied: its name contains "bench", or it is a test database (in memory, or named with
    Django's test prefix, as the test runner names it)."""
    name = str(settings.DATABASES["default"]["NAME"] if name is None else name)
    if "bench" in name.lower() or name.startswith(TEST_DATABASE_PREFIX):
        return
    if SQLiteCreation.is_in_memory_db(name):
        return
    raise CommandError(
        f"The benchmark empties its database, and “{name}” does not look like a benchmark "
        "database. Use a database whose name contains “bench” (make bench does: "
        "var/bench/ on SQLite; with DATABASE_URL, for example …/parley_bench)."
    )


class Command(BaseCommand):
    help = "Generate the issue 8 portfolio at each scale and measure Parley against its limits."

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1,10", help="Comma-separated, e.g. 1,10.")
        parser.add_argument(
            "--fraction", type=float, default=1.0, help="Multiplies every count (smoke: 0.001)."
        )
        parser.add_argument("--runs", type=int, default=5, help="Timed runs per figure.")
        parser.add_argument("--seed", type=int, default=8)
        parser.add_argument(
            "--figures", default=",".join(figures.ALL_FIGURES), help="Subset, e.g. R5,R6."
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Shorter PDFs and load runs (the smoke test): numbers, not verdicts.",
        )
        parser.add_argument(
            "--write-doc", action="store_true", help="Rewrite the table in docs/performance.md."
        )

    def handle(self, *args, **options):
        check_database_is_for_benchmarks()
        try:
            scales = [float(each) for each in options["scales"].split(",") if each.strip()]
        except ValueError as error:
            raise CommandError("--scales takes numbers, e.g. 1,10") from error
        wanted = [each.strip().upper() for each in options["figures"].split(",") if each.strip()]
        unknown = set(wanted) - set(figures.ALL_FIGURES)
        if unknown or not scales or options["runs"] < 1:
            raise CommandError(f"Unknown figures {sorted(unknown)}, or no scales, or no runs.")
        header = self.header(options)
        self.stdout.write("\n".join(header))
        results, pages = [], {}
        # Signed-in requests would rewrite the session once a minute mid-run (one query
        # more, on whichever page was unlucky); the session is written once instead.
        with override_settings(SESSION_SEEN_RESOLUTION=10**9):
            for scale in scales:
                dataset.wipe()
                plan = dataset.plan(scale, options["fraction"])
                generated = dataset.generate(plan, seed=options["seed"], write=self.stdout.write)
                ctx = figures.Context(
                    generated, options["runs"], options["quick"], self.stdout.write
                )
                if {"R5", "R6"} & set(wanted):
                    started = time.perf_counter()
                    pages[scale], skipped = figures.measure_pages(ctx)
                    seconds = time.perf_counter() - started
                    self.stdout.write(
                        f"Measured {len(pages[scale])} pages at {ctx.scale} in {seconds:.1f} s"
                    )
                    for name, why in sorted(skipped.items()):
                        self.stdout.write(f"  not measured: {name} ({why})")
                for name, figure in figures.FIGURES.items():
                    if name in wanted:
                        started = time.perf_counter()
                        results.extend(figure(ctx))
                        seconds = time.perf_counter() - started
                        self.stdout.write(f"Measured {name} at {ctx.scale} in {seconds:.1f} s")
        page_lines = []
        if len(pages) > 1:  # R5 and R6 compare two scales
            small, large = min(pages), max(pages)
            labels = f"{small:g}×", f"{large:g}×"
            compared = figures.compare_pages(pages[small], pages[large], *labels)
            results.extend(row for row in compared if row.figure in wanted)
            page_lines = figures.page_table(pages[small], pages[large], *labels)
        table = self.table(results)
        self.stdout.write("")
        self.stdout.write("\n".join([*header, "", *table]))
        if page_lines:
            self.stdout.write("")
            self.stdout.write("\n".join(page_lines))
        if options["write_doc"]:
            self.write_doc(header, table, page_lines)

    def header(self, options):
        return [
            f"Parley benchmark, {timezone.now():%Y-%m-%d %H:%M} UTC",
            f"Database: {database_label()} ({connection.vendor}); Python "
            f"{platform.python_version()}; Django {django.get_version()}; "
            f"{os.cpu_count()} CPUs ({platform.machine()})",
            f"Scales {options['scales']}, fraction {options['fraction']:g}, "
            f"{options['runs']} runs after a warm-up, seed {options['seed']}"
            + (", quick" if options["quick"] else ""),
        ]

    def table(self, results):
        lines = [
            "| figure | scale | value | target | result | measured |",
            "|---|---|---|---|---|---|",
        ]
        for row in results:
            verdict = "pass" if row.passed else "MISS"
            lines.append(
                f"| {row.figure} | {row.scale} | {row.shown} | {row.target} | {verdict} | "
                f"{row.detail} |"
            )
        return lines

    def write_doc(self, header, table, page_lines):
        text = DOC_PATH.read_text()
        block = "\n".join(
            [TABLE_START, "", *[f"{line}  " for line in header], "", *table, ""]
            + (["```", *page_lines, "```", ""] if page_lines else [])
            + [TABLE_END]
        )
        pattern = re.compile(re.escape(TABLE_START) + ".*?" + re.escape(TABLE_END), re.S)
        if not pattern.search(text):
            raise CommandError(f"{DOC_PATH} has no {TABLE_START} … {TABLE_END} block.")
        DOC_PATH.write_text(pattern.sub(lambda _: block, text))
        self.stdout.write(f"Wrote the table to {DOC_PATH}")
