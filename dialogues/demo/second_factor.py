"""The demo administrator's second factor. Staff accounts must use one (dialogues.second_factor),
so the demo `admin` gets an authenticator device whose secret is published here and in the
README, like the demo password: anyone trying the demo can add it to an authenticator app, or
print the current code with `manage.py demo_totp_code`. Never on a real database (load_demo
refuses without DEBUG)."""

import time
from base64 import b32decode

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogues.second_factor import CODE_DIGITS, CODE_STEP, CODE_TOLERANCE, DEVICE_NAME

DEMO_ADMIN = "admin"
# Base32, as authenticator apps take it typed: 20 bytes.
DEMO_TOTP_SECRET = "PARLEYDEMOSECRETFORTHEADMINUSER2"  # noqa: S105 (published, as the password)
DEMO_TOTP_KEY = b32decode(DEMO_TOTP_SECRET).hex()


def demo_code(at=None):
    """The demo administrator's code at `at` (seconds since the epoch; now by default)."""
    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY), CODE_STEP, 0, CODE_DIGITS)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{CODE_DIGITS}d}"


def load():
    """Give the demo administrator the published device, and no other."""
    admin = get_user_model().objects.get(username=DEMO_ADMIN)
    TOTPDevice.objects.filter(user=admin).exclude(key=DEMO_TOTP_KEY).delete()
    TOTPDevice.objects.update_or_create(
        user=admin,
        key=DEMO_TOTP_KEY,
        defaults={
            "name": DEVICE_NAME,
            "confirmed": True,
            "digits": CODE_DIGITS,
            "step": CODE_STEP,
            "tolerance": CODE_TOLERANCE,
        },
    )
