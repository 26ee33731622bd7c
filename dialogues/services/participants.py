"""Participants: the programme register and its stable codes, the dialogue roster with its
consent gate, the mix of the group, and the ground rules with each participant's
acknowledgement.

Messages raised here name a participant by code only: they may reach users who must not
see names."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues import permissions
from dialogues.models import (
    DialogueParticipant,
    GroundRule,
    Participant,
    Programme,
    RuleAcknowledgement,
)
from dialogues.services.design import check_design_texts, lock_dialogue_for_change

Status = DialogueParticipant.Status

CODE_PREFIX = "P-"

# The design pillars' guidance: big enough for a mix of views, small enough to talk.
GROUP_SIZE_MIN = 10
GROUP_SIZE_MAX = 16

# Who counts in the group: declined and withdrawn people are no longer part of it.
ACTIVE_STATUSES = (Status.INVITED, Status.CONFIRMED)


def _require_identity(actor, programme):
    if not permissions.may_see_identity(actor, programme):
        raise PermissionDenied


def _next_code(programme):
    # Numerically, not as text: "P-1000" sorts before "P-999".
    highest = programme.participants.aggregate(
        highest=Max(Cast(Substr("code", len(CODE_PREFIX) + 1), IntegerField()))
    )["highest"]
    return f"{CODE_PREFIX}{(highest or 0) + 1:03d}"


@transaction.atomic
def participant_create(*, programme, actor, **fields):
    """Add a person to the programme's register with the next free code (P-001, P-002, ...).

    Codes are the highest number in use plus one, never reused or changed; the programme row
    is locked so two people adding at once never get the same code. Raises PermissionDenied
    when `actor` may not see identities (who cannot read names cannot write them),
    ValidationError for invalid fields. Caller: someone with design_dialogues."""
    _require_identity(actor, programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    participant = Participant(programme=programme, code=_next_code(programme), **fields)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def participant_update(*, participant, actor, **fields):
    """Change a participant's identity, contacts and profile; their code never changes.

    Raises PermissionDenied when `actor` may not see identities, ValidationError for invalid
    fields. Caller: someone with design_dialogues."""
    if {"code", "programme", "public_id"} & fields.keys():
        raise ValueError("A participant's code and programme never change.")
    _require_identity(actor, participant.programme)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    for name, value in fields.items():
        setattr(participant, name, value)
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def dialogue_invite_participant(*, dialogue, participant, actor):
    """Invite a participant of the dialogue's programme into the dialogue.

    Raises ValidationError for a closed or abandoned dialogue, someone from another programme
    or someone already on the roster. Caller: someone with design_dialogues (identity not
    needed: they see codes)."""
    dialogue = lock_dialogue_for_change(dialogue)
    if participant.programme_id != dialogue.programme_id:
        raise ValidationError(
            {"participant": _("Only participants of this programme can be invited.")}
        )
    if dialogue.roster.filter(participant=participant).exists():
        raise ValidationError(
            {"participant": _("%(code)s is already on the roster.") % {"code": participant.code}}
        )
    entry = DialogueParticipant(dialogue=dialogue, participant=participant, status=Status.INVITED)
    entry.full_clean()
    entry.save()
    return entry


def _lock_entry(entry):
    return (
        DialogueParticipant.objects.select_for_update()
        .select_related("participant")
        .get(pk=entry.pk)
    )


@transaction.atomic
def dialogue_participant_set_status(*, entry, status, actor):
    """Move a roster entry to invited, confirmed, declined or withdrawn.

    The consent gate: no one is confirmed without recorded consent (the database refuses it
    too). Raises ValidationError for a closed or abandoned dialogue, an unknown status or a
    confirmation without consent. Caller: someone with design_dialogues."""
    lock_dialogue_for_change(entry.dialogue)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    entry = _lock_entry(entry)
    if status == Status.CONFIRMED and not entry.has_consent:
        raise ValidationError(
            {
                "status": _(
                    "%(code)s cannot be confirmed: no consent is recorded. Record their "
                    "consent first."
                )
                % {"code": entry.participant.code}
            }
        )
    entry.status = status
    entry.full_clean()
    entry.save(update_fields=["status"])
    return entry


@transaction.atomic
def dialogue_participant_record_consent(*, entry, given_on, scope, actor):
    """Record (or correct) when a participant consented and to what.

    Raises ValidationError for a closed or abandoned dialogue, a missing or future date or an
    empty scope. Caller: someone with design_dialogues (identity not needed)."""
    lock_dialogue_for_change(entry.dialogue)
    errors = {}
    if given_on is None:
        errors["given_on"] = _("Enter the date consent was given.")
    elif given_on > timezone.localdate():
        errors["given_on"] = _("Consent cannot be recorded for a date in the future.")
    if not (scope or "").strip():
        errors["scope"] = _("Say what the person agreed to.")
    if errors:
        raise ValidationError(errors)
    entry = _lock_entry(entry)
    entry.consent_given_on = given_on
    entry.consent_scope = scope.strip()
    entry.consent_recorded_by = actor
    entry.full_clean()
    entry.save(update_fields=["consent_given_on", "consent_scope", "consent_recorded_by"])
    return entry


NAME_WITHHELD = gettext_lazy("[name withheld]")


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class RosterMix:
    """The group as it stands: its size against the guidance, its balance, its gaps."""

    size: int
    genders: tuple[Share, ...]
    categories: tuple[Share, ...]
    missing: tuple[str, ...]

    # The guidance, for templates; not dataclass fields (no annotation).
    size_min = GROUP_SIZE_MIN
    size_max = GROUP_SIZE_MAX

    @property
    def too_small(self):
        return self.size < GROUP_SIZE_MIN

    @property
    def too_large(self):
        return self.size > GROUP_SIZE_MAX


def _percent(count, total):
    # Rounded half up, as people expect (Python's round() would give 12 for 12.5).
    return (200 * count + total) // (2 * total) if total else 0


def _shares(values, choices, total):
    return tuple(
        Share(label=label, count=values.count(value), percent=_percent(values.count(value), total))
        for value, label in choices
    )


def roster_mix(entries):
    """The mix of a roster, from its entries with their participants loaded (no queries).

    Counts invited and confirmed people only. Gender and category shares list every choice,
    zeros included, so an absent group shows. `missing` names which of authoritative
    proxies, technical experts and community voices the group lacks."""
    people = [entry.participant for entry in entries if entry.status in ACTIVE_STATUSES]
    size = len(people)
    genders = [person.gender for person in people]
    categories = [person.category for person in people]
    wanted = (
        (
            gettext_lazy("authoritative proxies"),
            any(person.is_authoritative_proxy for person in people),
        ),
        (
            gettext_lazy("technical experts"),
            Participant.Category.TECHNICAL_EXPERT in categories,
        ),
        (
            gettext_lazy("community voices"),
            Participant.Category.COMMUNITY_VOICE in categories,
        ),
    )
    return RosterMix(
        size=size,
        genders=_shares(genders, Participant.Gender.choices, size),
        categories=_shares(categories, Participant.Category.choices, size),
        missing=tuple(label for label, present in wanted if not present),
    )


@transaction.atomic
def ground_rule_update(*, rule, title, text, actor):
    """Reword a ground rule. Raises ValidationError for a closed or abandoned dialogue or an
    empty title or text. Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(rule.dialogue)
    rule = GroundRule.objects.select_for_update().get(pk=rule.pk)
    check_design_texts(
        programme=dialogue.programme,
        actor=actor,
        texts={"title": title, "text": text},
        stored=[rule.title, rule.text],
    )
    rule.title = title
    rule.text = text
    rule.full_clean()
    rule.save(update_fields=["title", "text"])
    return rule


