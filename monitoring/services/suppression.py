"""Small-cell suppression of counts of people before they reach a donor.

The rules (the donor pages and the PDF report say them in plain words):

- A count of 1 to 4 people shows as "<5". Zero shows as 0: it identifies no one.
- A share or a breakdown is hidden when its group has fewer than 10 people.
- Secondary suppression: once a cell of a breakdown is hidden, the total and the cells still
  shown must not pin it down. A reader knows the total, every shown cell, that a "<5" cell
  holds 1 to 4 and that a cell hidden for this reason holds at least 5; a hidden cell is
  *recoverable* when those facts leave it exactly one possible value (e.g. total 12, shown
  cells 10, one "<5" cell: it must be 2). While any hidden cell is recoverable the smallest
  shown non-zero cell is hidden too; when nothing is left to hide, the whole breakdown is.

Attendance rows (one person at one session) are treated as counts of people: a handful of
attendances can point at a handful of people.
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

SMALL_COUNT_LIMIT = 5  # counts from 1 to SMALL_COUNT_LIMIT - 1 are shown as "<5"
MIN_GROUP = 10  # shares and breakdowns of fewer people are hidden
SMALL = "<5"
# Shown instead of a cell hidden by secondary suppression (translated where it is displayed).
HIDDEN = "hidden"

SMALL_RANGE = (1, SMALL_COUNT_LIMIT - 1)
# What a reader can infer about a secondarily hidden cell: it was not small, so at least 5.
HIDDEN_RANGE_LOW = SMALL_COUNT_LIMIT


def is_small(count):
    return 0 < count < SMALL_COUNT_LIMIT


def safe_count(count):
    """The display of a count of people: "<5" for 1 to 4, the number otherwise."""
    return SMALL if is_small(count) else number_format(count, force_grouping=True)


@dataclass(frozen=True)
class SafeCell:
    label: str
    # The count and share a donor may see; None when hidden.
    count: int | None
    percent: float | None
    display: str
    small: bool = False  # hidden because it is 1 to 4
    hidden: bool = False  # hidden so that a small cell cannot be worked out


@dataclass(frozen=True)
class SafeBreakdown:
    total: int | None
    total_display: str
    # Empty when the whole breakdown is hidden (see hidden_reason).
    cells: tuple[SafeCell, ...]
    hidden_reason: str = ""

    @property
    def is_shown(self):
        return bool(self.cells)


def _feasible_range(index, hidden, total_hidden):
    """The values hidden cell `index` can take given the others' ranges and their sum."""
    low, high = hidden[index]
    others_low = sum(lo for i, (lo, _hi) in enumerate(hidden) if i != index)
    others_high = sum(hi for i, (_lo, hi) in enumerate(hidden) if i != index)
    return max(low, total_hidden - others_high), min(high, total_hidden - others_low)


def _recoverable(counts, small, hidden, total):
    """Whether a reader can pin down any hidden cell from the total and the shown cells."""
    ranges = []
    for index in range(len(counts)):
        if index in small:
            ranges.append(SMALL_RANGE)
        elif index in hidden:
            ranges.append((HIDDEN_RANGE_LOW, total))
    if not ranges:
        return False
    shown_sum = sum(c for i, c in enumerate(counts) if i not in small and i not in hidden)
    total_hidden = total - shown_sum
    return any(
        low == high
        for low, high in (
            _feasible_range(index, ranges, total_hidden) for index in range(len(ranges))
        )
    )


def suppress_breakdown(total, cells):
    """Make `cells` ([(label, count), ...], adding up to `total` people) safe for a donor.

    Returns a SafeBreakdown; raises ValueError when the cells do not add up to the total
    (a breakdown that does not partition its group cannot be protected this way).
    """
    labels = [str(label) for label, _count in cells]
    counts = [count for _label, count in cells]
    if sum(counts) != total:
        raise ValueError("A breakdown's cells must add up to its total.")
    total_display = safe_count(total)
    if total < MIN_GROUP:
        return SafeBreakdown(
            total=None if is_small(total) else total,
            total_display=total_display,
            cells=(),
            hidden_reason=_("Fewer than 10 people: the breakdown is not shown.")
            if total
            else _("No one to count yet."),
        )
    small = {index for index, count in enumerate(counts) if is_small(count)}
    hidden = set()
    while _recoverable(counts, small, hidden, total):
        candidates = [
            index
            for index, count in enumerate(counts)
            if count and index not in small and index not in hidden
        ]
        if not candidates:
            return SafeBreakdown(
                total=total,
                total_display=total_display,
                cells=(),
                hidden_reason=_("Too few people in each group: the breakdown is not shown."),
            )
        hidden.add(min(candidates, key=lambda index: (counts[index], index)))
    return SafeBreakdown(
        total=total,
        total_display=total_display,
        cells=tuple(
            SafeCell(
                label=label,
                count=None,
                percent=None,
                display=SMALL if index in small else str(_("hidden")),
                small=index in small,
                hidden=index in hidden,
            )
            if index in small or index in hidden
            else SafeCell(
                label=label,
                count=count,
                percent=100 * count / total,
                display=number_format(count, force_grouping=True),
            )
            for index, (label, count) in enumerate(zip(labels, counts, strict=True))
        ),
    )


@dataclass(frozen=True)
class SafeShare:
    percent: float | None
    hidden_reason: str = ""


def suppress_share(numerator, denominator):
    """A share of a group of people for a donor: hidden when the group has fewer than 10, and
    when either side of it is 1 to 4 people (the share and the group would give it away)."""
    if denominator < MIN_GROUP:
        return SafeShare(
            None, _("Fewer than 10 people: not shown.") if denominator else _("Nothing to count.")
        )
    if is_small(numerator) or is_small(denominator - numerator):
        return SafeShare(None, _("Would reveal fewer than 5 people: not shown."))
    return SafeShare(100 * numerator / denominator)
