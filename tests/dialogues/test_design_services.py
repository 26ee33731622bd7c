from datetime import date

import pytest
from django.core.exceptions import ValidationError

from dialogues.models import ConsequenceTest, Dialogue, GroundRule, PackageItem, PartyInterest
from dialogues.services import design
from tests.dialogues.factories import ActorFactory, OptionFactory

Status = Dialogue.Status
CARRY = ConsequenceTest.Verdict.CARRY_FORWARD


@pytest.fixture
def new_dialogue(programme, facilitator):
    return design.dialogue_create(
        programme=programme,
        actor=facilitator,
        title="Crossing hours at Tavel",
        problem="Agree the opening hours of the Tavel crossing for aid convoys.",
        starts_on=date(2027, 1, 10),
    )


def test_a_new_dialogue_starts_in_design_with_its_ground_rules_and_five_rounds(new_dialogue):
    assert new_dialogue.status == Status.DESIGN
    assert list(new_dialogue.ground_rules.values_list("kind", flat=True)) == [
        GroundRule.Kind.CHATHAM_HOUSE,
        GroundRule.Kind.NON_ATTRIBUTION,
        GroundRule.Kind.PROBLEM_SOLVING,
    ]
    assert list(new_dialogue.rounds.values_list("kind", "position")) == [
        ("framing", 1),
        ("interests", 2),
        ("options", 3),
        ("consequences", 4),
        ("packaging", 5),
    ]
    assert new_dialogue.horizon_days == 90
    assert new_dialogue.next_steps_due_on == date(2027, 4, 10)


def test_the_status_moves_only_along_allowed_transitions(new_dialogue, facilitator):
    for status in (Status.CONVENING, Status.IN_ROUNDS, Status.PAUSED, Status.IN_ROUNDS):
        design.dialogue_transition(dialogue=new_dialogue, status=status, actor=facilitator)
    with pytest.raises(ValidationError) as refused:
        design.dialogue_transition(dialogue=new_dialogue, status=Status.CLOSED, actor=facilitator)
    assert "cannot move to “Closed”" in refused.value.messages[0]
    assert "Allowed: Abandoned, Packaging, Paused." in refused.value.messages[0]
    new_dialogue.refresh_from_db()
    assert new_dialogue.status == Status.IN_ROUNDS


def test_closed_and_abandoned_are_final(new_dialogue, facilitator):
    design.dialogue_transition(dialogue=new_dialogue, status=Status.ABANDONED, actor=facilitator)
    with pytest.raises(ValidationError, match="none, it is final"):
        design.dialogue_transition(dialogue=new_dialogue, status=Status.DESIGN, actor=facilitator)


def test_an_unknown_status_is_refused(new_dialogue, facilitator):
    with pytest.raises(ValidationError, match="Unknown status"):
        design.dialogue_transition(dialogue=new_dialogue, status="victory", actor=facilitator)


def test_a_finished_dialogue_keeps_its_record(new_dialogue, facilitator):
    option = OptionFactory(dialogue=new_dialogue)
    design.dialogue_transition(dialogue=new_dialogue, status=Status.ABANDONED, actor=facilitator)
    with pytest.raises(ValidationError, match="can no longer change"):
        design.dialogue_update(dialogue=new_dialogue, actor=facilitator, title="Renamed")
    with pytest.raises(ValidationError, match="can no longer change"):
        design.option_remove(option=option, actor=facilitator)


def test_only_a_carried_forward_option_enters_the_package(new_dialogue, facilitator):
    option = OptionFactory(dialogue=new_dialogue)
    with pytest.raises(ValidationError, match="carry forward"):
        design.package_add_option(option=option, actor=facilitator)
    design.option_record_consequence_test(
        option=option, actor=facilitator, feasibility=4, political_weight=3, verdict=CARRY
    )
    item = design.package_add_option(option=option, actor=facilitator)
    assert item.position == 1
    with pytest.raises(ValidationError, match="already in the package"):
        design.package_add_option(option=option, actor=facilitator)


