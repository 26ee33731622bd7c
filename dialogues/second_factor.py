"""The second factor: a six-digit code from an authenticator app (TOTP, through django-otp),
optional for every account and required of staff and superusers. The site administrator is a
superuser who reaches every programme, so the rule holds for the whole of Parley, not only
for Django admin.

How each way of signing in meets it:

- Parley's log-in (`views.second_factor.PasswordThenCodeLoginView`): for someone with a
  confirmed device the password only starts a *pending* log-in kept in the session; they are
  not logged in until the code page accepts a code, and then the session is verified.
- Django admin's log-in (`dialogues.admin_site`): password and code on one form; admin pages
  need a verified session whoever asks.
- Anything else that logs someone in (accepting an invitation, a password reset that logs in)
  leaves a device holder signed in but not verified: `note_second_factor_due` marks the
  session at every log-in, and `SecondFactorMiddleware` lets such a session reach nothing but
  the code page and logging out.
- Staff and superusers without a device are sent to set one up and reach nothing else until
  they have.

Wrong codes count against the device (django-otp's throttling: each failure doubles the wait
before the next code is even checked); a code is accepted once (django-otp keeps the last
time step used). Codes and secrets are never logged.

Turning the second factor on does not end sessions already signed in elsewhere; changing the
password does (Django's session authentication hash).
"""

import time
from enum import Enum
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

# True while this signed-in session owes a code (set at every log-in; see the module's doc).
SECOND_FACTOR_DUE = "parley_second_factor_due"
# A log-in whose password checked out and whose code has not yet: {user, backend, hash, next,
# at}. The person is not logged in while it lasts.
PENDING_LOGIN = "parley_pending_login"
PENDING_LOGIN_SECONDS = 5 * 60
# The secret offered while setting up, kept in the session until a code confirms it: no
# device row exists before then (and a GET writes nothing).
ENROLMENT_KEY = "parley_totp_enrolment_key"
DEVICE_NAME = "Authenticator app"
# Parley's devices: six digits every 30 seconds, one step either side for clock drift.
CODE_DIGITS = 6
CODE_STEP = 30
CODE_TOLERANCE = 1

# Reachable by a session that owes a code or a device: logging out, and the page that settles
# what is owed.
ALWAYS_REACHABLE = frozenset({"logout", "admin:logout"})
CODE_PAGE = "login_code"
ENROLMENT_PAGE = "second_factor_enrol"


def second_factor_required(user):
    """Staff and superusers must use the second factor (Django admin, the site
    administrator); for everyone else it is their choice."""
    return user.is_staff or user.is_superuser


def confirmed_device(user, *, for_verify=False):
    """The user's confirmed TOTP device, or None. Parley gives each person at most one.
    `for_verify` locks the row (inside a transaction) so two requests cannot both use a code."""
    devices = TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk")
    if for_verify:
        devices = devices.select_for_update()
    return devices.first()


