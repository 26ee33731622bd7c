"""The non-attribution guard: participants' names and aliases hold a document back from ready
and delivered until removed, or until a facilitator overrides with a reason (logged with codes,
never names, and valid for that revision only)."""

import pytest
from django.core.exceptions import ValidationError

from dialogues.models import DialogueParticipant
from tests.dialogues.factories import DialogueFactory
from tests.uptake.factories import aide_memoire, move, non_paper, on_roster, save, step, steps
from uptake.models import Document, DocumentEvent
from uptake.services import documents as services
from uptake.services import guard

Status = Document.Status
REVIEW, READY, DELIVERED = Status.IN_REVIEW, Status.READY, Status.DELIVERED

# Every part of every name and alias used below, folded: none may reach a coded context or a log.
NAME_PARTS = {"jose", "josé", "ramos", "ingeniero", "amal", "haddad", "maria", "maría"}


@pytest.fixture
def jose(dialogue):
    return on_roster(dialogue, "José Ramos", aliases="El Ingeniero", code="P-014")


@pytest.fixture
def amal(dialogue):
    return on_roster(dialogue, "Amal Haddad", code="P-022")


def _in_review(dialogue, actor, **overrides):
    return move(non_paper(dialogue, actor, **overrides), actor, REVIEW)


def _blocked(document, actor, to_status=READY):
    with pytest.raises(services.GuardBlocked) as blocked:
        services.document_transition(document=document, actor=actor, to_status=to_status)
    document.refresh_from_db()
    return blocked.value


def _names_in(text):
    words = {word.strip(".,;:()[]…'\"").casefold() for word in text.split()}
    return words & NAME_PARTS


# Hits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "passage"),
    [
        ({"title": "Talks with José Ramos"}, "Title"),
        ({"problem": "José Ramos wants the corridor open."}, "The problem"),
        ({"steps": [step(1, text="Ask José Ramos to convene"), *steps(3)[1:]]}, "Step 1"),
        ({"steps": [step(1), step(2, who="José Ramos and his office"), step(3)]}, "Step 2 · Who"),
        ({"steps": [step(1), step(2, how="Through José Ramos"), step(3)]}, "Step 2 · How"),
        ({"legal_notes": "José Ramos checked the sanctions list."}, "Legal notes"),
        ({"operational_notes": "Call José Ramos first."}, "Operational notes"),
    ],
)
def test_a_name_anywhere_in_a_non_paper_blocks_the_move_to_ready(
    dialogue, facilitator, jose, overrides, passage
):
    document = _in_review(dialogue, facilitator, **overrides)

    blocked = _blocked(document, facilitator)

    assert [(hit.passage, hit.participant, hit.term) for hit in blocked.hits] == [
        (passage, jose, "José Ramos")
    ]
    assert blocked.code == "guard_blocked"
    assert document.status == REVIEW
    assert not document.events.filter(detail__contains="Ready").exists()


@pytest.mark.parametrize(
    ("sections", "passage"),
    [
        ([{"title": "Context", "body": "José Ramos set out his red lines."}], "Section 1"),
        (
            [{"title": "Context", "body": "Quiet."}, {"title": "José Ramos", "body": "Quiet."}],
            "Section 2 · title",
        ),
    ],
)
def test_a_name_in_an_aide_memoire_section_blocks_the_move_to_ready(
    dialogue, facilitator, jose, sections, passage
):
    document = move(aide_memoire(dialogue, facilitator, sections=sections), facilitator, REVIEW)

    blocked = _blocked(document, facilitator)

    assert [hit.passage for hit in blocked.hits] == [passage]
    assert document.status == REVIEW


@pytest.mark.parametrize(
    "written",
    ["JOSE RAMOS", "jose ramos", "José Ramos", "JOSÉ RAMOS", "Jose\u0301 Ramos", "José\nRamos"],
)
def test_a_name_is_found_whatever_its_case_and_accents(dialogue, facilitator, jose, written):
    document = _in_review(dialogue, facilitator, legal_notes=f"As {written} said, it holds.")
    assert [hit.participant for hit in _blocked(document, facilitator).hits] == [jose]


@pytest.mark.parametrize(
    "written", ["Joseramos", "José Ramosa", "Ramos", "José", "Ingeniero", "the engineer"]
)
def test_only_whole_names_and_aliases_are_hits(dialogue, facilitator, jose, written):
    document = _in_review(dialogue, facilitator, legal_notes=f"As {written} said, it holds.")
    assert move(document, facilitator, READY).status == READY


def test_a_listed_alias_is_a_hit_too(dialogue, facilitator, jose):
    document = _in_review(dialogue, facilitator, legal_notes="Then el ingeniero proposed a pause.")

    [hit] = _blocked(document, facilitator).hits

    assert (hit.participant, hit.term) == (jose, "El Ingeniero")
    assert hit.coded_context == "Then [P-014] proposed a pause."


