import uuid

import pytest
from django.urls import reverse

from dialogues.models import ConsequenceTest, Dialogue, Option, PackageItem
from dialogues.services import design
from tests.dialogues.factories import ActorFactory, OptionFactory


def url(name, dialogue, *extra):
    return reverse(f"dialogues:{name}", args=[dialogue.public_id, *extra])


READ_PAGES = [
    ("dialogue_detail", ()),
    ("round_detail", ("framing",)),
    ("round_detail", ("interests",)),
    ("round_detail", ("options",)),
    ("round_detail", ("consequences",)),
    ("round_detail", ("packaging",)),
]


@pytest.mark.parametrize(("name", "extra"), READ_PAGES)
def test_team_members_who_see_dialogues_can_read_every_design_page(
    request, login, designed, name, extra
):
    for role in ("facilitator", "officer", "legal_reviewer"):
        response = login(request.getfixturevalue(role)).get(url(name, designed, *extra))
        assert response.status_code == 200, role


@pytest.mark.parametrize(("name", "extra"), READ_PAGES)
def test_donors_and_strangers_get_404_on_design_pages(
    login, donor, stranger, designed, name, extra
):
    for user in (donor, stranger):
        response = login(user).get(url(name, designed, *extra))
        assert response.status_code == 404
        assert designed.title not in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, designed):
    response = client.get(url("dialogue_detail", designed))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_round_or_dialogue_is_404(login, facilitator, designed):
    client = login(facilitator)
    assert client.get(url("round_detail", designed, "victory")).status_code == 404
    missing = reverse("dialogues:dialogue_detail", args=[uuid.uuid4()])
    assert client.get(missing).status_code == 404


def test_legal_reviewers_read_but_every_write_is_403(login, legal_reviewer, designed, programme):
    option = OptionFactory(dialogue=designed)
    client = login(legal_reviewer)
    writes = [
        reverse("dialogues:dialogue_create", args=[programme.public_id]),
        url("dialogue_edit", designed),
        url("dialogue_transition", designed),
        url("round_update", designed, "framing"),
        url("agenda_add", designed, "framing"),
        url("interest_add", designed),
        url("option_add", designed),
        url("option_edit", designed, option.public_id),
        url("option_remove", designed, option.public_id),
        url("consequence_test", designed, option.public_id),
        url("package_add", designed, option.public_id),
    ]
    for target in writes:
        assert client.post(target, {"title": "x", "status": "convening"}).status_code == 403, target
    designed.refresh_from_db()
    assert designed.status == Dialogue.Status.DESIGN
    assert Option.objects.filter(dialogue=designed).count() == 1


def test_a_legal_reviewer_sees_no_edit_controls(login, legal_reviewer, designed):
    html = login(legal_reviewer).get(url("round_detail", designed, "options")).content.decode()
    assert "Add option" not in html
    assert "Save round" not in html


