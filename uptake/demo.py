"""Demo documents for the fictional programme loaded by `manage.py load_demo`: a non-paper in
every status with several revisions (one of them a merged conflict), an aide-mémoire with two
named readers, Burmese and Arabic passages. Made through the services, so revisions and logs
are real. Safe to run again: a dialogue that has documents already is left alone."""

from django.contrib.auth import get_user_model

from dialogues.demo.programme import DIALOGUES, PROGRAMME
from dialogues.models import Dialogue, Participant, Programme
from uptake.models import Document
from uptake.services import documents as services
from uptake.services import readers

MARKET = "A 72-hour de-confliction window for Tavel market days"
CORRIDOR = "Access triggers in the Sarn River corridor"
DETAINEES = "Detainee release sequencing, first cohort"

MARKET_STEPS = [
    {
        "text": "Announce a 72-hour quiet window around each Tavel market day",
        "who": "Both command structures, each through its own channel",
        "when": "Before the first market day of the month",
        "how": "Parallel unilateral statements, read on local radio, no joint text",
        "ladder": 30,
    },
    {
        "text": "Keep a neutral incident log during each window",
        "who": "Velorian Red Crescent Society",
        "when": "From the first window",
        "how": "Daily summary shared with both liaison offices through the hotline",
        "ladder": 30,
    },
    {
        "text": "Review the first three windows together",
        "who": "Liaison officers of both sides, with the facilitation team",
        "when": "After the third window",
        "how": "One closed meeting; findings go to principals as an unsigned note",
        "ladder": 60,
    },
    {
        "text": "Extend the window to the Mirren market if incidents stay below agreed levels",
        "who": "Principals of both sides, advised by the special envoy's office",
        "when": "Within 90 days",
        "how": "An exchange of letters through the envoy's office",
        "ladder": 90,
    },
]

BURMESE = (
    "ဈေးနေ့တွင်နာရီခုနစ်ဆယ့်နှစ်နာရီကြာငြိမ်းချမ်းရေးကာလကိုနှစ်ဖက်စလုံးကကြေညာရန်"
    "အဆိုပြုထားသည်။ဒေသခံအသိုင်းအဝိုင်းကိုကြိုတင်အကြောင်းကြားရမည်ဖြစ်ပြီး"
    "ဖြစ်ရပ်မှတ်တမ်းကိုကြားနေအဖွဲ့တစ်ခုကထိန်းသိမ်းရမည်။"
)
ARABIC = (
    "يُقترح أن يعلن الطرفان فترة هدوء مدتها اثنتان وسبعون ساعة حول أيام السوق، "
    "مع إخطار المجتمعات المحلية مسبقاً وحفظ سجل للحوادث لدى جهة محايدة."
)


def _user(username):
    return get_user_model().objects.get(username=username)


def _save(document, actor, *, content=None, title=None, note=""):
    document.refresh_from_db()
    head = services.head_revision(document)
    return services.document_save(
        document=document,
        actor=actor,
        base_revision=head.number,
        title=title or head.title,
        content=content if content is not None else head.content,
        note=note,
    )


def _move(document, actor, *statuses):
    document.refresh_from_db()
    for status in statuses:
        document = services.document_transition(document=document, actor=actor, to_status=status)
    return document


def load():
    """Create the demo documents unless the demo dialogues have some already."""
    programme = Programme.objects.get(name=PROGRAMME["name"])
    dialogues = {
        d.title: d
        for d in Dialogue.objects.filter(
            programme=programme, title__in=[fields["title"] for fields in DIALOGUES]
        )
    }
    if Document.objects.filter(dialogue__in=dialogues.values()).exists():
        return
    facilitator, officer = _user("facilitator"), _user("officer")
    _market(dialogues[MARKET], facilitator, officer)
    _corridor(dialogues[CORRIDOR], facilitator)
    _detainees(dialogues[DETAINEES], facilitator, officer)


