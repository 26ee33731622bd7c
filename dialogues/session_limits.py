"""How long a sign-in lasts: it ends after SESSION_IDLE_TIMEOUT seconds without a request, and
SESSION_COOKIE_AGE seconds after signing in however busy the person is, whichever comes first
(config/settings.py, from SESSION_IDLE_MINUTES and SESSION_LIFETIME_HOURS).

Both clocks live in the session: `stamp_sign_in` starts them when Django logs someone in (the
log-in form, an accepted invitation, the test client's force_login), and
`SessionLimitsMiddleware` checks them on every request from someone signed in. A signed-in
session without them (one made before the limits existed) is ended: unknown state denies.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

SIGNED_IN_AT = "parley_signed_in_at"
SEEN_AT = "parley_seen_at"


def stamp_sign_in(sender, request, user, **kwargs):
    """user_logged_in receiver: both limits count from signing in."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def session_has_expired(session, now):
    """Whether the signed-in `session` has passed either limit at `now` (seconds since the
    epoch), or carries no sign-in time at all."""
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(signed_in_at, (int, float)) or not isinstance(seen_at, (int, float)):
        return True
    return (
        now - signed_in_at >= settings.SESSION_COOKIE_AGE
        or now - seen_at >= settings.SESSION_IDLE_TIMEOUT
    )


class SessionLimitsMiddleware:
    """Ends a sign-in that has passed its idle or absolute limit before the view runs, so the
    view sees an anonymous visitor (and sends them to log in); otherwise notes the request's
    time as the last activity. Goes after the authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            if session_has_expired(request.session, now):
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
            elif now - request.session[SEEN_AT] >= settings.SESSION_SEEN_RESOLUTION:
                request.session[SEEN_AT] = now
        return self.get_response(request)
