"""The readable diff between two revisions: passage by passage, line by line."""

from tests.uptake.factories import aide_memoire, non_paper, save, step, steps
from uptake.models import Document, Revision
from uptake.services import documents as services
from uptake.services.diffs import DiffLine, revision_diff

NON_PAPER = Document.Kind.NON_PAPER
AIDE_MEMOIRE = Document.Kind.AIDE_MEMOIRE


def _revision(document, number):
    return Revision.objects.get(document=document, number=number)


def _by_label(diff):
    return {passage.label: passage for passage in diff}


def _changes(passage):
    return [(line.change, line.text) for line in passage.lines]


def test_a_changed_line_is_marked_removed_then_added_and_the_others_stay_the_same(
    dialogue, facilitator
):
    document = non_paper(
        dialogue, facilitator, problem="Convoys wait days.\nCheckpoints close early.\nNo hotline."
    )
    save(
        document, facilitator, problem="Convoys wait days.\nCheckpoints close at noon.\nNo hotline."
    )

    diff = revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 3))

    problem = _by_label(diff)["The problem"]
    assert problem.changed
    assert _changes(problem) == [
        ("same", "Convoys wait days."),
        ("removed", "Checkpoints close early."),
        ("added", "Checkpoints close at noon."),
        ("same", "No hotline."),
    ]


def test_passages_that_did_not_change_are_shown_unchanged(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    save(document, facilitator, legal_notes="Reviewed against the sanctions regime.")

    diff = revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 3))

    assert [p.label for p in diff if p.changed] == ["Legal notes"]
    assert _changes(_by_label(diff)["Step 1 · How"]) == [("same", "Through the existing hotline")]


def test_the_diff_of_a_revision_with_itself_has_no_change(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    head = services.head_revision(document)
    assert not any(p.changed for p in revision_diff(NON_PAPER, head, head))


def test_a_new_title_shows_up(dialogue, facilitator):
    document = non_paper(dialogue, facilitator, title="Old title")
    save(document, facilitator, title="New title")

    diff = revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 3))

    assert diff[0].label == "Title"
    assert _changes(diff[0]) == [("removed", "Old title"), ("added", "New title")]


def test_an_added_step_shows_up_as_added_lines_in_its_place(dialogue, facilitator):
    document = non_paper(dialogue, facilitator, steps=steps(3))
    save(document, facilitator, steps=[*steps(3), step(4, who="The ICRC", ladder=90)])

    diff = revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 3))

    labels = [p.label for p in diff]
    assert labels.index("Step 4") == labels.index("Step 3 · Ladder") + 1
    assert labels.index("Step 4 · Ladder") < labels.index("Legal notes")
    added = _by_label(diff)
    assert _changes(added["Step 4"]) == [("added", "Open crossing 4 for convoys")]
    assert _changes(added["Step 4 · Who"]) == [("added", "The ICRC")]
    assert _changes(added["Step 4 · Ladder"]) == [("added", "90 days")]
    assert [p.label for p in diff if p.changed] == [
        "Step 4",
        "Step 4 · Who",
        "Step 4 · When",
        "Step 4 · How",
        "Step 4 · Ladder",
    ]


def test_a_removed_step_shows_up_as_removed_lines_where_it_stood(dialogue, facilitator):
    document = non_paper(dialogue, facilitator, steps=steps(4))
    save(document, facilitator, steps=steps(3))

    diff = revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 3))

    removed = _by_label(diff)
    assert _changes(removed["Step 4"]) == [("removed", "Open crossing 4 for convoys")]
    assert _changes(removed["Step 4 · Ladder"]) == [("removed", "30 days")]
    assert [p.label for p in diff if p.changed] == [
        "Step 4",
        "Step 4 · Who",
        "Step 4 · When",
        "Step 4 · How",
        "Step 4 · Ladder",
    ]
    # Reading order: the removed step comes after step 3 and before the notes.
    labels = [p.label for p in diff]
    assert labels.index("Step 3 · Ladder") < labels.index("Step 4") < labels.index("Legal notes")
    assert labels[-1] == "Operational notes"


def test_a_step_moved_on_the_ladder_shows_its_old_and_new_place(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    save(document, facilitator, steps=[step(1), step(2, ladder=60), step(3)])

    diff = revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 3))

    assert [p.label for p in diff if p.changed] == ["Step 2 · Ladder"]
    assert _changes(_by_label(diff)["Step 2 · Ladder"]) == [
        ("removed", "30 days"),
        ("added", "60 days"),
    ]


def test_any_two_revisions_can_be_compared_in_either_order(dialogue, facilitator):
    document = non_paper(dialogue, facilitator, legal_notes="First.")
    save(document, facilitator, legal_notes="Second.")
    save(document, facilitator, legal_notes="Third.")

    forward = _by_label(revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 4)))
    backward = _by_label(revision_diff(NON_PAPER, _revision(document, 4), _revision(document, 2)))

    assert _changes(forward["Legal notes"]) == [("removed", "First."), ("added", "Third.")]
    assert _changes(backward["Legal notes"]) == [("removed", "Third."), ("added", "First.")]


def test_an_empty_passage_that_gets_text_shows_only_added_lines(dialogue, facilitator):
    document = non_paper(dialogue, facilitator, operational_notes="")
    save(document, facilitator, operational_notes="Meet weekly.\nReport monthly.")

    diff = revision_diff(NON_PAPER, _revision(document, 2), _revision(document, 3))

    assert _by_label(diff)["Operational notes"].lines == [
        DiffLine("added", "Meet weekly."),
        DiffLine("added", "Report monthly."),
    ]


def test_aide_memoire_sections_added_changed_and_removed_show_up(dialogue, facilitator):
    document = aide_memoire(
        dialogue,
        facilitator,
        sections=[
            {"title": "Context", "body": "Closed in March."},
            {"title": "Red lines", "body": "No armed escorts."},
        ],
    )
    save(document, facilitator, sections=[{"title": "Context", "body": "Closed in April."}])

    diff = revision_diff(AIDE_MEMOIRE, _revision(document, 2), _revision(document, 3))

    assert [p.label for p in diff] == [
        "Title",
        "Section 1 · title",
        "Section 1",
        "Section 2 · title",
        "Section 2",
    ]
    by_label = _by_label(diff)
    assert _changes(by_label["Section 1"]) == [
        ("removed", "Closed in March."),
        ("added", "Closed in April."),
    ]
    assert _changes(by_label["Section 2 · title"]) == [("removed", "Red lines")]
    assert _changes(by_label["Section 2"]) == [("removed", "No armed escorts.")]
    assert not by_label["Section 1 · title"].changed
