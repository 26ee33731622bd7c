"""Legal and operational vetting: the service's rules, the clearance that follows the
verdicts, the refusal to block a version already relayed, the vetting page per role, names
withheld from reviewers, input kept on refusal, query counts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.dialogues.factories import UserFactory
from tests.uptake.chain_factories_a import (
    brief,
    carrier,
    clear,
    delivered_non_paper,
    ready_non_paper,
    vet,
)
from tests.uptake.factories import aide_memoire, move, non_paper, on_roster, step
from uptake.models import Briefing, Vetting, VettingClearance, VettingFramework, VettingVerdict
from uptake.services import documents as document_services
from uptake.services import vetting as services

F = VettingFramework
V = VettingVerdict


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def ready(dialogue, facilitator):
    return ready_non_paper(dialogue, facilitator)


def cleared(document):
    return VettingClearance.objects.filter(document=document).exists()


# --- Recording verdicts -----------------------------------------------------------------


def test_a_draft_is_not_vetted_until_it_is_ready(dialogue, facilitator, legal_reviewer):
    draft = non_paper(dialogue, facilitator)
    with pytest.raises(ValidationError, match="vetting opens when it is ready"):
        vet(draft, legal_reviewer, F.IHL)
    move(draft, facilitator, "review")
    with pytest.raises(ValidationError, match="in review"):
        vet(draft, legal_reviewer, F.IHL)
    assert not Vetting.objects.exists()


def test_an_aide_memoire_is_never_vetted(dialogue, facilitator, legal_reviewer):
    document = move(aide_memoire(dialogue, facilitator), facilitator, "review", "ready")
    with pytest.raises(ValidationError, match="Only a non-paper"):
        vet(document, legal_reviewer, F.IHL)


def test_a_delivered_version_can_still_be_vetted(dialogue, facilitator, legal_reviewer):
    document = delivered_non_paper(dialogue, facilitator)
    vet(document, legal_reviewer, F.SANCTIONS, V.NOT_APPLICABLE)
    assert Vetting.objects.get().verdict == V.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"framework": "astrology"}, "framework"),
        ({"verdict": "maybe"}, "verdict"),
        ({"step_index": 3}, "step_index"),  # the version has steps 0, 1 and 2
        ({"step_index": -1}, "step_index"),
        ({"step_index": "two"}, "step_index"),
        ({"verdict": "blocked", "notes": "  "}, "notes"),
        ({"verdict": "conditions", "notes": ""}, "notes"),
        ({"notes": "x" * 4001}, "notes"),
    ],
)
def test_a_verdict_with_bad_input_is_refused_and_says_where(ready, legal_reviewer, changes, field):
    arguments = {
        "document": ready,
        "framework": F.IHL,
        "step_index": None,
        "verdict": V.CLEARED,
        "notes": "",
        "actor": legal_reviewer,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.vetting_record(**arguments)
    assert field in refused.value.message_dict
    assert not Vetting.objects.exists()


def test_a_new_verdict_replaces_the_earlier_one_with_the_reviewer_named(
    ready, legal_reviewer, programme
):
    legal_reviewer.first_name, legal_reviewer.last_name = "Lena", "Marsh"
    legal_reviewer.save()
    vet(ready, legal_reviewer, F.IHL, V.BLOCKED, notes="Convoys cross a front line.")
    colleague = UserFactory(username="lior", first_name="", last_name="")
    vet(ready, colleague, F.IHL, V.CONDITIONS, notes="Only with ICRC notification.")
    row = Vetting.objects.get()
    assert row.verdict == V.CONDITIONS
    assert row.notes == "Only with ICRC notification."
    assert row.reviewer == colleague
    assert row.reviewer_name == "lior"  # no full name: the username
    vet(ready, legal_reviewer, F.IHL, V.CLEARED)
    assert Vetting.objects.get().reviewer_name == "Lena Marsh"


def test_step_verdicts_are_kept_apart_from_the_whole_text(ready, legal_reviewer):
    vet(ready, legal_reviewer, F.DOMESTIC, V.CLEARED)
    vet(ready, legal_reviewer, F.DOMESTIC, V.CONDITIONS, step=1, notes="Needs a decree.")
    vet(ready, legal_reviewer, F.DOMESTIC, V.CLEARED, step=1)
    assert Vetting.objects.filter(document=ready, framework=F.DOMESTIC).count() == 2
    assert Vetting.objects.get(step_index=1).verdict == V.CLEARED


# --- The clearance ----------------------------------------------------------------------


def test_a_version_is_cleared_only_when_every_framework_passes(ready, legal_reviewer):
    clear(ready, legal_reviewer, skip={F.OPERATIONAL})
    assert not cleared(ready)
    vet(ready, legal_reviewer, F.OPERATIONAL, V.NOT_APPLICABLE)
    assert cleared(ready)


def test_cleared_with_conditions_passes_the_gate(ready, legal_reviewer):
    clear(ready, legal_reviewer, verdict=V.CONDITIONS)
    assert cleared(ready)


def test_step_verdicts_alone_do_not_clear_a_framework(ready, legal_reviewer):
    clear(ready, legal_reviewer, skip={F.IHRL})
    for index in range(3):
        vet(ready, legal_reviewer, F.IHRL, V.CLEARED, step=index)
    assert not cleared(ready)


def test_a_blocked_step_takes_the_clearance_away_and_clearing_it_gives_it_back(
    ready, legal_reviewer
):
    clear(ready, legal_reviewer)
    assert cleared(ready)
    vet(ready, legal_reviewer, F.SANCTIONS, V.BLOCKED, step=2, notes="Step 3 pays a listed group.")
    assert not cleared(ready)
    summary = services.vetting_summary(ready)
    assert [f.framework for f in summary.blocked] == [F.SANCTIONS]
    vet(ready, legal_reviewer, F.SANCTIONS, V.CLEARED, step=2)
    assert cleared(ready)


def test_a_ready_version_moved_back_loses_its_verdicts_and_clearance(
    ready, facilitator, legal_reviewer
):
    clear(ready, legal_reviewer)
    move(ready, facilitator, "review")
    assert not Vetting.objects.filter(document=ready).exists()
    assert not cleared(ready)


def test_a_relayed_version_can_no_longer_be_blocked(
    dialogue, programme, facilitator, officer, legal_reviewer
):
    document = delivered_non_paper(dialogue, facilitator)
    clear(document, legal_reviewer)
    brief(document, carrier(programme, officer), officer, outcome=Briefing.Outcome.BRIEFED)
    with pytest.raises(ValidationError, match="record the concern as feedback and iterate"):
        vet(document, legal_reviewer, F.IHL, V.BLOCKED, notes="New evidence of shelling.")
    with pytest.raises(ValidationError, match="already relayed"):
        vet(document, legal_reviewer, F.IHL, V.BLOCKED, step=0, notes="Step 1 is unsafe.")
    # Nothing was written: the verdict stays cleared, the clearance stays.
    assert Vetting.objects.get(document=document, framework=F.IHL).verdict == V.CLEARED
    assert not Vetting.objects.filter(step_index__isnull=False).exists()
    assert cleared(document)
    # A passing change is still recorded.
    vet(document, legal_reviewer, F.IHL, V.CONDITIONS, notes="Notify the ICRC.")
    assert Vetting.objects.get(document=document, framework=F.IHL).verdict == V.CONDITIONS


def test_a_version_with_only_pending_briefings_can_still_be_blocked(
    dialogue, programme, facilitator, officer, legal_reviewer
):
    document = delivered_non_paper(dialogue, facilitator)
    clear(document, legal_reviewer)
    brief(document, carrier(programme, officer), officer)
    vet(document, legal_reviewer, F.IHL, V.BLOCKED, notes="New evidence of shelling.")
    assert not cleared(document)


def test_the_summary_reads_the_verdicts_in_two_queries(
    ready, legal_reviewer, django_assert_num_queries
):
    clear(ready, legal_reviewer, skip={F.DOMESTIC})
    vet(ready, legal_reviewer, F.IHL, V.BLOCKED, step=0, notes="Front line.")
    with django_assert_num_queries(2):
        summary = services.vetting_summary(ready)
        by_framework = {f.framework: f for f in summary.frameworks}
        assert list(by_framework) == list(F)
        assert by_framework[F.DOMESTIC].whole is None
        assert by_framework[F.IHL].whole.verdict == V.CLEARED
        assert [v.step_index for v in by_framework[F.IHL].steps] == [0]
        assert not summary.cleared
        assert [f.framework for f in summary.missing] == [F.DOMESTIC]
        messages = " ".join(summary.gate_messages())
    assert "Not yet vetted: Domestic law." in messages
    assert "Blocked: International humanitarian law." in messages


# --- The vetting page -------------------------------------------------------------------


def url(document):
    return reverse("uptake:vetting", args=[document.public_id])


def verdict_data(framework=F.IHL, **overrides):
    return {
        "framework": framework,
        "step_index": "",
        "verdict": "cleared",
        "notes": "",
        **overrides,
    }


def test_anonymous_visitors_are_sent_to_log_in_from_the_vetting_page(client, ready):
    assert_login_redirect(client.get(url(ready)))
    assert_login_redirect(client.post(url(ready), verdict_data()))


@pytest.mark.parametrize("role", ["stranger", "donor"])
def test_strangers_and_donors_never_see_the_vetting(request, login, ready, role):
    client = login(request.getfixturevalue(role))
    assert client.get(url(ready)).status_code == 404
    assert client.post(url(ready), verdict_data()).status_code == 404
    assert not Vetting.objects.exists()


def test_a_shared_delivered_non_paper_still_hides_its_vetting_from_donors(
    login, dialogue, facilitator, donor
):
    document = delivered_non_paper(dialogue, facilitator)
    document_services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    assert login(donor).get(url(document)).status_code == 404


def test_an_aide_memoire_has_no_vetting_page(login, dialogue, facilitator):
    document = aide_memoire(dialogue, facilitator)
    assert login(facilitator).get(url(document)).status_code == 404


def test_malformed_and_unknown_document_ids_are_404(login, legal_reviewer):
    client = login(legal_reviewer)
    assert client.get("/documents/not-a-uuid/vetting/").status_code == 404
    assert client.get("/documents/6f1c2a52-0000-4000-8000-000000000000/vetting/").status_code == 404


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_the_team_reads_every_verdict_but_only_reviewers_vet(
    request, login, ready, legal_reviewer, role
):
    legal_reviewer.first_name, legal_reviewer.last_name = "Lena", "Marsh"
    legal_reviewer.save()
    vet(ready, legal_reviewer, F.SANCTIONS, V.CONDITIONS, notes="Only via the UN account.")
    vet(ready, legal_reviewer, F.IHL, V.BLOCKED, step=1, notes="Crossing 2 is on a front line.")
    client = login(request.getfixturevalue(role))
    response = client.get(url(ready))
    assert response.status_code == 200
    html = page(response)
    assert "Cleared with conditions" in html
    assert "Only via the UN account." in html
    assert "Step 2: Open crossing 2 for convoys" in html
    assert "Crossing 2 is on a front line." in html
    assert "Lena Marsh" in html
    assert "Not yet vetted: International humanitarian law, International human rights law" in html
    assert "Record the verdict" not in html
    # Seeing is not vetting: 403, and nothing recorded.
    assert client.post(url(ready), verdict_data()).status_code == 403
    assert Vetting.objects.count() == 2


def test_a_legal_reviewer_gets_a_form_per_framework(login, ready, legal_reviewer):
    html = page(login(legal_reviewer).get(url(ready)))
    assert html.count("Record the verdict</button>") == 5
    for framework in F:
        assert f'id="id_{framework.value}_notes"' in html
    assert html.count('value="2">Step 3: Open crossing 3 for convoys</option>') == 5


def test_a_legal_reviewer_records_verdicts_until_the_version_is_cleared(
    login, ready, legal_reviewer
):
    client = login(legal_reviewer)
    for framework in F:
        response = client.post(url(ready), verdict_data(framework), follow=True)
        assert response.redirect_chain == [(url(ready), 302)]
    html = page(response)
    assert "Your verdict on Operational and logistical feasibility was recorded." in html
    assert "The version is cleared for relay." in html
    assert "Cleared for relay on" in html
    assert cleared(ready)


def test_a_legal_reviewer_records_a_verdict_on_one_step(login, ready, legal_reviewer):
    response = login(legal_reviewer).post(
        url(ready), verdict_data(F.DOMESTIC, step_index="2", verdict="blocked", notes="No law.")
    )
    assert response.status_code == 302
    row = Vetting.objects.get()
    assert (row.framework, row.step_index, row.verdict) == (F.DOMESTIC, 2, V.BLOCKED)


def test_a_refused_verdict_keeps_what_the_reviewer_typed(login, ready, legal_reviewer):
    client = login(legal_reviewer)
    response = client.post(url(ready), verdict_data(F.IHRL, verdict="conditions", notes=""))
    assert response.status_code == 400
    html = page(response)
    assert "a blocked verdict, or one with conditions, needs them" in html
    assert 'value="conditions" required id="id_ihrl_verdict_1" checked' in html
    response = client.post(
        url(ready), verdict_data(F.IHRL, step_index="7", notes="Typed concern about detention")
    )
    assert response.status_code == 400
    assert "Typed concern about detention" in page(response)
    assert not Vetting.objects.exists()


def test_a_verdict_on_an_unknown_framework_is_refused(login, ready, legal_reviewer):
    response = login(legal_reviewer).post(url(ready), verdict_data("astrology"))
    assert response.status_code == 400
    assert "Choose one of the five frameworks." in page(response)


def test_a_draft_shows_no_verdict_form_and_refuses_a_verdict(
    login, dialogue, facilitator, legal_reviewer
):
    draft = non_paper(dialogue, facilitator)
    client = login(legal_reviewer)
    html = page(client.get(url(draft)))
    assert "vetting opens when it is ready" in html
    assert "Record the verdict" not in html
    response = client.post(url(draft), verdict_data())
    assert response.status_code == 400
    assert "vetting opens when it is ready" in page(response)


def test_a_blocking_verdict_on_a_relayed_version_is_refused_on_the_page(
    login, dialogue, programme, facilitator, officer, legal_reviewer
):
    document = delivered_non_paper(dialogue, facilitator)
    clear(document, legal_reviewer)
    brief(document, carrier(programme, officer), officer, outcome=Briefing.Outcome.BRIEFED)
    response = login(legal_reviewer).post(
        url(document), verdict_data(verdict="blocked", notes="New shelling reports")
    )
    assert response.status_code == 400
    html = page(response)
    assert "record the concern as feedback and iterate" in html
    assert "New shelling reports" in html


def test_step_texts_naming_a_participant_are_withheld_from_a_reviewer(
    login, dialogue, facilitator, legal_reviewer
):
    on_roster(dialogue, "Amal Haddad", code="P-777")
    document = non_paper(
        dialogue,
        facilitator,
        title="Talks with Amal Haddad",
        steps=[step(1, text="Amal Haddad opens crossing 1"), step(2), step(3)],
    )
    move(document, facilitator, "review")
    document_services.guard_override(
        document=document, actor=facilitator, reason="P-777 agreed to be named."
    )
    move(document, facilitator, "ready")
    vet(document, legal_reviewer, F.IHL, V.CONDITIONS, step=0, notes="Ask Amal Haddad first.")
    html = page(login(legal_reviewer).get(url(document)))
    assert "Haddad" not in html
    assert "[name withheld] opens crossing 1" in html
    assert "Ask [name withheld] first." in html
    # The facilitator, who may see identities, reads the text as written.
    assert "Amal Haddad opens crossing 1" in page(login(facilitator).get(url(document)))


# --- Query counts -----------------------------------------------------------------------


# A version has at most five frameworks x (the whole text + five steps) verdicts: the page
# is measured with one verdict and with all thirty.
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize(("role", "queries"), [("facilitator", 12), ("legal_reviewer", 13)])
def test_the_vetting_page_runs_the_same_queries_however_many_verdicts(
    request,
    login,
    dialogue,
    facilitator,
    legal_reviewer,
    django_assert_max_num_queries,
    full,
    role,
    queries,
):
    document = ready_non_paper(dialogue, facilitator, steps=[step(n) for n in range(1, 6)])
    vet(document, legal_reviewer, F.IHL, V.CLEARED)
    if full:
        for framework in F:
            vet(document, legal_reviewer, framework, V.CONDITIONS, notes=f"Note {framework}")
            for index in range(5):
                vet(document, legal_reviewer, framework, V.CLEARED, step=index)
    client = login(request.getfixturevalue(role))
    assert client.get(url(document)).status_code == 200  # warm the content-type caches
    # Django session, user; the version with dialogue and programme; the chain check (two);
    # the identity check (two); [the roster, for a reviewer who may not see names]; the head
    # revision (the steps); the verdicts; the clearance; the menu's roles; the unread
    # notifications.
    with django_assert_max_num_queries(queries):
        response = client.get(url(document))
    assert response.status_code == 200
    # One table per framework vetted, each with its header row.
    assert page(response).count("<tr>") == (5 * (1 + 6) if full else 1 + 1)
