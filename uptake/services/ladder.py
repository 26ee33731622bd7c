"""The 30/60/90-day ladder: commitments made from a delivered non-paper's steps."""

import datetime
import zoneinfo

from django.utils import timezone

from uptake import content as document_content
from uptake.models import Commitment


def programme_zone(programme):
    """The programme's time zone; an unknown name (a row written outside the services)
    falls back to UTC rather than an error."""
    try:
        return zoneinfo.ZoneInfo(programme.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def programme_today(programme, now=None):
    """Today's date on the programme's calendar."""
    return timezone.localtime(now or timezone.now(), programme_zone(programme)).date()


def commitments_create_for_delivery(*, document, revision):
    """Make one commitment per step of the delivered `revision` of non-paper `document`, due
    on the step's rung counted from the delivery date on the programme's calendar.
    Caller: document_transition, inside its transaction, as the document is delivered."""
    programme = document.dialogue.programme
    delivered_on = timezone.localtime(document.delivered_at, programme_zone(programme)).date()
    content = document_content.normalise(document.kind, revision.content)
    Commitment.objects.bulk_create(
        [
            Commitment(
                document=document,
                step_index=index,
                what=step["text"],
                rung=step["ladder"],
                due_on=delivered_on + datetime.timedelta(days=step["ladder"]),
                owner=step["who"][:300],
            )
            for index, step in enumerate(content["steps"])
            # A delivered non-paper has no unplaced step (its gaps block delivery).
            if step["ladder"]
        ]
    )
