"""A readable comparison of two revisions, passage by passage and line by line."""

import difflib
from dataclasses import dataclass

from uptake import content as document_content


@dataclass(frozen=True)
class DiffLine:
    """One line of a passage: "same", "removed" or "added"."""

    change: str
    text: str


@dataclass(frozen=True)
class PassageDiff:
    label: str
    lines: list

    @property
    def changed(self):
        return any(line.change != "same" for line in self.lines)


def _lines(text):
    return text.splitlines() or ([""] if text else [])


def _line_diff(old, new):
    old_lines, new_lines = _lines(old), _lines(new)
    diff = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            diff += [DiffLine("same", line) for line in old_lines[i1:i2]]
            continue
        diff += [DiffLine("removed", line) for line in old_lines[i1:i2]]
        diff += [DiffLine("added", line) for line in new_lines[j1:j2]]
    return diff


def revision_diff(kind, old, new):
    """The passages of revisions `old` and `new` (Revision) side by side: a PassageDiff per
    passage either has, in reading order (a passage only `old` has stays where it stood);
    passages are matched by position ("Step 2 · How"), so a reordered step reads as changed
    text."""
    old_passages = document_content.passages(
        kind, old.title, document_content.normalise(kind, old.content)
    )
    new_passages = document_content.passages(
        kind, new.title, document_content.normalise(kind, new.content)
    )
    old_by_key = {p.key: p for p in old_passages}
    new_keys = {p.key for p in new_passages}
    # Walk the new passages in order, slipping each passage only the old revision has in
    # after the old passage it followed.
    gone_after = {}
    previous = None
    for passage in old_passages:
        if passage.key not in new_keys:
            gone_after.setdefault(previous, []).append(passage)
        else:
            previous = passage.key

    def gone(after_key):
        return [PassageDiff(p.label, _line_diff(p.text, "")) for p in gone_after.get(after_key, [])]

    result = gone(None)
    for passage in new_passages:
        before = old_by_key.get(passage.key)
        result.append(
            PassageDiff(passage.label, _line_diff(before.text if before else "", passage.text))
        )
        result += gone(passage.key)
    return result
