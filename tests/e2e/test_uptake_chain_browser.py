"""In Chromium: an officer records a briefing of a delivered non-paper, is refused until the
legal reviewer clears vetting, records the Track I feedback, iterates, and reads the timeline.
Screenshots go to tests/e2e/screenshots/ (git-ignored)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.uptake.factories import move, non_paper
from uptake.models import Document, VettingFramework
from uptake.services.carriers import carrier_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRAMEWORKS = [
    "International humanitarian law",
    "International human rights law",
    "Sanctions regimes",
    "Domestic law",
    "Operational and logistical feasibility",
]


def shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"chain-{name}.png", full_page=True, caret="initial")


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def delivered(dialogue, facilitator, officer, legal_reviewer):
    document = non_paper(dialogue, facilitator, title="Quiet window for market days")
    move(document, facilitator, "review", "ready", "delivered")
    carrier_create(
        programme=dialogue.programme,
        name="Ilse Marrow",
        kind="envoy",
        institution="Office of the Special Envoy",
        principals="The Special Envoy",
        actor=officer,
    )
    return Document.objects.get(pk=document.pk)


def record_briefing(page, document):
    page.goto(f"/documents/{document.public_id}/")
    page.get_by_role("link", name="Record a briefing").click()
    page.get_by_label("Carrier").select_option(label="Ilse Marrow · Office of the Special Envoy")
    page.get_by_label("Principal briefed").fill("The Special Envoy")
    page.get_by_label("Date").fill(datetime.date.today().isoformat())
    page.get_by_label("Outcome").select_option("briefed")
    page.get_by_label("Notes").fill("Twenty minutes before the regional tour.")
    page.get_by_role("button", name="Record the briefing").click()


def test_an_officer_relays_a_non_paper_only_once_vetted_then_iterates_on_feedback(
    page, delivered, officer, legal_reviewer
):
    # Refused: nothing is vetted yet. What was typed stays.
    log_in(page, "otto")
    record_briefing(page, delivered)
    expect(page.get_by_role("alert")).to_contain_text("International humanitarian law")
    expect(page.get_by_label("Principal briefed")).to_have_value("The Special Envoy")
    shoot(page, "01-briefing-refused-until-vetted")

    # The legal reviewer clears every framework.
    log_in(page, "lena")
    page.goto(f"/documents/{delivered.public_id}/vetting/")
    for label in FRAMEWORKS:
        section = page.locator("section.framework").filter(
            has=page.get_by_role("heading", name=label)
        )
        section.locator("summary").click()
        section.get_by_label("Cleared", exact=True).check()
        section.get_by_label("Notes").fill(f"{label}: nothing in the text conflicts.")
        section.get_by_role("button", name="Record the verdict").click()
        expect(page.locator(".messages")).to_be_visible()
    expect(page.get_by_text("cleared", exact=False).first).to_be_visible()
    shoot(page, "02-vetting-cleared")

    # Now the briefing is recorded; the feedback asks for changes; iterate.
    log_in(page, "otto")
    record_briefing(page, delivered)
    expect(page.get_by_text("The Special Envoy").first).to_be_visible()
    shoot(page, "03-briefing-recorded")
    page.get_by_label("Changes requested").check()
    page.get_by_label("Received on").fill(datetime.date.today().isoformat())
    page.get_by_label("Language adjustments asked for").fill("Say quiet window, not ceasefire.")
    page.get_by_role("button", name="Record the feedback").click()
    expect(page.get_by_text("Say quiet window, not ceasefire.").first).to_be_visible()
    page.get_by_role("button", name="Iterate the non-paper with this feedback").click()

    # Version 2 is a draft that carries the feedback and must be vetted again.
    expect(page.get_by_role("heading", name="Feedback this version addresses")).to_be_visible()
    expect(page.locator("p.meta").first).to_contain_text("Version 2")
    shoot(page, "04-version-2-with-feedback")
    following = Document.objects.get(previous_version=delivered)
    assert following.status == Document.Status.DRAFT
    assert not following.vettings.exists()
    assert delivered.vettings.filter(framework=VettingFramework.IHL).exists()

    # The timeline tells the whole story in order.
    page.get_by_role("link", name="Uptake timeline").click()
    timeline = page.locator("main ol").first
    expect(timeline).to_contain_text("International humanitarian law")
    expect(timeline).to_contain_text("Ilse Marrow")
    expect(timeline).to_contain_text(re.compile("changes requested", re.IGNORECASE))
    expect(timeline).to_contain_text("Version 2")
    shoot(page, "05-timeline")
    # The only console error is the refused briefing's 400 page, on purpose.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
