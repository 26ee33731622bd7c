"""Drafting services and the document models: creation from the package, revisions without lost
work, restore, the status workflow and its gaps, freezing, iterations, sharing and comments."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from guardian.shortcuts import assign_perm

from dialogues.models import Dialogue
from tests.dialogues.factories import DialogueFactory, OptionFactory
from tests.uptake.factories import (
    aide_memoire,
    deliver,
    move,
    non_paper,
    non_paper_content,
    on_roster,
    packaged_option,
    save,
    step,
    steps,
)
from uptake import content as document_content
from uptake.models import Comment, Document, DocumentEvent, Revision
from uptake.services import documents as services
from uptake.services import events
from uptake.services.readers import readers_of

Status = Document.Status
DRAFT, REVIEW, READY, DELIVERED = Status.DRAFT, Status.IN_REVIEW, Status.READY, Status.DELIVERED


def _revisions(document):
    return list(document.revisions.order_by("number"))


# Creation ------------------------------------------------------------------------------------


def test_a_non_paper_drafted_from_the_package_has_one_step_per_option_in_package_order(
    dialogue, facilitator
):
    # Created in the order A, B, C; the package orders them B, A, C.
    packaged_option(
        dialogue,
        position=2,
        title="Weekly convoy window",
        description="Every Tuesday.",
        who="Both liaison offices",
        when="Within 30 days",
        how="Notified through the hotline",
    )
    packaged_option(
        dialogue,
        position=1,
        title="Joint checkpoint log",
        description="",
        who="Checkpoint commanders",
        when="From the first week",
        how="A shared paper register",
    )
    packaged_option(
        dialogue,
        position=3,
        title="Forensic identification protocol",
        description="For remains found near the line.",
        who="The ICRC and both health ministries",
        when="Within 90 days",
        how="A pilot at one site",
    )

    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)

    [revision] = _revisions(document)
    assert revision.content == {
        "problem": "Agree access triggers for one corridor.",
        "steps": [
            {
                "text": "Joint checkpoint log",
                "who": "Checkpoint commanders",
                "when": "From the first week",
                "how": "A shared paper register",
                "ladder": None,
            },
            {
                "text": "Weekly convoy window: Every Tuesday.",
                "who": "Both liaison offices",
                "when": "Within 30 days",
                "how": "Notified through the hotline",
                "ladder": None,
            },
            {
                "text": "Forensic identification protocol: For remains found near the line.",
                "who": "The ICRC and both health ministries",
                "when": "Within 90 days",
                "how": "A pilot at one site",
                "ladder": None,
            },
        ],
        "legal_notes": "",
        "operational_notes": "",
    }


def test_a_new_non_paper_is_a_first_draft_whose_first_revision_says_where_it_came_from(
    dialogue, facilitator
):
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)

    document.refresh_from_db()
    assert document.kind == Document.Kind.NON_PAPER
    assert document.status == DRAFT
    assert (document.version, document.head) == (1, 1)
    assert document.title == "Non-paper: Corridor triggers"
    assert document.created_by == facilitator
    [revision] = _revisions(document)
    assert revision.number == 1
    assert revision.author == facilitator
    assert revision.note == "Drafted from the package"
    assert revision.title == "Non-paper: Corridor triggers"
    assert revision.created_at is not None
    [event] = document.events.all()
    assert (event.kind, event.actor, event.revision_number) == (
        DocumentEvent.Kind.CREATED,
        facilitator,
        1,
    )


def test_options_left_out_of_the_package_do_not_become_steps(dialogue, facilitator):
    packaged_option(dialogue, position=1, title="Carried forward")
    OptionFactory(dialogue=dialogue, title="Dropped after testing")

    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)

    texts = [s["text"] for s in services.head_revision(document).content["steps"]]
    assert texts == ["Carried forward"]


def test_a_non_paper_can_be_drafted_under_a_title_of_the_writers_choosing(dialogue, facilitator):
    document = services.non_paper_create_from_package(
        dialogue=dialogue, actor=facilitator, title="  Corridor options  "
    )
    assert document.title == "Corridor options"
    assert services.head_revision(document).title == "Corridor options"


def test_a_dialogue_with_a_long_title_still_gets_a_non_paper_with_a_title_that_fits(
    programme, facilitator
):
    # The drafting page offers no title field: the default title must always be valid.
    dialogue = DialogueFactory(programme=programme, title="Corridor " * 22)
    assert len(dialogue.title) > 190

    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)

    assert document.title.startswith("Non-paper: Corridor Corridor")
    assert len(document.title) <= Document._meta.get_field("title").max_length


def test_an_abandoned_dialogue_produces_no_documents(dialogue, facilitator):
    Dialogue.objects.filter(pk=dialogue.pk).update(status=Dialogue.Status.ABANDONED)

    with pytest.raises(ValidationError, match="abandoned"):
        services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)
    with pytest.raises(ValidationError, match="abandoned"):
        services.aide_memoire_create(dialogue=dialogue, actor=facilitator, title="Handling")
    assert not Document.objects.exists()
    assert not Revision.objects.exists()


def test_a_new_aide_memoire_has_the_usual_sections_and_its_writer_as_only_reader(dialogue, officer):
    document = services.aide_memoire_create(dialogue=dialogue, actor=officer, title="Handling")

    assert document.kind == Document.Kind.AIDE_MEMOIRE
    assert document.status == DRAFT
    [revision] = _revisions(document)
    assert [s["title"] for s in revision.content["sections"]] == [
        "Context",
        "What was explored",
        "Sensitivities and red lines",
        "Suggested handling",
    ]
    assert all(s["body"] == "" for s in revision.content["sections"])
    assert revision.note == "Started"
    assert readers_of(document) == [officer]
    assert document.events.get().kind == DocumentEvent.Kind.CREATED


def test_an_aide_memoire_accompanies_only_a_non_paper_of_its_own_dialogue(
    dialogue, programme, facilitator
):
    own = non_paper(dialogue, facilitator)
    elsewhere = non_paper(DialogueFactory(programme=programme), facilitator)
    other_aide = aide_memoire(dialogue, facilitator)

    for wrong in (elsewhere, other_aide):
        with pytest.raises(ValidationError) as refused:
            services.aide_memoire_create(
                dialogue=dialogue, actor=facilitator, title="Handling", non_paper=wrong
            )
        assert refused.value.message_dict == {"non_paper": ["Choose a non-paper of this dialogue."]}

    linked = services.aide_memoire_create(
        dialogue=dialogue, actor=facilitator, title="Handling", non_paper=own
    )
    assert linked.non_paper == own
    assert list(own.aide_memoires.all()) == [linked]


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Give the document a title."),
        ("   ", "Give the document a title."),
        ("x" * 201, "Keep the title under 200 characters."),
    ],
)
def test_a_document_needs_a_title_that_fits(dialogue, facilitator, title, message):
    with pytest.raises(ValidationError) as refused:
        services.aide_memoire_create(dialogue=dialogue, actor=facilitator, title=title)
    assert refused.value.message_dict == {"title": [message]}

    document = non_paper(dialogue, facilitator)
    with pytest.raises(ValidationError) as refused:
        services.document_save(
            document=document,
            actor=facilitator,
            base_revision=2,
            title=title,
            content=non_paper_content(),
        )
    assert refused.value.message_dict == {"title": [message]}
    assert document.revisions.count() == 2


# Saving --------------------------------------------------------------------------------------


def test_every_save_makes_a_revision_with_its_author_time_and_note(dialogue, facilitator, officer):
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)

    second = services.document_save(
        document=document,
        actor=facilitator,
        base_revision=1,
        title="Corridor non-paper",
        content=non_paper_content(),
        note="Filled in the steps",
    )
    third = services.document_save(
        document=document,
        actor=officer,
        base_revision=2,
        title="Corridor non-paper",
        content=non_paper_content(legal_notes="Checked against the sanctions regime."),
        note="Legal notes",
    )

    document.refresh_from_db()
    assert document.head == 3
    assert [(r.number, r.author, r.note) for r in _revisions(document)] == [
        (1, facilitator, "Drafted from the package"),
        (2, facilitator, "Filled in the steps"),
        (3, officer, "Legal notes"),
    ]
    assert second.created_at <= third.created_at
    assert services.head_revision(document) == third
    assert third.content["legal_notes"] == "Checked against the sanctions regime."
    # Earlier revisions keep their text.
    assert Revision.objects.get(pk=second.pk).content["legal_notes"] == (
        "Humanitarian law protects the convoys."
    )


def test_a_save_that_changes_only_the_title_still_makes_a_revision(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)

    revision = services.document_save(
        document=document,
        actor=facilitator,
        base_revision=2,
        title="Renamed non-paper",
        content=non_paper_content(),
    )

    document.refresh_from_db()
    assert (revision.number, revision.title) == (3, "Renamed non-paper")
    assert document.title == "Renamed non-paper"


def test_a_save_that_changes_nothing_makes_no_revision(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    before = services.head_revision(document)

    # Whitespace around the text is not a change: the content is stored stripped.
    padded = non_paper_content(problem="  Agree access triggers for the northern corridor.\n")
    returned = services.document_save(
        document=document,
        actor=facilitator,
        base_revision=2,
        title=" Corridor non-paper ",
        content=padded,
        note="Nothing really",
    )

    document.refresh_from_db()
    assert returned == before
    assert document.head == 2
    assert document.revisions.count() == 2


def test_saved_content_is_kept_in_its_canonical_shape(dialogue, facilitator):
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)

    revision = services.document_save(
        document=document,
        actor=facilitator,
        base_revision=1,
        title="Corridor non-paper",
        content={
            "problem": "  The corridor.  ",
            "steps": [
                {"text": " One ", "who": "A", "when": "B", "how": "C", "ladder": "60"},
                {"text": "", "who": "", "when": "", "how": "", "ladder": 30},  # empty row
                {"text": "Two", "ladder": 45, "colour": "red"},
                "not a step",
            ],
            "secret_field": "dropped",
        },
    )

    assert revision.content == {
        "problem": "The corridor.",
        "steps": [
            {"text": "One", "who": "A", "when": "B", "how": "C", "ladder": 60},
            {"text": "Two", "who": "", "when": "", "how": "", "ladder": None},
        ],
        "legal_notes": "",
        "operational_notes": "",
    }


def test_two_people_who_saved_from_the_same_revision_conflict_and_the_second_save_is_not_applied(
    dialogue, facilitator, officer
):
    document = non_paper(dialogue, facilitator)
    opened_by_both = document.head

    first = services.document_save(
        document=document,
        actor=facilitator,
        base_revision=opened_by_both,
        title="Corridor non-paper",
        content=non_paper_content(problem="The facilitator's wording."),
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.document_save(
            document=document,
            actor=officer,
            base_revision=opened_by_both,
            title="Corridor non-paper",
            content=non_paper_content(problem="The officer's wording."),
        )

    assert conflict.value.current == first
    assert conflict.value.current.content["problem"] == "The facilitator's wording."
    document.refresh_from_db()
    assert document.head == 3
    assert document.revisions.count() == 3
    assert services.head_revision(document).content["problem"] == "The facilitator's wording."


def test_a_merged_save_records_the_revision_the_writer_started_from(dialogue, facilitator, officer):
    document = non_paper(dialogue, facilitator)
    services.document_save(
        document=document,
        actor=facilitator,
        base_revision=2,
        title="Corridor non-paper",
        content=non_paper_content(problem="The facilitator's wording."),
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.document_save(
            document=document,
            actor=officer,
            base_revision=2,
            title="Corridor non-paper",
            content=non_paper_content(legal_notes="The officer's notes."),
        )

    merged = services.document_save(
        document=document,
        actor=officer,
        base_revision=conflict.value.current.number,
        title="Corridor non-paper",
        content=non_paper_content(
            problem="The facilitator's wording.", legal_notes="The officer's notes."
        ),
        note="Merged",
        merged_from=2,
    )

    assert (merged.number, merged.merged_from_base, merged.author) == (4, 2, officer)
    assert merged.content["problem"] == "The facilitator's wording."
    assert merged.content["legal_notes"] == "The officer's notes."
    # An ordinary save records no merge.
    assert Revision.objects.get(document=document, number=3).merged_from_base is None


def test_restoring_an_old_revision_makes_a_new_revision_with_its_text(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    first = Revision.objects.get(document=document, number=1)

    restored = services.document_restore(document=document, actor=facilitator, number=1)

    document.refresh_from_db()
    assert document.head == 3
    assert restored.number == 3
    assert restored.restored_from == 1
    assert restored.note == "Restored revision 1"
    assert restored.author == facilitator
    assert (restored.title, restored.content) == (first.title, first.content)
    assert document.title == first.title
    # History is never rewritten.
    assert Revision.objects.get(document=document, number=2).content == (
        document_content.normalise(Document.Kind.NON_PAPER, non_paper_content())
    )


def test_restoring_a_revision_that_does_not_exist_is_refused(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    with pytest.raises(ValidationError, match="no such revision"):
        services.document_restore(document=document, actor=facilitator, number=7)
    document.refresh_from_db()
    assert document.head == 2


def test_an_officer_who_may_not_see_identities_cannot_overwrite_text_that_names_a_participant(
    dialogue, facilitator, officer
):
    on_roster(dialogue, "José Ramos", code="P-014")
    document = non_paper(dialogue, facilitator, legal_notes="José Ramos raised this.")

    with pytest.raises(ValidationError) as refused:
        save(document, officer, legal_notes="[name withheld] raised this.")
    assert refused.value.code == "names_withheld"
    assert document.revisions.count() == 2

    # Someone who may see identities can.
    save(document, facilitator, legal_notes="A participant raised this.")
    assert document.head == 3


def test_an_aide_memoire_saves_its_sections(dialogue, facilitator):
    document = services.aide_memoire_create(dialogue=dialogue, actor=facilitator, title="Handling")

    revision = services.document_save(
        document=document,
        actor=facilitator,
        base_revision=1,
        title="Handling",
        content={"sections": [{"title": " Context ", "body": "Closed in March."}, {}]},
        note="Context",
    )

    assert revision.content == {"sections": [{"title": "Context", "body": "Closed in March."}]}


# Status --------------------------------------------------------------------------------------

ALLOWED_MOVES = {
    (DRAFT, REVIEW),
    (REVIEW, DRAFT),
    (REVIEW, READY),
    (READY, DRAFT),
    (READY, REVIEW),
    (READY, DELIVERED),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_a_document_moves_only_along_the_workflow(current, target):
    document = Document(kind=Document.Kind.NON_PAPER, status=current)
    if (current, target) in ALLOWED_MOVES:
        document.check_transition(target)
        assert target in document.allowed_transitions()
    else:
        with pytest.raises(ValidationError) as refused:
            document.check_transition(target)
        assert refused.value.code == "transition_not_allowed"
        assert target not in document.allowed_transitions()


def test_a_refused_move_says_where_the_document_is_and_where_it_cannot_go():
    with pytest.raises(ValidationError) as refused:
        Document(status=DRAFT).check_transition(DELIVERED)
    assert refused.value.messages == ["A document that is draft cannot move to delivered."]

    with pytest.raises(ValidationError) as refused:
        Document(status=DRAFT).check_transition("published")
    assert refused.value.messages == ["Unknown status."]


def test_only_draft_and_review_are_editable_and_only_delivered_is_frozen():
    assert [s for s in Status if Document(status=s).is_editable] == [DRAFT, REVIEW]
    assert [s for s in Status if Document(status=s).is_frozen] == [DELIVERED]


def test_a_complete_non_paper_goes_from_draft_to_delivered_and_each_move_is_logged(
    dialogue, facilitator, officer
):
    document = non_paper(dialogue, facilitator)

    move(document, officer, REVIEW)
    move(document, facilitator, READY)
    assert document.delivered_at is None
    move(document, facilitator, DELIVERED)

    assert document.status == DELIVERED
    assert document.delivered_at is not None
    events = document.events.filter(kind=DocumentEvent.Kind.STATUS_CHANGED).order_by("id")
    assert [(e.actor, e.detail, e.revision_number) for e in events] == [
        (officer, "Draft → In review", 2),
        (facilitator, "In review → Ready", 2),
        (facilitator, "Ready → Delivered", 2),
    ]


def test_a_move_the_workflow_does_not_allow_is_refused_and_changes_nothing(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)

    with pytest.raises(ValidationError) as refused:
        services.document_transition(document=document, actor=facilitator, to_status=READY)

    assert refused.value.messages == ["A document that is draft cannot move to ready."]
    document.refresh_from_db()
    assert document.status == DRAFT
    assert not document.events.filter(kind=DocumentEvent.Kind.STATUS_CHANGED).exists()


def test_a_ready_document_can_go_back_to_draft_to_be_changed(dialogue, facilitator):
    document = move(non_paper(dialogue, facilitator), facilitator, REVIEW, READY, DRAFT)
    assert document.status == DRAFT
    save(document, facilitator, problem="Reworded after review.")
    assert document.head == 3


@pytest.mark.parametrize(
    ("overrides", "gap"),
    [
        ({"steps": steps(2)}, "Add steps: a non-paper carries 3 to 5, this one has 2."),
        ({"steps": []}, "Add steps: a non-paper carries 3 to 5, this one has 0."),
        ({"steps": steps(6)}, "Cut steps: a non-paper carries 3 to 5, this one has 6."),
        ({"steps": [step(1), step(2, who=""), step(3)]}, "Step 2 has no who."),
        ({"steps": [step(1, when="   "), step(2), step(3)]}, "Step 1 has no when."),
        ({"steps": [step(1), step(2), step(3, how="")]}, "Step 3 has no how."),
        (
            {"steps": [step(1, who="", how=""), step(2), step(3)]},
            "Step 1 has no who or how.",
        ),
        (
            {"steps": [step(1), step(2), step(3, ladder=None)]},
            "Step 3 is not placed on the 30/60/90-day ladder.",
        ),
        (
            {"steps": [step(1), step(2, ladder=45), step(3)]},
            "Step 2 is not placed on the 30/60/90-day ladder.",
        ),
        ({"steps": [step(1, text=""), step(2), step(3)]}, "Step 1: say what the step is."),
        ({"problem": ""}, "State the problem the steps address."),
    ],
)
def test_a_non_paper_with_a_gap_cannot_leave_draft_and_the_gap_is_named(
    dialogue, facilitator, overrides, gap
):
    document = non_paper(dialogue, facilitator, **overrides)

    with pytest.raises(ValidationError) as refused:
        services.document_transition(document=document, actor=facilitator, to_status=REVIEW)

    assert refused.value.messages == ["This non-paper cannot leave draft yet:", gap]
    document.refresh_from_db()
    assert document.status == DRAFT


@pytest.mark.parametrize("count", [3, 4, 5])
def test_a_non_paper_with_three_to_five_complete_steps_leaves_draft(dialogue, facilitator, count):
    document = non_paper(dialogue, facilitator, steps=steps(count))
    assert move(document, facilitator, REVIEW).status == REVIEW


def test_every_gap_of_a_non_paper_drafted_from_the_package_is_named(dialogue, facilitator):
    packaged_option(dialogue, position=1, title="Convoy window", who="")
    packaged_option(dialogue, position=2, title="Checkpoint log")
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)

    with pytest.raises(ValidationError) as refused:
        services.document_transition(document=document, actor=facilitator, to_status=REVIEW)

    assert refused.value.messages == [
        "This non-paper cannot leave draft yet:",
        "Add steps: a non-paper carries 3 to 5, this one has 2.",
        "Step 1 has no who.",
        "Step 1 is not placed on the 30/60/90-day ladder.",
        "Step 2 is not placed on the 30/60/90-day ladder.",
    ]


def test_a_non_paper_given_a_gap_while_in_review_cannot_move_to_ready(dialogue, facilitator):
    document = move(non_paper(dialogue, facilitator), facilitator, REVIEW)
    save(document, facilitator, steps=[step(1), step(2, ladder=None)])

    with pytest.raises(ValidationError) as refused:
        services.document_transition(document=document, actor=facilitator, to_status=READY)

    assert refused.value.messages == [
        "This non-paper cannot move on yet:",
        "Add steps: a non-paper carries 3 to 5, this one has 2.",
        "Step 2 is not placed on the 30/60/90-day ladder.",
    ]
    document.refresh_from_db()
    assert document.status == REVIEW
    # Going back to draft to fix it stays possible.
    assert move(document, facilitator, DRAFT).status == DRAFT


def test_an_aide_memoire_has_no_step_rules(dialogue, facilitator):
    document = services.aide_memoire_create(dialogue=dialogue, actor=facilitator, title="Handling")
    assert move(document, facilitator, REVIEW, READY).status == READY


# Freezing and iterations ---------------------------------------------------------------------


def test_a_delivered_text_is_frozen(dialogue, facilitator):
    document = deliver(non_paper(dialogue, facilitator), facilitator)

    with pytest.raises(ValidationError) as refused:
        save(document, facilitator, problem="A late change.")
    assert refused.value.code == "frozen"
    with pytest.raises(ValidationError) as refused:
        services.document_restore(document=document, actor=facilitator, number=1)
    assert refused.value.code == "frozen"
    document.refresh_from_db()
    assert document.head == 2
    assert services.head_revision(document).content["problem"] == (
        "Agree access triggers for the northern corridor."
    )


def test_a_ready_text_cannot_be_changed_until_it_goes_back(dialogue, facilitator):
    document = move(non_paper(dialogue, facilitator), facilitator, REVIEW, READY)

    with pytest.raises(ValidationError) as refused:
        save(document, facilitator, problem="A late change.")
    assert refused.value.code == "not_editable"
    with pytest.raises(ValidationError) as refused:
        services.document_restore(document=document, actor=facilitator, number=1)
    assert refused.value.code == "not_editable"
    assert document.revisions.count() == 2


def test_a_new_iteration_of_a_delivered_non_paper_is_a_linked_draft_holding_its_text(
    dialogue, facilitator, officer
):
    delivered = deliver(non_paper(dialogue, facilitator, title="Corridor v1"), facilitator)

    following = services.document_new_iteration(document=delivered, actor=officer)

    following.refresh_from_db()
    delivered.refresh_from_db()
    assert following.previous_version == delivered
    assert delivered.next_version == following
    assert following.version == 2
    assert following.status == DRAFT
    assert following.kind == Document.Kind.NON_PAPER
    assert following.dialogue == dialogue
    assert (following.title, following.head, following.shareable) == ("Corridor v1", 1, False)
    [revision] = _revisions(following)
    assert revision.content == services.head_revision(delivered).content
    assert (revision.author, revision.note) == (officer, "Iteration of version 1")
    assert following.events.get().kind == DocumentEvent.Kind.CREATED
    # The delivered version is untouched and still frozen.
    assert (delivered.status, delivered.head) == (DELIVERED, 2)
    # The new version can be edited.
    save(following, officer, problem="After Track I feedback.")
    assert following.head == 2


def test_a_version_is_iterated_only_once_and_only_once_delivered(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    with pytest.raises(ValidationError, match="Only a delivered version"):
        services.document_new_iteration(document=document, actor=facilitator)

    deliver(document, facilitator)
    services.document_new_iteration(document=document, actor=facilitator)
    with pytest.raises(ValidationError, match="already has a next iteration"):
        services.document_new_iteration(document=document, actor=facilitator)
    assert Document.objects.filter(dialogue=dialogue).count() == 2


def test_the_third_version_follows_the_second(dialogue, facilitator):
    first = deliver(non_paper(dialogue, facilitator), facilitator)
    second = deliver(
        services.document_new_iteration(document=first, actor=facilitator), facilitator
    )

    third = services.document_new_iteration(document=second, actor=facilitator)

    assert (third.version, third.previous_version) == (3, second)


def test_a_new_iteration_of_an_aide_memoire_keeps_its_readers_and_its_non_paper(
    dialogue, facilitator, officer, legal_reviewer
):
    paper = non_paper(dialogue, facilitator)
    document = aide_memoire(dialogue, facilitator, non_paper=paper)
    assign_perm("uptake.read_document", legal_reviewer, document)
    deliver(document, facilitator)

    following = services.document_new_iteration(document=document, actor=facilitator)

    assert {u.pk for u in readers_of(following)} == {facilitator.pk, legal_reviewer.pk}
    assert officer not in readers_of(following)
    assert following.non_paper == paper
    assert following.kind == Document.Kind.AIDE_MEMOIRE


# Sharing with donors ---------------------------------------------------------------------------


def test_a_delivered_non_paper_can_be_shared_with_donors_and_unshared(dialogue, facilitator):
    document = deliver(non_paper(dialogue, facilitator), facilitator)

    services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    assert list(Document.objects.shared_with_donors()) == [document]

    services.document_set_shareable(document=document, actor=facilitator, shareable=False)
    assert not Document.objects.shared_with_donors().exists()


@pytest.mark.parametrize("path", [[], [REVIEW], [REVIEW, READY]])
def test_a_non_paper_not_yet_delivered_cannot_be_shared(dialogue, facilitator, path):
    document = move(non_paper(dialogue, facilitator), facilitator, *path)

    with pytest.raises(ValidationError, match="Only a delivered non-paper"):
        services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    document.refresh_from_db()
    assert document.shareable is False


def test_an_aide_memoire_is_never_shared_even_when_delivered(dialogue, facilitator):
    document = deliver(aide_memoire(dialogue, facilitator), facilitator)
    with pytest.raises(ValidationError, match="Only a delivered non-paper"):
        services.document_set_shareable(document=document, actor=facilitator, shareable=True)


def test_the_database_refuses_sharing_anything_but_a_delivered_non_paper(dialogue, facilitator):
    draft = non_paper(dialogue, facilitator)
    delivered_aide = deliver(aide_memoire(dialogue, facilitator), facilitator)

    for document in (draft, delivered_aide):
        with pytest.raises(IntegrityError), transaction.atomic():
            Document.objects.filter(pk=document.pk).update(shareable=True)
    assert not Document.objects.filter(shareable=True).exists()


def test_the_database_refuses_unknown_kinds_and_statuses(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(kind="memo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(status="published")


def test_the_database_refuses_a_second_revision_with_the_same_number(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(document=document, number=2, title="Dup", content={})


# Comments ------------------------------------------------------------------------------------


def test_a_comment_is_made_on_the_current_revision_by_its_author(
    dialogue, facilitator, legal_reviewer
):
    document = non_paper(dialogue, facilitator)

    comment = services.comment_add(
        document=document, actor=legal_reviewer, body="  Check step 2 against IHL.  "
    )

    assert (comment.revision_number, comment.author, comment.body) == (
        2,
        legal_reviewer,
        "Check step 2 against IHL.",
    )
    save(document, facilitator, problem="Reworded.")
    later = services.comment_add(document=document, actor=facilitator, body="Done.")
    assert later.revision_number == 3
    assert list(document.comments.all()) == [comment, later]


@pytest.mark.parametrize("body", ["", "   ", None])
def test_an_empty_comment_is_refused(dialogue, facilitator, body):
    document = non_paper(dialogue, facilitator)
    with pytest.raises(ValidationError):
        services.comment_add(document=document, actor=facilitator, body=body)
    assert not Comment.objects.exists()


def test_an_over_long_comment_is_refused(dialogue, facilitator):
    document = non_paper(dialogue, facilitator)
    services.comment_add(document=document, actor=facilitator, body="x" * 4000)
    with pytest.raises(ValidationError):
        services.comment_add(document=document, actor=facilitator, body="x" * 4001)
    assert Comment.objects.count() == 1


# Content helpers -------------------------------------------------------------------------------


def test_a_blank_non_paper_has_every_section_empty():
    assert document_content.empty(Document.Kind.NON_PAPER) == {
        "problem": "",
        "steps": [],
        "legal_notes": "",
        "operational_notes": "",
    }


def test_normalising_anything_gives_the_canonical_shape():
    assert document_content.normalise(Document.Kind.NON_PAPER, None) == (
        document_content.empty(Document.Kind.NON_PAPER)
    )
    assert document_content.normalise(Document.Kind.AIDE_MEMOIRE, {"sections": "oops"}) == {
        "sections": []
    }
    assert document_content.normalise(
        Document.Kind.NON_PAPER, {"steps": [{"text": "A", "ladder": 90.0, "who": 7}]}
    )["steps"] == [{"text": "A", "who": "", "when": "", "how": "", "ladder": 90}]


def test_passages_walk_every_text_in_reading_order_with_readable_labels():
    content = document_content.normalise(
        Document.Kind.NON_PAPER,
        non_paper_content(steps=[step(1, ladder=60)]),
    )
    found = document_content.passages(Document.Kind.NON_PAPER, "The title", content)
    assert [(p.label, p.text) for p in found] == [
        ("Title", "The title"),
        ("The problem", "Agree access triggers for the northern corridor."),
        ("Step 1", "Open crossing 1 for convoys"),
        ("Step 1 · Who", "Both liaison offices"),
        ("Step 1 · When", "Within 30 days"),
        ("Step 1 · How", "Through the existing hotline"),
        ("Step 1 · Ladder", "60 days"),
        ("Legal notes", "Humanitarian law protects the convoys."),
        ("Operational notes", "Liaison offices meet weekly."),
    ]

    aide = document_content.passages(
        Document.Kind.AIDE_MEMOIRE, "Handling", {"sections": [{"title": "Context", "body": "B"}]}
    )
    assert [(p.key, p.label, p.text) for p in aide] == [
        ("title", "Title", "Handling"),
        ("sections.1.title", "Section 1 · title", "Context"),
        ("sections.1.body", "Section 1", "B"),
    ]


# The log -------------------------------------------------------------------------------------


def test_the_log_names_a_user_by_full_name_and_username_or_username_alone(dialogue, facilitator):
    facilitator.first_name, facilitator.last_name = "Fiona", "Reyes"
    assert events.actor_label(facilitator) == "Fiona Reyes (fiona)"
    facilitator.first_name = facilitator.last_name = ""
    assert events.actor_label(facilitator) == "fiona"
    assert events.actor_label(None) == "Parley"


def test_the_log_keeps_who_acted_after_their_account_is_gone(dialogue, officer):
    document = services.aide_memoire_create(dialogue=dialogue, actor=officer, title="Handling")
    label = events.actor_label(officer)

    officer.delete()

    event = DocumentEvent.objects.get(document=document)
    assert (event.actor, event.actor_name) == (None, label)


def test_views_and_downloads_of_an_aide_memoire_are_logged_and_those_of_a_non_paper_are_not(
    dialogue, facilitator, officer
):
    aide = aide_memoire(dialogue, facilitator)
    paper = non_paper(dialogue, facilitator)

    events.record_access(document=aide, actor=officer, kind=DocumentEvent.Kind.VIEWED)
    events.record_access(document=aide, actor=officer, kind=DocumentEvent.Kind.DOWNLOADED)
    events.record_access(document=paper, actor=officer, kind=DocumentEvent.Kind.VIEWED)

    logged = aide.events.filter(actor=officer).order_by("id")
    assert [(e.kind, e.revision_number) for e in logged] == [
        (DocumentEvent.Kind.VIEWED, 2),
        (DocumentEvent.Kind.DOWNLOADED, 2),
    ]
    assert not paper.events.filter(actor=officer).exists()
