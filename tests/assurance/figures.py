"""The figures the assurance checks print at the end of a run (tests/assurance/conftest.py):
each check records one line, shown in `make test` output whatever the verbosity."""

RECORDED = {}


def record(check, line):
    """Record (or replace) the figure of `check`, e.g. "Authorization matrix"."""
    RECORDED[check] = line
