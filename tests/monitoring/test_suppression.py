"""Small-cell suppression for donors: no count from 1 to 4 is ever displayed, shares and
breakdowns of fewer than 10 people are hidden, and no hidden cell can be worked out by a
reader who knows the rules: every breakdown that produces a given display is enumerated by
brute force, and each hidden cell must take more than one value among them."""

import itertools
from collections import defaultdict

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.services.suppression import (
    HIDDEN,
    MIN_GROUP,
    SMALL,
    safe_count,
    suppress_breakdown,
    suppress_share,
)

breakdowns = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=5)


def _shown_numbers(breakdown):
    shown = [breakdown.total_display] + [cell.display for cell in breakdown.cells]
    return [int(text.replace(",", "")) for text in shown if text not in (SMALL, HIDDEN)]


@settings(max_examples=400, deadline=None, database=None)
@given(breakdowns)
def test_no_displayed_count_is_between_one_and_four(counts):
    breakdown = suppress_breakdown(sum(counts), [(f"cell {i}", c) for i, c in enumerate(counts)])
    assert not [number for number in _shown_numbers(breakdown) if 1 <= number <= 4]
    assert all(cell.percent is None for cell in breakdown.cells if cell.count is None)


def _display(total, counts):
    breakdown = suppress_breakdown(total, [(f"cell {i}", c) for i, c in enumerate(counts)])
    return (breakdown.total_display, tuple(cell.display for cell in breakdown.cells))


def _compositions(total, parts):
    """Every way to share `total` people among `parts` cells (zeros allowed)."""
    for cuts in itertools.combinations(range(total + parts - 1), parts - 1):
        bounds = (-1, *cuts, total + parts - 1)
        yield tuple(bounds[i + 1] - bounds[i] - 1 for i in range(parts))


@pytest.mark.parametrize("parts", [2, 3, 4])
def test_no_display_pins_a_hidden_cell_for_a_reader_who_knows_the_rules(parts):
    # Group every breakdown of 0 to 40 people over `parts` cells by what a donor would see;
    # within a group, a cell the donor cannot read must differ somewhere, or it is pinned.
    for total in range(41):
        seen = defaultdict(list)
        for counts in _compositions(total, parts):
            seen[_display(total, counts)].append(counts)
        for (_total_display, cells), members in seen.items():
            for position in range(parts):
                if cells and cells[position] not in (SMALL, HIDDEN):
                    continue  # shown as a number: nothing to protect
                values = {counts[position] for counts in members}
                assert len(values) > 1 or values == {0}, (
                    total,
                    cells,
                    position,
                    values,
                )


@settings(max_examples=300, deadline=None, database=None)
@given(breakdowns)
def test_a_breakdown_of_fewer_than_ten_people_is_hidden_and_a_larger_one_keeps_big_cells(counts):
    total = sum(counts)
    breakdown = suppress_breakdown(total, [(f"cell {i}", c) for i, c in enumerate(counts)])
    if total < MIN_GROUP:
        assert not breakdown.is_shown and breakdown.hidden_reason
    elif breakdown.is_shown:
        for cell, count in zip(breakdown.cells, counts, strict=True):
            # A cell is only hidden when it is small or needed to protect a small one.
            if cell.count is None:
                assert 1 <= count <= 4 or any(1 <= c <= 4 for c in counts)
            else:
                assert cell.count == count and cell.percent == 100 * count / total


def test_suppression_applies_where_a_group_is_small_and_not_where_every_group_is_large():
    clear = suppress_breakdown(21, [("Women", 10), ("Men", 11), ("Other", 0)])
    assert [cell.display for cell in clear.cells] == ["10", "11", "0"]
    assert clear.total_display == "21"

    # 3 is small; 21 - 9 - 9 would give it away, so every other non-zero cell is hidden.
    protected = suppress_breakdown(21, [("Women", 9), ("Men", 9), ("Other", 3), ("None", 0)])
    assert [cell.display for cell in protected.cells] == [HIDDEN, HIDDEN, SMALL, "0"]

    # At most four per cell on average: even that could pin one, so nothing is shown.
    assert not suppress_breakdown(12, [("A", 4), ("B", 4), ("C", 4)]).is_shown
    # Too small a group: the total alone, as "<5" or as the number.
    assert suppress_breakdown(3, [("A", 3)]).total_display == SMALL
    assert suppress_breakdown(8, [("A", 5), ("B", 3)]).total_display == "8"


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
@settings(max_examples=300, deadline=None, database=None)
def test_a_share_never_reveals_fewer_than_five_people(part, rest):
    share = suppress_share(part, part + rest)
    if share.percent is not None:
        assert part + rest >= MIN_GROUP
        assert not 1 <= part <= 4 and not 1 <= rest <= 4
    else:
        assert share.hidden_reason


def test_counts_are_shown_exactly_from_five_with_grouping_in_the_readers_language():
    assert [safe_count(n) for n in (0, 1, 4, 5, 12)] == ["0", SMALL, SMALL, "5", "12"]
    with translation.override("fr"):
        assert safe_count(12345).replace("\u202f", " ").replace("\xa0", " ") == "12 345"


def test_cells_that_do_not_add_up_to_the_total_are_refused():
    with pytest.raises(ValueError):
        suppress_breakdown(10, [("A", 5), ("B", 6)])
