"""The second factor (dialogues.second_factor): setting up an authenticator app, the code at
log-in (wrong codes refused and throttled, a code accepted once), staff held at set-up until
they have one, and no way of logging in (Parley's log-in, Django admin's, an accepted
invitation, a password reset, or any view added later) that lets a device holder in without
the code.

Codes are computed here from RFC 6238 directly (HMAC-SHA1), not with django-otp's code, so a
fault in how Parley calls django-otp cannot hide behind the same fault in the test.
"""

import datetime
import hashlib
import hmac
import logging
import re
import struct
import time
from base64 import b32encode

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import LoginView, PasswordResetConfirmView
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogues import second_factor
from dialogues.demo.second_factor import DEMO_TOTP_KEY, DEMO_TOTP_SECRET
from tests.assurance import figures
from tests.assurance import test_authorization_matrix as matrix
from tests.assurance.test_authorization_matrix import (
    OWN,
    accepted_methods,
    all_routes,
    load_policy,
    parameter,
)
from tests.assurance.world import give_second_factor
from tests.dialogues.factories import UserFactory

PASSWORD = "correct-horse-battery"  # every factory user's
NEW_PASSWORD = "a-new-long-passphrase-7"
LOGIN = "/accounts/login/"
HOME = "/"

# The matrix's fixture: both programmes' worlds and a user per role.
worlds = matrix.worlds


# --- Codes ------------------------------------------------------------------------------------


def rfc6238(key_hex, at=None, step=30, digits=6):
    """The TOTP code of the hex key at `at` (seconds since the epoch; now by default)."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def code_for(device):
    return rfc6238(device.key)


def wrong_code_for(device):
    """A code that is not the device's for any time step it would accept now."""
    now = time.time()
    accepted = {rfc6238(device.key, now + offset * 30) for offset in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in accepted)


@pytest.fixture(autouse=True)
def slow_throttle(settings):
    # django-otp waits factor * 2^(failures - 1) seconds after a wrong code before it checks
    # another (factor 1 in Parley). A minute here, so a slow test machine never outlasts the
    # wait between two requests; tests move the clock instead (wait_out_throttle).
    settings.OTP_TOTP_THROTTLE_FACTOR = 60


def wait_out_throttle(device):
    """Move the last failure back past the wait django-otp asks for (no sleeping)."""
    device.refresh_from_db()
    if device.throttling_failure_count:
        wait = device.get_throttle_factor() * 2 ** (device.throttling_failure_count - 1) + 1
        device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(seconds=wait)
        device.save()


def is_verified(client):
    return DEVICE_ID_SESSION_KEY in client.session


def is_logged_in(client):
    return SESSION_KEY in client.session


def login_code_url():
    return reverse("login_code")


# --- Setting up -------------------------------------------------------------------------------


def test_setting_up_saves_nothing_until_a_code_from_the_app_confirms_it(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("second_factor_enrol"))
    html = page.content.decode()
    assert page.status_code == 200
    key = client.session[second_factor.ENROLMENT_KEY]
    secret = b32encode(bytes.fromhex(key)).decode()
    # The QR code is inline SVG; the same secret is written out for typing in.
    assert "<svg" in html and ' style="' not in html
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    # The code field says what it is to browsers, phones and screen readers.
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field
    assert '<label for="id_code"' in html
    # A reload offers the same secret (the app may have scanned it already); nothing is saved.
    client.get(reverse("second_factor_enrol"))
    assert client.session[second_factor.ENROLMENT_KEY] == key
    assert not TOTPDevice.objects.exists()

    unsaved = TOTPDevice(key=key)
    refused = client.post(reverse("second_factor_enrol"), {"code": wrong_code_for(unsaved)})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert not TOTPDevice.objects.exists()
    assert not is_verified(client)

    done = client.post(reverse("second_factor_enrol"), {"code": rfc6238(key)})
    assert done.status_code == 302 and done["Location"] == reverse("second_factor")
    device = TOTPDevice.objects.get(user=facilitator)
    assert device.confirmed and device.key == key
    assert is_verified(client)
    assert second_factor.ENROLMENT_KEY not in client.session
    assert "Your second factor is on" in client.get(reverse("second_factor")).content.decode()

    # The code that confirmed the app cannot then be used to log in.
    other = Client()
    other.post(LOGIN, {"username": facilitator.username, "password": PASSWORD})
    replay = other.post(login_code_url(), {"code": rfc6238(key)})
    assert replay.status_code == 200 and not is_logged_in(other)


