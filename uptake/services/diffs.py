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
    passage either has, in reading order; passages are matched by position ("Step 2 · How"),
    so a reordered step reads as changed text."""
    old_passages = {
        p.key: p
        for p in document_content.passages(
            kind, old.title, document_content.normalise(kind, old.content)
        )
    }
    new_passages = document_content.passages(
        kind, new.title, document_content.normalise(kind, new.content)
    )
    seen, result = set(), []
    for passage in new_passages:
        before = old_passages.get(passage.key)
        seen.add(passage.key)
        result.append(
            PassageDiff(passage.label, _line_diff(before.text if before else "", passage.text))
        )
    for key, passage in old_passages.items():
        if key not in seen:
            result.append(PassageDiff(passage.label, _line_diff(passage.text, "")))
    return result
