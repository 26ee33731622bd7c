"""Template mistakes that render as text instead of failing."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATE_DIRS = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
# Django's {# #} comments end at the line's end: one that spans lines is printed on the page.
UNCLOSED_COMMENT = re.compile(r"\{#(?![^\n]*#\})")


def test_no_single_line_comment_runs_over_a_line_break():
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if UNCLOSED_COMMENT.search(line):
                    offenders.append(f"{path.relative_to(directory)}:{number}")
    assert offenders == [], "use {% comment %} for comments over several lines"
