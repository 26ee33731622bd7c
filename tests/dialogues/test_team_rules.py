"""The rules the team services enforce, whatever page or script calls them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from guardian.shortcuts import get_perms

from dialogues.models import Membership, Programme
from dialogues.services.teams import membership_add, membership_change, programme_update_settings
from tests.dialogues.factories import UserFactory

Role = Membership.Role


def test_no_admin_can_change_their_own_role(programme, facilitator, officer):
    # Two admins, so the last-admin rule is not what refuses the change.
    other = Membership.objects.get(user=officer)
    membership_change(
        membership=other, role=Role.PROGRAMME_OFFICER, is_admin=True, actor=facilitator
    )
    own = Membership.objects.get(user=facilitator)
    with pytest.raises(ValidationError, match="cannot change your own role"):
        membership_change(membership=own, role=Role.DONOR, is_admin=True, actor=facilitator)


def test_a_donor_admin_cannot_grant_themselves_identity_access(programme, facilitator, donor):
    donor_membership = Membership.objects.get(user=donor)
    with pytest.raises(ValidationError, match="Donors cannot be programme admins"):
        membership_change(
            membership=donor_membership, role=Role.DONOR, is_admin=True, actor=facilitator
        )
    with pytest.raises(ValidationError, match="Donors cannot be programme admins"):
        membership_add(
            programme=programme,
            email="d2@example.org",
            role=Role.DONOR,
            is_admin=True,
            actor=facilitator,
        )
    assert "view_identity" not in get_perms(donor, programme)


def test_the_database_refuses_a_donor_admin(programme, donor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(user=donor).update(is_admin=True)


def test_identity_access_follows_the_stored_setting_even_from_a_stale_page(programme, officer):
    # Two admins load the settings page; one turns identity access on, the other (from the
    # older copy) turns it off. The officers' permissions must match what is stored last.
    first, second = Programme.objects.get(pk=programme.pk), Programme.objects.get(pk=programme.pk)
    programme_update_settings(programme=first, actor=None, officers_see_identity=True)
    programme_update_settings(programme=second, actor=None, officers_see_identity=False)
    programme.refresh_from_db()
    assert programme.officers_see_identity is False
    assert "view_identity" not in get_perms(officer, programme)
    programme_update_settings(programme=second, actor=None, officers_see_identity=True)
    assert "view_identity" in get_perms(officer, programme)


@pytest.mark.parametrize(
    ("email", "username"),
    [("o'brien@example.org", "obrien"), ("'@example.org", "member")],
)
def test_any_valid_address_can_be_invited(programme, facilitator, email, username):
    membership, invitation_sent = membership_add(
        programme=programme, email=email, role=Role.DONOR, actor=facilitator
    )
    assert invitation_sent
    assert membership.user.username == username


def test_someone_still_invited_is_invited_again_when_added_elsewhere(
    programme, other_programme, facilitator
):
    first, sent_first = membership_add(
        programme=programme, email="ivy@example.org", role=Role.DONOR, actor=facilitator
    )
    second, sent_second = membership_add(
        programme=other_programme, email="ivy@example.org", role=Role.DONOR, actor=facilitator
    )
    assert sent_first and sent_second
    assert first.user == second.user
    second.user.set_password("now-chosen-passphrase")
    second.user.save()
    third_programme = Programme.objects.create(name="Third", country="Testland")
    _membership, sent_third = membership_add(
        programme=third_programme, email="ivy@example.org", role=Role.DONOR, actor=facilitator
    )
    assert not sent_third


def test_the_invitation_link_lets_the_person_choose_a_password_once(
    client, programme, facilitator, settings
):
    from dialogues.invitations import invitation_link

    membership, _sent = membership_add(
        programme=programme, email="una@example.org", role=Role.LEGAL_REVIEWER, actor=facilitator
    )
    link = invitation_link(membership.user).removeprefix(settings.PARLEY_BASE_URL)
    form_page = client.get(link, follow=True)
    assert "Choose a password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "una-long-passphrase", "new_password2": "una-long-passphrase"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # logged in straight away
    client.logout()
    used_again = client.get(link, follow=True)
    assert "This link no longer works" in used_again.content.decode()


def test_a_password_reset_link_is_not_an_invitation_link(client, programme, facilitator):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    membership, _sent = membership_add(
        programme=programme, email="vic@example.org", role=Role.DONOR, actor=facilitator
    )
    user = membership.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    reset_token = default_token_generator.make_token(user)
    page = client.get(f"/accounts/invitation/{uid}/{reset_token}/", follow=True)
    assert "This link no longer works" in page.content.decode()


def test_the_demo_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("load_demo", verbosity=0)
    assert not get_user_model().objects.filter(username="admin").exists()


def test_the_demo_runs_with_debug(db, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()
    assert UserFactory._meta.model.objects.count() == 5
