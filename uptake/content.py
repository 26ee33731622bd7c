"""The text of a document, as a revision stores it (Revision.content, a JSON object).

A non-paper:
    {"problem": str,
     "steps": [{"text": str, "who": str, "when": str, "how": str, "ladder": 30 | 60 | 90 | None}],
     "legal_notes": str, "operational_notes": str}
An aide-mémoire:
    {"sections": [{"title": str, "body": str}]}

Everything that reads or writes content goes through here, so the shape is defined once:
normalising what a form or an old revision holds, listing what a non-paper still lacks, and
walking every piece of text for the non-attribution guard and the diff.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from uptake.models import DocumentKind

MIN_STEPS = 3
MAX_STEPS = 5
LADDER_DAYS = (30, 60, 90)
# Rows the editor offers at most; more cannot be saved (too_long).
MAX_STEP_ROWS = 12
MAX_SECTIONS = 30
# The longest text each field may hold, in characters: ample for a two-page non-paper and a
# short aide-mémoire, and small enough that the largest document allowed lays out in a few
# seconds (uptake.render_processes bounds the render itself whatever the text).
TEXT_MAX_LENGTHS = {
    "problem": 5000,
    "legal_notes": 5000,
    "operational_notes": 5000,
    "text": 2000,
    "who": 300,
    "when": 300,
    "how": 2000,
    "section_title": 200,
    "body": 10000,
}

NON_PAPER_FIELDS = ("problem", "legal_notes", "operational_notes")
STEP_FIELDS = ("text", "who", "when", "how")

# Sections a new aide-mémoire starts with; the writer renames, fills or drops them.
AIDE_MEMOIRE_SECTIONS = (
    _("Context"),
    _("What was explored"),
    _("Sensitivities and red lines"),
    _("Suggested handling"),
)

FIELD_LABELS = {
    "title": _("Title"),
    "problem": _("The problem"),
    "legal_notes": _("Legal notes"),
    "operational_notes": _("Operational notes"),
    "text": _("Step"),
    "who": _("Who"),
    "when": _("When"),
    "how": _("How"),
    "ladder": _("Ladder"),
    "section_title": _("Section title"),
    "body": _("Section text"),
}


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _ladder(value):
    try:
        days = int(value)
    except (TypeError, ValueError):
        return None
    return days if days in LADDER_DAYS else None


def normalise(kind, content):
    """`content` in its canonical shape: every key present, strings stripped, unknown keys
    and empty rows dropped. Accepts anything (an old revision, a form's cleaned data)."""
    content = content if isinstance(content, dict) else {}
    if kind == DocumentKind.AIDE_MEMOIRE:
        sections = []
        for section in content.get("sections") or []:
            if not isinstance(section, dict):
                continue
            title, body = _text(section.get("title")), _text(section.get("body"))
            if title or body:
                sections.append({"title": title, "body": body})
        return {"sections": sections}
    steps = []
    for step in content.get("steps") or []:
        if not isinstance(step, dict):
            continue
        cleaned = {name: _text(step.get(name)) for name in STEP_FIELDS}
        cleaned["ladder"] = _ladder(step.get("ladder"))
        if any(cleaned[name] for name in STEP_FIELDS):
            steps.append(cleaned)
    return {
        "problem": _text(content.get("problem")),
        "steps": steps,
        "legal_notes": _text(content.get("legal_notes")),
        "operational_notes": _text(content.get("operational_notes")),
    }


def empty(kind):
    """The content of a new, blank document of `kind`."""
    if kind == DocumentKind.AIDE_MEMOIRE:
        return {"sections": [{"title": str(title), "body": ""} for title in AIDE_MEMOIRE_SECTIONS]}
    return normalise(kind, {})


def non_paper_gaps(content):
    """What keeps a non-paper from leaving draft, as sentences for the editor (an empty list
    when nothing is missing)."""
    gaps = []
    if not content["problem"]:
        gaps.append(_("State the problem the steps address."))
    steps = content["steps"]
    if len(steps) < MIN_STEPS:
        gaps.append(
            _("Add steps: a non-paper carries %(min)s to %(max)s, this one has %(count)s.")
            % {"min": MIN_STEPS, "max": MAX_STEPS, "count": len(steps)}
        )
    elif len(steps) > MAX_STEPS:
        gaps.append(
            _("Cut steps: a non-paper carries %(min)s to %(max)s, this one has %(count)s.")
            % {"min": MIN_STEPS, "max": MAX_STEPS, "count": len(steps)}
        )
    for number, step in enumerate(steps, start=1):
        missing = [
            str(FIELD_LABELS[name]).lower() for name in ("who", "when", "how") if not step[name]
        ]
        if not step["text"]:
            gaps.append(_("Step %(number)s: say what the step is.") % {"number": number})
        if missing:
            gaps.append(
                _("Step %(number)s has no %(missing)s.")
                % {"number": number, "missing": _(" or ").join(missing)}
            )
        if step["ladder"] is None:
            gaps.append(
                _("Step %(number)s is not placed on the 30/60/90-day ladder.") % {"number": number}
            )
    return gaps


@dataclass(frozen=True)
class Passage:
    """One piece of a document's text, with a label a reader understands ("Step 2 · How")."""

    key: str
    label: str
    text: str


def passages(kind, title, content):
    """Every piece of text of a document, in reading order, the title first."""
    found = [Passage("title", str(FIELD_LABELS["title"]), title)]
    if kind == DocumentKind.AIDE_MEMOIRE:
        for number, section in enumerate(content["sections"], start=1):
            label = _("Section %(number)s") % {"number": number}
            found.append(
                Passage(f"sections.{number}.title", f"{label} · {_('title')}", section["title"])
            )
            found.append(Passage(f"sections.{number}.body", str(label), section["body"]))
        return found
    found.append(Passage("problem", str(FIELD_LABELS["problem"]), content["problem"]))
    for number, step in enumerate(content["steps"], start=1):
        label = _("Step %(number)s") % {"number": number}
        for name in STEP_FIELDS:
            suffix = "" if name == "text" else f" · {FIELD_LABELS[name]}"
            found.append(Passage(f"steps.{number}.{name}", f"{label}{suffix}", step[name]))
        ladder = step["ladder"]
        found.append(
            Passage(
                f"steps.{number}.ladder",
                f"{label} · {FIELD_LABELS['ladder']}",
                str(ladder_label(ladder)) if ladder else "",
            )
        )
    for name in ("legal_notes", "operational_notes"):
        found.append(Passage(name, str(FIELD_LABELS[name]), content[name]))
    return found


def too_long(kind, content):
    """What in normalised `content` passes the size limits (MAX_STEP_ROWS or MAX_SECTIONS
    rows, TEXT_MAX_LENGTHS per field), as sentences naming the passage; empty when nothing
    does. The title's limit is the Document model's."""
    problems = []
    if kind == DocumentKind.AIDE_MEMOIRE:
        if len(content["sections"]) > MAX_SECTIONS:
            problems.append(
                _("An aide-mémoire holds at most %(max)s sections; this one has %(count)s.")
                % {"max": MAX_SECTIONS, "count": len(content["sections"])}
            )
    elif len(content["steps"]) > MAX_STEP_ROWS:
        problems.append(
            _("A non-paper holds at most %(max)s step rows; this one has %(count)s.")
            % {"max": MAX_STEP_ROWS, "count": len(content["steps"])}
        )
    for passage in passages(kind, "", content):
        path = passage.key.split(".")
        field = "section_title" if path[0] == "sections" and path[-1] == "title" else path[-1]
        limit = TEXT_MAX_LENGTHS.get(field)
        if limit is not None and len(passage.text) > limit:
            problems.append(
                _("%(passage)s is %(length)s characters long; the limit is %(limit)s.")
                % {"passage": passage.label, "length": len(passage.text), "limit": limit}
            )
    return problems


def ladder_label(days):
    return _("%(days)s days") % {"days": days}
