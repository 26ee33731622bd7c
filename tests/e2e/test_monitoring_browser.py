"""In Chromium: a programme officer records an indicator value and an outcome and reads the
M&E dashboard; a donor then opens the programme's results, sees suppressed counts beside the
expectation statements, and downloads the PDF report. Screenshots go to
tests/e2e/screenshots/ (git-ignored)."""

import datetime
import io
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from dialogues.models import DialogueParticipant, Participant
from monitoring.models import ExpectationStatement, Indicator, IndicatorValue, OutcomeRecord
from monitoring.services.indicators import indicator_create, target_set
from tests.dialogues.factories import DialogueParticipantFactory, ParticipantFactory
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET_NAME = "Orsolya Venkatesh-Brill"


def shoot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"monitoring-{name}.png", full_page=True, caret="initial")


def log_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def indicator(programme, dialogue, officer):
    # Thirteen confirmed people: 9 women, 3 men, 1 of another gender. The gender breakdown
    # shows "<5" for the small cells and hides the women's count, which would give them away;
    # the name of the first never reaches the donor.
    genders = [Participant.Gender.WOMAN] * 9 + [Participant.Gender.MAN] * 3
    genders.append(Participant.Gender.ANOTHER)
    for index, gender in enumerate(genders):
        extra = {"full_name": SECRET_NAME} if index == 0 else {}
        DialogueParticipantFactory(
            dialogue=dialogue,
            participant=ParticipantFactory(programme=programme, gender=gender, **extra),
            status=DialogueParticipant.Status.CONFIRMED,
            consent_given_on=datetime.date(2026, 1, 5),
        )
    ExpectationStatement.objects.create(
        programme=programme,
        audience="the river towns' councils",
        statement="The dialogue can carry your options to officials; it cannot promise access.",
        made_on=datetime.date(2026, 2, 1),
    )
    indicator = indicator_create(
        programme=programme,
        actor=officer,
        name="Humanitarian access hours",
        definition="Hours per month convoys could pass the corridor.",
        unit="hours",
        direction=Indicator.Direction.UP_IS_GOOD,
        category=Indicator.Category.OUTCOME,
        baseline_value=Decimal("120"),
        baseline_date=datetime.date(2025, 12, 31),
    )
    target_set(
        indicator=indicator,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
        value=Decimal("150"),
        actor=officer,
    )
    return indicator


def test_officer_records_results_and_donor_reads_them_and_downloads_the_report(
    page, programme, indicator, officer, donor
):
    log_in(page, officer.username)
    page.goto(f"/indicators/{indicator.public_id}/")
    values = page.locator(f"form[action='/indicators/{indicator.public_id}/values/']")
    values.get_by_label("Period start").fill("2026-03-01")
    values.get_by_label("Period end").fill("2026-03-31")
    values.get_by_label("Value").fill("164")
    values.get_by_label("Evidence").fill("The Red Crescent's crossing log for March.")
    values.get_by_role("button", name="Record value").click()
    expect(page.get_by_role("status").or_(page.locator(".message"))).not_to_have_count(0)
    assert IndicatorValue.objects.get(indicator=indicator).value == Decimal("164")
    shoot(page, "indicator-value")

    page.goto(f"/programmes/{programme.public_id}/outcomes/")
    page.get_by_label("What changed").fill("The river council opened the ferry on market days.")
    page.get_by_label("Who changed").fill("Lower Sarn river council")
    page.get_by_label("When").fill("2026-03-12")
    page.get_by_label("Where").fill("Tavel ferry")
    page.get_by_label("Significance").fill("The first scheduled crossing since the closure.")
    page.get_by_label("How the programme contributed").fill(
        "The dialogue drafted the market-day option the council adopted, alongside others."
    )
    page.get_by_label("Sources and substantiation").fill("The council's notice; ferry logs.")
    page.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_text("Lower Sarn river council").first).to_be_visible()
    assert OutcomeRecord.objects.filter(programme=programme).count() == 1
    shoot(page, "outcome")

    page.goto(f"/programmes/{programme.public_id}/")
    page.get_by_role("link", name="M&E dashboard").click()
    expect(page.get_by_role("heading", name="M&E dashboard")).to_be_visible()
    expect(page.locator("figure.chart svg").first).to_be_visible()
    shoot(page, "officer-dashboard")

    log_in(page, donor.username)
    page.goto(f"/programmes/{programme.public_id}/")
    page.get_by_role("link", name="Results for donors (aggregates only)").click()
    expect(page.get_by_role("heading", name="Results", exact=True)).to_be_visible()
    expect(page.get_by_text("it cannot promise access")).to_be_visible()
    expect(page.get_by_text("Lower Sarn river council").first).to_be_visible()
    gender_table = page.locator("table", has=page.locator("caption", has_text="by gender")).first
    expect(gender_table).to_contain_text("<5")
    expect(gender_table).to_contain_text("hidden")
    expect(gender_table).not_to_contain_text("9")
    assert SECRET_NAME not in page.content()
    assert page.console_errors == []
    shoot(page, "donor-results")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    report = download_info.value
    assert report.suggested_filename.endswith(".pdf")
    with open(report.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    text = "\n".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    assert "Humanitarian access hours" in text and "<5" in text
    assert SECRET_NAME not in text
