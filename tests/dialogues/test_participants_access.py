"""Every participant page per role: anonymous → log in, stranger and donor → 404, legal
reviewer reads but every write is 403, facilitator and officer read and write. And no page,
fragment or message shows a name to someone without identity permission."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogues.models import (
    DialogueParticipant,
    GroundRule,
    Membership,
    Participant,
    RuleAcknowledgement,
)
from dialogues.services import participants as services
from dialogues.services.teams import membership_sync_permissions, programme_update_settings
from tests.dialogues.factories import ParticipantFactory

NAME = "Amina Yusuf"
ALIAS = "Auntie Mina"
AFFILIATION = "Northern Water Board"
EMAIL = "amina@contacts.example"
NEWCOMER = "Nour Haddad"
IDENTITY_TEXT = (NAME, ALIAS, AFFILIATION, EMAIL, NEWCOMER)


def today():
    # Read at each use, not once at import: a run that crosses midnight would
    # otherwise date 'tomorrow' on what is by then today.
    return timezone.localdate().isoformat()


READS = ["register", "detail", "roster", "ground_rules"]
WRITES = [
    "create",
    "edit",
    "invite",
    "status",
    "consent",
    "rule_add",
    "rule_edit",
    "acknowledgements",
]
# Both pages show a form on GET and save on POST; the others only accept POST.
FORM_PAGES = ["create", "edit"]
IDENTITY_WRITES = {"create", "edit"}


@pytest.fixture
def person(programme, facilitator):
    return services.participant_create(
        programme=programme,
        actor=facilitator,
        full_name=NAME,
        aliases=ALIAS,
        affiliation=AFFILIATION,
        email=EMAIL,
        phone="+000 555 0101",
        category=Participant.Category.COMMUNITY_VOICE,
        gender=Participant.Gender.WOMAN,
        region="Lower Sarn",
    )


@pytest.fixture
def entry(designed, person, facilitator):
    return services.dialogue_invite_participant(
        dialogue=designed, participant=person, actor=facilitator
    )


@pytest.fixture
def newcomer(programme, entry):
    """In the register but not yet invited: they appear in the invite list."""
    return ParticipantFactory(programme=programme, code="P-002", full_name=NEWCOMER)


@pytest.fixture
def pages(programme, designed, person, entry, newcomer):
    """name -> (url, data to POST)."""
    pid, did, eid = programme.public_id, designed.public_id, entry.public_id
    rule = designed.ground_rules.first()
    return {
        "register": (reverse("dialogues:participant_register", args=[pid]), None),
        "detail": (reverse("dialogues:participant_detail", args=[pid, person.public_id]), None),
        "roster": (reverse("dialogues:roster", args=[did]), None),
        "ground_rules": (reverse("dialogues:ground_rules", args=[did]), None),
        "create": (
            reverse("dialogues:participant_create", args=[pid]),
            {"full_name": "Karim Nassar", "category": "expert", "gender": "man"},
        ),
        "edit": (
            reverse("dialogues:participant_edit", args=[pid, person.public_id]),
            {"full_name": "Amina Y. Yusuf", "category": "community", "gender": "woman"},
        ),
        "invite": (
            reverse("dialogues:roster_invite", args=[did]),
            {"participant": str(newcomer.public_id)},
        ),
        "status": (
            reverse("dialogues:roster_set_status", args=[did, eid]),
            {f"status-{eid}-status": "declined"},
        ),
        "consent": (
            reverse("dialogues:roster_record_consent", args=[did, eid]),
            {f"consent-{eid}-given_on": today(), f"consent-{eid}-scope": "Taking part"},
        ),
        "rule_add": (
            reverse("dialogues:ground_rule_add", args=[did]),
            {"new-rule-title": "Phones off", "new-rule-text": "Phones stay outside."},
        ),
        "rule_edit": (
            reverse("dialogues:ground_rule_edit", args=[did, rule.public_id]),
            {f"{rule.public_id}-title": "Chatham", f"{rule.public_id}-text": "Reworded."},
        ),
        "acknowledgements": (
            reverse("dialogues:acknowledgements_save", args=[did, eid]),
            {f"{eid}-rules": [str(rule.public_id)], f"{eid}-acknowledged_on": today()},
        ),
    }


def _state():
    return (
        list(Participant.objects.order_by("code").values_list("code", "full_name")),
        list(
            DialogueParticipant.objects.order_by("pk").values_list(
                "participant__code", "status", "consent_given_on"
            )
        ),
        list(GroundRule.objects.order_by("pk").values_list("title", "text")),
        RuleAcknowledgement.objects.count(),
    )


def _request(client, pages, name):
    url, data = pages[name]
    return client.post(url, data) if data is not None else client.get(url)


# --- Who reaches what ----------------------------------------------------------------------


@pytest.mark.parametrize("name", READS + WRITES)
def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(client, pages, name):
    before = _state()
    response = _request(client, pages, name)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert _state() == before


@pytest.mark.parametrize("name", READS + WRITES)
@pytest.mark.parametrize("role_fixture", ["stranger", "donor"])
def test_strangers_and_donors_get_404_and_learn_nothing(
    request, login, pages, programme, designed, name, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    before = _state()
    response = _request(client, pages, name)
    html = response.content.decode()
    assert response.status_code == 404
    for secret in (*IDENTITY_TEXT, programme.name, designed.title):
        assert secret not in html
    assert _state() == before


@pytest.mark.parametrize("name", FORM_PAGES)
@pytest.mark.parametrize("role_fixture", ["stranger", "donor"])
def test_strangers_and_donors_do_not_get_the_participant_forms(
    request, login, pages, name, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    assert client.get(pages[name][0]).status_code == 404


@pytest.mark.parametrize("name", READS)
@pytest.mark.parametrize("role_fixture", ["facilitator", "officer", "legal_reviewer"])
def test_every_team_member_but_the_donor_reads_the_pages(request, login, pages, name, role_fixture):
    response = _request(login(request.getfixturevalue(role_fixture)), pages, name)
    assert response.status_code == 200


@pytest.mark.parametrize("name", WRITES)
def test_a_legal_reviewer_reads_but_every_write_is_403(login, legal_reviewer, pages, name):
    client = login(legal_reviewer)
    before = _state()
    assert _request(client, pages, name).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("name", FORM_PAGES)
def test_a_legal_reviewer_does_not_even_get_the_participant_forms(
    login, legal_reviewer, pages, name
):
    assert login(legal_reviewer).get(pages[name][0]).status_code == 403


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("role_fixture", ["facilitator", "officer"])
def test_facilitators_and_officers_write(request, login, pages, name, role_fixture):
    if role_fixture == "officer" and name in IDENTITY_WRITES:
        # An officer without identity permission is refused these: see the test below.
        programme_update_settings(
            programme=request.getfixturevalue("programme"),
            actor=None,
            officers_see_identity=True,
        )
    client = login(request.getfixturevalue(role_fixture))
    before = _state()
    response = _request(client, pages, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _state() != before


@pytest.mark.parametrize("name", FORM_PAGES)
def test_an_officer_who_cannot_see_names_cannot_write_them(login, officer, pages, name):
    client = login(officer)
    before = _state()
    url, data = pages[name]
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert _state() == before


@pytest.mark.parametrize(
    "name", ["invite", "status", "consent", "rule_add", "rule_edit", "acknowledgements"]
)
def test_write_only_urls_refuse_get(login, facilitator, pages, name):
    assert login(facilitator).get(pages[name][0]).status_code == 405


# --- Names stay with those allowed to see them ---------------------------------------------


@pytest.mark.parametrize("name", READS)
def test_an_officer_without_identity_sees_codes_never_names(
    login, officer, facilitator, pages, name
):
    html = _request(login(officer), pages, name).content.decode()
    assert "P-001" in html
    for secret in IDENTITY_TEXT:
        assert secret not in html
    # The same page shows the name to a facilitator: the assertions above can fail.
    assert NAME in _request(login(facilitator), pages, name).content.decode()


def test_the_invite_list_shows_an_officer_codes_only(login, officer, facilitator, pages):
    officer_html = _request(login(officer), pages, "roster").content.decode()
    assert ">P-002</option>" in officer_html
    facilitator_html = _request(login(facilitator), pages, "roster").content.decode()
    assert f">{NEWCOMER} (P-002)</option>" in facilitator_html


def test_an_officer_invites_and_the_message_names_the_code_only(login, officer, pages):
    url, data = pages["invite"]
    response = login(officer).post(url, data, follow=True)
    html = response.content.decode()
    assert "P-002 was invited." in html
    for secret in IDENTITY_TEXT:
        assert secret not in html


def test_a_refused_confirmation_tells_an_officer_the_code_not_the_name(
    login, officer, designed, entry
):
    url = reverse("dialogues:roster_set_status", args=[designed.public_id, entry.public_id])
    response = login(officer).post(url, {f"status-{entry.public_id}-status": "confirmed"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "P-001 cannot be confirmed: no consent is recorded" in html
    for secret in IDENTITY_TEXT:
        assert secret not in html


def test_an_officer_saving_acknowledgements_with_htmx_gets_a_row_without_names(
    login, officer, pages
):
    url, data = pages["acknowledgements"]
    html = login(officer).post(url, data, headers={"HX-Request": "true"}).content.decode()
    assert "Acknowledgements saved for P-001." in html
    for secret in IDENTITY_TEXT:
        assert secret not in html


def test_the_participant_page_shows_contacts_only_with_identity(login, officer, facilitator, pages):
    officer_html = _request(login(officer), pages, "detail").content.decode()
    assert "Identity and contacts" not in officer_html
    assert "+000 555 0101" not in officer_html
    facilitator_html = _request(login(facilitator), pages, "detail").content.decode()
    assert "Identity and contacts" in facilitator_html
    assert "+000 555 0101" in facilitator_html
    assert ALIAS in facilitator_html


@pytest.mark.parametrize("name", READS)
def test_a_legal_reviewer_sees_names_only_once_granted(
    login, legal_reviewer, programme, pages, name
):
    client = login(legal_reviewer)
    assert NAME not in _request(client, pages, name).content.decode()
    membership = Membership.objects.get(programme=programme, user=legal_reviewer)
    membership.identity_granted = True
    membership.save(update_fields=["identity_granted"])
    membership_sync_permissions(membership=membership)
    assert NAME in _request(client, pages, name).content.decode()


@pytest.mark.parametrize("name", READS)
def test_an_officer_sees_names_where_the_programme_allows_it(
    login, officer, programme, pages, name
):
    programme_update_settings(programme=programme, actor=None, officers_see_identity=True)
    assert NAME in _request(login(officer), pages, name).content.decode()


def test_an_officer_reads_consent_scopes_with_names_withheld(
    login, officer, facilitator, designed, entry
):
    scope = f"Taking part. No photos of {NAME.upper()}; her cousin {ALIAS} may not attend."
    services.dialogue_participant_record_consent(
        entry=entry, given_on=timezone.localdate(), scope=scope, actor=facilitator
    )
    url = reverse("dialogues:roster", args=[designed.public_id])
    officer_html = login(officer).get(url).content.decode()
    assert (
        "Taking part. No photos of [name withheld]; her cousin [name withheld] may not attend."
        in officer_html
    )
    for secret in IDENTITY_TEXT:
        assert secret not in officer_html
        assert secret.upper() not in officer_html
    # Nor are the names put back in the correction form, where saving would overwrite them.
    assert "The scope names people whose names you may not see." in officer_html
    facilitator_html = login(facilitator).get(url).content.decode()
    assert scope in facilitator_html
    assert f"{scope}</textarea>" in facilitator_html
    assert "[name withheld]" not in facilitator_html


def test_a_scope_without_names_is_shown_and_prefilled_to_an_officer(
    login, officer, designed, entry
):
    services.dialogue_participant_record_consent(
        entry=entry, given_on=timezone.localdate(), scope="Taking part; no recording", actor=None
    )
    html = login(officer).get(reverse("dialogues:roster", args=[designed.public_id])).content
    assert html.decode().count("Taking part; no recording") == 2  # the roster and the form