def test_a_session_that_owes_a_code_cannot_set_up_a_new_device_instead(client, facilitator):
    give_second_factor(facilitator)
    del facilitator.otp_device  # signed in without the code (as after an invitation)
    client.force_login(facilitator)
    response = client.get(reverse("second_factor_enrol"))
    assert response.status_code == 302
    assert response["Location"].startswith(login_code_url())
    assert TOTPDevice.objects.filter(user=facilitator).count() == 1


# --- Logging in with a code -------------------------------------------------------------------


def test_a_device_holder_is_logged_in_only_by_the_right_code_and_only_once(
    client, facilitator, caplog
):
    caplog.set_level(logging.DEBUG)
    device = give_second_factor(facilitator)
    response = client.post(
        LOGIN, {"username": "fiona", "password": PASSWORD, "next": "/programmes/"}
    )
    assert response.status_code == 302 and response["Location"] == login_code_url()
    # The password alone logs nobody in.
    assert not is_logged_in(client)
    assert client.get(HOME)["Location"].startswith(reverse("login"))
    page = client.get(login_code_url()).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page

    wrong = client.post(login_code_url(), {"code": wrong_code_for(device)})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert not is_logged_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    wait_out_throttle(device)
    code = code_for(device)
    right = client.post(login_code_url(), {"code": code})
    assert right.status_code == 302 and right["Location"] == "/programmes/"
    assert is_logged_in(client) and is_verified(client)
    assert client.get(HOME).status_code == 200

    again = Client()
    again.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    replay = again.post(login_code_url(), {"code": code})
    assert replay.status_code == 200 and not is_logged_in(again)

    # Neither the code nor the secret reaches the logs.
    secret = b32encode(bytes.fromhex(device.key)).decode()
    for text in (code, device.key, secret):
        assert text not in caplog.text
    figures.record(
        "Second factor: codes",
        "password alone logs nobody in; wrong code refused and counted, right code accepted, "
        "the same code refused the second time; no code or secret in the logs",
    )


def test_wrong_codes_are_throttled_so_even_the_right_code_then_waits(client, facilitator):
    device = give_second_factor(facilitator)
    client.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    for _attempt in range(3):
        client.post(login_code_url(), {"code": wrong_code_for(device)})
    device.refresh_from_db()
    # The second and third came within the wait: refused without being counted.
    assert device.throttling_failure_count == 1

    held = client.post(login_code_url(), {"code": code_for(device)})
    assert "Too many wrong codes" in held.content.decode()
    assert not is_logged_in(client)

    wait_out_throttle(device)
    assert client.post(login_code_url(), {"code": code_for(device)}).status_code == 302
    assert is_verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_pending_log_in_expires_and_ends_with_a_password_change(client, facilitator):
    device = give_second_factor(facilitator)
    client.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    session = client.session
    session[second_factor.PENDING_LOGIN]["at"] -= second_factor.PENDING_LOGIN_SECONDS + 1
    session.save()
    expired = client.post(login_code_url(), {"code": code_for(device)})
    assert expired["Location"] == reverse("login") and not is_logged_in(client)

    client.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    facilitator.set_password(NEW_PASSWORD)
    facilitator.save()
    changed = client.post(login_code_url(), {"code": code_for(device)})
    assert changed["Location"] == reverse("login") and not is_logged_in(client)


