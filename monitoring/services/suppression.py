"""Small-cell suppression of counts of people before they reach a donor.

The rules (the donor pages and the PDF report say them in plain words):

- A count of 1 to 4 people shows as "<5". Zero shows as 0: it identifies no one.
- A share or a breakdown is hidden when its group has fewer than 10 people.
- Secondary suppression: once a cell of a breakdown shows as "<5", every other non-zero cell
  of it is hidden too, so the total and the cells still shown never pin a small cell down.
  When a breakdown has so few people per non-zero cell that even this could pin one (at
  most 4 per non-zero cell on average), the breakdown is not shown at all.

Why so strict: the rules are public, so a reader can work back from what a rule chose to
hide, not only from the numbers. Every decision here depends only on what ends up displayed
(the total, which cells are zero, which are small), so two breakdowns that display alike
are indistinguishable; tests/monitoring/test_suppression.py checks by brute force that no
display pins any hidden cell to one value.

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

    @property
    def is_complete(self):
        """Shown with every cell as its number: nothing in it is hidden."""
        return self.is_shown and all(cell.count is not None for cell in self.cells)


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
    small = [is_small(count) for count in counts]
    if not any(small):
        return SafeBreakdown(
            total=total,
            total_display=total_display,
            cells=tuple(
                SafeCell(
                    label=label,
                    count=count,
                    percent=100 * count / total,
                    display=number_format(count, force_grouping=True),
                )
                for label, count in zip(labels, counts, strict=True)
            ),
        )
    if total <= (SMALL_COUNT_LIMIT - 1) * sum(1 for count in counts if count):
        # Every non-zero cell could be small: hiding the rest would not stop a reader from
        # pinning one (16 people over four non-zero cells, all "<5", are four each).
        return SafeBreakdown(
            total=total,
            total_display=total_display,
            cells=(),
            hidden_reason=_("Some groups are very small: the breakdown is not shown."),
        )
    hidden_label = str(_("hidden"))
    return SafeBreakdown(
        total=total,
        total_display=total_display,
        cells=tuple(
            SafeCell(label=label, count=0, percent=0.0, display="0")
            if count == 0
            else SafeCell(
                label=label,
                count=None,
                percent=None,
                display=SMALL if is_small(count) else hidden_label,
                small=is_small(count),
                hidden=not is_small(count),
            )
            for label, count in zip(labels, counts, strict=True)
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
