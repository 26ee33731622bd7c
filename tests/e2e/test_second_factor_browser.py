"""A person turns on the second factor in Chromium: the account page, the QR code and key, a
code from the app; the next log-in asks for a code."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.dialogues.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret_hex):
    totp = TOTP(bytes.fromhex(secret_hex))
    totp.time = time.time()
    return f"{totp.token():06d}"


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


def test_a_person_sets_up_an_authenticator_app_and_then_logs_in_with_a_code(page, screenshot):
    UserFactory(username="pat")
    log_in(page, "pat")
    page.get_by_role("link", name="Second factor").click()
    expect(page.get_by_text("Your second factor is off.")).to_be_visible()
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    secret = page.locator("code.secret-key").inner_text().replace(" ", "")
    screenshot(page, "second-factor-set-up")
    key = b32decode(secret).hex()
    page.get_by_label("Code from your authenticator app").fill(current_code(key))
    page.get_by_role("button", name="Turn on the second factor").click()
    expect(page.get_by_text("Your second factor is on.").first).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, "pat")
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    screenshot(page, "second-factor-code")
    # The code that turned it on was used once already: the app's next one is needed.
    code_field.fill("000000" if current_code(key) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("main")).to_contain_text("That code is not right")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enter the code")
    assert page.console_errors == []
