"""Prints the assurance checks' figures after the test summary (see figures.py)."""

from tests.assurance import figures


def pytest_terminal_summary(terminalreporter):
    if not figures.RECORDED:
        return
    terminalreporter.section("assurance figures")
    for check, line in figures.RECORDED.items():
        terminalreporter.write_line(f"{check}: {line}")
