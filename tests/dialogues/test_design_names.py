"""A dialogue's design texts (title, problem, notes, round goals, agenda, ground rules,
interests, options, consequence tests) are read by officers and legal reviewers who may not
see identities. Nobody may write a participant's name in them; a name that got there anyway
(the person joined the register after the text was written) is withheld from such readers
on every page, and they may not edit that text."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template, VariableDoesNotExist
from django.urls import reverse

from dialogues.models import (
    AgendaItem,
    Dialogue,
    GroundRule,
    Option,
    Participant,
    PartyInterest,
    Round,
)
from dialogues.services import design
from dialogues.services import participants as participant_services
from dialogues.services.attribution import NAME_WITHHELD, Redactor
from tests.dialogues.factories import ActorFactory, OptionFactory, ParticipantFactory

NAME = "Amara Quillfeather"
WITHHELD = str(NAME_WITHHELD)


@pytest.fixture
def participant(programme):
    return ParticipantFactory(programme=programme, full_name=NAME, aliases="Auntie Q")


def _page(client, name, *args):
    response = client.get(reverse(f"dialogues:{name}", args=args))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# --- Writing: no name in a design text, whoever writes it ------------------------------------


def _interest(dialogue, actor, text):
    party = ActorFactory(programme=dialogue.programme)
    interest = PartyInterest(dialogue=dialogue, party=party, interests=text)
    return design.party_interest_save(interest=interest, actor=actor)


WRITES = {
    "dialogue title": (
        "title",
        lambda d, actor, text: design.dialogue_update(dialogue=d, actor=actor, title=text),
    ),
    "problem": (
        "problem",
        lambda d, actor, text: design.dialogue_update(dialogue=d, actor=actor, problem=text),
    ),
    "round goals": (
        "goals",
        lambda d, actor, text: design.round_update(
            round=d.rounds.get(kind=Round.Kind.FRAMING), actor=actor, goals=text, status="planned"
        ),
    ),
    "agenda item": (
        "title",
        lambda d, actor, text: design.agenda_item_add(
            round=d.rounds.first(), actor=actor, title=text, minutes=30
        ),
    ),
    "interests": ("interests", _interest),
    "option": (
        "who",
        lambda d, actor, text: design.option_save(
            option=Option(dialogue=d, title="Joint hotline", who=text), actor=actor
        ),
    ),
    "consequence test": (
        "losses",
        lambda d, actor, text: design.option_record_consequence_test(
            option=d.options.get(title="To test"),
            actor=actor,
            losses=text,
            feasibility=3,
            political_weight=3,
            verdict="revise",
        ),
    ),
    "ground rule": (
        "text",
        lambda d, actor, text: participant_services.ground_rule_add(
            dialogue=d, title="Phones", text=text, actor=actor
        ),
    ),
}


@pytest.mark.parametrize("what", WRITES)
def test_a_design_text_naming_a_participant_is_refused_even_to_a_facilitator(
    what, designed, participant, facilitator
):
    field, write = WRITES[what]
    OptionFactory(dialogue=designed, title="To test")
    counts = _design_counts(designed)
    with pytest.raises(ValidationError) as refused:
        write(designed, facilitator, f"Ask {participant.full_name.upper()} first")
    assert "names a participant" in refused.value.message_dict[field][0]
    assert _design_counts(designed) == counts
    designed.refresh_from_db()
    assert NAME not in designed.title + designed.problem
    # Their alias is a name too; their role is not.
    with pytest.raises(ValidationError):
        write(designed, facilitator, "As auntie q said")
    write(designed, facilitator, "Ask the women's network liaison first")


def _design_counts(dialogue):
    return (
        AgendaItem.objects.filter(round__dialogue=dialogue).count(),
        PartyInterest.objects.filter(dialogue=dialogue).count(),
        Option.objects.filter(dialogue=dialogue).count(),
        GroundRule.objects.filter(dialogue=dialogue).count(),
        list(dialogue.rounds.values_list("goals", flat=True)),
    )


def test_a_stored_name_may_be_replaced_only_by_someone_who_sees_identities(
    designed, participant, officer, facilitator
):
    # Written before the person joined the register: the check could not know the name.
    Dialogue.objects.filter(pk=designed.pk).update(problem=f"Convened at {NAME}'s request.")
    option = OptionFactory(dialogue=designed, description=f"{NAME} to call the ministry.")

    with pytest.raises(ValidationError) as refused:
        design.dialogue_update(dialogue=designed, actor=officer, problem="Crossing hours.")
    assert refused.value.code == "names_withheld"
    option.description = "[name withheld] to call the ministry."
    with pytest.raises(ValidationError, match="withheld from you"):
        design.option_save(option=option, actor=officer)
    assert NAME in Option.objects.get(pk=option.pk).description

    design.dialogue_update(dialogue=designed, actor=facilitator, problem="Crossing hours.")
    option.description = "The liaison calls the ministry."
    design.option_save(option=option, actor=facilitator)
    assert Option.objects.get(pk=option.pk).description == "The liaison calls the ministry."


# --- Reading: the name is withheld from readers without identity -------------------------------


@pytest.fixture
def named(designed, participant):
    """Design texts holding the participant's name, as if written before they registered."""
    Dialogue.objects.filter(pk=designed.pk).update(
        title=f"Talks {NAME} convened", scope_notes="Auntie Q hosts."
    )
    designed.refresh_from_db()
    framing = designed.rounds.get(kind=Round.Kind.FRAMING)
    Round.objects.filter(pk=framing.pk).update(goals=f"Hear {NAME} out.")
    AgendaItem.objects.create(round=framing, title=f"{NAME}'s opening", minutes=20)
    options = designed.rounds.get(kind=Round.Kind.OPTIONS)
    option = OptionFactory(dialogue=designed, title=f"{NAME}'s hotline")
    GroundRule.objects.filter(dialogue=designed, kind=GroundRule.Kind.PROBLEM_SOLVING).update(
        text=f"{NAME} keeps time."
    )
    return designed, options, option


