"""Each demo role logs in through the real login form in Chromium and lands on its home page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dialogues.demo.second_factor import DEMO_ADMIN, demo_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_PAGES = {
    # login, the section heading, something of theirs on it
    "facilitator": ("Your dialogues", "Access triggers in the Sarn River corridor"),
    "officer": ("Programme overview", "Sarn Valley Humanitarian Access Programme"),
    "legal": ("Awaiting your review", "A 72-hour de-confliction window for Tavel market days"),
    "donor": ("Programmes you fund", "Northern Lights Peace Fund (fictional)"),
    "admin": ("All programmes (site administrator)", "Sarn Valley Humanitarian Access Programme"),
}


@pytest.fixture
def demo():
    call_command("load_demo", without_debug=True, verbosity=0)


def log_in(page, login):
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(login)
    page.get_by_label("Password").fill("parley-demo")
    page.get_by_role("button", name="Log in").click()
    if login == DEMO_ADMIN:
        # Staff accounts give a code too: the demo's published one (manage.py demo_totp_code).
        page.get_by_label("Code from your authenticator app").fill(demo_code())
        page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("login", list(HOME_PAGES))
def test_each_demo_role_lands_on_its_own_home_page(page, demo, screenshot, login):
    heading, own_data = HOME_PAGES[login]
    log_in(page, login)
    expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.get_by_text(own_data).first).to_be_visible()
    screenshot(page, f"home-{login}")
    assert page.console_errors == []


def test_the_donor_home_page_names_no_dialogue_and_no_person(page, demo):
    log_in(page, "donor@demo.parley.example")
    expect(page.get_by_role("heading", level=2, name="Programmes you fund")).to_be_visible()
    text = page.locator("main").inner_text()
    for secret in ("Access triggers", "Oskar Ridge", "Faye", "Lindqvar"):
        assert secret not in text


def test_a_wrong_password_keeps_the_login_and_says_why(page, demo, screenshot):
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill("officer")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct")
    expect(page.get_by_label("Username or e-mail")).to_have_value("officer")
    screenshot(page, "login-error")


def test_the_programme_admin_changes_a_role_in_place_with_htmx(page, demo, screenshot):
    log_in(page, "facilitator")
    page.get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Sarn Valley Humanitarian Access Programme").click()
    page.get_by_role("link", name="Manage team").click()
    expect(page.get_by_role("heading", level=1, name="Programme team")).to_be_visible()
    page.get_by_label("Role of legal").select_option("officer")
    row = page.locator("tr", has=page.get_by_label("Role of legal"))
    url_before = page.url
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("status")).to_have_text("legal updated.")
    assert page.url == url_before  # the row was swapped in place, no page load
    expect(page.get_by_label("Role of legal")).to_have_value("officer")
    screenshot(page, "team-htmx-role-change")
    assert page.console_errors == []


def test_the_skip_link_is_the_first_stop_for_keyboard_users(page, demo):
    log_in(page, "officer")
    expect(page.get_by_role("heading", level=2, name="Programme overview")).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def open_team_page(page):
    log_in(page, "facilitator")
    page.get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Sarn Valley Humanitarian Access Programme").click()
    page.get_by_role("link", name="Manage team").click()
    expect(page.get_by_role("heading", level=1, name="Programme team")).to_be_visible()


def test_an_expired_session_sends_an_htmx_save_to_the_login_page(page, demo):
    from django.contrib.sessions.models import Session

    open_team_page(page)
    Session.objects.all().delete()
    page.get_by_role("button", name="Save officer").click()
    expect(page.get_by_role("heading", level=1, name="Log in to Parley")).to_be_visible()
    assert page.locator("tr").count() == 0  # the login page was not swapped into the table


def test_a_refused_htmx_save_says_nothing_was_changed(page, demo, screenshot):
    from dialogues.models import Membership
    from dialogues.services.teams import membership_change

    open_team_page(page)
    # Meanwhile, the site administrator withdraws the facilitator's admin right.
    admin = Membership.objects.get(user__username="facilitator")
    officer = Membership.objects.get(user__username="officer")
    membership_change(membership=officer, role="officer", is_admin=True, actor=None)
    membership_change(membership=admin, role="facilitator", is_admin=False, actor=None)
    page.get_by_label("Role of donor").select_option("legal")
    page.get_by_role("button", name="Save donor").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was changed")
    assert Membership.objects.get(user__username="donor").role == "donor"
    screenshot(page, "team-htmx-refused")
