import uuid

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_objects_for_user, get_perms

from dialogues import permissions
from dialogues.models import Membership, Programme
from dialogues.services.teams import (
    membership_add,
    membership_change,
    membership_remove,
    programme_update_settings,
)
from tests.dialogues.factories import ProgrammeFactory, SessionFactory, UserFactory

Role = Membership.Role


def test_anonymous_visitors_cannot_see_a_programme(programme):
    with pytest.raises(Http404):
        permissions.get_programme_for_user(AnonymousUser(), programme.public_id)


def test_a_stranger_gets_404_never_403(programme, stranger):
    with pytest.raises(Http404):
        permissions.get_programme_for_user(stranger, programme.public_id)
    with pytest.raises(Http404):
        permissions.get_programme_for_user(stranger, programme.public_id, permissions.MANAGE_TEAM)


def test_an_unknown_programme_id_is_404(facilitator):
    with pytest.raises(Http404):
        permissions.get_programme_for_user(facilitator, uuid.uuid4())


def test_a_member_without_the_right_gets_403(programme, donor):
    assert permissions.get_programme_for_user(donor, programme.public_id) == programme
    with pytest.raises(PermissionDenied):
        permissions.get_programme_for_user(donor, programme.public_id, permissions.MANAGE_TEAM)
    with pytest.raises(PermissionDenied):
        permissions.get_programme_for_user(donor, programme.public_id, permissions.VIEW_IDENTITY)


def test_a_member_with_the_right_gets_the_programme(programme, facilitator):
    found = permissions.get_programme_for_user(
        facilitator, programme.public_id, permissions.MANAGE_TEAM
    )
    assert found == programme


def test_a_deactivated_member_is_treated_as_a_stranger(programme, officer):
    officer.is_active = False
    officer.save()
    with pytest.raises(Http404):
        permissions.get_programme_for_user(officer, programme.public_id)


def test_an_unknown_permission_name_is_a_programming_error(programme, facilitator):
    with pytest.raises(ValueError, match="Unknown programme permission"):
        permissions.get_programme_for_user(facilitator, programme.public_id, "view_everything")


@pytest.mark.parametrize(
    ("role_fixture", "expected"),
    [
        (
            "facilitator",
            {
                "view_programme",
                "view_dialogues",
                "design_dialogues",
                "lead_dialogues",
                "view_identity",
                "view_results",
            },
        ),
        (
            "officer",
            {
                "view_programme",
                "view_dialogues",
                "design_dialogues",
                "carry_uptake",
                "view_results",
            },
        ),
        ("legal_reviewer", {"view_programme", "view_dialogues", "vet_outputs"}),
        ("donor", {"view_programme", "view_results"}),
    ],
)
def test_each_role_holds_exactly_its_guardian_permissions(
    request, programme, role_fixture, expected
):
    user = request.getfixturevalue(role_fixture)
    held = set(get_perms(user, programme))
    if role_fixture == "facilitator":  # the fixture's facilitator is also programme admin
        expected = expected | {"manage_team", "change_programme"}
    assert held == expected


def test_legal_reviewers_see_identity_only_when_granted(programme, facilitator, legal_reviewer):
    membership = Membership.objects.get(user=legal_reviewer)
    assert "view_identity" not in get_perms(legal_reviewer, programme)
    membership.identity_granted = True
    membership.save()
    from dialogues.services.teams import membership_sync_permissions

    membership_sync_permissions(membership=membership)
    assert "view_identity" in get_perms(legal_reviewer, programme)


def test_donors_never_hold_identity_permission(programme, donor):
    programme_update_settings(programme=programme, actor=None, officers_see_identity=True)
    assert "view_identity" not in get_perms(donor, programme)


def test_officers_see_identity_only_where_the_programme_allows_it(programme, officer):
    checker = permissions.programme_permission_checker
    assert not checker(officer, [programme]).has_perm("view_identity", programme)
    programme_update_settings(programme=programme, actor=None, officers_see_identity=True)
    assert checker(officer, [programme]).has_perm("view_identity", programme)
    programme_update_settings(programme=programme, actor=None, officers_see_identity=False)
    assert not checker(officer, [programme]).has_perm("view_identity", programme)


def test_changing_a_role_replaces_the_permissions(programme, officer):
    membership = Membership.objects.get(programme=programme, user=officer)
    membership_change(membership=membership, role=Role.DONOR, is_admin=False, actor=None)
    with pytest.raises(PermissionDenied):
        permissions.get_programme_for_user(officer, programme.public_id, "design_dialogues")


def test_removing_a_member_revokes_every_programme_permission(programme, facilitator, officer):
    membership = Membership.objects.get(programme=programme, user=officer)
    membership_remove(membership=membership, actor=facilitator)
    with pytest.raises(Http404):
        permissions.get_programme_for_user(officer, programme.public_id)


def test_the_last_programme_admin_can_be_neither_removed_nor_demoted(programme, facilitator):
    membership = Membership.objects.get(programme=programme, user=facilitator)
    with pytest.raises(ValidationError, match="at least one programme admin"):
        membership_remove(membership=membership, actor=facilitator)
    site_admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(ValidationError, match="at least one programme admin"):
        membership_change(
            membership=membership, role=Role.FACILITATOR, is_admin=False, actor=site_admin
        )


