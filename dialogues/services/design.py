"""Designing a dialogue: its scope, status, ground rules and five rounds with their outputs.

The design texts (title, problem, notes, round goals, agenda, ground rules, interests, options
and consequence tests) are the whole team's working material, read by officers and legal
reviewers who may not see identities: no one may write a participant's name in them
(`check_design_texts`). A name that got there anyway (the person joined the register later)
is withheld on every page shown to such a reader, who may then not edit that text: the form
would show the name, and saving would overwrite what they could not read."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues.models import (
    AgendaItem,
    ConsequenceTest,
    Dialogue,
    GroundRule,
    PackageItem,
    PartyInterest,
    Round,
)
from dialogues.models.rounds import ROUND_ORDER
from dialogues.services.attribution import actor_sees_identity, programme_mention_finder

DESIGN_NAMES_MESSAGE = gettext_lazy(
    "This text names a participant: refer to people by their role or code. The dialogue's "
    "design is read by team members who may not see identities."
)
DESIGN_WITHHELD_MESSAGE = gettext_lazy(
    "This text names a participant, which is withheld from you: only a team member who may "
    "see identities can change it."
)

# Every new dialogue starts with these; facilitators edit them and add their own.
DEFAULT_GROUND_RULES = [
    (
        GroundRule.Kind.CHATHAM_HOUSE,
        gettext_lazy("Chatham House Rule"),
        _(
            "Participants are free to use the information received, but neither the identity "
            "nor the affiliation of the speaker, nor that of any other participant, may be "
            "revealed."
        ),
    ),
    (
        GroundRule.Kind.NON_ATTRIBUTION,
        gettext_lazy("Non-attribution"),
        _(
            "No statement is attributed to a participant, in notes, documents or reports, "
            "during the dialogue or after it."
        ),
    ),
    (
        GroundRule.Kind.PROBLEM_SOLVING,
        gettext_lazy("Problem-solving norms"),
        _(
            "Active listening; hypotheses tested, not positions defended; options generated "
            "without commitment."
        ),
    ),
]


def lock_dialogue_for_change(dialogue):
    """Lock the dialogue row and refuse (ValidationError) any change to the record of a closed
    or abandoned dialogue. Every service that changes something of a dialogue calls this
    first, inside its transaction."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if dialogue.is_frozen:
        raise ValidationError(
            _("This dialogue is %(status)s: its record can no longer change.")
            % {"status": dialogue.get_status_display().lower()}
        )
    return dialogue


def check_design_texts(*, programme, actor, texts, stored=()):
    """Raise ValidationError when one of `texts` ({field: new text}) names a participant of
    `programme` (an error on each such field), or when one of the `stored` texts being
    replaced does and `actor` may not see identities. One query, two more for the identity
    check when a stored text names someone."""
    finder = programme_mention_finder(programme)
    if any(finder.find(text) for text in stored) and not actor_sees_identity(actor, programme):
        raise ValidationError(DESIGN_WITHHELD_MESSAGE, code="names_withheld")
    errors = {field: DESIGN_NAMES_MESSAGE for field, text in texts.items() if finder.find(text)}
    if errors:
        raise ValidationError(errors, code="names")


DIALOGUE_TEXT_FIELDS = ("title", "problem", "scope_notes", "timing_notes")
OPTION_TEXT_FIELDS = ("title", "description", "who", "when", "how")
INTEREST_TEXT_FIELDS = ("interests", "constraints")
CONSEQUENCE_TEXT_FIELDS = ("gains", "losses", "risks", "do_no_harm", "legal_flags")


def _texts(obj, fields):
    return {field: getattr(obj, field) for field in fields}


def _stored_texts(obj, fields):
    """The texts as the database holds them: a form has already put the new ones on `obj`."""
    if obj.pk is None:
        return []
    return list(type(obj).objects.values_list(*fields).get(pk=obj.pk))


@transaction.atomic
def dialogue_create(*, programme, actor, **fields):
    """Create a dialogue in design with the default ground rules and its five rounds.
    Raises ValidationError for invalid fields. Caller: someone with design_dialogues."""
    dialogue = Dialogue(programme=programme, status=Dialogue.Status.DESIGN, **fields)
    check_design_texts(
        programme=programme, actor=actor, texts=_texts(dialogue, DIALOGUE_TEXT_FIELDS)
    )
    dialogue.full_clean()
    dialogue.save()
    GroundRule.objects.bulk_create(
        GroundRule(
            dialogue=dialogue, kind=kind, title=str(title), text=str(text), position=position
        )
        for position, (kind, title, text) in enumerate(DEFAULT_GROUND_RULES, start=1)
    )
    Round.objects.bulk_create(
        Round(dialogue=dialogue, kind=kind, position=position)
        for position, kind in enumerate(ROUND_ORDER, start=1)
    )
    return dialogue


@transaction.atomic
def dialogue_update(*, dialogue, actor, **fields):
    """Change a dialogue's scope, timing and dates (not its status: see dialogue_transition).
    Caller: someone with design_dialogues."""
    if "status" in fields:
        raise ValueError("Use dialogue_transition to change the status.")
    dialogue = lock_dialogue_for_change(dialogue)
    stored = _texts(dialogue, DIALOGUE_TEXT_FIELDS)
    for name, value in fields.items():
        setattr(dialogue, name, value)
    check_design_texts(
        programme=dialogue.programme,
        actor=actor,
        texts=_texts(dialogue, DIALOGUE_TEXT_FIELDS),
        stored=stored.values(),
    )
    dialogue.full_clean()
    dialogue.save()
    return dialogue


