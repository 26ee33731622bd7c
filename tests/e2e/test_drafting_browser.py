"""In Chromium: a facilitator drafts a non-paper from a dialogue's package, meets the
non-attribution guard, fixes the text, moves it to ready and downloads the PDF. Screenshots
go to tests/e2e/screenshots/ (git-ignored)."""

import pytest
from playwright.sync_api import expect

from dialogues.models import PackageItem
from dialogues.services.design import dialogue_create
from tests.dialogues.factories import (
    DialogueParticipantFactory,
    OptionFactory,
    ParticipantFactory,
)
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPTIONS = [
    ("Joint convoy log", "Red Crescent", "Within 30 days", "A daily message"),
    ("Trigger list", "Both command structures", "Within 60 days", "Side letters"),
    ("Market-day opening", "Lower Sarn council", "Next market day", "Council announcement"),
]


def shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"drafting-{name}.png", full_page=True, caret="initial")


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def packaged_dialogue(programme, facilitator):
    dialogue = dialogue_create(
        programme=programme,
        actor=facilitator,
        title="Corridor triggers",
        problem="Agree what opens and closes the corridor.",
    )
    person = ParticipantFactory(programme=programme, full_name="Amal Haddad", aliases="")
    DialogueParticipantFactory(dialogue=dialogue, participant=person)
    for position, (title, who, when, how) in enumerate(OPTIONS, start=1):
        option = OptionFactory(dialogue=dialogue, title=title, who=who, when=when, how=how)
        PackageItem.objects.create(dialogue=dialogue, option=option, position=position)
    return dialogue


def test_a_facilitator_drafts_a_non_paper_fixes_a_name_and_downloads_the_pdf(
    page, facilitator, packaged_dialogue, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    log_in(page, "fiona")
    page.goto(f"/dialogues/{packaged_dialogue.public_id}/")
    page.get_by_role("link", name="Non-papers and aide-mémoires").click()
    expect(page.get_by_text("The package holds 3 options")).to_be_visible()
    page.get_by_role("button", name="Draft a non-paper from the package").click()

    # The package's options are the draft steps; the editor says what is still missing.
    expect(page.get_by_text("The non-paper was drafted from the package.")).to_be_visible()
    expect(page.locator("#id_rows-0-text")).to_have_value("Joint convoy log")
    expect(page.get_by_text("Step 1 is not placed on the 30/60/90-day ladder.")).to_be_visible()
    shoot(page, "01-editor-from-package")

    for row, days in enumerate(("30", "60", "90")):
        page.locator(f"#id_rows-{row}-ladder").select_option(days)
    page.get_by_label("Operational notes").fill("Amal Haddad asked that the log stay private.")
    page.get_by_label("What changed (optional)").fill("Placed the steps")
    page.get_by_role("button", name="Save a revision").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_text("Within 60 days", exact=True)).to_be_visible()

    # Review, then ready: refused, with the name listed where it stands.
    page.get_by_role("button", name="Move to “In review”").click()
    expect(page.get_by_text("The document is now in review.")).to_be_visible()
    page.get_by_role("button", name="Move to “Ready”").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("The text names a participant")
    hits = page.locator(".guard-hits")
    expect(hits).to_contain_text("Operational notes")
    expect(hits).to_contain_text("Amal Haddad asked that the log stay private.")
    shoot(page, "02-guard-blocks")

    # Fix the text and try again.
    page.get_by_role("link", name="Edit the text").click()
    page.get_by_label("Operational notes").fill("The log stays private, as was asked.")
    page.get_by_role("button", name="Save a revision").click()
    expect(page.get_by_text("No participant's name or alias appears")).to_be_visible()
    page.get_by_role("button", name="Move to “Ready”").click()
    expect(page.get_by_text("The document is now ready.")).to_be_visible()

    # The PDF: rendered, its page count said, then downloaded.
    page.get_by_role("button", name="Export as PDF").click()
    expect(page.get_by_text("The PDF is ready")).to_be_visible()
    shoot(page, "03-ready-with-pdf")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / "downloaded.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")

    # The history keeps every revision.
    page.get_by_role("link", name="3 revisions").click()
    expect(page.get_by_role("cell", name="Placed the steps")).to_be_visible()
    shoot(page, "04-revisions")
    # The refused move answered 409 on purpose; nothing else may have gone wrong.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 409 (Conflict)"
    ]
