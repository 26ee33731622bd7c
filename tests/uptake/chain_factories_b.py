"""Rows of the uptake chain for the pilot, ladder and timeline tests.

Vetting verdicts, clearances, carriers, briefings and feedback are written directly (their
services are tested with their own pages); pilots go through uptake.services.pilots so
their rules hold.

    document = delivered_non_paper(dialogue, facilitator)
    clear(document)                                   # every framework cleared
    told = briefing(document, carrier(programme), outcome="briefed")
    answer = feedback(told, "changes", language_adjustments="Say 'access', not 'corridor'.")
    pilot = pilot_in(document, facilitator, "running")
"""

import datetime

from django.utils import timezone

from tests.uptake.factories import deliver, non_paper
from uptake.models import (
    Briefing,
    Carrier,
    Feedback,
    Pilot,
    Vetting,
    VettingClearance,
)
from uptake.services import pilots as pilot_services
from uptake.services.ladder import programme_today


def delivered_non_paper(dialogue, actor, **overrides):
    """A complete non-paper (three steps on the 30-day rung unless `steps` says otherwise),
    delivered: its commitments exist."""
    return deliver(non_paper(dialogue, actor, **overrides), actor)


def vet(document, framework, verdict, *, reviewer_name="Lena Legal", step_index=None, notes=""):
    return Vetting.objects.create(
        document=document,
        framework=framework,
        verdict=verdict,
        step_index=step_index,
        notes=notes,
        reviewer_name=reviewer_name,
        decided_at=timezone.now(),
    )


def clear(document, *, reviewer_name="Lena Legal"):
    """Every framework cleared for the whole text, and the clearance row the gate needs."""
    for framework in Vetting.Framework.values:
        vet(document, framework, Vetting.Verdict.CLEARED, reviewer_name=reviewer_name)
    return VettingClearance.objects.create(document=document, cleared_at=timezone.now())


def carrier(programme, *, name="Ambassador Ruiz", institution="Ministry of Foreign Affairs"):
    return Carrier.objects.create(
        programme=programme,
        name=name,
        kind=Carrier.Kind.SPECIAL_ENVOY,
        institution=institution,
        principals="The foreign minister's office",
    )


def briefing(document, through, *, outcome=Briefing.Outcome.BRIEFED, principal="The minister"):
    """A briefing of `document` through the carrier `through`, dated today on the
    programme's calendar; briefed only with the version's clearance (call clear() first)."""
    clearance = None
    if outcome == Briefing.Outcome.BRIEFED:
        clearance = VettingClearance.objects.get(document=document)
    return Briefing.objects.create(
        document=document,
        carrier=through,
        principal=principal,
        briefed_on=programme_today(document.dialogue.programme),
        outcome=outcome,
        clearance=clearance,
    )


def feedback(told, reaction, *, language_adjustments="", iteration=None, received_on=None):
    return Feedback.objects.create(
        briefing=told,
        reaction=reaction,
        received_on=received_on or programme_today(told.document.dialogue.programme),
        language_adjustments=language_adjustments,
        iteration=iteration,
    )


# The moves that bring a new pilot to each status, through the services.
def pilot_in(document, actor, status, *, title="One crossing for 72 hours", step_index=0):
    """A pilot of the delivered `document` brought to `status` through the services; it
    starts today (the programme's calendar) and ends a week later."""
    today = programme_today(document.dialogue.programme)
    pilot = pilot_services.pilot_propose(
        document=document,
        step_index=step_index,
        title=title,
        scope="The northern crossing, daylight hours, 72 hours.",
        parties="Both liaison offices",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        actor=actor,
    )
    if status == Pilot.Status.PROPOSED:
        return pilot
    if status == Pilot.Status.STOPPED:
        return pilot_services.pilot_transition(
            pilot=pilot, to_status=status, actor=actor, stop_reason="The road flooded."
        )
    pilot_services.pilot_record_do_no_harm(
        pilot=pilot, notes="Nobody crosses at night; the ICRC watches.", actor=actor
    )
    for step in [Pilot.Status.AGREED, Pilot.Status.RUNNING, Pilot.Status.COMPLETED]:
        pilot = pilot_services.pilot_transition(pilot=pilot, to_status=step, actor=actor)
        if step == status:
            return pilot
    raise ValueError(status)