def test_programme_lists_hold_only_the_users_programmes_in_bounded_queries(
    programme, other_programme, facilitator, django_assert_max_num_queries
):
    # The permission's content type, then the programmes: never a query per programme.
    with django_assert_max_num_queries(2):
        listed = list(permissions.programmes_for_user(facilitator))
    assert listed == [programme]
    for n in range(10):
        assign_perm("view_programme", facilitator, ProgrammeFactory(name=f"Extra {n}"))
    with django_assert_max_num_queries(2):
        assert len(list(permissions.programmes_for_user(facilitator))) == 11


def test_programme_lists_are_the_programmes_guardian_finds_for_every_user_and_permission(
    programme, other_programme, facilitator, officer, legal_reviewer, donor, stranger
):
    """The chokepoint's own query against guardian's get_objects_for_user, which it stands
    in for: members of each role, a member of two programmes, grants through a group, a
    global grant (ignored by both), a superuser, a deactivated member, an anonymous visitor."""
    third = ProgrammeFactory(name="Third Bridge Programme")
    membership_add(programme=third, email=officer.email, role=Role.DONOR, actor=None)
    programme_update_settings(programme=programme, actor=None, officers_see_identity=True)
    observer = UserFactory(username="grace")
    group = Group.objects.create(name="Regional observers")
    observer.groups.add(group)
    assign_perm(permissions.VIEW, group, other_programme)
    assign_perm(permissions.VIEW_RESULTS, group, third)
    assign_perm(permissions.VIEW_IDENTITY, observer, third)
    assign_perm(f"dialogues.{permissions.CHANGE}", observer)  # global: counts for neither
    site_admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    gone = UserFactory(username="gone")
    membership_add(programme=programme, email=gone.email, role=Role.FACILITATOR, actor=None)
    gone.is_active = False
    gone.save()
    users = [facilitator, officer, legal_reviewer, donor, stranger, observer, site_admin, gone]

    for perm in sorted(permissions.ALL_PROGRAMME_PERMISSIONS):
        for user in users:
            ours = set(permissions.programmes_for_user(user, perm))
            if user.is_active:
                guardians = set(
                    get_objects_for_user(
                        user, f"dialogues.{perm}", klass=Programme, accept_global_perms=False
                    )
                )
            else:
                guardians = set()  # guardian would answer for an inactive user: we never do
            assert ours == guardians, (user.username, perm)
        assert not permissions.programmes_for_user(AnonymousUser(), perm).exists()
    # The cases above are not all empty or all full.
    assert set(permissions.programmes_for_user(observer)) == {other_programme}
    assert set(permissions.programmes_for_user(observer, permissions.VIEW_IDENTITY)) == {third}
    assert set(permissions.programmes_for_user(officer, permissions.VIEW_RESULTS)) == {
        programme,
        third,
    }
    assert set(permissions.programmes_for_user(site_admin)) == {programme, other_programme, third}


def test_the_database_refuses_an_unknown_role(programme, facilitator):
    from django.db import IntegrityError, transaction

    membership = Membership.objects.get(programme=programme, user=facilitator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(role="overlord")


# --- One load of a user's permissions per request -------------------------------------------


def _permission_queries(captured):
    """Guardian's checker loads a user's permissions on an object as permission codenames."""
    return [
        q["sql"]
        for q in captured
        # PostgreSQL's UNION puts each part in parentheses.
        if q["sql"].lstrip("(").startswith('SELECT "auth_permission"."codename"')
    ]


def test_a_page_loads_the_users_permissions_once_however_many_checks_it_makes(
    login, officer, designed, django_assert_max_num_queries
):
    """The session page checks the chokepoint, identity and design rights: one load."""
    session = SessionFactory(dialogue=designed)
    client = login(officer)
    url = reverse("dialogues:session_detail", args=[designed.public_id, session.public_id])
    client.get(url)  # warms the content-type cache
    with django_assert_max_num_queries(20) as captured:
        assert client.get(url).status_code == 200
    # One query (the user's own permissions and their groups', as a UNION), once.
    assert len(_permission_queries(captured.captured_queries)) == 1


def test_permissions_granted_to_a_group_count_as_the_user_s_own(
    programme, stranger, django_assert_num_queries
):
    """The one-query checker reads both grants: a stranger given view through a group (as
    an administrator may in Django admin) sees the programme, and nothing more."""
    group = Group.objects.create(name="Regional observers")
    stranger.groups.add(group)
    assign_perm(permissions.VIEW, group, programme)
    with django_assert_num_queries(1):
        checker = permissions.permission_checker(stranger)
        assert checker.has_perm(permissions.VIEW, programme)
        assert not checker.has_perm(permissions.VIEW_IDENTITY, programme)
    assert permissions.get_programme_for_user(stranger, programme.public_id) == programme
    assign_perm(permissions.VIEW_IDENTITY, stranger, programme)
    assert set(permissions.permission_checker(stranger).get_perms(programme)) == {
        permissions.VIEW,
        permissions.VIEW_IDENTITY,
    }


def test_within_a_request_a_change_of_permissions_is_seen_by_the_next_check(programme, officer):
    with permissions.shared_permission_checks():
        assert not permissions.may_see_identity(officer, programme)
        programme_update_settings(programme=programme, actor=None, officers_see_identity=True)
        assert permissions.may_see_identity(officer, programme)


def test_outside_a_request_every_check_loads_afresh(programme, officer):
    assert permissions.permission_checker(officer) is not permissions.permission_checker(officer)
    with permissions.shared_permission_checks():
        shared = permissions.permission_checker(officer)
        assert permissions.permission_checker(officer) is shared
    assert permissions.permission_checker(officer) is not shared
