"""Domain operations on programmes and teams. Each is atomic and is the only way the change
it makes happens; views call these after checking access through dialogues.permissions.

Every team change first locks the programme row, so two admins acting at once are serialised:
neither can leave the programme without an admin, nor add the same person twice."""

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from dialogues import permissions
from dialogues.models import Membership, Programme
from dialogues.permissions import ALL_PROGRAMME_PERMISSIONS, permissions_for_membership
from dialogues.tasks import send_team_invitation

Role = Membership.Role


def membership_sync_permissions(*, membership):
    """Make the member's guardian permissions on the programme exactly what the role grants."""
    user, programme = membership.user, membership.programme
    wanted = permissions_for_membership(membership)
    held = set(get_perms(user, programme)) & ALL_PROGRAMME_PERMISSIONS
    for perm in held - wanted:
        remove_perm(perm, user, programme)
    for perm in wanted - held:
        assign_perm(perm, user, programme)
    permissions.forget_checked_permissions()


def _revoke_all(user, programme):
    for perm in set(get_perms(user, programme)) & ALL_PROGRAMME_PERMISSIONS:
        remove_perm(perm, user, programme)
    permissions.forget_checked_permissions()


def _lock(programme):
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _username_from_email(email):
    User = get_user_model()
    # Usernames allow letters, digits and @.+-_ only; an address may hold more (o'brien@...).
    base = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0].lower())[:140] or "member"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _check_admin_right(role, is_admin):
    if is_admin and role == Role.DONOR:
        raise ValidationError(
            {"is_admin": _("Donors cannot be programme admins: admins can grant any role.")}
        )


@transaction.atomic
def membership_add(*, programme, email, role, is_admin=False, actor):
    """Add the person with `email` to the programme team with `role`.

    A person without an account gets one, with no usable password. Anyone who has not yet
    chosen a password (new, or invited earlier) is sent an invitation by Celery after commit.
    Returns (membership, invitation_sent). Raises ValidationError if they are already on the
    team, or for a donor made admin. Caller: someone with manage_team.
    """
    programme = _lock(programme)
    _check_admin_right(role, is_admin)
    User = get_user_model()
    email = User.objects.normalize_email(email).strip()
    users = list(User.objects.filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise ValidationError(
            {"email": _("Several accounts share this address; ask a site administrator.")}
        )
    if users:
        user = users[0]
    else:
        user = User(username=_username_from_email(email), email=email)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    if Membership.objects.filter(programme=programme, user=user).exists():
        raise ValidationError({"email": _("This person is already on the team.")})
    membership = Membership(
        programme=programme, user=user, role=role, is_admin=is_admin, added_by=actor
    )
    membership.full_clean()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as duplicate:  # a second request slipped past the check above
        raise ValidationError({"email": _("This person is already on the team.")}) from duplicate
    membership_sync_permissions(membership=membership)
    invitation_sent = not user.has_usable_password()
    if invitation_sent:
        send_team_invitation.delay_on_commit(membership.pk)
    return membership, invitation_sent


def _assert_keeps_an_admin(membership, *, losing_admin):
    if not losing_admin or not membership.is_admin:
        return
    other_admins = (
        Membership.objects.filter(programme=membership.programme, is_admin=True)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not other_admins:
        raise ValidationError(
            _("A programme needs at least one programme admin. Make someone else admin first.")
        )


@transaction.atomic
def membership_change(*, membership, role, is_admin, actor, identity_granted=False):
    """Change a member's role, admin right and (legal reviewers only) identity access.

    Raises ValidationError when admins change their own membership (no one grants
    themselves a role), for a donor made admin, or if the programme would be left without an
    admin. Caller: someone with manage_team."""
    _lock(membership.programme)
    membership = Membership.objects.select_related("user", "programme").get(pk=membership.pk)
    if actor is not None and membership.user_id == actor.pk:
        raise ValidationError(
            _("You cannot change your own role or admin right; ask another programme admin.")
        )
    _check_admin_right(role, is_admin)
    _assert_keeps_an_admin(membership, losing_admin=not is_admin)
    if identity_granted and role != Role.LEGAL_REVIEWER:
        raise ValidationError(
            _(
                "Only legal reviewers are granted identity access one by one: facilitators "
                "always have it, officers follow the programme setting, donors never have it."
            )
        )
    membership.role = role
    membership.is_admin = is_admin
    membership.identity_granted = identity_granted
    membership.full_clean()
    membership.save(update_fields=["role", "is_admin", "identity_granted"])
    membership_sync_permissions(membership=membership)
    return membership


@transaction.atomic
def membership_remove(*, membership, actor):
    """Take a member off the team and revoke every programme permission they held. Raises
    ValidationError for the last programme admin. Caller: someone with manage_team."""
    _lock(membership.programme)
    membership = Membership.objects.select_related("user", "programme").get(pk=membership.pk)
    _assert_keeps_an_admin(membership, losing_admin=True)
    _revoke_all(membership.user, membership.programme)
    membership.delete()


@transaction.atomic
def programme_update_settings(*, programme, actor, **fields):
    """Change a programme's settings and re-grant every officer's permissions from the stored
    result, so identity access always matches the setting. Caller: someone with
    change_programme."""
    programme = _lock(programme)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    for membership in programme.memberships.filter(role=Role.PROGRAMME_OFFICER).select_related(
        "user", "programme"
    ):
        membership_sync_permissions(membership=membership)
    return programme
