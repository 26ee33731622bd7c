"""The access chokepoint for monitoring pages. Views never fetch a programme any other way.

Access follows the programme's roles (dialogues.permissions.ROLE_PERMISSIONS); nothing is
stored here.
"""

from dialogues import permissions as programme_perms


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
