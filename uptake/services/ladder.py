"""The 30/60/90-day ladder: commitments made from a delivered non-paper's steps."""

import datetime
import zoneinfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues.models import Membership
from dialogues.services.attribution import refuse_if_names_withheld
from uptake import content as document_content
from uptake.models import Commitment
from uptake.permissions import ChainAction, chain_access

Role = Membership.Role
OWNER_MAX_LENGTH = Commitment._meta.get_field("owner").max_length
NAMES_WITHHELD = gettext_lazy(
    "This commitment names a participant, which is withheld from you: only a team member "
    "who may see identities can change it."
)


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


def managers_of(programme):
    """The team members who may follow up a commitment: those who manage the programme's
    uptake chain (programme officers and facilitators), active accounts only. One query."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__programme=programme,
            memberships__role__in=[Role.PROGRAMME_OFFICER, Role.FACILITATOR],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def commitment_update(*, commitment, due_on, owner, responsible, status, evidence, actor):
    """Change a ladder commitment: its due date, its owner (who carries it, as the
    non-paper says), the team member who follows it up (`responsible`, or None for the
    whole team), its status and the evidence.

    Raises ValidationError without a due date or an owner, for an unknown status, for a
    `responsible` who does not manage the programme's uptake chain (only officers and
    facilitators follow commitments up), when marking it done without evidence, and when
    `actor` may not see identities and the owner or evidence names a participant (shown to
    them with the name withheld, so they may not overwrite it).
    Caller: someone with ChainAction.MANAGE on the commitment's programme."""
    commitment = (
        Commitment.objects.select_for_update()
        .select_related("document__dialogue__programme")
        .get(pk=commitment.pk)
    )
    programme = commitment.document.dialogue.programme
    refuse_if_names_withheld(
        actor=actor,
        dialogue=commitment.document.dialogue,
        texts=[commitment.owner, commitment.evidence],
        message=NAMES_WITHHELD,
    )
    errors = {}
    owner = (owner or "").strip()
    evidence = (evidence or "").strip()
    if due_on is None:
        errors["due_on"] = [_("Give the date it is due.")]
    if not owner:
        errors["owner"] = [_("Say who carries it, as the non-paper does.")]
    elif len(owner) > OWNER_MAX_LENGTH:
        errors["owner"] = [
            _("Keep the owner under %(max)s characters.") % {"max": OWNER_MAX_LENGTH}
        ]
    if status not in Commitment.Status.values:
        errors["status"] = [_("Choose one of the statuses offered.")]
    elif status == Commitment.Status.DONE and not evidence:
        errors["evidence"] = [
            _("Say what shows it was done before marking it done: a record, a date, a source.")
        ]
    if responsible is not None and ChainAction.MANAGE not in chain_access(responsible, programme):
        errors["responsible"] = [
            _(
                "Only a programme officer or a facilitator of this programme can follow a "
                "commitment up."
            )
        ]
    if errors:
        raise ValidationError(errors)
    commitment.due_on = due_on
    commitment.owner = owner
    commitment.responsible = responsible
    commitment.status = status
    commitment.evidence = evidence
    commitment.full_clean()
    commitment.save()
    return commitment


def overdue_commitments(programme, today=None):
    """The programme's open or slipped commitments whose due date has passed on its
    calendar, oldest first, each with `days_late` set and its non-paper, dialogue and
    follower loaded. One query."""
    today = today or programme_today(programme)
    commitments = list(
        Commitment.objects.overdue(today)
        .filter(document__dialogue__programme=programme)
        .select_related("document__dialogue", "responsible")
        .order_by("due_on", "document__title", "document__version", "step_index")
    )
    for commitment in commitments:
        commitment.days_late = (today - commitment.due_on).days
    return commitments