def test_a_participant_who_declined_still_counts_and_one_of_another_dialogue_does_not(
    programme, dialogue, facilitator, jose
):
    DialogueParticipant.objects.filter(participant=jose).update(
        status=DialogueParticipant.Status.DECLINED
    )
    on_roster(DialogueFactory(programme=programme), "Amal Haddad", code="P-022")
    document = _in_review(
        dialogue, facilitator, legal_notes="José Ramos and Amal Haddad both spoke."
    )

    assert [hit.participant.code for hit in _blocked(document, facilitator).hits] == ["P-014"]


def test_a_text_without_names_moves_to_ready_and_delivered(dialogue, facilitator, jose, amal):
    document = _in_review(dialogue, facilitator)
    assert move(document, facilitator, READY, DELIVERED).status == DELIVERED


def test_delivery_is_blocked_when_someone_named_in_the_text_joined_the_roster_since_ready(
    dialogue, facilitator
):
    document = move(
        _in_review(dialogue, facilitator, legal_notes="Amal Haddad's paper is attached."),
        facilitator,
        READY,
    )
    on_roster(dialogue, "Amal Haddad", code="P-022")

    blocked = _blocked(document, facilitator, to_status=DELIVERED)

    assert [hit.participant.code for hit in blocked.hits] == ["P-022"]
    assert document.status == READY
    assert document.delivered_at is None


def test_the_blocking_message_counts_the_places_and_never_says_the_name(
    dialogue, facilitator, jose
):
    document = _in_review(
        dialogue,
        facilitator,
        problem="José Ramos wants it.",
        legal_notes="Checked by el ingeniero.",
    )

    blocked = _blocked(document, facilitator)

    assert blocked.messages == [
        "The text names a participant in 2 places. Remove the names, or a facilitator can "
        "let them stay with a written reason."
    ]
    assert not _names_in(str(blocked))


def test_hits_come_in_reading_order_with_their_context(dialogue, facilitator, jose, amal):
    document = _in_review(
        dialogue,
        facilitator,
        title="Notes for Amal Haddad",
        legal_notes="As agreed with José Ramos on Tuesday.",
    )
    head = services.head_revision(document)

    hits = guard.revision_hits(document, head)

    assert [(h.passage, h.participant.code) for h in hits] == [
        ("Title", "P-022"),
        ("Legal notes", "P-014"),
    ]
    assert hits[1].context == "As agreed with José Ramos on Tuesday."
    assert hits[1].coded_context == "As agreed with [P-014] on Tuesday."
    assert hits[1].context_for(True) == hits[1].context
    assert hits[1].context_for(False) == hits[1].coded_context


def test_a_long_passage_is_cut_around_the_name(dialogue, facilitator, jose):
    before, after = "a" * 80, "b" * 80
    document = _in_review(dialogue, facilitator, legal_notes=f"{before} José Ramos {after}")

    [hit] = guard.revision_hits(document, services.head_revision(document))

    assert hit.context.startswith("…") and hit.context.endswith("…")
    assert hit.coded_context.startswith("…") and hit.coded_context.endswith("…")
    assert "[P-014]" in hit.coded_context
    assert len(hit.coded_context) < 100


def test_the_hits_of_an_older_revision_are_those_of_its_own_text(dialogue, facilitator, jose):
    document = _in_review(dialogue, facilitator, legal_notes="José Ramos checked it.")
    save(document, facilitator, legal_notes="A participant checked it.")

    old = document.revisions.get(number=2)
    assert [h.participant for h in guard.revision_hits(document, old)] == [jose]
    assert guard.revision_hits(document, services.head_revision(document)) == []


# The coded context ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "José Ramos and Amal Haddad met.",
        "José Ramos, Amal Haddad",
        "Amal Haddad told el ingeniero (José Ramos) about it.",
        "José Ramos" + " x" * 10 + " Amal Haddad" + " y" * 30 + " José Ramos",
    ],
)
def test_a_coded_context_never_holds_a_name_even_when_names_stand_close_together(
    dialogue, facilitator, jose, amal, text
):
    document = _in_review(dialogue, facilitator, legal_notes=text)

    hits = guard.revision_hits(document, services.head_revision(document))

    assert len(hits) >= 2
    for hit in hits:
        assert not _names_in(hit.coded_context), hit.coded_context
        assert f"[{hit.participant.code}]" in hit.coded_context
    assert {hit.participant for hit in hits} == {jose, amal}


def test_a_coded_context_holds_no_part_of_a_name_that_overlaps_another(dialogue, facilitator, jose):
    # "María José" and "José Ramos" share a word: both are found, and neither may show.
    maria = on_roster(dialogue, "María José", code="P-031")
    document = _in_review(dialogue, facilitator, legal_notes="Then María José Ramos agreed.")

    hits = guard.revision_hits(document, services.head_revision(document))

    assert {hit.participant for hit in hits} == {maria, jose}
    for hit in hits:
        assert not _names_in(hit.coded_context), hit.coded_context
        assert hit.coded_context.startswith("Then [P-031]")
        assert hit.coded_context.endswith(" agreed.")


