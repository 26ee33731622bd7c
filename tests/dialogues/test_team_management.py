import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from config.celery import app as celery_app
from dialogues.models import Membership
from tests.dialogues.factories import UserFactory

Role = Membership.Role


@pytest.fixture
def team_url(programme):
    return reverse("dialogues:team", args=[programme.public_id])


@pytest.fixture
def eager_tasks():
    """Run tasks in-process for view tests; the real worker is tested in test_celery_worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_the_admin_adds_an_existing_user_with_a_role(login, facilitator, programme, team_url):
    newcomer = UserFactory(username="nadia", email="nadia@example.org")
    response = login(facilitator).post(
        team_url, {"email": "NADIA@example.org", "role": Role.LEGAL_REVIEWER}, follow=True
    )
    assert response.status_code == 200
    assert "nadia joined the team." in response.content.decode()
    membership = Membership.objects.get(programme=programme, user=newcomer)
    assert membership.role == Role.LEGAL_REVIEWER
    assert not membership.is_admin


def test_a_new_address_creates_an_account_and_mails_an_invitation(
    login,
    facilitator,
    programme,
    team_url,
    eager_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(facilitator).post(
            team_url, {"email": "new.donor@fund.example", "role": Role.DONOR}
        )
    assert response.status_code == 302
    invited = get_user_model().objects.get(email="new.donor@fund.example")
    assert not invited.has_usable_password()
    assert Membership.objects.get(user=invited).role == Role.DONOR
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.donor@fund.example"]
    assert programme.name in mailoutbox[0].subject


def test_invalid_input_keeps_what_was_typed_and_says_why(login, facilitator, team_url):
    response = login(facilitator).post(team_url, {"email": "not-an-address", "role": "overlord"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="not-an-address"' in html
    assert "Enter a valid email address." in html
    assert "Select a valid choice." in html


def test_adding_someone_twice_is_refused_with_a_message(login, facilitator, officer, team_url):
    response = login(facilitator).post(
        team_url, {"email": officer.email, "role": Role.LEGAL_REVIEWER, "is_admin": "on"}
    )
    assert response.status_code == 200
    assert "already on the team" in response.content.decode()
    assert Membership.objects.get(user=officer).role == Role.PROGRAMME_OFFICER


def test_a_donor_cannot_be_made_admin_from_the_page(login, facilitator, team_url):
    response = login(facilitator).post(
        team_url, {"email": "dora@fund.example", "role": Role.DONOR, "is_admin": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Donors cannot be programme admins" in html
    assert 'value="dora@fund.example"' in html
    assert not Membership.objects.filter(user__email="dora@fund.example").exists()


def test_changing_a_role_with_htmx_answers_with_the_row_only(
    login, facilitator, officer, programme
):
    membership = Membership.objects.get(user=officer)
    prefix = str(membership.public_id)
    url = reverse("dialogues:member_change", args=[programme.public_id, membership.public_id])
    response = login(facilitator).post(
        url, {f"{prefix}-role": Role.LEGAL_REVIEWER}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith(f'<tr id="member-{prefix}"')
    assert "otto updated." in html
    assert '<option value="legal" selected>' in html
    membership.refresh_from_db()
    assert membership.role == Role.LEGAL_REVIEWER


def test_changing_a_role_without_htmx_redirects_with_a_message(
    login, facilitator, officer, programme
):
    membership = Membership.objects.get(user=officer)
    url = reverse("dialogues:member_change", args=[programme.public_id, membership.public_id])
    response = login(facilitator).post(
        url, {f"{membership.public_id}-role": Role.DONOR}, follow=True
    )
    assert "otto updated." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.DONOR


def test_the_last_admin_cannot_remove_themselves(login, facilitator, programme):
    membership = Membership.objects.get(user=facilitator)
    url = reverse("dialogues:member_remove", args=[programme.public_id, membership.public_id])
    response = login(facilitator).post(url, follow=True)
    assert "at least one programme admin" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removing_a_member_takes_them_off_the_team(login, facilitator, donor, programme):
    membership = Membership.objects.get(user=donor)
    url = reverse("dialogues:member_remove", args=[programme.public_id, membership.public_id])
    response = login(facilitator).post(url, follow=True)
    assert "dario is no longer on the team." in response.content.decode()
    assert not Membership.objects.filter(user=donor).exists()


def test_programme_settings_keep_bad_input_and_explain(login, facilitator, programme):
    url = reverse("dialogues:programme_settings", args=[programme.public_id])
    response = login(facilitator).post(
        url,
        {
            "name": "Renamed programme",
            "country": "Testland",
            "starts_on": "2026-05-01",
            "ends_on": "2026-01-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Renamed programme"' in html
    assert "The end date must not be before the start." in html
    programme.refresh_from_db()
    assert programme.name == "Lakeshore Access Programme"


def test_team_page_queries_do_not_grow_with_the_team(
    login, facilitator, programme, team_url, django_assert_max_num_queries
):
    from dialogues.services.teams import membership_add

    client = login(facilitator)
    client.get(team_url)  # warm up the session
    # session, user, programme, guardian permission checks, nav roles, members, and one
    # more permission check for the link to the team's audit trail.
    with django_assert_max_num_queries(10) as small:
        client.get(team_url)
    for n in range(12):
        user = UserFactory(username=f"extra{n}")
        membership_add(programme=programme, email=user.email, role=Role.DONOR, actor=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(team_url)


def test_the_admin_grants_a_legal_reviewer_identity_access(
    login, facilitator, legal_reviewer, programme
):
    from dialogues.permissions import may_see_identity

    membership = Membership.objects.get(user=legal_reviewer)
    prefix = membership.public_id
    url = reverse("dialogues:member_change", args=[programme.public_id, membership.public_id])
    client = login(facilitator)
    client.post(url, {f"{prefix}-role": Role.LEGAL_REVIEWER, f"{prefix}-identity_granted": "on"})
    assert may_see_identity(legal_reviewer, programme)
    client.post(url, {f"{prefix}-role": Role.LEGAL_REVIEWER})
    assert not may_see_identity(legal_reviewer, programme)


def test_identity_access_is_granted_to_legal_reviewers_only(login, facilitator, donor, programme):
    from dialogues.permissions import may_see_identity

    membership = Membership.objects.get(user=donor)
    prefix = membership.public_id
    url = reverse("dialogues:member_change", args=[programme.public_id, membership.public_id])
    response = login(facilitator).post(
        url, {f"{prefix}-role": Role.DONOR, f"{prefix}-identity_granted": "on"}, follow=True
    )
    assert "Only legal reviewers are granted identity access" in response.content.decode()
    assert not may_see_identity(donor, programme)