def test_malformed_codes_get_a_field_error_and_are_not_counted(client, facilitator):
    device = give_second_factor(facilitator)
    client.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    assert "This field is required" in client.post(login_code_url(), {"code": ""}).content.decode()
    for junk in ("12345", "abcdef", "1234567", "12 34 5x", "12345\u00b2"):
        response = client.post(login_code_url(), {"code": junk})
        assert response.status_code == 200
        assert "Enter the six digits" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    # As apps show it, with a space; and typed in Arabic-Indic digits.
    code = code_for(device)
    spaced = client.post(login_code_url(), {"code": f"{code[:3]} {code[3:]}"})
    assert spaced.status_code == 302 and is_verified(client)
    arabic = Client()
    arabic.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same code once more
    typed = "".join(chr(0x0660 + int(digit)) for digit in code)
    assert arabic.post(login_code_url(), {"code": typed}).status_code == 302
    assert is_verified(arabic)


def test_someone_without_a_device_logs_in_with_the_password_as_before(client, facilitator):
    response = client.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dialogues:home")
    assert client.get(HOME).status_code == 200


# --- Django admin's log-in --------------------------------------------------------------------


def test_django_admins_log_in_asks_for_the_code_and_throttles_wrong_ones(client, db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = give_second_factor(root)
    admin_login = reverse("admin:login")

    def attempt(code):
        return client.post(
            admin_login,
            {"username": "root", "password": PASSWORD, "otp_token": code, "next": "/admin/"},
        )

    missing = attempt("")
    assert missing.status_code == 200 and "Enter the code" in missing.content.decode()
    assert not is_logged_in(client)
    wrong = attempt(wrong_code_for(device))
    assert wrong.status_code == 200 and not is_logged_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    held = attempt(code_for(device))
    assert "Too many wrong codes" in held.content.decode() and not is_logged_in(client)

    wait_out_throttle(device)
    code = code_for(device)
    assert attempt(code).status_code == 302
    assert is_verified(client)
    assert client.get(reverse("admin:index")).status_code == 200
    replay = Client().post(
        admin_login, {"username": "root", "password": PASSWORD, "otp_token": code}
    )
    assert replay.status_code == 200


def test_staff_without_a_device_cannot_log_in_to_django_admin(client, db):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    response = client.post(
        reverse("admin:login"), {"username": "root", "password": PASSWORD, "otp_token": "123456"}
    )
    assert response.status_code == 200 and not is_logged_in(client)
    assert "no authenticator app set up yet" in response.content.decode()


def test_django_admin_shows_and_sets_no_device_secret(client, db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    give_second_factor(root)
    client.force_login(root)
    device = give_second_factor(UserFactory(username="pat"))
    secret = b32encode(bytes.fromhex(device.key)).decode()
    for url in (
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
    ):
        html = client.get(url).content.decode()
        assert device.key not in html and secret not in html, url
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    # A lost phone: the device can be removed.
    delete = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


# --- Turning it off ---------------------------------------------------------------------------


def test_turning_off_takes_a_current_code_or_the_password(client, facilitator):
    device = give_second_factor(facilitator)
    client.force_login(facilitator)
    turn_off = reverse("second_factor_turn_off")

    neither = client.post(turn_off, {})
    assert "Enter a current code" in neither.content.decode()
    wrong_password = client.post(turn_off, {"password": "not-it"})
    assert "That is not your password" in wrong_password.content.decode()
    wrong_code = client.post(turn_off, {"code": wrong_code_for(device)})
    assert "That code is not right" in wrong_code.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert TOTPDevice.objects.filter(user=facilitator).exists()

    assert client.post(turn_off, {"password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=facilitator).exists()
    assert not is_verified(client)
    assert client.get(HOME).status_code == 200


def test_staff_may_not_turn_their_second_factor_off(client, db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    give_second_factor(root)
    client.force_login(root)
    response = client.post(reverse("second_factor_turn_off"), {"password": PASSWORD})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=root).exists()


# --- Held until settled, on every URL ---------------------------------------------------------


def _paths(worlds, method):
    """(key, path) of every URL accepting `method`, with this programme's objects."""
    policy, world = load_policy(), worlds[OWN]
    found = []
    for route in all_routes():
        if method not in accepted_methods(policy["urls"][route.key], route):
            continue
        values = {name: parameter(route, name).value(world, None) for name in route.params}
        path = route.path(values)
        found.append(
            (route.key, f"{path}?{matrix.QUERY[route.key]}" if route.key in matrix.QUERY else path)
        )
    return found


def _held_everywhere(client, worlds, destination):
    """URLs (GET and POST) that answered something other than a redirect to `destination`,
    logging out aside. Returns (requests sent, findings)."""
    sent, findings = 0, []
    reachable = {"logout", "admin:logout", destination}
    for method in ("GET", "POST"):
        for key, path in _paths(worlds, method):
            if key in reachable:
                continue
            response = client.get(path) if method == "GET" else client.post(path, {})
            matrix._close_streaming(response)
            sent += 1
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith(reverse(destination)):
                findings.append(f"{method} {key} ({path}): {response.status_code} {location}")
    return sent, findings


def test_staff_without_a_device_and_device_holders_without_the_code_reach_nothing(worlds):
    # The site administrator, signed in without a device: sent to set one up from every URL.
    admin = UserFactory(username="root2", is_staff=True, is_superuser=True)
    unenrolled = Client()
    unenrolled.force_login(admin)
    enrol_sent, enrol_findings = _held_everywhere(unenrolled, worlds, "second_factor_enrol")

    # A facilitator with a device, signed in without the code (as an accepted invitation
    # leaves them): sent to the code page from every URL.
    facilitator = worlds["users"]["facilitator"]
    device = give_second_factor(facilitator)
    del facilitator.otp_device
    owing = Client()
    owing.force_login(facilitator)
    code_sent, code_findings = _held_everywhere(owing, worlds, "login_code")

    # Once settled, both get in.
    assert unenrolled.get(reverse("second_factor_enrol")).status_code == 200
    key = unenrolled.session[second_factor.ENROLMENT_KEY]
    unenrolled.post(reverse("second_factor_enrol"), {"code": rfc6238(key)})
    assert unenrolled.get(reverse("admin:index")).status_code == 200
    assert unenrolled.get(HOME).status_code == 200
    owing.post(login_code_url(), {"code": code_for(device)})
    assert owing.get(HOME).status_code == 200

    figures.record(
        "Second factor: held until settled",
        f"{enrol_sent} requests by an administrator without a device and {code_sent} by a "
        f"device holder who owed a code: {len(enrol_findings) + len(code_findings)} let through",
    )
    assert not enrol_findings, "\n".join(enrol_findings)
    assert not code_findings, "\n".join(code_findings)


# --- No log-in path without the code ----------------------------------------------------------


def _token_generator(route):
    """The token generator of a view that logs in by a link (uidb64 and token), else None."""
    view_class = getattr(route.callback, "view_class", None)
    if view_class is None or not issubclass(view_class, PasswordResetConfirmView):
        return None
    return route.callback.view_initkwargs.get("token_generator", view_class.token_generator)


def _is_login_view(route):
    view_class = getattr(route.callback, "view_class", None)
    if view_class is not None and issubclass(view_class, (LoginView, PasswordResetConfirmView)):
        return True
    # Django admin's log-in is a method of the site, not a class-based view.
    return getattr(route.callback, "__name__", "") == "login"


def _attempt(route, user, device, *, code):
    """Everything an anonymous visitor who knows `user`'s password (or holds a link sent to
    them) can send to `route`, with `code` as the code if the form has a field for one.
    Returns the client afterwards."""
    client = Client()
    credentials = {
        "username": user.username,
        "password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        "otp_token": code,
        "code": code,
        "next": HOME,
    }
    generator = _token_generator(route)
    if generator is not None:
        values = {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": generator.make_token(user),
        }
        # The link stores its token in the session and moves to the set-password page.
        landing = client.get(route.path(values), follow=True)
        client.post(landing.request["PATH_INFO"], credentials)
    elif not route.params:
        client.post(route.path({}), credentials)
    return client


def _admitted(client):
    """Whether the client got past the second factor: a verified session, or a page that
    needs one."""
    if is_verified(client):
        return True
    return any(client.get(url).status_code == 200 for url in (HOME, reverse("admin:index")))


def _reset(user, device):
    user.set_password(PASSWORD)
    user.save()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    AccessAttempt.objects.all().delete()


def test_no_log_in_path_admits_a_device_holder_without_the_code(db):
    # A staff member, so Django admin's log-in is a way in too.
    user = UserFactory(username="holder", is_staff=True, is_superuser=True)
    device = give_second_factor(user)
    del user.otp_device
    routes = [route for route in all_routes() if not route.params or _token_generator(route)]

    login_paths, signs_in, bypasses = set(), set(), []
    for route in routes:
        for code in ("", wrong_code_for(device)):
            _reset(user, device)
            client = _attempt(route, user, device, code=code)
            started = is_logged_in(client) or second_factor.PENDING_LOGIN in client.session
            # A log-in path is one whose view is a log-in, or one whose answer logged in.
            if _is_login_view(route) or started:
                login_paths.add(route.key)
            if started:
                signs_in.add(route.key)
            if _admitted(client):
                bypasses.append(f"{route.key} with code {code!r}")

    # With the code, every path that signs anyone in does let the holder in: the refusals
    # above are refusals of the missing code, not of everything.
    admitted_with_code = set()
    for key in sorted(login_paths):
        route = next(route for route in all_routes() if route.key == key)
        _reset(user, device)
        client = _attempt(route, user, device, code=code_for(device))
        if is_logged_in(client) or second_factor.PENDING_LOGIN in client.session:
            signs_in.add(key)
            if not is_verified(client):
                client.post(login_code_url(), {"code": code_for(device)})
        if is_verified(client) and client.get(HOME).status_code == 200:
            admitted_with_code.add(key)
        # The next path needs the code again: let this time step be used once more.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)

    figures.record(
        "Second factor: log-in paths",
        f"{len(routes)} URLs tried with a device holder's password and links, "
        f"{len(login_paths)} log-in paths found ({', '.join(sorted(login_paths))}), "
        f"{len(signs_in)} of which sign in: {len(bypasses)} bypasses without the code",
    )
    assert {"login", "admin:login", "accept_invitation"} <= signs_in
    assert "password_reset_confirm" in login_paths
    assert not bypasses, "\n".join(bypasses)
    assert admitted_with_code == signs_in


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_admin_logs_in_with_the_published_code(client, db, capsys):
    call_command("load_demo", without_debug=True, verbosity=0)
    device = TOTPDevice.objects.get(user__username="admin", confirmed=True)
    assert device.key == DEMO_TOTP_KEY
    assert b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode() == DEMO_TOTP_SECRET

    capsys.readouterr()  # load_demo's own message
    before = time.time()
    call_command("demo_totp_code")
    printed = capsys.readouterr().out.strip()
    assert printed in {rfc6238(DEMO_TOTP_KEY, before), rfc6238(DEMO_TOTP_KEY)}

    client.post(LOGIN, {"username": "admin", "password": "parley-demo"})
    assert not is_logged_in(client)
    client.post(login_code_url(), {"code": printed})
    assert is_verified(client)
    assert client.get(reverse("admin:index")).status_code == 200
    # Loading the demo again keeps one device, the published one.
    call_command("load_demo", without_debug=True, verbosity=0)
    assert list(
        TOTPDevice.objects.filter(user__username="admin").values_list("key", flat=True)
    ) == [DEMO_TOTP_KEY]
