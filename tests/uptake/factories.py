"""Documents with a chosen text, made through the services so their revisions and logs are real.

document = non_paper(dialogue, facilitator, steps=steps(4), legal_notes="IHL applies.")
move(document, facilitator, "review", "ready", "delivered")
"""

from dialogues.models import PackageItem
from tests.dialogues.factories import (
    DialogueParticipantFactory,
    OptionFactory,
    ParticipantFactory,
)
from uptake.models import Document
from uptake.services import documents as services


def step(number=1, **overrides):
    """A complete step: text, who, when, how and a place on the ladder."""
    return {
        "text": f"Open crossing {number} for convoys",
        "who": "Both liaison offices",
        "when": "Within 30 days",
        "how": "Through the existing hotline",
        "ladder": 30,
        **overrides,
    }


def steps(count):
    return [step(number) for number in range(1, count + 1)]


def non_paper_content(**overrides):
    """The content of a non-paper with no gaps and no names."""
    return {
        "problem": "Agree access triggers for the northern corridor.",
        "steps": steps(3),
        "legal_notes": "Humanitarian law protects the convoys.",
        "operational_notes": "Liaison offices meet weekly.",
        **overrides,
    }


def save(document, actor, *, title=None, note="", **changes):
    """Save the current text with `changes` (top-level keys: "problem", "steps", "sections"
    ...) as the next revision; returns the refreshed document."""
    document.refresh_from_db()
    current = services.head_revision(document)
    services.document_save(
        document=document,
        actor=actor,
        base_revision=document.head,
        title=title or document.title,
        content={**current.content, **changes},
        note=note,
    )
    document.refresh_from_db()
    return document


def non_paper(dialogue, actor, *, title="Corridor non-paper", **overrides):
    """A non-paper drafted from the (possibly empty) package, then saved with a complete text
    (non_paper_content), `overrides` replacing any of its keys. Head revision: 2."""
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=actor, title=title)
    return save(document, actor, **non_paper_content(**overrides))


def aide_memoire(dialogue, actor, *, title="Handling note", sections=None, non_paper=None):
    """An aide-mémoire whose writer, `actor`, is its only reader. Head revision: 2."""
    document = services.aide_memoire_create(
        dialogue=dialogue, actor=actor, title=title, non_paper=non_paper
    )
    sections = sections or [{"title": "Context", "body": "The corridor closed in March."}]
    return save(document, actor, sections=sections)


def move(document, actor, *statuses):
    """Move the document through `statuses` in turn; returns it refreshed."""
    for status in statuses:
        services.document_transition(document=document, actor=actor, to_status=status)
    document.refresh_from_db()
    return document


def deliver(document, actor):
    return move(
        document,
        actor,
        Document.Status.IN_REVIEW,
        Document.Status.READY,
        Document.Status.DELIVERED,
    )


def on_roster(dialogue, full_name, *, aliases="", code):
    """A participant of the dialogue's programme, on its roster."""
    person = ParticipantFactory(
        programme=dialogue.programme, full_name=full_name, aliases=aliases, code=code
    )
    DialogueParticipantFactory(dialogue=dialogue, participant=person)
    return person


def packaged_option(dialogue, *, position, **fields):
    """An option carried into the dialogue's package at `position`."""
    option = OptionFactory(dialogue=dialogue, **fields)
    PackageItem.objects.create(dialogue=dialogue, option=option, position=position)
    return option
