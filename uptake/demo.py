"""Demo documents and uptake chain for the fictional programme loaded by `manage.py
load_demo`: a non-paper in every status with several revisions (one of them a merged
conflict), an aide-mémoire with two named readers, Burmese and Arabic passages; carriers,
briefings in each state, one version blocked in vetting and one cleared, feedback that led to
a second iteration, a pilot in each state with proof-points, and commitments done, slipped and
on time. Made through the services, so revisions, logs and rules are real. Safe to run again:
documents are made only for dialogues that have none, the chain only for a programme with no
carriers."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from dialogues.demo.programme import DIALOGUES, PROGRAMME
from dialogues.models import Dialogue, Participant, Programme
from uptake.models import (
    Briefing,
    Carrier,
    Commitment,
    Document,
    FeedbackReaction,
    Pilot,
    VettingFramework,
    VettingVerdict,
)
from uptake.services import briefings, carriers, feedback, pilots, readers, vetting
from uptake.services import documents as services
from uptake.services.ladder import commitment_update, programme_today, programme_zone

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
    facilitator, officer = _user("facilitator"), _user("officer")
    if not Document.objects.filter(dialogue__in=dialogues.values()).exists():
        _market(dialogues[MARKET], facilitator, officer)
        _corridor(dialogues[CORRIDOR], facilitator)
        _detainees(dialogues[DETAINEES], facilitator, officer)
    if not Carrier.objects.filter(programme=programme).exists():
        with transaction.atomic():
            _chain(programme, dialogues, facilitator, officer, _user("legal"))


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


CARRIERS = [
    {
        "name": "Ilse Marrow",
        "kind": Carrier.Kind.SPECIAL_ENVOY,
        "institution": "Office of the Special Envoy for Veloria (fictional)",
        "principals": "The Special Envoy; the Velorian foreign minister's chief of staff",
        "trust_notes": "Briefs within 48 hours and never forwards our text as ours.",
    },
    {
        "name": "Dr Tomas Renvik",
        "kind": Carrier.Kind.SENIOR_ADVISOR,
        "institution": "Velorian Ministry of the Interior (fictional)",
        "principals": "The deputy minister of the interior",
        "trust_notes": "Close to the deputy minister; cautious before the elections.",
    },
    {
        "name": "Sela Aurin",
        "kind": Carrier.Kind.COMMITTEE_CHAIR,
        "institution": "Parliamentary committee on humanitarian affairs (fictional)",
        "principals": "Committee members; the speaker's office",
        "trust_notes": "",
    },
]

MARKET_VERDICTS = [
    (VettingFramework.IHL, VettingVerdict.CLEARED, "Unilateral statements; no combatant duties."),
    (VettingFramework.IHRL, VettingVerdict.CLEARED, ""),
    (VettingFramework.SANCTIONS, VettingVerdict.NOT_APPLICABLE, "No listed party or funds."),
    (
        VettingFramework.DOMESTIC,
        VettingVerdict.CONDITIONS,
        "Radio statements must follow the broadcasting code's 48-hour notice rule.",
    ),
    (VettingFramework.OPERATIONAL, VettingVerdict.CLEARED, "Both radio stations confirmed."),
]

DETAINEE_VERDICTS = [
    (VettingFramework.IHL, VettingVerdict.CLEARED, "Voluntary return only; no forced transfer."),
    (
        VettingFramework.IHRL,
        VettingVerdict.CONDITIONS,
        "Consent interviews must be private and recorded by the Red Crescent alone.",
    ),
    (
        VettingFramework.SANCTIONS,
        VettingVerdict.BLOCKED,
        "The Tavel crossing is run by a listed entity: handovers there need a licence first.",
    ),
    (VettingFramework.DOMESTIC, VettingVerdict.NOT_APPLICABLE, ""),
    (VettingFramework.OPERATIONAL, VettingVerdict.CLEARED, ""),
]


def _non_paper(dialogue, version):
    return Document.objects.filter(
        dialogue=dialogue, kind=Document.Kind.NON_PAPER, version=version
    ).first()


def _chain(programme, dialogues, facilitator, officer, legal):
    """The market non-paper's version 1 was delivered 50 days ago, vetted, relayed, piloted,
    and sent back with changes that version 2 takes up; the detainee non-paper is blocked in
    vetting."""
    market, market_next = _non_paper(dialogues[MARKET], 1), _non_paper(dialogues[MARKET], 2)
    detainees = _non_paper(dialogues[DETAINEES], 1)
    if market is None or market.status != Document.Status.DELIVERED:
        return  # the demo documents were changed by hand: leave the chain to the users
    today = programme_today(programme)

    def days(offset):
        return today + datetime.timedelta(days=offset)

    carriers.uptake_settings_update(programme=programme, feedback_reminder_days=14, actor=officer)
    envoy, advisor, chair = (
        carriers.carrier_create(programme=programme, actor=officer, **fields) for fields in CARRIERS
    )
    _backdate_delivery(market, days_ago=50, actor=officer)

    for framework, verdict, notes in MARKET_VERDICTS:
        vetting.vetting_record(
            document=market, framework=framework, verdict=verdict, notes=notes, actor=legal
        )
    if detainees is not None and detainees.status == Document.Status.READY:
        for framework, verdict, notes in DETAINEE_VERDICTS:
            vetting.vetting_record(
                document=detainees, framework=framework, verdict=verdict, notes=notes, actor=legal
            )

    relayed = briefings.briefing_create(
        document=market,
        carrier=envoy,
        principal="The Special Envoy",
        briefed_on=days(-45),
        outcome=Briefing.Outcome.BRIEFED,
        notes="Twenty minutes before the envoy's regional tour.",
        actor=officer,
    )
    briefings.briefing_create(
        document=market,
        carrier=advisor,
        principal="The deputy minister of the interior",
        briefed_on=days(-40),
        outcome=Briefing.Outcome.DECLINED,
        notes="Not before the elections.",
        actor=officer,
    )
    briefings.briefing_create(
        document=market,
        carrier=chair,
        principal="The committee on humanitarian affairs",
        briefed_on=days(5),
        notes="Closed session requested.",
        actor=facilitator,
    )
    reaction = feedback.feedback_add(
        briefing=relayed,
        reaction=FeedbackReaction.CHANGES_REQUESTED,
        received_on=days(-38),
        language_adjustments=(
            "Say “quiet window”, never “ceasefire”. Add a step on extending the window to "
            "Mirren if incidents stay low."
        ),
        notes="Through the envoy's political officer.",
        actor=officer,
    )
    if market_next is not None and market_next.status != Document.Status.DELIVERED:
        feedback.feedback_iterate(feedback=reaction, actor=officer)

    _pilots(market, facilitator, officer, days)
    _ladder(market, officer, days)


def _backdate_delivery(document, *, days_ago, actor):
    """Move a delivery into the past, with its ladder. Demo history only: the services date
    a delivery when it happens."""
    delivered_at = timezone.now() - datetime.timedelta(days=days_ago)
    # A save, not a queryset update, so the audit trail records the backdating too.
    document.refresh_from_db()
    document.delivered_at = delivered_at
    document.save(update_fields=["delivered_at"])
    delivered_on = timezone.localtime(
        delivered_at, programme_zone(document.dialogue.programme)
    ).date()
    for commitment in Commitment.objects.filter(document=document):
        commitment_update(
            commitment=commitment,
            due_on=delivered_on + datetime.timedelta(days=commitment.rung),
            owner=commitment.owner,
            responsible=None,
            status=commitment.status,
            evidence=commitment.evidence,
            actor=actor,
        )


def _pilots(market, facilitator, officer, days):
    def propose(step_index, title, scope, parties, starts_on, ends_on):
        return pilots.pilot_propose(
            document=market,
            step_index=step_index,
            title=title,
            scope=scope,
            parties=parties,
            starts_on=starts_on,
            ends_on=ends_on,
            actor=officer,
        )

    def agree(pilot):
        pilots.pilot_record_do_no_harm(
            pilot=pilot,
            notes="Market traders' association consulted; no names published; the window "
            "can be called off by either side without blame.",
            actor=facilitator,
        )
        return pilots.pilot_transition(pilot=pilot, to_status=Pilot.Status.AGREED, actor=officer)

    def move(pilot, *statuses, stop_reason=""):
        for status in statuses:
            pilot = pilots.pilot_transition(
                pilot=pilot, to_status=status, actor=officer, stop_reason=stop_reason
            )
        return pilot

    propose(
        0,
        "A single Mirren market day",
        "One market day in Mirren under the same 72-hour window.",
        "Both command structures; Mirren market council",
        days(20),
        days(23),
    )
    agree(
        propose(
            1,
            "Hotline drill before the second window",
            "A one-hour test of the liaison hotline with the incident log.",
            "Both liaison offices; Velorian Red Crescent Society",
            days(9),
            days(9),
        )
    )
    running = move(
        agree(
            propose(
                0,
                "First Tavel quiet window",
                "The first 72-hour window around the Tavel market day.",
                "Both command structures; Tavel radio",
                days(-30),
                days(2),
            )
        ),
        Pilot.Status.RUNNING,
    )
    pilots.proof_point_add(
        pilot=running,
        happened="No security incident was logged during the 72 hours.",
        evidence="Red Crescent incident log, shared with both liaison offices.",
        observed_on=days(-27),
        actor=officer,
    )
    completed = move(
        agree(
            propose(
                1,
                "Neutral incident log for one market day",
                "The Red Crescent logs incidents for one market day and shares a summary.",
                "Velorian Red Crescent Society; both liaison offices",
                days(-44),
                days(-41),
            )
        ),
        Pilot.Status.RUNNING,
    )
    pilots.proof_point_add(
        pilot=completed,
        happened="Both liaison offices accepted the same summary without objection.",
        evidence="Hotline record of both acknowledgements.",
        observed_on=days(-42),
        actor=officer,
    )
    move(completed, Pilot.Status.COMPLETED)
    move(
        propose(
            0,
            "A joint radio statement",
            "One statement read by both sides on Tavel radio.",
            "Both command structures",
            None,
            None,
        ),
        Pilot.Status.STOPPED,
        stop_reason="One side would not read a joint text; parallel statements replaced it.",
    )


def _ladder(market, officer, days):
    """Step 1 done, step 2 slipped (both due 20 days ago), step 3 due in 10 days."""
    updates = {
        0: (Commitment.Status.DONE, "Both statements aired on Tavel radio (recordings on file)."),
        1: (Commitment.Status.SLIPPED, "The log started late: staff vetting took three weeks."),
        2: (Commitment.Status.OPEN, ""),
    }
    for commitment in Commitment.objects.filter(document=market, step_index__in=updates):
        status, evidence = updates[commitment.step_index]
        commitment_update(
            commitment=commitment,
            due_on=commitment.due_on,
            owner=commitment.owner,
            responsible=officer if commitment.step_index == 2 else None,
            status=status,
            evidence=evidence,
            actor=officer,
        )