@transaction.atomic
def ground_rule_add(*, dialogue, title, text, actor):
    """Add a dialogue's own rule after the others. Raises ValidationError for a closed or
    abandoned dialogue or an empty title or text. Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(dialogue)
    check_design_texts(
        programme=dialogue.programme, actor=actor, texts={"title": title, "text": text}
    )
    last = dialogue.ground_rules.aggregate(last=Max("position"))["last"] or 0
    rule = GroundRule(
        dialogue=dialogue,
        kind=GroundRule.Kind.CUSTOM,
        title=title,
        text=text,
        position=last + 1,
    )
    rule.full_clean()
    rule.save()
    return rule


def _check_acknowledgement_date(acknowledged_on):
    if acknowledged_on is None:
        raise ValidationError({"acknowledged_on": _("Enter the date of the acknowledgement.")})
    if acknowledged_on > timezone.localdate():
        raise ValidationError(
            {"acknowledged_on": _("An acknowledgement cannot be dated in the future.")}
        )


def _check_may_acknowledge(rule, entry, acknowledged_on):
    if rule.dialogue_id != entry.dialogue_id:
        raise ValidationError(_("This rule belongs to another dialogue."))
    if entry.status not in ACTIVE_STATUSES:
        raise ValidationError(
            _("%(code)s is no longer taking part (%(status)s).")
            % {"code": entry.participant.code, "status": entry.get_status_display()}
        )
    _check_acknowledgement_date(acknowledged_on)


@transaction.atomic
def rule_acknowledgement_record(*, rule, entry, acknowledged_on, actor):
    """Record that an invited or confirmed participant acknowledged a rule of their dialogue;
    recording again corrects the date. Raises ValidationError for a closed or abandoned
    dialogue, a rule of another dialogue, someone who declined or withdrew, or a missing or
    future date. Caller: someone with design_dialogues."""
    lock_dialogue_for_change(entry.dialogue)
    entry = _lock_entry(entry)
    _check_may_acknowledge(rule, entry, acknowledged_on)
    acknowledgement, _created = RuleAcknowledgement.objects.update_or_create(
        rule=rule,
        dialogue_participant=entry,
        defaults={"acknowledged_on": acknowledged_on, "recorded_by": actor},
    )
    return acknowledgement


@transaction.atomic
def rule_acknowledgement_withdraw(*, rule, entry, actor):
    """Remove a participant's acknowledgement of a rule (recorded by mistake); nothing
    happens if there was none. Raises ValidationError for a closed or abandoned dialogue.
    Caller: someone with design_dialogues."""
    lock_dialogue_for_change(entry.dialogue)
    entry = _lock_entry(entry)
    RuleAcknowledgement.objects.filter(rule=rule, dialogue_participant=entry).delete()


@transaction.atomic
def rule_acknowledgements_set(*, entry, rules, acknowledged_on, actor):
    """Make `rules` exactly the rules `entry` has acknowledged: newly ticked rules are
    recorded on `acknowledged_on`, earlier acknowledgements keep their date, unticked ones
    are withdrawn. Returns the number of changes. Raises ValidationError for a closed or
    abandoned dialogue, a missing or future date (even with nothing newly ticked) and
    whatever rule_acknowledgement_record raises. Caller: someone with design_dialogues."""
    lock_dialogue_for_change(entry.dialogue)
    _check_acknowledgement_date(acknowledged_on)
    entry = _lock_entry(entry)
    held = set(
        RuleAcknowledgement.objects.filter(dialogue_participant=entry).values_list(
            "rule_id", flat=True
        )
    )
    wanted = {rule.pk: rule for rule in rules}
    changes = 0
    for rule_id, rule in wanted.items():
        if rule_id not in held:
            rule_acknowledgement_record(
                rule=rule, entry=entry, acknowledged_on=acknowledged_on, actor=actor
            )
            changes += 1
    for rule in entry.dialogue.ground_rules.filter(pk__in=held - wanted.keys()):
        rule_acknowledgement_withdraw(rule=rule, entry=entry, actor=actor)
        changes += 1
    return changes
