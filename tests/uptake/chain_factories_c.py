"""Subjects of reminders with chosen dates, for the reminder and notification tests.

Non-papers are delivered through the services (so their commitments are real); briefings,
pilots and sessions are written as rows with the state a test needs, the way the services
leave them (a briefed briefing points at its version's clearance, a running pilot has its
do-no-harm check).

document = delivered_non_paper(dialogue, facilitator)
commitment = due(document, datetime.date(2026, 4, 2))
"""

import datetime

from django.utils import timezone

from tests.dialogues.factories import SessionFactory
from tests.uptake.factories import deliver, non_paper, steps
from uptake.models import (
    Briefing,
    Carrier,
    Commitment,
    Notification,
    Pilot,
    Reminder,
    VettingClearance,
)


def at(text):
    """An aware UTC datetime from "2026-03-26 07:00"."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


# Where delivered_non_paper parks its commitments: long past, out of every reminder window
# whatever the date a test runs at, until the test gives one a date with due().
PARKED = datetime.date(2000, 1, 3)


def delivered_non_paper(dialogue, actor, *, step_count=3, title="Corridor non-paper"):
    """A non-paper delivered now, with one open commitment per step, each parked (PARKED)."""
    document = deliver(non_paper(dialogue, actor, title=title, steps=steps(step_count)), actor)
    Commitment.objects.filter(document=document).update(due_on=PARKED)
    return document


def due(document, due_on, *, step_index=0, **fields):
    """The document's commitment for step `step_index`, due on `due_on` (and `fields`)."""
    Commitment.objects.filter(document=document, step_index=step_index).update(
        due_on=due_on, **fields
    )
    return Commitment.objects.get(document=document, step_index=step_index)


def carrier(programme, name="Envoy Rahel Tesfaye"):
    return Carrier.objects.create(
        programme=programme,
        name=name,
        kind=Carrier.Kind.SPECIAL_ENVOY,
        institution="Ministry of Foreign Affairs",
        principals="The foreign minister's office",
    )


def briefing(document, *, briefed_on, created_by=None, outcome=Briefing.Outcome.BRIEFED):
    """A briefing of `document`; a briefed one with its version's clearance."""
    clearance = None
    if outcome == Briefing.Outcome.BRIEFED:
        clearance, _created = VettingClearance.objects.get_or_create(
            document=document, defaults={"cleared_at": timezone.now()}
        )
    return Briefing.objects.create(
        document=document,
        carrier=carrier(document.dialogue.programme),
        principal="The foreign minister",
        briefed_on=briefed_on,
        outcome=outcome,
        clearance=clearance,
        created_by=created_by,
    )


def pilot(document, *, ends_on, status=Pilot.Status.RUNNING, title="Single crossing pilot"):
    return Pilot.objects.create(
        document=document,
        step_index=0,
        title=title,
        scope="One crossing, one week.",
        parties="Both liaison offices",
        status=status,
        starts_on=ends_on - datetime.timedelta(days=10) if ends_on else None,
        ends_on=ends_on,
        do_no_harm_notes="No one is exposed." if status != Pilot.Status.PROPOSED else "",
        do_no_harm_at=timezone.now() if status != Pilot.Status.PROPOSED else None,
    )


def session(dialogue, *, starts_at, time_zone="UTC", title="Second plenary"):
    return SessionFactory(
        dialogue=dialogue,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=3),
        time_zone=time_zone,
    )


def notification(recipient, commitment, *, title="A commitment is overdue", read=False, **fields):
    """A notification of `recipient` about `commitment`, as delivery writes it (each on its
    own reminder, so several may exist for one recipient)."""
    reminder = Reminder.objects.create(
        kind=Reminder.Kind.COMMITMENT_OVERDUE,
        commitment=commitment,
        due_on=commitment.due_on - datetime.timedelta(days=Reminder.objects.count()),
        fire_at=timezone.now(),
        state=Reminder.State.SENT,
        sent_at=timezone.now(),
    )
    return Notification.objects.create(
        reminder=reminder,
        recipient=recipient,
        programme=commitment.document.dialogue.programme,
        kind=reminder.kind,
        title=title,
        body=fields.pop("body", "Step 1 was due and is still open."),
        url=fields.pop("url", "/"),
        read_at=timezone.now() if read else None,
        **fields,
    )