@transaction.atomic
def dialogue_transition(*, dialogue, status, actor):
    """Move the dialogue to `status` along an allowed transition. Raises ValidationError
    saying why a move is refused. Caller: someone with design_dialogues."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    if status not in Dialogue.Status.values:
        raise ValidationError(_("Unknown status."))
    dialogue.transition_to(status)
    dialogue.save(update_fields=["status", "paused_from", "updated_at"])
    return dialogue


@transaction.atomic
def option_record_consequence_test(*, option, actor, **fields):
    """Record or replace the consequence test of an option. An option whose verdict is no
    longer "carry forward" leaves the package. Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(option.dialogue)
    test, _created = ConsequenceTest.objects.get_or_create(
        option=option, defaults={"feasibility": 3, "political_weight": 3, "verdict": "revise"}
    )
    stored = _texts(test, CONSEQUENCE_TEXT_FIELDS)
    for name, value in fields.items():
        setattr(test, name, value)
    check_design_texts(
        programme=dialogue.programme,
        actor=actor,
        texts=_texts(test, CONSEQUENCE_TEXT_FIELDS),
        stored=stored.values(),
    )
    test.full_clean()
    test.save()
    if test.verdict != ConsequenceTest.Verdict.CARRY_FORWARD:
        PackageItem.objects.filter(option=option).delete()
    return test


@transaction.atomic
def package_add_option(*, option, actor):
    """Carry an option into the dialogue's package, at the end. Only an option whose
    consequence test says "carry forward" may go in. Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(option.dialogue)
    test = ConsequenceTest.objects.filter(option=option).first()
    if test is None or test.verdict != ConsequenceTest.Verdict.CARRY_FORWARD:
        raise ValidationError(
            _("Only an option whose consequence test says “carry forward” goes in the package.")
        )
    if PackageItem.objects.filter(option=option).exists():
        raise ValidationError(_("This option is already in the package."))
    last = dialogue.package.aggregate(last=Max("position"))["last"] or 0
    return PackageItem.objects.create(dialogue=dialogue, option=option, position=last + 1)


@transaction.atomic
def package_move(*, item, direction, actor):
    """Move a package item one place up (-1) or down (+1). Caller: design_dialogues."""
    dialogue = lock_dialogue_for_change(item.dialogue)
    items = list(dialogue.package.order_by("position", "id"))
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    target = index + direction
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, package_item in enumerate(items, start=1):
        package_item.position = position
    PackageItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def package_remove(*, item, actor):
    """Take an option out of the package; the rest close ranks. Caller: design_dialogues."""
    dialogue = lock_dialogue_for_change(item.dialogue)
    item.delete()
    items = list(dialogue.package.order_by("position", "id"))
    for position, package_item in enumerate(items, start=1):
        package_item.position = position
    PackageItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def round_update(*, round, actor, goals, status):
    """Set a round's goals and status. Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(round.dialogue)
    stored = Round.objects.values_list("goals", flat=True).get(pk=round.pk)
    check_design_texts(
        programme=dialogue.programme, actor=actor, texts={"goals": goals}, stored=[stored]
    )
    round.goals, round.status = goals, status
    round.full_clean()
    round.save(update_fields=["goals", "status"])
    return round


@transaction.atomic
def agenda_item_add(*, round, actor, title, minutes):
    """Add a time-boxed item at the end of a round's agenda. Caller: design_dialogues."""
    dialogue = lock_dialogue_for_change(round.dialogue)
    check_design_texts(programme=dialogue.programme, actor=actor, texts={"title": title})
    last = round.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem(round=round, title=title, minutes=minutes, position=last + 1)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_remove(*, item, actor):
    """Caller: someone with design_dialogues."""
    lock_dialogue_for_change(item.round.dialogue)
    item.delete()


@transaction.atomic
def party_interest_save(*, interest, actor):
    """Create or update one party's interests and constraints (round b). The party must be an
    actor on the dialogue's own programme map, once per dialogue. Caller: design_dialogues."""
    dialogue = lock_dialogue_for_change(interest.dialogue)
    if interest.party.programme_id != dialogue.programme_id:
        raise ValidationError({"party": _("Choose a party from this programme's actor map.")})
    duplicate = PartyInterest.objects.filter(dialogue=dialogue, party=interest.party).exclude(
        pk=interest.pk
    )
    if duplicate.exists():
        raise ValidationError(
            {"party": _("This party's interests are already mapped: edit them instead.")}
        )
    check_design_texts(
        programme=dialogue.programme,
        actor=actor,
        texts=_texts(interest, INTEREST_TEXT_FIELDS),
        stored=_stored_texts(interest, INTEREST_TEXT_FIELDS),
    )
    interest.full_clean()
    interest.save()
    return interest


@transaction.atomic
def party_interest_remove(*, interest, actor):
    """Caller: someone with design_dialogues."""
    lock_dialogue_for_change(interest.dialogue)
    interest.delete()


@transaction.atomic
def option_save(*, option, actor):
    """Create or update an option (round c). Caller: someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(option.dialogue)
    check_design_texts(
        programme=dialogue.programme,
        actor=actor,
        texts=_texts(option, OPTION_TEXT_FIELDS),
        stored=_stored_texts(option, OPTION_TEXT_FIELDS),
    )
    option.full_clean()
    option.save()
    return option


@transaction.atomic
def option_remove(*, option, actor):
    """Remove an option with its consequence test; the package closes ranks. Caller:
    someone with design_dialogues."""
    dialogue = lock_dialogue_for_change(option.dialogue)
    option.delete()
    items = list(dialogue.package.order_by("position", "id"))
    for position, package_item in enumerate(items, start=1):
        package_item.position = position
    PackageItem.objects.bulk_update(items, ["position"])
