"""The access chokepoint for monitoring pages. Views never fetch a programme any other way.

Access follows the programme's roles (dialogues.permissions.ROLE_PERMISSIONS); nothing is
stored here.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dialogues import permissions as programme_perms
from monitoring.models import CommuniqueAdoption, Indicator, OutcomeRecord


def get_programme_for_monitoring(user, public_id):
    """Return the programme `public_id` for its officer-facing monitoring pages.

    These pages show figures per dialogue (counts, never names or codes), so they are for
    the team members who see dialogues (view_dialogues: facilitators, programme officers,
    legal reviewers). Raises Http404 for everyone else: anonymous or inactive users,
    strangers, a malformed or unknown id, and donors, whose aggregated, suppressed
    dashboard is a separate page (never revealing the per-dialogue one exists).
    """
    return programme_perms.get_programme_for_user(
        user,
        public_id,
        programme_perms.VIEW_DIALOGUES,
        visible_with=programme_perms.VIEW_DIALOGUES,
    )


VIEW_INDICATORS = "view"
RECORD_INDICATORS = "record"
# Programme officers carry uptake, facilitators lead dialogues: either may record.
RECORDER_PERMISSIONS = (programme_perms.CARRY_UPTAKE, programme_perms.LEAD_DIALOGUES)


def _authorize_indicators(user, programme, action):
    if action not in (VIEW_INDICATORS, RECORD_INDICATORS):
        raise ValueError(f"Unknown indicator action: {action}")
    checker = programme_perms.permission_checker(user)
    if not checker.has_perm(programme_perms.VIEW_DIALOGUES, programme):
        raise Http404
    if action == RECORD_INDICATORS and not any(
        checker.has_perm(perm, programme) for perm in RECORDER_PERMISSIONS
    ):
        raise PermissionDenied


def may_record_indicators(user, programme):
    """Whether `user` may define indicators, set targets and record values on `programme`."""
    if not (user.is_authenticated and user.is_active):
        return False
    checker = programme_perms.permission_checker(user)
    return any(checker.has_perm(perm, programme) for perm in RECORDER_PERMISSIONS)


def get_programme_for_indicators(user, public_id, action=VIEW_INDICATORS):
    """Return the programme `public_id` for its indicator pages.

    `action` is VIEW_INDICATORS (team members with view_dialogues: facilitators, officers,
    legal reviewers) or RECORD_INDICATORS (facilitators and programme officers). Raises
    Http404 for anonymous or inactive users, strangers, donors (their dashboard is a later,
    suppressed page) and a malformed or unknown id; PermissionDenied for a team member who
    may read but not record (a legal reviewer posting).
    """
    programme = get_programme_for_monitoring(user, public_id)
    _authorize_indicators(user, programme, action)
    return programme


def get_indicator_for_user(user, public_id, action=VIEW_INDICATORS):
    """Return the indicator `public_id` (with its programme) under the same rules as
    get_programme_for_indicators; Http404 for a malformed or unknown id."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        indicator = Indicator.objects.select_related("programme").get(public_id=public_id)
    except (Indicator.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    _authorize_indicators(user, indicator.programme, action)
    return indicator


def get_outcome_for_user(user, public_id):
    """Return the outcome record `public_id` (with its programme) for reading, under the
    rules of get_programme_for_indicators with VIEW_INDICATORS; Http404 for a malformed or
    unknown id and for everyone who may not read the programme's indicators."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        record = OutcomeRecord.objects.select_related("programme").get(public_id=public_id)
    except (OutcomeRecord.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    _authorize_indicators(user, record.programme, VIEW_INDICATORS)
    return record


def get_programme_for_results(user, public_id):
    """Return the programme `public_id` for its results page and donor report: aggregates
    only, suppressed, with no participant, confidential title or red line in them.

    For everyone holding view_results: donors, and the facilitators and programme officers
    who want to see what donors see. Raises Http404 for anonymous or inactive users,
    strangers and a malformed or unknown id; PermissionDenied for a member without it (a
    legal reviewer).
    """
    return programme_perms.get_programme_for_user(user, public_id, programme_perms.VIEW_RESULTS)


def get_communique_adoption_for_user(user, public_id, action=VIEW_INDICATORS):
    """Return the communiqué adoption `public_id` (with its programme) under the rules of
    get_programme_for_indicators for `action`: team members who see dialogues read,
    facilitators and programme officers record. Raises Http404 for anonymous or inactive
    users, strangers, donors (they see the count only, on their dashboard) and a malformed
    or unknown id; PermissionDenied for a reader taking a recorder's action."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        adoption = CommuniqueAdoption.objects.select_related("programme").get(public_id=public_id)
    except (CommuniqueAdoption.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    _authorize_indicators(user, adoption.programme, action)
    return adoption


# --- The risk register ----------------------------------------------------------------------
# Read by the team members who see dialogues; risks and expectation statements recorded by
# facilitators and programme officers. Red lines are read and written by those two roles only:
# for anyone else (a legal reviewer too) they do not exist.
VIEW_RISKS = VIEW_INDICATORS
RECORD_RISKS = RECORD_INDICATORS


def get_programme_for_risks(user, public_id, action=VIEW_RISKS):
    """Return the programme `public_id` for its risk register.

    `action` is VIEW_RISKS (facilitators, programme officers, legal reviewers) or
    RECORD_RISKS (facilitators and programme officers: risks, closing them, expectation
    statements). Raises Http404 for anonymous or inactive users, strangers, donors and a
    malformed or unknown id; PermissionDenied for a legal reviewer recording.
    """
    return get_programme_for_indicators(user, public_id, action)


def get_risk_for_user(user, public_id, action=VIEW_RISKS):
    """Return the risk `public_id` (with its programme and owner) under the rules of
    get_programme_for_risks for `action`; Http404 for a malformed or unknown id."""
    from monitoring.models import Risk

    if not (user.is_authenticated and user.is_active):
        raise Http404
    try:
        risk = Risk.objects.select_related("programme", "owner").get(public_id=public_id)
    except (Risk.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing
    _authorize_indicators(user, risk.programme, action)
    return risk


def may_read_red_lines(user, programme):
    """Whether `user` may read and record `programme`'s red lines: its facilitators
    (lead_dialogues) and programme officers (carry_uptake), nobody else."""
    if not (user.is_authenticated and user.is_active):
        return False
    checker = programme_perms.permission_checker(user)
    return checker.has_perm(programme_perms.LEAD_DIALOGUES, programme) or checker.has_perm(
        programme_perms.CARRY_UPTAKE, programme
    )


def get_programme_for_red_lines(user, public_id):
    """Return the programme `public_id` for reading or recording its red lines. Raises
    Http404 for everyone but its facilitators and programme officers (a legal reviewer, a
    donor, a stranger: never revealing there is anything there) and for an unknown id."""
    programme = get_programme_for_monitoring(user, public_id)
    if not may_read_red_lines(user, programme):
        raise Http404
    return programme
