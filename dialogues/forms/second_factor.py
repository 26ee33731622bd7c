"""Forms of the second factor (dialogues.second_factor): the code at log-in, setting up,
turning off, and Django admin's log-in with a code."""

import re
import unicodedata

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm

from dialogues.second_factor import CODE_DIGITS, CodeCheck, check_code, confirmed_device

CODE_ATTRS = {
    # Phones offer the code from a message or an app; a numeric keypad on touch screens.
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "maxlength": "8",
    "spellcheck": "false",
}


def code_field(*, required=True, autofocus=True):
    attrs = dict(CODE_ATTRS, autofocus=True) if autofocus else dict(CODE_ATTRS)
    return forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Six digits; a new code every 30 seconds."),
        required=required,
        widget=forms.TextInput(attrs=attrs),
    )


WRONG_CODE = _("That code is not right, or it has been used already. Wait for the next one.")
TOO_MANY_WRONG_CODES = _(
    "Too many wrong codes: wait a minute before trying again. Each wrong code doubles the wait."
)
CODE_CHECK_ERRORS = {CodeCheck.WRONG: WRONG_CODE, CodeCheck.THROTTLED: TOO_MANY_WRONG_CODES}


def ascii_digits(value):
    """A code as typed: spaces dropped ("123 456", as apps show it), and digits of any script
    (Arabic-Indic, Burmese ...) as the ASCII digits django-otp compares."""
    typed = re.sub(r"\s", "", value or "")
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in typed)


def clean_code(value):
    """The digits of a code: anything else is a typing error, told at once and not counted as
    a wrong code."""
    digits = ascii_digits(value)
    if not re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", digits):
        raise forms.ValidationError(
            _("Enter the six digits your app shows, without letters."), code="format"
        )
    return digits


class CodeForm(forms.Form):
    """The code at log-in, and to confirm a new device."""

    code = code_field()

    def clean_code(self):
        return clean_code(self.cleaned_data["code"])


class TurnOffForm(forms.Form):
    """Turning the second factor off asks for proof it is the account holder at the screen: a
    current code (checked and throttled like one at log-in) or the password, checked through
    authenticate() so wrong guesses count towards the account's log-in lockout (django-axes)."""

    code = code_field(required=False, autofocus=False)
    password = forms.CharField(
        label=_("Or your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.user = request, user

    def clean_code(self):
        code = self.cleaned_data["code"]
        return clean_code(code) if code.strip() else ""

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned.get("code") and not cleaned.get("password"):
            raise forms.ValidationError(
                _("Enter a current code from your app, or your password."), code="required"
            )
        code, password = cleaned.get("code"), cleaned.get("password")
        if code:
            outcome, _device = check_code(self.user, code)
            if outcome is not CodeCheck.ACCEPTED:
                self.add_error("code", CODE_CHECK_ERRORS[outcome])
        elif password:
            confirmed = authenticate(
                self.request, username=self.user.get_username(), password=password
            )
            if confirmed is None or confirmed.pk != self.user.pk:
                self.add_error("password", _("That is not your password."))
        return cleaned


class AdminLoginForm(OTPAdminAuthenticationForm):
    """Django admin's log-in: password and code in one form (django-otp's), with the person's
    one device chosen for them instead of a list, and Parley's wording. A staff account
    without a device cannot log in here: it is sent to set one up from Parley's log-in."""

    otp_device = None
    otp_challenge = None
    otp_token = code_field(required=False, autofocus=False)

    otp_error_messages = dict(
        OTPAdminAuthenticationForm.otp_error_messages,
        token_required=_("Enter the code from your authenticator app."),
        invalid_token=WRONG_CODE,
        n_failed_attempts=TOO_MANY_WRONG_CODES,
        verification_not_allowed=_("Codes are not being checked for this account just now."),
        device_required=_(
            "This account has no authenticator app set up yet. Log in to Parley first: it "
            "will take you through setting one up."
        ),
    )

    def clean_otp_token(self):
        return ascii_digits(self.cleaned_data.get("otp_token"))

    def _chosen_device(self, user):
        # Called by django-otp inside its transaction: the row is locked while the code is
        # checked, and a wrong code counts against its throttle.
        return confirmed_device(user, for_verify=True)
