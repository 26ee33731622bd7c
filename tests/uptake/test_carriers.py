"""Policy carriers and the programme's uptake settings: the service rules, trust notes kept
from legal reviewers, who reaches each page and write, input kept on refusal, query
counts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.uptake.chain_factories_a import TRUST_NOTE, carrier
from uptake.models import Carrier, UptakeSettings
from uptake.services import carriers as services


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def carrier_data(**overrides):
    return {
        "name": "Joan Okafor",
        "kind": "advisor",
        "institution": "Prime minister's office",
        "principals": "The prime minister",
        "trust_notes": "Reliable, briefs within a day",
        **overrides,
    }


# --- Services ---------------------------------------------------------------------------


def test_a_carrier_is_recorded_with_its_principals_and_trust_notes(programme, officer):
    made = services.carrier_create(programme=programme, actor=officer, **carrier_data())
    made.refresh_from_db()
    assert made.programme == programme
    assert made.kind == Carrier.Kind.SENIOR_ADVISOR
    assert made.principals == "The prime minister"
    assert made.trust_notes == "Reliable, briefs within a day"


@pytest.mark.parametrize("missing", ["name", "institution", "principals"])
def test_a_carrier_needs_a_name_an_institution_and_principals(programme, officer, missing):
    with pytest.raises(ValidationError) as refused:
        services.carrier_create(
            programme=programme, actor=officer, **carrier_data(**{missing: "   "})
        )
    assert missing in refused.value.message_dict
    assert not Carrier.objects.exists()


def test_an_unknown_carrier_kind_is_refused(programme, officer):
    with pytest.raises(ValidationError) as refused:
        services.carrier_create(programme=programme, actor=officer, **carrier_data(kind="spy"))
    assert "kind" in refused.value.message_dict


def test_over_long_trust_notes_are_refused(programme, officer):
    with pytest.raises(ValidationError) as refused:
        services.carrier_create(
            programme=programme, actor=officer, **carrier_data(trust_notes="x" * 4001)
        )
    assert "trust_notes" in refused.value.message_dict


def test_updating_a_carrier_without_trust_notes_keeps_them(programme, officer):
    made = carrier(programme, officer)
    services.carrier_update(carrier=made, actor=officer, name="Nadia F.", kind="chair")
    made.refresh_from_db()
    assert made.name == "Nadia F."
    assert made.kind == Carrier.Kind.COMMITTEE_CHAIR
    assert made.trust_notes == TRUST_NOTE


def test_a_refused_carrier_update_changes_nothing(programme, officer):
    made = carrier(programme, officer)
    with pytest.raises(ValidationError):
        services.carrier_update(carrier=made, actor=officer, name="Renamed", kind="spy")
    made.refresh_from_db()
    assert made.name == "Nadia Ferreira"


def test_uptake_settings_are_created_once_with_fourteen_days(programme):
    first = services.uptake_settings_for(programme)
    second = services.uptake_settings_for(programme)
    assert first.pk == second.pk
    assert first.feedback_reminder_days == 14
    assert UptakeSettings.objects.count() == 1


@pytest.mark.parametrize("days", [0, 366, -3, "soon"])
def test_feedback_reminder_days_stay_between_one_and_a_year(programme, officer, days):
    with pytest.raises(ValidationError) as refused:
        services.uptake_settings_update(
            programme=programme, feedback_reminder_days=days, actor=officer
        )
    assert "feedback_reminder_days" in refused.value.message_dict
    assert services.uptake_settings_for(programme).feedback_reminder_days == 14


def test_feedback_reminder_days_can_be_changed(programme, officer):
    services.uptake_settings_update(programme=programme, feedback_reminder_days=30, actor=officer)
    assert services.uptake_settings_for(programme).feedback_reminder_days == 30


# --- Carrier list -----------------------------------------------------------------------


@pytest.fixture
def nadia(programme, officer):
    return carrier(programme, officer)


def list_url(programme):
    return reverse("uptake:carrier_list", args=[programme.public_id])


def test_anonymous_visitors_are_sent_to_log_in_from_the_carrier_list(client, programme):
    assert_login_redirect(client.get(list_url(programme)))
    assert_login_redirect(client.post(list_url(programme), carrier_data()))


@pytest.mark.parametrize("role", ["stranger", "donor"])
def test_strangers_and_donors_never_learn_the_carriers_exist(
    request, login, programme, nadia, role
):
    client = login(request.getfixturevalue(role))
    assert client.get(list_url(programme)).status_code == 404
    assert client.post(list_url(programme), carrier_data()).status_code == 404
    assert client.get(reverse("uptake:carrier_edit", args=[nadia.public_id])).status_code == 404
    assert Carrier.objects.count() == 1


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_read_the_trust_notes(request, login, programme, nadia, role):
    client = login(request.getfixturevalue(role))
    html = page(client.get(list_url(programme)))
    assert "Nadia Ferreira" in html
    assert TRUST_NOTE in html
    html = page(client.get(reverse("uptake:carrier_edit", args=[nadia.public_id])))
    assert TRUST_NOTE in html


def test_a_legal_reviewer_sees_the_carriers_but_never_the_trust_notes(
    login, programme, nadia, legal_reviewer
):
    client = login(legal_reviewer)
    response = client.get(list_url(programme))
    assert response.status_code == 200
    html = page(response)
    assert "Nadia Ferreira" in html
    assert "The foreign minister&#x27;s office" in html
    assert TRUST_NOTE not in html
    assert "Notes on trust" not in html
    assert 'name="name"' not in html  # no form to add one
    response = client.get(reverse("uptake:carrier_edit", args=[nadia.public_id]))
    assert response.status_code == 200
    assert TRUST_NOTE not in page(response)
    assert 'name="trust_notes"' not in page(response)


def test_a_legal_reviewer_may_not_add_or_change_a_carrier(login, programme, nadia, legal_reviewer):
    client = login(legal_reviewer)
    assert client.post(list_url(programme), carrier_data()).status_code == 403
    response = client.post(
        reverse("uptake:carrier_edit", args=[nadia.public_id]), carrier_data(name="Changed")
    )
    assert response.status_code == 403
    nadia.refresh_from_db()
    assert nadia.name == "Nadia Ferreira"
    assert Carrier.objects.count() == 1


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_add_a_carrier(request, login, programme, role):
    client = login(request.getfixturevalue(role))
    response = client.post(list_url(programme), carrier_data(), follow=True)
    assert response.redirect_chain == [(list_url(programme), 302)]
    assert "Joan Okafor was added to the carriers." in page(response)
    made = Carrier.objects.get()
    assert made.programme == programme
    assert made.trust_notes == "Reliable, briefs within a day"


def test_a_refused_carrier_keeps_what_was_typed(login, programme, officer):
    client = login(officer)
    response = client.post(list_url(programme), carrier_data(name="", principals="The cabinet"))
    assert response.status_code == 400
    html = page(response)
    assert "Please correct the fields marked below." in html
    assert "The cabinet" in html
    assert "Reliable, briefs within a day" in html
    assert not Carrier.objects.exists()


def test_malformed_and_unknown_programme_ids_are_404(login, officer):
    client = login(officer)
    assert client.get("/programmes/not-a-uuid/carriers/").status_code == 404
    assert client.get("/carriers/123/").status_code == 404
    unknown = "6f1c2a52-0000-4000-8000-000000000000"
    assert client.get(f"/programmes/{unknown}/carriers/").status_code == 404
    assert client.get(f"/carriers/{unknown}/").status_code == 404


# --- Carrier page -----------------------------------------------------------------------


def test_an_officer_changes_a_carrier_and_its_trust_notes(login, programme, nadia, officer):
    client = login(officer)
    url = reverse("uptake:carrier_edit", args=[nadia.public_id])
    response = client.post(url, carrier_data(name="Nadia Ferreira-Silva", trust_notes="Now wary"))
    assert response.status_code == 302
    assert response["Location"] == url
    nadia.refresh_from_db()
    assert nadia.name == "Nadia Ferreira-Silva"
    assert nadia.trust_notes == "Now wary"


def test_a_refused_carrier_change_keeps_what_was_typed(login, programme, nadia, officer):
    client = login(officer)
    url = reverse("uptake:carrier_edit", args=[nadia.public_id])
    response = client.post(url, carrier_data(kind="spy", institution="Senate committee"))
    assert response.status_code == 400
    assert "Senate committee" in page(response)
    nadia.refresh_from_db()
    assert nadia.institution == "Office of the Special Envoy"


def test_anonymous_visitors_are_sent_to_log_in_from_a_carrier(client, nadia):
    url = reverse("uptake:carrier_edit", args=[nadia.public_id])
    assert_login_redirect(client.get(url))
    assert_login_redirect(client.post(url, carrier_data()))


# --- Uptake settings --------------------------------------------------------------------


def settings_url(programme):
    return reverse("uptake:uptake_settings", args=[programme.public_id])


def test_anonymous_visitors_are_sent_to_log_in_from_the_uptake_settings(client, programme):
    assert_login_redirect(client.get(settings_url(programme)))


@pytest.mark.parametrize("role", ["stranger", "donor"])
def test_strangers_and_donors_get_404_on_the_uptake_settings(request, login, programme, role):
    client = login(request.getfixturevalue(role))
    assert client.get(settings_url(programme)).status_code == 404
    assert client.post(settings_url(programme), {"feedback_reminder_days": 3}).status_code == 404


def test_a_legal_reviewer_may_not_change_the_uptake_settings(login, programme, legal_reviewer):
    client = login(legal_reviewer)
    assert client.get(settings_url(programme)).status_code == 403
    assert client.post(settings_url(programme), {"feedback_reminder_days": 3}).status_code == 403
    assert services.uptake_settings_for(programme).feedback_reminder_days == 14


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_set_when_feedback_is_chased(request, login, programme, role):
    client = login(request.getfixturevalue(role))
    response = client.get(settings_url(programme))
    assert response.status_code == 200
    assert 'value="14"' in page(response)
    response = client.post(settings_url(programme), {"feedback_reminder_days": 21})
    assert response.status_code == 302
    assert services.uptake_settings_for(programme).feedback_reminder_days == 21


def test_a_refused_setting_keeps_what_was_typed(login, programme, officer):
    client = login(officer)
    response = client.post(settings_url(programme), {"feedback_reminder_days": 400})
    assert response.status_code == 400
    assert 'value="400"' in page(response)
    assert services.uptake_settings_for(programme).feedback_reminder_days == 14


# --- Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("times", [1, 10])
@pytest.mark.parametrize("role", ["officer", "legal_reviewer"])
def test_the_carrier_list_runs_the_same_queries_at_1x_and_10x(
    request, login, programme, officer, django_assert_max_num_queries, times, role
):
    for n in range(times):
        carrier(programme, officer, name=f"Carrier {n}")
    client = login(request.getfixturevalue(role))
    url = list_url(programme)
    assert client.get(url).status_code == 200  # warm the content-type caches
    # 8: Django session, user; the programme; the chain check (user and group
    # permissions); the menu's roles; the unread notifications; the carriers with their
    # briefing counts.
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert all(f"Carrier {n}<" in page(response) for n in range(times))