def test_an_officer_without_identity_reads_every_design_page_with_the_name_withheld(
    login, officer, named
):
    dialogue, _options, option = named
    client = login(officer)
    pages = [
        ("dialogue_detail", dialogue.public_id),
        ("round_detail", dialogue.public_id, "framing"),
        ("round_detail", dialogue.public_id, "options"),
        ("ground_rules", dialogue.public_id),
        ("roster", dialogue.public_id),
        ("session_list", dialogue.public_id),
        ("evidence_list", dialogue.public_id),
        ("option_edit", dialogue.public_id, option.public_id),
        ("consequence_test", dialogue.public_id, option.public_id),
        ("programme_detail", dialogue.programme.public_id),
    ]
    for name, *args in pages:
        text = _page(client, name, *args)
        assert NAME.casefold() not in text.casefold(), name
        assert "Auntie Q".casefold() not in text.casefold(), name
        assert f"Talks {WITHHELD} convened" in text, name

    goals = _page(client, "round_detail", dialogue.public_id, "framing")
    assert f"Hear {WITHHELD} out." in goals
    assert f"{WITHHELD}'s opening" in goals
    # The goals are not offered for editing: the form would show the name.
    assert 'name="round-goals"' not in goals
    assert "These goals name a participant, which is withheld from you" in goals

    edit = _page(client, "option_edit", dialogue.public_id, option.public_id)
    assert 'name="option-title"' not in edit
    assert "This text names a participant, which is withheld from you" in edit
    rules = _page(client, "ground_rules", dialogue.public_id)
    assert f"{WITHHELD} keeps time." in rules
    assert "This rule names a participant, which is withheld from you" in rules


def test_a_legal_reviewer_reads_the_names_withheld_and_a_facilitator_reads_them(
    login, legal_reviewer, facilitator, named
):
    dialogue, _options, option = named
    reviewer = _page(login(legal_reviewer), "round_detail", dialogue.public_id, "options")
    assert NAME not in reviewer and f"{WITHHELD}'s hotline" in reviewer

    facilitator_view = _page(login(facilitator), "round_detail", dialogue.public_id, "framing")
    assert f"Talks {NAME} convened" in facilitator_view
    assert 'name="round-goals"' in facilitator_view
    edit = _page(login(facilitator), "option_edit", dialogue.public_id, option.public_id)
    assert 'name="option-title"' in edit and f"{NAME}'s hotline" in edit


def test_the_activity_page_and_its_filter_withhold_the_name_in_titles(login, officer, named):
    dialogue, _options, _option = named
    response = login(officer).get(
        reverse("monitoring:activity", args=[dialogue.programme.public_id]),
        {"dialogue": str(dialogue.public_id)},
    )
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert NAME not in text
    assert f"Talks {WITHHELD} convened" in text


def test_the_template_filter_never_shows_a_text_unredacted_by_mistake(participant):
    template = Template("{% load attribution %}[{{ text|names_withheld:redact }}]")
    text = f"Ask {NAME}"
    hidden = Redactor(Participant.objects.all())
    assert template.render(Context({"text": text, "redact": hidden})) == f"[Ask {WITHHELD}]"
    assert template.render(Context({"text": text, "redact": Redactor()})) == f"[{text}]"
    # Not a Redactor (a view passed the wrong thing): nothing of the text is shown.
    assert template.render(Context({"text": text, "redact": None})) == f"[{WITHHELD}]"
    # No redactor at all: the page fails to render rather than show the name.
    with pytest.raises(VariableDoesNotExist):
        template.render(Context({"text": text}))