def _market(dialogue, facilitator, officer):
    # Version 1: drafted from the package, tightened over three saves, delivered and shared.
    first = services.non_paper_create_from_package(
        dialogue=dialogue, actor=facilitator, title="A quiet window for Tavel market days"
    )
    head = services.head_revision(first)
    content = {**head.content, "steps": MARKET_STEPS[:3]}
    _save(first, facilitator, content=content, note="Three steps with who, when and how")
    content = {
        **content,
        "legal_notes": "No step requires a signed agreement; statements stay unilateral.",
        "operational_notes": "Radio stations in Tavel and Lower Sarn have agreed to read them.",
    }
    _save(first, officer, content=content, note="Legal and operational notes")
    first = _move(first, facilitator, "review", "ready", "delivered")
    services.document_set_shareable(document=first, actor=facilitator, shareable=True)

    # Version 2: the envoy's office asked for a fourth step; two people edited at once and
    # the second merged.
    second = services.document_new_iteration(document=first, actor=officer)
    base = services.head_revision(second)
    content = {**base.content, "steps": MARKET_STEPS}
    services.document_save(
        document=second,
        actor=officer,
        base_revision=base.number,
        title=base.title,
        content=content,
        note="Fourth step: extension to Mirren",
    )
    dates_note = " Window dates are published two weeks ahead."
    merged = {**content, "operational_notes": content["operational_notes"] + dates_note}
    try:
        services.document_save(
            document=second,
            actor=facilitator,
            base_revision=base.number,
            title=base.title,
            content={**base.content, "operational_notes": merged["operational_notes"]},
        )
    except services.EditConflict as conflict:
        services.document_save(
            document=second,
            actor=facilitator,
            base_revision=conflict.current.number,
            title=base.title,
            content=merged,
            note="Merged with the fourth step",
            merged_from=base.number,
        )
    _move(second, officer, "review")
    services.comment_add(
        document=second,
        actor=_user("legal"),
        body="Step 4 needs the envoy's office to confirm it can carry letters between principals.",
    )

    # The confidential companion, read by the facilitator and the officer only.
    aide = services.aide_memoire_create(
        dialogue=dialogue,
        actor=facilitator,
        title="Handling notes for the special envoy",
        non_paper=first,
    )
    head = services.head_revision(aide)
    sections = [
        {
            "title": "Context",
            "body": "Both sides floated the window privately before the dialogue; neither "
            "wants to be seen proposing it.",
        },
        {
            "title": "Sensitivities and red lines",
            "body": "Do not call it a ceasefire. Do not name the market towns' councils as "
            "guarantors.",
        },
        {"title": "Wording suggested by the Burmese-speaking liaison", "body": BURMESE},
        {"title": "Wording suggested for the Arabic statement", "body": ARABIC},
    ]
    _save(aide, facilitator, content={"sections": sections}, note="Handling notes")
    readers.reader_add(document=aide, actor=facilitator, user=officer)


def _corridor(dialogue, facilitator):
    # A draft with gaps, and a name the non-attribution guard flags.
    draft = services.non_paper_create_from_package(
        dialogue=dialogue, actor=facilitator, title="Access triggers for the Sarn corridor"
    )
    participant = (
        Participant.objects.filter(dialogue_places__dialogue=dialogue).order_by("code").first()
    )
    head = services.head_revision(draft)
    content = {
        **head.content,
        "steps": [
            {
                "text": "Joint convoy notification log",
                "who": "Velorian Red Crescent Society",
                "when": "Within 30 days",
                "how": "Daily message through the existing hotline",
                "ladder": 30,
            },
            {
                "text": "Trigger list for suspension",
                "who": "",
                "when": "Within 60 days",
                "how": "",
                "ladder": None,
            },
        ],
        "operational_notes": (
            f"As {participant.full_name} pointed out, drivers must never be listed by name."
            if participant
            else "Drivers must never be listed by name."
        ),
    }
    _save(draft, facilitator, content=content, note="First two steps")


def _detainees(dialogue, facilitator, officer):
    # Ready, with the steps placed on the ladder.
    document = services.non_paper_create_from_package(
        dialogue=dialogue, actor=officer, title="Sequencing a first detainee cohort"
    )
    head = services.head_revision(document)
    content = {
        **head.content,
        "steps": [
            {
                "text": "Exchange lists of the first cohort through the Red Crescent",
                "who": "Velorian Red Crescent Society",
                "when": "Within 30 days",
                "how": "Confidential lists, never published",
                "ladder": 30,
            },
            {
                "text": "Verify each detainee's consent to release and destination",
                "who": "Velorian Red Crescent Society",
                "when": "Within 60 days",
                "how": "Private interviews",
                "ladder": 60,
            },
            {
                "text": "Release in three groups on announced dates",
                "who": "Both detaining authorities",
                "when": "Within 90 days",
                "how": "Simultaneous handovers at the Tavel crossing",
                "ladder": 90,
            },
        ],
        "legal_notes": "Releases follow IHL: voluntary return, no forced transfer.",
    }
    _save(document, officer, content=content, note="Steps placed on the ladder")
    _move(document, facilitator, "review", "ready")
