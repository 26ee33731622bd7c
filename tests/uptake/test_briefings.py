"""Briefings and the vetting gate: a version is recorded as briefed only with its own
clearance, whether through the service or straight at the database; who reaches each page
and write; input kept on refusal; query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.uptake.chain_factories_a import (
    BRIEFED_ON,
    brief,
    carrier,
    clear,
    delivered_non_paper,
    feedback,
    ready_non_paper,
    vet,
)
from tests.uptake.factories import on_roster
from uptake.models import Briefing, VettingClearance, VettingFramework, VettingVerdict
from uptake.services import briefings as services

Outcome = Briefing.Outcome
F = VettingFramework


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def delivered(dialogue, facilitator):
    return delivered_non_paper(dialogue, facilitator)


@pytest.fixture
def nadia(programme, officer):
    return carrier(programme, officer)


@pytest.fixture
def pending(delivered, nadia, officer):
    return brief(delivered, nadia, officer)


# --- The service ------------------------------------------------------------------------


def test_only_a_delivered_version_is_relayed(dialogue, facilitator, officer, nadia):
    document = ready_non_paper(dialogue, facilitator)
    with pytest.raises(ValidationError, match="only a delivered version is relayed"):
        brief(document, nadia, officer)
    assert not Briefing.objects.exists()


def test_a_carrier_of_another_programme_is_refused(delivered, other_programme, officer):
    elsewhere = carrier(other_programme, officer, name="Someone Else")
    with pytest.raises(ValidationError) as refused:
        brief(delivered, elsewhere, officer)
    assert "carrier" in refused.value.message_dict


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"principal": "  "}, "principal"),
        ({"principal": "x" * 201}, "principal"),
        ({"briefed_on": None}, "briefed_on"),
        ({"notes": "x" * 4001}, "notes"),
    ],
)
def test_a_briefing_needs_a_principal_and_a_date(delivered, nadia, officer, changes, field):
    with pytest.raises(ValidationError) as refused:
        brief(delivered, nadia, officer, **changes)
    assert field in refused.value.message_dict


def test_a_principal_who_is_a_participant_is_refused_and_nothing_is_recorded(
    delivered, nadia, officer
):
    on_roster(delivered.dialogue, "Amal Haddad", code="P-031")
    with pytest.raises(ValidationError) as refused:
        brief(delivered, nadia, officer, principal="Minister AMAL HADDAD's office")
    assert "names a participant" in refused.value.message_dict["principal"][0]
    assert not Briefing.objects.exists()


def test_an_unknown_outcome_is_refused(delivered, nadia, officer):
    with pytest.raises(ValidationError) as refused:
        brief(delivered, nadia, officer, outcome="ignored")
    assert "outcome" in refused.value.message_dict


def test_a_pending_or_declined_briefing_needs_no_clearance(delivered, nadia, officer):
    assert brief(delivered, nadia, officer).clearance is None
    assert brief(delivered, nadia, officer, outcome=Outcome.DECLINED).clearance is None


def test_briefed_is_refused_before_vetting_naming_every_framework(delivered, nadia, officer):
    with pytest.raises(ValidationError) as refused:
        brief(delivered, nadia, officer, outcome=Outcome.BRIEFED)
    text = " ".join(refused.value.messages)
    assert "not cleared for relay" in text
    assert (
        "Not yet vetted: International humanitarian law, International human rights law, "
        "Sanctions regimes, Domestic law, Operational and logistical feasibility." in text
    )
    assert not Briefing.objects.exists()


def test_briefed_is_refused_naming_the_frameworks_missing_and_blocked(
    delivered, nadia, officer, legal_reviewer
):
    clear(delivered, legal_reviewer, skip={F.DOMESTIC})
    vet(delivered, legal_reviewer, F.SANCTIONS, VettingVerdict.BLOCKED, step=1)
    with pytest.raises(ValidationError) as refused:
        brief(delivered, nadia, officer, outcome=Outcome.BRIEFED)
    text = " ".join(refused.value.messages)
    assert "Not yet vetted: Domestic law." in text
    assert "Blocked: Sanctions regimes." in text


def test_a_cleared_version_is_briefed_with_its_own_clearance(
    delivered, nadia, officer, legal_reviewer
):
    clear(delivered, legal_reviewer, verdict=VettingVerdict.NOT_APPLICABLE)
    briefing = brief(delivered, nadia, officer, outcome=Outcome.BRIEFED)
    briefing.refresh_from_db()
    assert briefing.outcome == Outcome.BRIEFED
    assert briefing.clearance == VettingClearance.objects.get(document=delivered)
    assert briefing.created_by == officer


def test_a_pending_briefing_becomes_briefed_only_once_cleared(pending, officer, legal_reviewer):
    with pytest.raises(ValidationError, match="Not yet vetted"):
        services.briefing_set_outcome(briefing=pending, outcome=Outcome.BRIEFED, actor=officer)
    pending.refresh_from_db()
    assert (pending.outcome, pending.clearance) == (Outcome.PENDING, None)
    clear(pending.document, legal_reviewer)
    services.briefing_set_outcome(briefing=pending, outcome=Outcome.BRIEFED, actor=officer)
    pending.refresh_from_db()
    assert pending.outcome == Outcome.BRIEFED
    assert pending.clearance_id == pending.document_id


def test_a_declined_briefing_can_be_briefed_later(pending, officer, legal_reviewer):
    services.briefing_set_outcome(briefing=pending, outcome=Outcome.DECLINED, actor=officer)
    clear(pending.document, legal_reviewer)
    services.briefing_set_outcome(briefing=pending, outcome=Outcome.BRIEFED, actor=officer)
    pending.refresh_from_db()
    assert pending.outcome == Outcome.BRIEFED


def test_briefed_is_final(pending, officer, legal_reviewer):
    clear(pending.document, legal_reviewer)
    services.briefing_set_outcome(briefing=pending, outcome=Outcome.BRIEFED, actor=officer)
    for outcome in (Outcome.PENDING, Outcome.DECLINED):
        with pytest.raises(ValidationError, match="reached the principal"):
            services.briefing_set_outcome(briefing=pending, outcome=outcome, actor=officer)
    pending.refresh_from_db()
    assert pending.outcome == Outcome.BRIEFED
    # Setting the outcome it has changes nothing and raises nothing.
    services.briefing_set_outcome(briefing=pending, outcome=Outcome.BRIEFED, actor=officer)


# --- The gate in the database -----------------------------------------------------------


def test_the_database_refuses_briefed_without_a_clearance(pending):
    with pytest.raises(IntegrityError), transaction.atomic():
        Briefing.objects.filter(pk=pending.pk).update(outcome=Outcome.BRIEFED)
    pending.refresh_from_db()
    assert pending.outcome == Outcome.PENDING


def test_the_database_refuses_briefed_with_another_versions_clearance(
    dialogue, facilitator, officer, legal_reviewer, pending
):
    other = delivered_non_paper(dialogue, facilitator, title="Another non-paper")
    clear(other, legal_reviewer)
    other_clearance = VettingClearance.objects.get(document=other)
    with pytest.raises(IntegrityError), transaction.atomic():
        Briefing.objects.filter(pk=pending.pk).update(
            outcome=Outcome.BRIEFED, clearance=other_clearance
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Briefing.objects.create(
            document=pending.document,
            carrier=pending.carrier,
            principal="Minister",
            briefed_on=BRIEFED_ON,
            outcome=Outcome.BRIEFED,
            clearance=other_clearance,
        )
    pending.refresh_from_db()
    assert (pending.outcome, pending.clearance) == (Outcome.PENDING, None)
    # The same update with the version's own clearance goes through: the constraint is the
    # gate, not a blanket refusal.
    clear(pending.document, legal_reviewer)
    Briefing.objects.filter(pk=pending.pk).update(
        outcome=Outcome.BRIEFED, clearance=VettingClearance.objects.get(document=pending.document)
    )
    pending.refresh_from_db()
    assert pending.outcome == Outcome.BRIEFED


# --- Recording a briefing (page) --------------------------------------------------------


def create_url(document):
    return reverse("uptake:briefing_create", args=[document.public_id])


def briefing_data(carrier, **overrides):
    return {
        "carrier": str(carrier.public_id),
        "principal": "Deputy foreign minister",
        "briefed_on": "2026-03-02",
        "outcome": "pending",
        "notes": "Over breakfast",
        **overrides,
    }


def test_anonymous_visitors_are_sent_to_log_in_from_recording_a_briefing(client, delivered, nadia):
    assert_login_redirect(client.get(create_url(delivered)))
    assert_login_redirect(client.post(create_url(delivered), briefing_data(nadia)))


@pytest.mark.parametrize("role", ["stranger", "donor"])
def test_strangers_and_donors_never_see_the_briefings(
    request, login, delivered, nadia, pending, role
):
    client = login(request.getfixturevalue(role))
    assert client.get(create_url(delivered)).status_code == 404
    assert client.post(create_url(delivered), briefing_data(nadia)).status_code == 404
    list_url = reverse("uptake:briefing_list", args=[delivered.public_id])
    assert client.get(list_url).status_code == 404
    detail_url = reverse("uptake:briefing_detail", args=[pending.public_id])
    assert client.get(detail_url).status_code == 404
    outcome_url = reverse("uptake:briefing_outcome", args=[pending.public_id])
    assert client.post(outcome_url, {"outcome": "declined"}).status_code == 404
    assert Briefing.objects.count() == 1


def test_a_legal_reviewer_may_not_record_briefings(login, delivered, nadia, legal_reviewer):
    client = login(legal_reviewer)
    assert client.get(create_url(delivered)).status_code == 403
    assert client.post(create_url(delivered), briefing_data(nadia)).status_code == 403
    assert not Briefing.objects.exists()


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_record_a_briefing(request, login, delivered, nadia, role):
    client = login(request.getfixturevalue(role))
    response = client.get(create_url(delivered))
    assert response.status_code == 200
    assert "Nadia Ferreira · Office of the Special Envoy" in page(response)
    response = client.post(create_url(delivered), briefing_data(nadia), follow=True)
    briefing = Briefing.objects.get()
    assert response.redirect_chain == [
        (reverse("uptake:briefing_detail", args=[briefing.public_id]), 302)
    ]
    assert "The briefing through Nadia Ferreira was recorded." in page(response)
    assert briefing.principal == "Deputy foreign minister"
    assert briefing.briefed_on == datetime.date(2026, 3, 2)


def test_only_the_programmes_carriers_are_offered(
    login, delivered, nadia, other_programme, officer
):
    elsewhere = carrier(other_programme, officer, name="Hidden Carrier")
    client = login(officer)
    assert "Hidden Carrier" not in page(client.get(create_url(delivered)))
    response = client.post(create_url(delivered), briefing_data(elsewhere))
    assert response.status_code == 400
    assert "Deputy foreign minister" in page(response)
    assert not Briefing.objects.exists()


def test_briefed_before_vetting_is_refused_on_the_page_with_the_text_kept(
    login, delivered, nadia, officer, legal_reviewer
):
    clear(delivered, legal_reviewer, skip={F.OPERATIONAL})
    response = login(officer).post(
        create_url(delivered),
        briefing_data(nadia, outcome="briefed", principal="Chief of staff", notes="Went well"),
    )
    assert response.status_code == 400
    html = page(response)
    assert "Not yet vetted: Operational and logistical feasibility." in html
    assert "Chief of staff" in html
    assert "Went well" in html
    assert not Briefing.objects.exists()


def test_bad_briefing_input_is_refused_with_the_text_kept(login, delivered, nadia, officer):
    response = login(officer).post(
        create_url(delivered), briefing_data(nadia, briefed_on="next tuesday")
    )
    assert response.status_code == 400
    assert "next tuesday" in page(response)
    assert "Deputy foreign minister" in page(response)


def test_a_version_not_delivered_offers_no_briefing_form(login, dialogue, facilitator, officer):
    document = ready_non_paper(dialogue, facilitator)
    html = page(login(officer).get(create_url(document)))
    assert "only a delivered version is relayed" in html
    assert 'name="principal"' not in html


def test_malformed_and_unknown_briefing_ids_are_404(login, officer):
    client = login(officer)
    assert client.get("/briefings/nope/").status_code == 404
    assert client.post("/briefings/nope/outcome/", {"outcome": "declined"}).status_code == 404
    assert client.get("/documents/nope/briefings/").status_code == 404
    unknown = "6f1c2a52-0000-4000-8000-000000000000"
    assert client.get(f"/briefings/{unknown}/").status_code == 404
    assert client.get(f"/documents/{unknown}/briefings/new/").status_code == 404


# --- A briefing's page and its outcome --------------------------------------------------


def detail_url(briefing):
    return reverse("uptake:briefing_detail", args=[briefing.public_id])


def outcome_url(briefing):
    return reverse("uptake:briefing_outcome", args=[briefing.public_id])


def test_anonymous_visitors_are_sent_to_log_in_from_a_briefing(client, pending):
    assert_login_redirect(client.get(detail_url(pending)))
    assert_login_redirect(client.post(outcome_url(pending), {"outcome": "declined"}))


def test_a_legal_reviewer_reads_a_briefing_but_may_not_set_its_outcome(
    login, pending, legal_reviewer
):
    client = login(legal_reviewer)
    response = client.get(detail_url(pending))
    assert response.status_code == 200
    html = page(response)
    assert "Deputy foreign minister" in html
    assert "Set the outcome" not in html
    assert client.post(outcome_url(pending), {"outcome": "declined"}).status_code == 403
    pending.refresh_from_db()
    assert pending.outcome == Outcome.PENDING


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_set_the_outcome_once_vetting_clears(
    request, login, pending, legal_reviewer, role
):
    client = login(request.getfixturevalue(role))
    assert "Set the outcome" in page(client.get(detail_url(pending)))
    response = client.post(outcome_url(pending), {"outcome": "briefed"})
    assert response.status_code == 400
    assert "Not yet vetted" in page(response)
    pending.refresh_from_db()
    assert pending.outcome == Outcome.PENDING
    clear(pending.document, legal_reviewer)
    response = client.post(outcome_url(pending), {"outcome": "briefed"}, follow=True)
    assert response.redirect_chain == [(detail_url(pending), 302)]
    assert "The briefing is now briefed." in page(response)
    assert "Record the feedback" in page(response)


def test_an_unknown_outcome_is_refused_on_the_page(login, pending, officer):
    response = login(officer).post(outcome_url(pending), {"outcome": "ignored"})
    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.outcome == Outcome.PENDING


def test_the_outcome_is_set_by_post_only(login, pending, officer):
    assert login(officer).get(outcome_url(pending)).status_code == 405


# --- A version's briefings --------------------------------------------------------------


def list_url(document):
    return reverse("uptake:briefing_list", args=[document.public_id])


def test_anonymous_visitors_are_sent_to_log_in_from_the_briefing_list(client, delivered):
    assert_login_redirect(client.get(list_url(delivered)))


@pytest.mark.parametrize("role", ["facilitator", "officer", "legal_reviewer"])
def test_the_team_lists_a_versions_briefings_with_outcome_and_feedback(
    request, login, delivered, nadia, officer, legal_reviewer, role
):
    clear(delivered, legal_reviewer)
    answered = brief(delivered, nadia, officer, outcome="briefed", principal="Minister A")
    feedback(answered, officer, reaction="welcomed")
    brief(delivered, nadia, officer, outcome="declined", principal="Minister B")
    client = login(request.getfixturevalue(role))
    html = page(client.get(list_url(delivered)))
    assert "2 briefings" in html
    assert "Minister A" in html and "Minister B" in html
    assert "Welcomed · 7 Mar 2026" in html
    assert "Declined" in html
    assert "Vetting cleared this version for relay" in html
    assert ("Record a briefing" in html) == (role != "legal_reviewer")


@pytest.mark.parametrize("times", [1, 10])
@pytest.mark.parametrize(("role", "queries"), [("officer", 14), ("facilitator", 13)])
def test_the_briefing_list_runs_the_same_queries_at_1x_and_10x(
    request,
    login,
    delivered,
    programme,
    officer,
    legal_reviewer,
    django_assert_max_num_queries,
    times,
    role,
    queries,
):
    clear(delivered, legal_reviewer)
    for n in range(times):
        briefing = brief(
            delivered,
            carrier(programme, officer, name=f"Carrier {n}"),
            officer,
            outcome="briefed",
            principal=f"Principal {n}",
        )
        feedback(briefing, officer)
        feedback(briefing, officer, reaction="welcomed")
    client = login(request.getfixturevalue(role))
    url = list_url(delivered)
    assert client.get(url).status_code == 200  # warm the content-type caches
    # Django session, user; the version with dialogue and programme; the chain check (two);
    # the identity check (two); [the roster, for an officer who may not see names]; the
    # briefings with their carriers; their feedback; the verdicts; the clearance; the
    # menu's roles; the unread notifications.
    with django_assert_max_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    assert all(f"Principal {n}<" in html for n in range(times))
    assert html.count("(2 in all)") == times


def test_a_principal_who_joins_the_roster_later_is_withheld_from_readers_without_identity(
    login, delivered, nadia, officer, legal_reviewer
):
    briefing = brief(delivered, nadia, officer, principal="Deputy Sami Noor")
    on_roster(delivered.dialogue, "Sami Noor", code="P-044")
    client = login(legal_reviewer)
    for url in (
        reverse("uptake:briefing_detail", args=[briefing.public_id]),
        reverse("uptake:briefing_list", args=[delivered.public_id]),
    ):
        html = client.get(url).content.decode()
        assert "Sami Noor" not in html, url
        assert "Deputy" in html, url
