"""The access chokepoint for programmes and everything that inherits access from them.

Roles are stored on Membership and mirrored into django-guardian object permissions on the
programme (dialogues.services.teams.membership_sync_permissions keeps them in step), so every
check here reads guardian's grants: through its checker, or (for lists) through
filter_by_programme_permission, held equal to guardian's own query by a test. Views never
fetch a programme or a dialogue any other way.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.models import GroupObjectPermission, UserObjectPermission

from dialogues.models import Dialogue, Membership, Programme

Role = Membership.Role

VIEW = "view_programme"
CHANGE = "change_programme"
MANAGE_TEAM = "manage_team"
VIEW_DIALOGUES = "view_dialogues"
VIEW_IDENTITY = "view_identity"
DESIGN_DIALOGUES = "design_dialogues"
LEAD_DIALOGUES = "lead_dialogues"
VET_OUTPUTS = "vet_outputs"
CARRY_UPTAKE = "carry_uptake"
VIEW_RESULTS = "view_results"

ALL_PROGRAMME_PERMISSIONS = frozenset(
    {
        VIEW,
        CHANGE,
        MANAGE_TEAM,
        VIEW_DIALOGUES,
        VIEW_IDENTITY,
        DESIGN_DIALOGUES,
        LEAD_DIALOGUES,
        VET_OUTPUTS,
        CARRY_UPTAKE,
        VIEW_RESULTS,
    }
)

# What each role may do on its programme. Donors see results, never dialogues or people.
ROLE_PERMISSIONS = {
    Role.FACILITATOR: {
        VIEW,
        VIEW_DIALOGUES,
        DESIGN_DIALOGUES,
        LEAD_DIALOGUES,
        VIEW_IDENTITY,
        VIEW_RESULTS,
    },
    Role.PROGRAMME_OFFICER: {VIEW, VIEW_DIALOGUES, DESIGN_DIALOGUES, CARRY_UPTAKE, VIEW_RESULTS},
    Role.LEGAL_REVIEWER: {VIEW, VIEW_DIALOGUES, VET_OUTPUTS},
    Role.DONOR: {VIEW, VIEW_RESULTS},
}
ADMIN_PERMISSIONS = {MANAGE_TEAM, CHANGE}


def permissions_for_membership(membership):
    """The set of programme permissions a membership grants."""
    granted = set(ROLE_PERMISSIONS.get(membership.role, ()))
    if membership.role == Role.PROGRAMME_OFFICER and membership.programme.officers_see_identity:
        granted.add(VIEW_IDENTITY)
    if membership.role == Role.LEGAL_REVIEWER and membership.identity_granted:
        granted.add(VIEW_IDENTITY)
    if membership.is_admin:
        granted |= ADMIN_PERMISSIONS
    return granted


def _check_known(perm):
    if perm not in ALL_PROGRAMME_PERMISSIONS:
        raise ValueError(f"Unknown programme permission: {perm}")


# Within one request, the user's object permissions are loaded once (one query) however
# many checks its page makes: the chokepoint, identity, design rights. Only while a request
# runs (PermissionChecksPerRequestMiddleware) or one short unit of work does (a reminder's
# delivery): a command, a Celery task or a test holding a user across changes checks afresh
# each time. Changing permissions forgets them.
_request_checkers = ContextVar("parley_request_permission_checkers", default=None)


@contextmanager
def shared_permission_checks():
    """Share one ObjectPermissionChecker per user for the duration of the block: a request,
    or a unit of work as short as one."""
    token = _request_checkers.set({})
    try:
        yield
    finally:
        _request_checkers.reset(token)


def forget_checked_permissions():
    """Drop what this request has loaded: called whenever permissions change."""
    checkers = _request_checkers.get()
    if checkers is not None:
        checkers.clear()


class PermissionChecker(ObjectPermissionChecker):
    """guardian's checker, loading a user's permissions on one object in one query: the
    codenames granted to them and to their groups as a UNION, where guardian runs two
    queries (one query fewer on every page that checks a programme)."""

    def get_perms(self, obj):
        user = self.user
        if user is None or not user.is_active or user.is_superuser:
            return super().get_perms(obj)
        key = self.get_local_cache_key(obj)
        if key not in self._obj_perms_cache:
            granted = self.get_user_perms(obj).order_by()
            through_groups = self.get_group_perms(obj).order_by()
            self._obj_perms_cache[key] = list(set(granted.union(through_groups).order_by()))
        return self._obj_perms_cache[key]


def permission_checker(user):
    """The PermissionChecker for `user`: this request's, or a fresh one outside one."""
    checkers = _request_checkers.get()
    if checkers is None:
        return PermissionChecker(user)
    key = (type(user), user.pk)
    if key not in checkers:
        checkers[key] = PermissionChecker(user)
    return checkers[key]


class PermissionChecksPerRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with shared_permission_checks():
            return self.get_response(request)


def _authorize(user, programme, perm, visible_with):
    """Raise Http404 unless `user` holds `visible_with`, PermissionDenied unless `perm`."""
    checker = permission_checker(user)
    if not checker.has_perm(visible_with, programme):
        raise Http404
    if not checker.has_perm(perm, programme):
        raise PermissionDenied
    return checker


def get_programme_for_user(user, public_id, perm=VIEW, *, visible_with=VIEW):
    """Return the programme `public_id` if `user` may do `perm` on it.

    Raises Http404 when the programme does not exist or the user lacks `visible_with` on it
    (strangers, and donors for dialogue pages with visible_with=VIEW_DIALOGUES: never
    revealing that it exists), PermissionDenied when they can see it but lack `perm`.
    Anonymous and inactive users hold no permissions, so they get 404 too.
    """
    _check_known(perm)
    _check_known(visible_with)
    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        programme = Programme.objects.get(public_id=public_id)
    # A malformed id makes the UUID field raise ValidationError.
    except (Programme.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    _authorize(user, programme, perm, visible_with)
    return programme


def get_dialogue_for_user(user, public_id, perm=VIEW_DIALOGUES):
    """Return the dialogue `public_id` (with its programme) if `user` may do `perm` on its
    programme. Raises Http404 for anyone without view_dialogues there (strangers, donors),
    PermissionDenied for a team member lacking `perm` (a legal reviewer editing)."""
    _check_known(perm)
    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        dialogue = Dialogue.objects.select_related("programme").get(public_id=public_id)
    except (Dialogue.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    _authorize(user, dialogue.programme, perm, VIEW_DIALOGUES)
    return dialogue


def may_see_identity(user, programme):
    """Whether `user` may see participants' names, aliases, affiliations and contacts."""
    if not (user.is_authenticated and user.is_active):
        return False
    return permission_checker(user).has_perm(VIEW_IDENTITY, programme)


def programmes_for_user(user, perm=VIEW):
    """The programmes on which `user` holds `perm`, as one query."""
    return filter_by_programme_permission(Programme.objects.all(), user, perm, via="pk")


def filter_by_programme_permission(queryset, user, perm, *, via="programme"):
    """`queryset` narrowed to the rows whose programme (the primary key at the path `via`)
    `user` holds `perm` on, in the same query: what guardian's get_objects_for_user(user,
    perm, Programme, accept_global_perms=False) gives (a test holds the two equal), built
    directly. The navigation asks it on every page, where guardian's general version (any
    model, several permissions, global grants, then a second subquery to reach the rows)
    took longer to build than the database took to run it."""
    _check_known(perm)
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser:
        return queryset
    # guardian's generic tables keep object ids as text: compare the programme's id as text,
    # as guardian does, so that no other model's object id is ever cast.
    granted = Q(permission__content_type=_programme_content_type(), permission__codename=perm)
    to_user = UserObjectPermission.objects.filter(granted, user=user).values("object_pk")
    to_groups = GroupObjectPermission.objects.filter(granted, group__user=user).values("object_pk")
    return queryset.alias(_programme_text_pk=Cast(via, CharField())).filter(
        Q(_programme_text_pk__in=to_user) | Q(_programme_text_pk__in=to_groups)
    )


def _programme_content_type():
    # Django's content-type cache answers from memory after a process's first call.
    return ContentType.objects.get_for_model(Programme)


def programme_permission_checker(user, programmes):
    """An ObjectPermissionChecker with the permissions for `programmes` loaded, for per-row
    checks in lists: for several programmes at once (two queries); for one, as any check
    loads it (no query when this request has loaded it already)."""
    checker = permission_checker(user)
    programmes = list(programmes)
    if len(programmes) > 1:
        checker.prefetch_perms(programmes)
    return checker
