"""Carriers, vetting, briefings and feedback, made through the services so the gate and its
clearance rows are real.

document = delivered_non_paper(dialogue, facilitator)
clear(document, legal_reviewer)
briefing = brief(document, carrier(programme, officer), officer, outcome="briefed")
"""

import datetime

from tests.uptake.factories import deliver, move, non_paper
from uptake.models import Briefing, Document, VettingFramework, VettingVerdict
from uptake.services import briefings as briefing_services
from uptake.services import carriers as carrier_services
from uptake.services import feedback as feedback_services
from uptake.services import vetting as vetting_services

BRIEFED_ON = datetime.date(2026, 3, 2)
TRUST_NOTE = "Leaks to the press when annoyed"


def ready_non_paper(dialogue, actor, **overrides):
    """A non-paper moved to ready: its text is frozen for vetting."""
    return move(
        non_paper(dialogue, actor, **overrides),
        actor,
        Document.Status.IN_REVIEW,
        Document.Status.READY,
    )


def delivered_non_paper(dialogue, actor, **overrides):
    return deliver(non_paper(dialogue, actor, **overrides), actor)


def carrier(programme, actor, *, name="Nadia Ferreira", **fields):
    return carrier_services.carrier_create(
        programme=programme,
        actor=actor,
        name=name,
        kind=fields.pop("kind", "envoy"),
        institution=fields.pop("institution", "Office of the Special Envoy"),
        principals=fields.pop("principals", "The foreign minister's office"),
        trust_notes=fields.pop("trust_notes", TRUST_NOTE),
    )


def vet(document, reviewer, framework, verdict=VettingVerdict.CLEARED, *, step=None, notes=""):
    if verdict in vetting_services.NOTES_REQUIRED and not notes:
        notes = "Because the crossing sits inside a sanctioned zone."
    return vetting_services.vetting_record(
        document=document,
        framework=framework,
        step_index=step,
        verdict=verdict,
        notes=notes,
        actor=reviewer,
    )


def clear(document, reviewer, *, skip=(), verdict=VettingVerdict.CLEARED):
    """A passing whole-text verdict on every framework but those in `skip`."""
    for framework in VettingFramework:
        if framework not in skip:
            vet(document, reviewer, framework, verdict)


def brief(document, carrier, actor, *, outcome=Briefing.Outcome.PENDING, **fields):
    return briefing_services.briefing_create(
        document=document,
        carrier=carrier,
        principal=fields.pop("principal", "Deputy foreign minister"),
        briefed_on=fields.pop("briefed_on", BRIEFED_ON),
        outcome=outcome,
        notes=fields.pop("notes", ""),
        actor=actor,
    )


def feedback(briefing, actor, *, reaction="changes", **fields):
    return feedback_services.feedback_add(
        briefing=briefing,
        reaction=reaction,
        received_on=fields.pop("received_on", BRIEFED_ON + datetime.timedelta(days=5)),
        language_adjustments=fields.pop("language_adjustments", "Say 'pause', not 'ceasefire'."),
        notes=fields.pop("notes", ""),
        actor=actor,
    )


def relayed(dialogue, facilitator, reviewer, officer, programme, *, title="Corridor non-paper"):
    """A delivered, cleared non-paper briefed through a carrier: (document, briefing)."""
    document = delivered_non_paper(dialogue, facilitator, title=title)
    clear(document, reviewer)
    briefing = brief(document, carrier(programme, officer), officer, outcome="briefed")
    return document, briefing