def test_a_facilitator_creates_a_dialogue_and_bad_input_is_kept(login, facilitator, programme):
    client = login(facilitator)
    create = reverse("dialogues:dialogue_create", args=[programme.public_id])
    response = client.post(
        create, {"title": "Market days", "problem": "", "horizon_days": "900", "aim": "manage"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Market days"' in html
    assert "This field is required." in html
    assert "Ensure this value is less than or equal to 365." in html
    response = client.post(
        create,
        {
            "title": "Market days",
            "problem": "A 72-hour window around Tavel market days.",
            "track_level": "2",
            "aim": "manage",
            "hurting_stalemate": "partly",
            "way_out_perceived": "unknown",
            "credible_people_willing": "yes",
            "horizon_days": "90",
        },
    )
    dialogue = Dialogue.objects.get(title="Market days")
    assert response["Location"] == url("dialogue_detail", dialogue)
    assert dialogue.rounds.count() == 5


def test_a_refused_transition_says_why(login, facilitator, designed):
    response = login(facilitator).post(
        url("dialogue_transition", designed), {"status": "closed", "confirm": "final"}, follow=True
    )
    assert "cannot move to “Closed”" in response.content.decode()
    designed.refresh_from_db()
    assert designed.status == Dialogue.Status.DESIGN


def test_the_detail_page_offers_only_allowed_moves(login, officer, designed):
    html = login(officer).get(url("dialogue_detail", designed)).content.decode()
    assert "Move to “Convening”" in html
    assert "Move to “Closed”" not in html


def test_an_option_travels_from_design_through_testing_into_the_package(login, officer, designed):
    client = login(officer)
    response = client.post(
        url("option_add", designed),
        {
            "option-title": "Joint crossing log",
            "option-who": "Both liaison offices",
            "option-when": "30 days",
        },
    )
    assert response.status_code == 302
    option = designed.options.get(title="Joint crossing log")
    test_url = url("consequence_test", designed, option.public_id)
    bad = client.post(test_url, {"feasibility": "9", "political_weight": "3", "verdict": "carry"})
    assert bad.status_code == 200
    assert "Ensure this value is less than or equal to 5." in bad.content.decode()
    client.post(
        test_url,
        {"gains": "Convoys", "feasibility": "4", "political_weight": "3", "verdict": "carry"},
    )
    assert option.consequence_test.verdict == ConsequenceTest.Verdict.CARRY_FORWARD
    packaging = client.get(url("round_detail", designed, "packaging")).content.decode()
    assert "Joint crossing log" in packaging
    client.post(url("package_add", designed, option.public_id))
    assert PackageItem.objects.filter(dialogue=designed, option=option, position=1).exists()


def test_a_duplicate_party_is_a_form_error_not_a_crash(login, facilitator, designed, programme):
    party = ActorFactory(programme=programme, name="Tavel Council")
    client = login(facilitator)
    client.post(
        url("interest_add", designed),
        {"interest-party": party.pk, "interest-interests": "Safe roads"},
    )
    response = client.post(
        url("interest_add", designed), {"interest-party": party.pk, "interest-interests": "x"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_another_dialogues_option_is_404(login, facilitator, designed, programme):
    elsewhere = design.dialogue_create(
        programme=programme, actor=facilitator, title="Other", problem="Other problem."
    )
    foreign = OptionFactory(dialogue=elsewhere)
    client = login(facilitator)
    assert client.get(url("option_edit", designed, foreign.public_id)).status_code == 404
    assert client.post(url("option_remove", designed, foreign.public_id)).status_code == 404
    assert Option.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("kind", ["interests", "options", "consequences", "packaging"])
def test_round_pages_run_the_same_queries_at_ten_times_the_data(
    login, facilitator, designed, programme, kind, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            party = ActorFactory(programme=programme)
            design.party_interest_save(
                interest=designed.interests.model(dialogue=designed, party=party, interests="x"),
                actor=facilitator,
            )
            option = OptionFactory(dialogue=designed, title=f"Option {n}-{i}")
            design.option_record_consequence_test(
                option=option, actor=facilitator, feasibility=3, political_weight=3, verdict="carry"
            )
            if i % 2:
                design.package_add_option(option=option, actor=facilitator)

    client = login(facilitator)
    page = url("round_detail", designed, kind)
    add(2)
    client.get(page)
    # session, user, dialogue, permissions, nav roles, rounds, agenda and total, outputs.
    with django_assert_max_num_queries(15) as at_1x:
        client.get(page)
    add(18)
    with django_assert_max_num_queries(len(at_1x.captured_queries)):
        client.get(page)


def test_dialogue_detail_queries_do_not_grow(
    login, facilitator, designed, django_assert_max_num_queries
):
    client = login(facilitator)
    client.get(url("dialogue_detail", designed))
    with django_assert_max_num_queries(12) as at_1x:
        client.get(url("dialogue_detail", designed))
    OptionFactory.create_batch(15, dialogue=designed)
    with django_assert_max_num_queries(len(at_1x.captured_queries)):
        client.get(url("dialogue_detail", designed))


def test_a_final_move_needs_an_explicit_confirmation(login, facilitator, designed):
    client = login(facilitator)
    response = client.post(
        url("dialogue_transition", designed), {"status": "abandoned"}, follow=True
    )
    assert "Tick the box to confirm" in response.content.decode()
    designed.refresh_from_db()
    assert designed.status == Dialogue.Status.DESIGN
    client.post(url("dialogue_transition", designed), {"status": "abandoned", "confirm": "final"})
    designed.refresh_from_db()
    assert designed.status == Dialogue.Status.ABANDONED


def test_a_dialogue_without_rounds_gives_404_not_an_error(login, facilitator, programme):
    from tests.dialogues.factories import DialogueFactory

    bare = DialogueFactory(programme=programme)  # made without dialogue_create: no rounds
    response = login(facilitator).get(url("round_detail", bare, "framing"))
    assert response.status_code == 404
