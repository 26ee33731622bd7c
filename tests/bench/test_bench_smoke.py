"""`manage.py bench` on a tiny portfolio, so the harness cannot rot unnoticed. The numbers
it prints mean nothing at this size (docs/performance.md); what matters is that every
figure is measured and printed, and that the data is the size the fraction asks for."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from bench import dataset, figures

FRACTION = 0.002
ROW = re.compile(r"^\| (?P<figure>[A-Z0-9]+)[^|]* \| (?P<scale>[^|]+) \| (?P<value>[^|]+) \|")


@pytest.mark.django_db
def test_bench_prints_every_figure_with_a_number_on_a_tiny_portfolio():
    # Content types and permissions are kept: every process (and the later tests) caches
    # them by id.
    kept = (
        {(ct.pk, ct.app_label, ct.model) for ct in ContentType.objects.all()},
        set(Permission.objects.values_list("pk", "codename")),
    )
    out = StringIO()
    call_command("bench", scales="1,10", fraction=FRACTION, runs=1, quick=True, stdout=out)
    printed = {}
    for line in out.getvalue().splitlines():
        match = ROW.match(line)
        if match and match["figure"] != "figure":
            number = re.match(r"[0-9]+(\.[0-9]+)?", match["value"].strip())
            assert number, line
            printed.setdefault(match["figure"], set()).add(match["scale"].strip())
    assert set(printed) == set(figures.ALL_FIGURES)
    for name in figures.FIGURES:
        assert printed[name] == {"1×", "10×"}, name
    assert printed["R5"] == printed["R6"] == {"10×÷1×"}

    assert {(ct.pk, ct.app_label, ct.model) for ct in ContentType.objects.all()} == kept[0]
    assert set(Permission.objects.values_list("pk", "codename")) == kept[1]

    # The last scale's data stays: ten times the 1x set, times the fraction, row for row.
    expected = {name: round(base * 10 * FRACTION) for name, base in dataset.BASE_COUNTS.items()}
    assert dataset.counts_in_database() == expected


def test_the_plan_follows_the_fraction_and_keeps_a_few_rows_of_each_kind():
    plan = dataset.plan(1, FRACTION)
    assert plan.counts["indicator_values"] == 2000
    assert plan.counts["attendance"] == 800
    # 150 x 0.002 rounds to 0: two programmes and two dialogues at least.
    assert plan.counts["programmes"] == plan.counts["dialogues"] == 2


def test_the_command_refuses_a_database_that_is_not_for_benchmarks(db):
    from django.core.management.base import CommandError

    from bench.management.commands.bench import check_database_is_for_benchmarks

    for name in ("/srv/parley/var/parley.sqlite3", "parley", "parley_test"):
        with pytest.raises(CommandError, match="does not look like a benchmark database"):
            check_database_is_for_benchmarks(name)
    check_database_is_for_benchmarks("parley_bench")
    check_database_is_for_benchmarks("/srv/parley/var/bench/parley.sqlite3")
    # The test runner's databases.
    check_database_is_for_benchmarks("test_parley")
    check_database_is_for_benchmarks("file:memorydb_default?mode=memory&cache=shared")