class CodeCheck(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # also a code used already, or no device to check it against
    THROTTLED = "throttled"  # too many wrong codes lately: not even checked


def check_code(user, code):
    """Check `code` against the user's confirmed device through django-otp, which counts a
    wrong code against the device's throttle and refuses a code used before. Returns
    (CodeCheck, device or None)."""
    with transaction.atomic():
        device = confirmed_device(user, for_verify=True)
        if device is None:
            return CodeCheck.WRONG, None
        allowed, _reason = device.verify_is_allowed()
        if not allowed:
            return CodeCheck.THROTTLED, device
        if device.verify_token(code):
            return CodeCheck.ACCEPTED, device
        return CodeCheck.WRONG, device


# --- Setting up and turning off ---------------------------------------------------------------


def enrolment_key(session):
    """The secret offered to the signed-in person while they set up, the same on every reload
    until a code confirms it."""
    key = session.get(ENROLMENT_KEY)
    if not key:
        key = session[ENROLMENT_KEY] = random_hex(20)
    return key


def unsaved_device(user, key):
    """A device for `key` as it will be saved, for the QR code and the key in base32."""
    return TOTPDevice(
        user=user,
        key=key,
        name=DEVICE_NAME,
        digits=CODE_DIGITS,
        step=CODE_STEP,
        tolerance=CODE_TOLERANCE,
    )


def device_enrol(*, user, key, code):
    """Save a confirmed device for `key` if `code` is the current code for it, so no device is
    ever on without the person having shown their app holds the secret. Returns the device, or
    None for a wrong code. The time step of `code` is recorded, so the same code cannot then
    log in. Refuses (None) when the user already has a confirmed device."""
    device = unsaved_device(user, key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return None
    with transaction.atomic():
        # One device per person, even with two set-up pages submitted at once.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if confirmed_device(user) is not None:
            return None
        device.confirmed = True
        device.last_t = totp.t()
        device.drift = totp.drift
        device.save()
    return device


def devices_remove(*, user):
    """Turn the second factor off: every device of the user goes, confirmed or not."""
    TOTPDevice.objects.filter(user=user).delete()


# --- Sessions ---------------------------------------------------------------------------------


def note_second_factor_due(sender, request, user, **kwargs):
    """user_logged_in receiver: a log-in that did not verify a device (an accepted invitation,
    a password reset, a test's force_login) owes a code if the user has a device.

    A log-in that did verify one carries it as `user.otp_device` (django-otp's forms, the
    code page). django-otp's own receiver then records it in the session, but only when the
    request has a `user` (it has, in every real request); so does this one, so a request
    without one (the test client's force_login of a user given a device on purpose) is
    recorded the same way rather than silently left unverified."""
    session = getattr(request, "session", None)
    if session is None:
        return
    device = getattr(user, "otp_device", None)
    verified_now = device is not None and device.user_id == user.pk and device.confirmed
    if verified_now:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SECOND_FACTOR_DUE] = not verified_now and user_has_device(user)


def second_factor_due(request):
    """Whether this signed-in, unverified session owes a code. A session without the mark
    (signed in before it existed) is looked up once and marked: unknown state denies."""
    due = request.session.get(SECOND_FACTOR_DUE)
    if not isinstance(due, bool):
        due = request.session[SECOND_FACTOR_DUE] = user_has_device(request.user)
    return due


def second_factor_settled(request, device):
    """Record in the session that `device` has verified the signed-in user, under a new session
    key (the session was worth less before)."""
    otp_login(request, device)
    request.session[SECOND_FACTOR_DUE] = False
    request.session.cycle_key()


def second_factor_forget(request):
    """After turning the second factor off: the session is no longer verified by a device."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[SECOND_FACTOR_DUE] = False


def pending_login_start(request, user, redirect_to):
    """Remember that `user` gave the right password, without logging them in. The session key
    changes, so a session id known to someone else before is no use for the code step."""
    request.session.cycle_key()
    request.session[PENDING_LOGIN] = {
        "user": user.pk,
        "backend": user.backend,
        "hash": user.get_session_auth_hash(),
        "next": redirect_to,
        "at": time.time(),
    }


def pending_login(request):
    """(user, backend, next) of the pending log-in, or None when there is none, it is older
    than PENDING_LOGIN_SECONDS, or the account changed since (password, deactivated)."""
    pending = request.session.get(PENDING_LOGIN)
    if not isinstance(pending, dict):
        return None
    started = pending.get("at")
    if not isinstance(started, (int, float)) or time.time() - started > PENDING_LOGIN_SECONDS:
        return None
    if pending.get("backend") not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        return None
    return user, pending["backend"], pending.get("next") or ""


def pending_login_end(request):
    request.session.pop(PENDING_LOGIN, None)


def safe_next(request, candidate):
    """`candidate` if it is a path on this site, else the home page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


class SecondFactorMiddleware:
    """Holds a signed-in session that owes a code at the code page, and a staff or superuser
    account without a device at the set-up page, whatever view it asks for (Parley's, Django
    admin's, any added later). Only logging out stays reachable besides. Goes after
    OTPMiddleware (which tells whether the session is verified) and the session limits (an
    expired session is logged out first). Static files never get here (WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in ALWAYS_REACHABLE:
            return None
        if second_factor_due(request):
            destination = CODE_PAGE
        elif second_factor_required(user):
            destination = ENROLMENT_PAGE
        else:
            return None
        if view_name == destination:
            return None
        url = reverse(destination)
        if request.method == "GET" and destination == CODE_PAGE:
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(url)
        return redirect(url)