# Overrides -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_override_needs_a_written_reason(dialogue, facilitator, jose, reason):
    document = _in_review(dialogue, facilitator, legal_notes="José Ramos checked it.")

    with pytest.raises(ValidationError) as refused:
        services.guard_override(document=document, actor=facilitator, reason=reason)

    assert refused.value.message_dict == {"reason": ["Say why the names may stay."]}
    assert not document.events.filter(kind=DocumentEvent.Kind.GUARD_OVERRIDDEN).exists()
    _blocked(document, facilitator)


def test_there_is_nothing_to_override_in_a_text_without_names(dialogue, facilitator, jose):
    document = _in_review(dialogue, facilitator)
    with pytest.raises(ValidationError, match="nothing to override"):
        services.guard_override(document=document, actor=facilitator, reason="Just in case.")


def test_an_override_is_logged_with_the_codes_of_the_people_named_and_never_their_names(
    dialogue, facilitator, jose, amal
):
    document = _in_review(
        dialogue,
        facilitator,
        problem="Amal Haddad and José Ramos asked to be credited.",
        legal_notes="El Ingeniero agreed in writing.",
    )

    event = services.guard_override(
        document=document, actor=facilitator, reason="  Both asked in writing to be named.  "
    )

    assert (event.kind, event.actor, event.revision_number) == (
        DocumentEvent.Kind.GUARD_OVERRIDDEN,
        facilitator,
        document.head,
    )
    assert event.detail == ("Both asked in writing to be named. (participants named: P-014, P-022)")
    for logged in DocumentEvent.objects.filter(document=document):
        assert not _names_in(logged.detail), logged.detail
    assert guard.override_for(document, document.head) == event


@pytest.mark.parametrize(
    "reason", ["José Ramos asked to be named.", "JOSE RAMOS consented.", "El ingeniero agreed."]
)
def test_an_override_reason_that_names_a_participant_is_refused_so_the_log_never_holds_a_name(
    dialogue, facilitator, jose, reason
):
    document = _in_review(dialogue, facilitator, legal_notes="José Ramos checked it.")

    with pytest.raises(ValidationError) as refused:
        services.guard_override(document=document, actor=facilitator, reason=reason)

    assert refused.value.message_dict == {
        "reason": ["The reason names a participant: refer to them by their code instead."]
    }
    assert not document.events.filter(kind=DocumentEvent.Kind.GUARD_OVERRIDDEN).exists()


def test_after_an_override_the_document_moves_to_ready_and_delivered(dialogue, facilitator, jose):
    document = _in_review(dialogue, facilitator, legal_notes="José Ramos checked it.")
    services.guard_override(document=document, actor=facilitator, reason="He asked to be named.")

    hits = services.check_guard(document, services.head_revision(document))

    assert [hit.participant for hit in hits] == [jose]
    assert move(document, facilitator, READY, DELIVERED).status == DELIVERED


def test_an_override_holds_only_for_the_revision_it_was_given_for(dialogue, facilitator, jose):
    document = _in_review(dialogue, facilitator, legal_notes="José Ramos checked it.")
    services.guard_override(document=document, actor=facilitator, reason="He asked to be named.")
    overridden = document.head

    save(document, facilitator, legal_notes="José Ramos checked it twice.")

    assert guard.override_for(document, overridden) is not None
    assert guard.override_for(document, document.head) is None
    assert [hit.participant for hit in _blocked(document, facilitator).hits] == [jose]
    assert document.status == REVIEW


def test_restoring_an_overridden_revision_needs_a_new_override(dialogue, facilitator, jose):
    document = _in_review(dialogue, facilitator, legal_notes="José Ramos checked it.")
    services.guard_override(document=document, actor=facilitator, reason="He asked to be named.")
    save(document, facilitator, legal_notes="A participant checked it.")

    services.document_restore(document=document, actor=facilitator, number=2)

    _blocked(document, facilitator)


def test_an_override_covers_only_the_people_named_when_it_was_given(dialogue, facilitator, jose):
    document = _in_review(
        dialogue, facilitator, legal_notes="José Ramos and Amal Haddad checked it."
    )
    first = services.guard_override(document=document, actor=facilitator, reason="He agreed.")
    assert move(document, facilitator, READY).status == READY

    # Amal Haddad joins the dialogue: her name was in the text all along, and nobody has
    # decided it may stay.
    on_roster(dialogue, "Amal Haddad", code="P-022")
    blocked = _blocked(document, facilitator, to_status=DELIVERED)

    assert [hit.participant.code for hit in blocked.hits] == ["P-014", "P-022"]
    assert guard.override_for(document, document.head, blocked.hits) is None
    assert document.status == READY

    second = services.guard_override(document=document, actor=facilitator, reason="Both agreed.")
    assert second.detail == "Both agreed. (participants named: P-014, P-022)"
    assert guard.override_for(document, document.head, blocked.hits) == second
    assert first != second
    assert move(document, facilitator, DELIVERED).status == DELIVERED
