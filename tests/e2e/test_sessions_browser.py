"""In Chromium: a facilitator schedules a session, takes attendance in place, meets the
non-attribution guard on notes, and adds to the evidence brief; an officer without identity
then sees codes only and confirms every note they save. Screenshots go to
tests/e2e/screenshots/ (git-ignored)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from dialogues.models import DialogueParticipant, Round
from dialogues.services.design import dialogue_create
from tests.dialogues.factories import DialogueParticipantFactory, ParticipantFactory
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"sessions-{name}.png", full_page=True, caret="initial")


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


def test_a_facilitator_runs_a_session_and_builds_the_brief(
    page, programme, facilitator, officer, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    dialogue = dialogue_create(
        programme=programme, actor=facilitator, title="Corridor triggers", problem="Access."
    )
    for name in ("José Ramos", "Anna Lind", "Tun Aung"):
        DialogueParticipantFactory(
            dialogue=dialogue,
            participant=ParticipantFactory(programme=programme, full_name=name),
            status=DialogueParticipant.Status.CONFIRMED,
            consent_given_on=date(2026, 1, 5),
        )
    jose = dialogue.roster.get(participant__full_name="José Ramos").participant

    log_in(page, "fiona")
    page.goto(f"/dialogues/{dialogue.public_id}/sessions/")
    page.get_by_role("link", name="Schedule a session").click()
    page.get_by_label("Title").fill("Framing the corridor")
    page.get_by_label("Time zone").fill("Asia/Yangon")
    page.get_by_label("Starts").fill("2026-03-02T09:00")
    page.get_by_label("Ends").fill("2026-03-02T08:00")
    page.get_by_label("Location").fill("Guesthouse, room 2")
    page.get_by_label(str(Round.Kind.FRAMING.label)).check()
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("The session must end after it starts.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Framing the corridor")
    shoot(page, "01-form-error")

    page.get_by_label("Ends").fill("2026-03-02T12:30")
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("Session “Framing the corridor” scheduled.")).to_be_visible()
    expect(page.get_by_text("Asia/Yangon (UTC+0630)")).to_be_visible()

    page.get_by_label(f"Attendance of José Ramos ({jose.code})").select_option("present")
    page.get_by_label("Attendance of Anna Lind").select_option("partial")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#attendance").get_by_role("status")).to_have_text("Attendance saved.")
    shoot(page, "02-attendance")

    page.get_by_role("textbox", name="Notes").fill("Jose Ramos proposed opening at dawn.")
    page.get_by_role("button", name="Save the notes").click()
    warning = page.locator(".attribution-warning")
    expect(warning).to_contain_text(jose.code)
    expect(page.get_by_role("textbox", name="Notes")).to_have_value(
        "Jose Ramos proposed opening at dawn."
    )
    shoot(page, "03-attribution-warning")
    page.get_by_role("textbox", name="Notes").fill("Opening at dawn was proposed.")
    page.get_by_role("button", name="Save the notes").click()
    expect(page.get_by_text("Notes saved.")).to_be_visible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("cell", name="1 present, 1 partly, 0 absent")).to_be_visible()
    shoot(page, "04-list")

    page.goto(f"/dialogues/{dialogue.public_id}/evidence/")
    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Kind").select_option("map")
    page.get_by_label("Title").fill("Corridor map")
    page.get_by_label("Source").fill("Field team, January")
    page.get_by_label("Summary").fill("Checkpoints and crossing points.")
    page.get_by_label("Attachment").set_input_files(
        {"name": "corridor.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_role("link", name="corridor.pdf")).to_be_visible()
    shoot(page, "05-evidence")
    assert page.console_errors == []

    log_in(page, "otto")
    page.goto(f"/dialogues/{dialogue.public_id}/sessions/")
    page.get_by_role("link", name="Framing the corridor").click()
    expect(page.locator("#attendance")).to_contain_text(jose.code)
    assert "José Ramos" not in page.content()
    shoot(page, "06-officer-sees-codes")

    # Without identity every note needs the confirmation, so saving tells nothing of names.
    page.get_by_role("textbox", name="Notes").fill("Crossing times were compared.")
    page.get_by_role("button", name="Save the notes").click()
    expect(page.locator(".attribution-warning")).to_contain_text(
        "Confirm that this note attributes nothing to anyone"
    )
    expect(page.get_by_role("textbox", name="Notes")).to_have_value("Crossing times were compared.")
    shoot(page, "07-officer-confirms")
    page.get_by_label("I have checked: this note attributes nothing to anyone.").check()
    page.get_by_role("button", name="Save the notes").click()
    expect(page.get_by_text("Notes saved.")).to_be_visible()
    assert page.console_errors == []