def test_revising_the_verdict_takes_the_option_out_of_the_package(new_dialogue, facilitator):
    option = OptionFactory(dialogue=new_dialogue)
    design.option_record_consequence_test(
        option=option, actor=facilitator, feasibility=4, political_weight=3, verdict=CARRY
    )
    design.package_add_option(option=option, actor=facilitator)
    design.option_record_consequence_test(
        option=option, actor=facilitator, feasibility=2, political_weight=3, verdict="revise"
    )
    assert not PackageItem.objects.filter(option=option).exists()


def test_the_package_keeps_a_clean_order_through_moves_and_removals(new_dialogue, facilitator):
    options = OptionFactory.create_batch(3, dialogue=new_dialogue)
    for option in options:
        design.option_record_consequence_test(
            option=option, actor=facilitator, feasibility=3, political_weight=3, verdict=CARRY
        )
        design.package_add_option(option=option, actor=facilitator)

    def order():
        return list(new_dialogue.package.values_list("option__title", "position"))

    first, second, third = (o.title for o in options)
    last_item = new_dialogue.package.get(option=options[2])
    design.package_move(item=last_item, direction=-1, actor=facilitator)
    assert order() == [(first, 1), (third, 2), (second, 3)]
    design.package_move(item=new_dialogue.package.get(option=options[0]), direction=-1, actor=None)
    assert order() == [(first, 1), (third, 2), (second, 3)]  # already first: stays
    design.package_remove(item=new_dialogue.package.get(option=options[2]), actor=facilitator)
    assert order() == [(first, 1), (second, 2)]


def test_interests_belong_to_a_party_on_the_programmes_own_map(
    new_dialogue, facilitator, other_programme
):
    foreign = ActorFactory(programme=other_programme, name="Foreign Front")
    with pytest.raises(ValidationError, match="this programme's actor map"):
        design.party_interest_save(
            interest=PartyInterest(dialogue=new_dialogue, party=foreign, interests="x"),
            actor=facilitator,
        )
    ours = ActorFactory(programme=new_dialogue.programme, name="River Council")
    design.party_interest_save(
        interest=PartyInterest(dialogue=new_dialogue, party=ours, interests="Safe markets"),
        actor=facilitator,
    )
    with pytest.raises(ValidationError, match="already mapped"):
        design.party_interest_save(
            interest=PartyInterest(dialogue=new_dialogue, party=ours, interests="Again"),
            actor=facilitator,
        )


def test_agenda_items_keep_their_order_and_time_boxes(new_dialogue, facilitator):
    framing = new_dialogue.rounds.get(kind="framing")
    design.agenda_item_add(round=framing, actor=facilitator, title="Welcome", minutes=15)
    design.agenda_item_add(round=framing, actor=facilitator, title="The problem", minutes=60)
    assert list(framing.agenda_items.values_list("title", "position")) == [
        ("Welcome", 1),
        ("The problem", 2),
    ]
    with pytest.raises(ValidationError):
        design.agenda_item_add(round=framing, actor=facilitator, title="Too short", minutes=1)


def test_timing_verdict_reads_ripeness_and_readiness(new_dialogue):
    assert new_dialogue.timing_verdict == "Neither ripe nor ready yet"
    new_dialogue.credible_people_willing = "yes"
    assert new_dialogue.timing_verdict == "Ready, though not ripe"
    new_dialogue.hurting_stalemate = new_dialogue.way_out_perceived = "yes"
    assert new_dialogue.timing_verdict == "Ripe and ready"


def test_a_paused_dialogue_resumes_only_where_it_was_paused(new_dialogue, facilitator):
    design.dialogue_transition(dialogue=new_dialogue, status=Status.PAUSED, actor=facilitator)
    new_dialogue.refresh_from_db()
    assert new_dialogue.paused_from == Status.DESIGN
    with pytest.raises(ValidationError, match=r"Allowed: Abandoned, Design\."):
        design.dialogue_transition(dialogue=new_dialogue, status=Status.IN_ROUNDS, actor=None)
    design.dialogue_transition(dialogue=new_dialogue, status=Status.DESIGN, actor=facilitator)
    new_dialogue.refresh_from_db()
    assert (new_dialogue.status, new_dialogue.paused_from) == (Status.DESIGN, "")


def test_the_database_refuses_a_pause_that_forgets_where_it_came_from(new_dialogue):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Dialogue.objects.filter(pk=new_dialogue.pk).update(status="paused", paused_from="")
