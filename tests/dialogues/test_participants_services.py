"""The participant services: stable codes, identity-only writes, the consent gate (in the
service and in the database), the mix, ground rules and acknowledgements."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from dialogues.models import (
    Dialogue,
    DialogueParticipant,
    GroundRule,
    Membership,
    Participant,
    RuleAcknowledgement,
)
from dialogues.services import participants as services
from dialogues.services.attribution import programme_redactor
from dialogues.services.design import dialogue_create, dialogue_transition
from dialogues.services.teams import membership_add, programme_update_settings
from tests.dialogues.factories import DialogueParticipantFactory, ParticipantFactory

Status = DialogueParticipant.Status
Category = Participant.Category
Gender = Participant.Gender


def today():
    # Read at each use, not once at import: a run that crosses midnight would
    # otherwise date 'tomorrow' on what is by then today.
    return timezone.localdate()


def _person(programme, actor, name="Amina Yusuf", **fields):
    fields = {"category": Category.TECHNICAL_EXPERT, "gender": Gender.WOMAN, **fields}
    return services.participant_create(programme=programme, actor=actor, full_name=name, **fields)


@pytest.fixture
def entry(designed, facilitator, programme):
    person = _person(programme, facilitator)
    return services.dialogue_invite_participant(
        dialogue=designed, participant=person, actor=facilitator
    )


# --- Codes ---------------------------------------------------------------------------------


def test_codes_are_numbered_per_programme_from_p_001(programme, other_programme, facilitator):
    first = _person(programme, facilitator, "First")
    second = _person(programme, facilitator, "Second")
    assert (first.code, second.code) == ("P-001", "P-002")
    membership_add(
        programme=other_programme,
        email=facilitator.email,
        role=Membership.Role.FACILITATOR,
        actor=None,
    )
    assert _person(other_programme, facilitator, "Elsewhere").code == "P-001"


def test_the_next_code_follows_the_highest_number_in_use(programme, facilitator):
    ParticipantFactory(programme=programme, code="P-007")
    assert _person(programme, facilitator).code == "P-008"


def test_codes_are_compared_as_numbers_not_text(programme, facilitator):
    ParticipantFactory(programme=programme, code="P-999")
    assert _person(programme, facilitator, "A").code == "P-1000"
    # As text "P-1000" sorts before "P-999": a text maximum would hand out P-1000 again.
    assert _person(programme, facilitator, "B").code == "P-1001"


def test_a_code_never_changes_when_the_participant_is_edited(programme, facilitator):
    person = _person(programme, facilitator)
    updated = services.participant_update(
        participant=person, actor=facilitator, full_name="Amina Y. Yusuf", region="Coast"
    )
    assert (updated.code, updated.full_name, updated.region) == ("P-001", "Amina Y. Yusuf", "Coast")
    with pytest.raises(ValueError):
        services.participant_update(participant=person, actor=facilitator, code="P-100")
    person.refresh_from_db()
    assert person.code == "P-001"


def test_invalid_fields_are_refused_and_use_no_code(programme, facilitator):
    with pytest.raises(ValidationError) as refused:
        _person(programme, facilitator, email="not-an-address", category="overlord")
    assert {"email", "category"} <= refused.value.error_dict.keys()
    assert not Participant.objects.exists()
    assert _person(programme, facilitator).code == "P-001"


# --- Who may write identities --------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["officer", "legal_reviewer", "donor", "stranger"])
def test_someone_who_cannot_see_names_cannot_write_them(request, programme, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        _person(programme, actor)
    assert not Participant.objects.exists()


def test_no_one_without_identity_can_edit_a_participant(programme, facilitator, officer):
    person = _person(programme, facilitator)
    with pytest.raises(PermissionDenied):
        services.participant_update(participant=person, actor=officer, full_name="Someone Else")
    person.refresh_from_db()
    assert person.full_name == "Amina Yusuf"


def test_an_officer_writes_identities_where_the_programme_allows_it(
    programme, facilitator, officer
):
    programme_update_settings(programme=programme, actor=facilitator, officers_see_identity=True)
    assert _person(programme, officer).code == "P-001"


# --- The roster and the consent gate -------------------------------------------------------


def test_inviting_puts_the_participant_on_the_roster_as_invited(entry, designed):
    assert entry.status == Status.INVITED
    assert not entry.has_consent
    assert list(designed.roster.all()) == [entry]


def test_the_same_person_cannot_be_invited_twice(entry, designed, facilitator):
    with pytest.raises(ValidationError, match="P-001 is already on the roster"):
        services.dialogue_invite_participant(
            dialogue=designed, participant=entry.participant, actor=facilitator
        )
    assert designed.roster.count() == 1


def test_only_participants_of_the_programme_can_be_invited(designed, facilitator, other_programme):
    outsider = ParticipantFactory(programme=other_programme)
    with pytest.raises(ValidationError, match="Only participants of this programme"):
        services.dialogue_invite_participant(
            dialogue=designed, participant=outsider, actor=facilitator
        )
    assert not designed.roster.exists()


def test_confirming_without_consent_is_refused_with_the_reason(entry, facilitator):
    with pytest.raises(ValidationError) as refused:
        services.dialogue_participant_set_status(
            entry=entry, status=Status.CONFIRMED, actor=facilitator
        )
    assert "P-001 cannot be confirmed: no consent is recorded" in str(refused.value)
    assert "Amina" not in str(refused.value)
    entry.refresh_from_db()
    assert entry.status == Status.INVITED


def test_the_database_refuses_a_confirmation_without_consent(entry):
    with pytest.raises(IntegrityError), transaction.atomic():
        DialogueParticipant.objects.filter(pk=entry.pk).update(status=Status.CONFIRMED)
    entry.refresh_from_db()
    assert entry.status == Status.INVITED


def test_once_consent_is_recorded_the_participant_can_be_confirmed(entry, facilitator):
    services.dialogue_participant_record_consent(
        entry=entry, given_on=today(), scope="Taking part; no recording.", actor=facilitator
    )
    confirmed = services.dialogue_participant_set_status(
        entry=entry, status=Status.CONFIRMED, actor=facilitator
    )
    assert confirmed.status == Status.CONFIRMED
    assert confirmed.consent_given_on == today()
    assert confirmed.consent_scope == "Taking part; no recording."
    assert confirmed.consent_recorded_by == facilitator


@pytest.mark.parametrize("status", [Status.DECLINED, Status.WITHDRAWN, Status.INVITED])
def test_other_statuses_need_no_consent(entry, facilitator, status):
    assert (
        services.dialogue_participant_set_status(
            entry=entry, status=status, actor=facilitator
        ).status
        == status
    )


def test_an_unknown_status_is_refused(entry, facilitator):
    with pytest.raises(ValidationError, match="Unknown status"):
        services.dialogue_participant_set_status(entry=entry, status="vanished", actor=facilitator)


def test_consent_needs_a_date_not_in_the_future_and_a_scope(entry, officer):
    with pytest.raises(ValidationError) as refused:
        services.dialogue_participant_record_consent(
            entry=entry, given_on=today() + timedelta(days=1), scope="  ", actor=officer
        )
    assert refused.value.error_dict.keys() == {"given_on", "scope"}
    with pytest.raises(ValidationError) as refused:
        services.dialogue_participant_record_consent(
            entry=entry, given_on=None, scope="Taking part", actor=officer
        )
    assert refused.value.error_dict.keys() == {"given_on"}
    entry.refresh_from_db()
    assert not entry.has_consent


# --- The mix -------------------------------------------------------------------------------


def _entries(*people, status=Status.INVITED):
    """Unsaved roster entries: roster_mix is pure and needs no database."""
    return [
        DialogueParticipant(
            status=status,
            participant=Participant(
                code=f"P-{n:03d}",
                category=category,
                gender=gender,
                is_authoritative_proxy=proxy,
            ),
        )
        for n, (category, gender, proxy) in enumerate(people, start=1)
    ]


def _share(shares, label):
    return next(share for share in shares if share.label == label)


def test_the_mix_counts_invited_and_confirmed_people_only():
    entries = (
        _entries((Category.TECHNICAL_EXPERT, Gender.WOMAN, False))
        + _entries((Category.ADVISOR, Gender.MAN, True), status=Status.CONFIRMED)
        + _entries((Category.COMMUNITY_VOICE, Gender.MAN, False), status=Status.DECLINED)
        + _entries((Category.EX_OFFICIAL, Gender.MAN, True), status=Status.WITHDRAWN)
    )
    mix = services.roster_mix(entries)
    assert mix.size == 2
    assert _share(mix.genders, "Man").count == 1
    assert _share(mix.categories, "Community voice").count == 0
    assert [str(gap) for gap in mix.missing] == ["community voices"]


@pytest.mark.parametrize(
    ("size", "too_small", "too_large"),
    [(0, True, False), (9, True, False), (10, False, False), (16, False, False), (17, False, True)],
)
def test_the_group_size_is_held_against_the_10_to_16_guidance(size, too_small, too_large):
    mix = services.roster_mix(_entries(*[(Category.OTHER, Gender.WOMAN, False)] * size))
    assert (mix.size, mix.too_small, mix.too_large) == (size, too_small, too_large)


def test_shares_are_whole_percentages_rounded_half_up():
    people = [(Category.TECHNICAL_EXPERT, Gender.WOMAN, False)] + [
        (Category.ADVISOR, Gender.MAN, True)
    ] * 7
    mix = services.roster_mix(_entries(*people))
    assert _share(mix.genders, "Woman").percent == 13  # 12.5
    assert _share(mix.genders, "Man").percent == 88  # 87.5
    thirds = services.roster_mix(
        _entries(*[(Category.OTHER, Gender.WOMAN, False)] * 2, (Category.OTHER, Gender.MAN, False))
    )
    assert (_share(thirds.genders, "Woman").percent, _share(thirds.genders, "Man").percent) == (
        67,
        33,
    )


def test_every_gender_and_category_is_listed_even_when_absent():
    mix = services.roster_mix(_entries((Category.COMMUNITY_VOICE, Gender.WOMAN, False)))
    assert [share.label for share in mix.genders] == list(Gender.labels)
    assert [share.label for share in mix.categories] == list(Category.labels)
    assert _share(mix.categories, "Community voice").percent == 100
    assert _share(mix.categories, "Advisor").percent == 0


def test_an_empty_roster_misses_every_profile_and_divides_by_nothing():
    mix = services.roster_mix([])
    assert mix.size == 0
    assert {share.percent for share in mix.genders + mix.categories} == {0}
    assert [str(gap) for gap in mix.missing] == [
        "authoritative proxies",
        "technical experts",
        "community voices",
    ]


def test_a_balanced_group_misses_nothing():
    mix = services.roster_mix(
        _entries(
            (Category.RETIRED_COMMANDER, Gender.MAN, True),
            (Category.TECHNICAL_EXPERT, Gender.WOMAN, False),
            (Category.COMMUNITY_VOICE, Gender.WOMAN, False),
        )
    )
    assert mix.missing == ()


def test_the_mix_is_computed_from_one_query(designed, django_assert_num_queries):
    for _ in range(12):
        DialogueParticipantFactory(dialogue=designed)
    with django_assert_num_queries(1):
        mix = services.roster_mix(designed.roster.select_related("participant"))
    assert mix.size == 12


# --- Ground rules and acknowledgements -----------------------------------------------------


def test_a_new_dialogue_has_the_three_default_rules(designed):
    assert [rule.kind for rule in designed.ground_rules.all()] == [
        "chatham",
        "nonattrib",
        "problem",
    ]


def test_a_custom_rule_goes_after_the_others(designed, officer):
    rule = services.ground_rule_add(
        dialogue=designed, title="Phones off", text="Phones stay outside.", actor=officer
    )
    assert (rule.kind, rule.position) == ("custom", 4)
    assert list(designed.ground_rules.all())[-1] == rule


def test_rules_are_reworded_but_never_left_empty(designed, facilitator):
    rule = designed.ground_rules.first()
    services.ground_rule_update(
        rule=rule, title="Chatham House", text="What is said stays unattributed.", actor=facilitator
    )
    rule.refresh_from_db()
    assert rule.title == "Chatham House"
    with pytest.raises(ValidationError):
        services.ground_rule_update(rule=rule, title="", text="", actor=facilitator)
    rule.refresh_from_db()
    assert rule.text == "What is said stays unattributed."


def test_an_acknowledgement_is_recorded_once_and_its_date_can_be_corrected(
    designed, entry, facilitator
):
    rule = designed.ground_rules.first()
    services.rule_acknowledgement_record(
        rule=rule, entry=entry, acknowledged_on=today() - timedelta(days=3), actor=facilitator
    )
    services.rule_acknowledgement_record(
        rule=rule, entry=entry, acknowledged_on=today(), actor=facilitator
    )
    acknowledgement = RuleAcknowledgement.objects.get()
    assert (acknowledgement.acknowledged_on, acknowledgement.recorded_by) == (today(), facilitator)
    services.rule_acknowledgement_withdraw(rule=rule, entry=entry, actor=facilitator)
    assert not RuleAcknowledgement.objects.exists()


def test_no_acknowledgement_for_someone_who_declined(designed, entry, facilitator):
    services.dialogue_participant_set_status(entry=entry, status=Status.DECLINED, actor=facilitator)
    with pytest.raises(ValidationError, match="P-001 is no longer taking part"):
        services.rule_acknowledgement_record(
            rule=designed.ground_rules.first(), entry=entry, acknowledged_on=today(), actor=None
        )
    assert not RuleAcknowledgement.objects.exists()


def test_no_acknowledgement_of_another_dialogues_rule_or_in_the_future(
    programme, designed, entry, facilitator
):
    elsewhere = dialogue_create(programme=programme, actor=facilitator, title="B", problem="B.")
    with pytest.raises(ValidationError, match="another dialogue"):
        services.rule_acknowledgement_record(
            rule=elsewhere.ground_rules.first(), entry=entry, acknowledged_on=today(), actor=None
        )
    with pytest.raises(ValidationError, match="in the future"):
        services.rule_acknowledgement_record(
            rule=designed.ground_rules.first(),
            entry=entry,
            acknowledged_on=today() + timedelta(days=1),
            actor=None,
        )
    assert not RuleAcknowledgement.objects.exists()


def test_setting_a_row_records_new_ticks_keeps_old_dates_and_withdraws_unticked(
    designed, entry, facilitator
):
    chatham, nonattribution, norms = designed.ground_rules.all()
    earlier = today() - timedelta(days=10)
    services.rule_acknowledgements_set(
        entry=entry, rules=[chatham, nonattribution], acknowledged_on=earlier, actor=facilitator
    )
    changes = services.rule_acknowledgements_set(
        entry=entry, rules=[chatham, norms], acknowledged_on=today(), actor=facilitator
    )
    assert changes == 2
    held = dict(
        RuleAcknowledgement.objects.filter(dialogue_participant=entry).values_list(
            "rule__kind", "acknowledged_on"
        )
    )
    assert held == {"chatham": earlier, "problem": today()}


def test_the_database_refuses_a_second_participant_with_the_same_code(programme, facilitator):
    _person(programme, facilitator)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipantFactory(programme=programme, code="P-001")


def test_a_future_date_is_refused_even_when_nothing_new_is_ticked(designed, entry, facilitator):
    with pytest.raises(ValidationError, match="in the future"):
        services.rule_acknowledgements_set(
            entry=entry, rules=[], acknowledged_on=today() + timedelta(days=1), actor=facilitator
        )


# --- A closed or abandoned dialogue keeps its record ----------------------------------------

DialogueStatus = Dialogue.Status
ROUTE_TO = {
    DialogueStatus.CLOSED: [
        DialogueStatus.CONVENING,
        DialogueStatus.IN_ROUNDS,
        DialogueStatus.PACKAGING,
        DialogueStatus.CLOSED,
    ],
    DialogueStatus.ABANDONED: [DialogueStatus.ABANDONED],
}


def _record(dialogue):
    """Everything of the dialogue the participant services could change."""
    return (
        list(
            dialogue.roster.order_by("pk").values_list(
                "participant__code", "status", "consent_given_on", "consent_scope"
            )
        ),
        list(dialogue.ground_rules.order_by("pk").values_list("title", "text", "position")),
        list(
            RuleAcknowledgement.objects.filter(rule__dialogue=dialogue)
            .order_by("pk")
            .values_list(
                "rule__title", "dialogue_participant__participant__code", "acknowledged_on"
            )
        ),
    )


@pytest.fixture(params=[DialogueStatus.CLOSED, DialogueStatus.ABANDONED])
def frozen(request, designed, entry, programme, facilitator):
    """The dialogue with a consenting participant who acknowledged the first rule, someone
    left to invite, then closed or abandoned. `entry` and `designed` are the objects loaded
    before that: the services must not trust their status."""
    services.dialogue_participant_record_consent(
        entry=entry, given_on=today(), scope="Taking part", actor=facilitator
    )
    services.rule_acknowledgement_record(
        rule=designed.ground_rules.first(), entry=entry, acknowledged_on=today(), actor=facilitator
    )
    _person(programme, facilitator, "Karim Nassar")
    for status in ROUTE_TO[request.param]:
        dialogue_transition(dialogue=designed, status=status, actor=facilitator)
    return designed


FROZEN_WRITES = {
    "invite": lambda dialogue, entry, rules, newcomer: services.dialogue_invite_participant(
        dialogue=dialogue, participant=newcomer, actor=None
    ),
    "set status": lambda dialogue, entry, rules, newcomer: services.dialogue_participant_set_status(
        entry=entry, status=Status.WITHDRAWN, actor=None
    ),
    "record consent": lambda dialogue, entry, rules, newcomer: (
        services.dialogue_participant_record_consent(
            entry=entry, given_on=today(), scope="Being recorded", actor=None
        )
    ),
    "add a rule": lambda dialogue, entry, rules, newcomer: services.ground_rule_add(
        dialogue=dialogue, title="Phones off", text="Phones stay outside.", actor=None
    ),
    "reword a rule": lambda dialogue, entry, rules, newcomer: services.ground_rule_update(
        rule=rules[0], title="Chatham", text="Reworded.", actor=None
    ),
    "record an acknowledgement": lambda dialogue, entry, rules, newcomer: (
        services.rule_acknowledgement_record(
            rule=rules[1], entry=entry, acknowledged_on=today(), actor=None
        )
    ),
    "withdraw an acknowledgement": lambda dialogue, entry, rules, newcomer: (
        services.rule_acknowledgement_withdraw(rule=rules[0], entry=entry, actor=None)
    ),
    "set acknowledgements": lambda dialogue, entry, rules, newcomer: (
        services.rule_acknowledgements_set(
            entry=entry, rules=rules[1:], acknowledged_on=today(), actor=None
        )
    ),
}


@pytest.mark.parametrize("write", FROZEN_WRITES)
def test_nothing_of_a_closed_or_abandoned_dialogue_changes(frozen, entry, programme, write):
    rules = list(GroundRule.objects.filter(dialogue=frozen))
    newcomer = programme.participants.get(full_name="Karim Nassar")
    before = _record(frozen)
    with pytest.raises(ValidationError, match="its record can no longer change"):
        FROZEN_WRITES[write](frozen, entry, rules, newcomer)
    assert _record(frozen) == before


def test_a_closed_dialogue_is_refused_before_the_input_is_judged(frozen, entry):
    # The reason that matters comes first: fixing the date would not help.
    with pytest.raises(ValidationError, match="its record can no longer change"):
        services.dialogue_participant_record_consent(
            entry=entry, given_on=None, scope="", actor=None
        )
    with pytest.raises(ValidationError, match="its record can no longer change"):
        services.rule_acknowledgements_set(
            entry=entry, rules=[], acknowledged_on=today() + timedelta(days=1), actor=None
        )


def test_a_paused_dialogue_still_takes_changes(designed, entry, facilitator):
    dialogue_transition(dialogue=designed, status=DialogueStatus.PAUSED, actor=facilitator)
    services.dialogue_participant_set_status(entry=entry, status=Status.DECLINED, actor=None)
    entry.refresh_from_db()
    assert entry.status == Status.DECLINED


# --- Consent scopes as a viewer may read them ------------------------------------------------


def test_consent_scopes_keep_names_from_viewers_without_identity(
    programme, facilitator, django_assert_num_queries
):
    _person(programme, facilitator, "Amina Yusuf", aliases="Auntie Mina")
    scope = "Taking part; no photos of AMINA YUSUF or of Auntie Mina."
    with django_assert_num_queries(1):  # the names, once for every scope
        hidden = programme_redactor(programme, show_identity=False)
        assert hidden(scope) == "Taking part; no photos of [name withheld] or of [name withheld]."
        assert hidden("Being recorded") == "Being recorded"
    with django_assert_num_queries(0):
        assert programme_redactor(programme, show_identity=True)(scope) == scope


@pytest.mark.parametrize("field", ["category", "gender"])
def test_choice_labels_are_what_django_would_show(programme, field):
    """Participant looks a category or gender label up itself (Django's get_FOO_display
    translates every choice on every call); it must show what Django would."""
    person = ParticipantFactory(programme=programme)
    model_field = Participant._meta.get_field(field)
    display = getattr(person, f"get_{field}_display")
    for value, _label in [*model_field.choices, ("not-a-choice", "")]:
        setattr(person, field, value)
        # A str, as Django's: a lazy label cannot be written as JSON (the export).
        assert type(display()) is str
        assert display() == models.Model._get_FIELD_display(person, model_field)
