"""A facilitator designs a dialogue end to end in Chromium, as the issue describes."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dialogues.demo.participants import PEOPLE
from dialogues.models import Attendance, Dialogue, DialogueParticipant, PackageItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("load_demo", without_debug=True, verbosity=0)


def log_in(page, login):
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(login)
    page.get_by_label("Password").fill("parley-demo")
    page.get_by_role("button", name="Log in").click()


def test_a_facilitator_designs_a_dialogue_from_scope_to_package(page, demo, screenshot):
    log_in(page, "facilitator")
    page.get_by_role("link", name="Programmes").click()
    page.get_by_role("link", name="Sarn Valley Humanitarian Access Programme").click()
    page.get_by_role("link", name="New dialogue").click()

    # Scope, with a mistake first: the form keeps what was typed and says what is wrong.
    page.get_by_label("Title").fill("Ferry crossings at Mirren")
    page.get_by_label("Horizon in days").fill("400")
    page.get_by_role("button", name="Create dialogue").click()
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Ferry crossings at Mirren")
    page.get_by_label("Defined problem").fill(
        "Agree when the two Mirren ferries may carry relief goods across the Sarn."
    )
    page.get_by_label("Horizon in days").fill("90")
    page.get_by_label("Track level").select_option("2")
    page.get_by_label("Is there a mutually hurting stalemate?").select_option("yes")
    page.get_by_label("Are credible people willing to explore options?").select_option("yes")
    page.get_by_label("Start date").fill("2027-02-01")
    screenshot(page, "design-01-new-dialogue")
    page.get_by_role("button", name="Create dialogue").click()
    expect(page.get_by_role("heading", level=1, name="Ferry crossings at Mirren")).to_be_visible()
    expect(page.get_by_text("2 May 2027")).to_be_visible()  # next steps due: start + 90 days
    screenshot(page, "design-02-dialogue")
    dialogue = Dialogue.objects.get(title="Ferry crossings at Mirren")

    # Round (b): one party's interests, from the programme's actor map.
    page.get_by_role("link", name="(b) Interests and constraints mapping").click()
    page.get_by_role("combobox", name="Party").select_option(label="Mirren Town Council")
    page.get_by_label("Interests:", exact=True).fill("Ferry fares keep the town budget alive.")
    page.get_by_label("Constraints:", exact=True).fill("Cannot be seen to favour either side.")
    page.get_by_role("button", name="Record interests").click()
    expect(page.get_by_role("heading", level=3, name="Mirren Town Council")).to_be_visible()

    # Round (c): an option with who, when and how.
    page.get_by_role("link", name="(c) Option design").click()
    page.get_by_label("Title").fill("Relief-only ferry hours")
    page.get_by_label("Who").fill("Mirren Town Council ferry office")
    page.get_by_label("When:", exact=True).fill("Within 30 days")
    page.get_by_label("How").fill("Two fixed crossings a day, announced by the council")
    page.get_by_role("button", name="Add option").click()
    expect(page.get_by_role("heading", level=3, name="Relief-only ferry hours")).to_be_visible()

    # Round (d): its consequence test.
    page.get_by_role("link", name="(d) Consequence testing").click()
    page.get_by_role("link", name="Test consequences Relief-only ferry hours").click()
    page.get_by_role("textbox", name="Who gains:").fill("Families on both banks; relief agencies")
    page.get_by_role("textbox", name="Who loses:").fill("Smugglers using the night crossings")
    page.get_by_label("Do-no-harm risks").fill("Ferry crews could be pressured by either side")
    page.get_by_label("Feasibility (1–5)").fill("4")
    page.get_by_label("Political weight (1–5)").fill("3")
    page.get_by_label("Verdict").select_option("carry")
    page.get_by_role("button", name="Record the test").click()
    expect(page.get_by_text("Carry forward").first).to_be_visible()

    # Round (e): carry it into the package.
    page.get_by_role("link", name="(e) Packaging for Track I relay").click()
    page.get_by_role("button", name="Add to package Relief-only ferry hours").click()
    expect(page.locator(".package-list")).to_contain_text("Relief-only ferry hours")
    screenshot(page, "design-03-package")
    assert list(PackageItem.objects.filter(dialogue=dialogue).values_list("option__title")) == [
        ("Relief-only ferry hours",)
    ]

    # Twelve participants from the register; the mix updates as the group grows.
    page.get_by_role("link", name="Ferry crossings at Mirren").click()
    page.get_by_role("link", name="Participants, consent and the mix").click()
    expect(page.get_by_text("Below the guidance: the group has 0 people")).to_be_visible()
    for number, (code, name, *_profile) in enumerate(PEOPLE[:12], start=1):
        page.get_by_label("Participant:").select_option(label=f"{name} ({code})")
        page.get_by_role("button", name="Invite", exact=True).click()
        expect(page.get_by_text(f"{code} was invited.")).to_be_visible()
        if number == 9:
            expect(page.get_by_text("Below the guidance: the group has 9 people")).to_be_visible()
    expect(page.get_by_text("Within the guidance of 10 to 16 people.")).to_be_visible()
    gender_table = page.get_by_role("table", name="Gender balance")
    expect(gender_table.get_by_role("row", name="Woman")).to_contain_text("50%")  # 6 of 12
    screenshot(page, "design-04-roster")

    # Consent first: confirming without it is refused, then allowed.
    row = page.locator("tr", has_text="P-001")
    row.get_by_label("Status of P-001").select_option("confirmed")
    row.get_by_role("button", name="Save P-001").click()
    expect(page.get_by_text("P-001 cannot be confirmed: no consent is recorded.")).to_be_visible()
    row = page.locator("tr", has_text="P-001")
    row.locator("summary").click()
    row.get_by_label("Scope of consent").fill("Taking part under the Chatham House Rule")
    row.get_by_role("button", name="Record consent P-001").click()
    expect(page.get_by_text("Consent recorded for P-001.")).to_be_visible()
    row = page.locator("tr", has_text="P-001")
    row.get_by_label("Status of P-001").select_option("confirmed")
    row.get_by_role("button", name="Save P-001").click()
    expect(page.get_by_text("P-001: Confirmed.")).to_be_visible()

    # The ground rules, acknowledged.
    page.get_by_role("link", name="Ground rules and acknowledgements").click()
    page.get_by_label("P-001 acknowledged “Chatham House Rule”").check()
    page.get_by_label("P-001 acknowledged “Non-attribution”").check()
    page.get_by_label("P-001 acknowledged “Problem-solving norms”").check()
    page.get_by_role("button", name="Save P-001").click()
    expect(page.get_by_text("Acknowledgements saved for P-001.")).to_be_visible()

    # A session, and its attendance.
    page.goto(f"/dialogues/{dialogue.public_id}/")
    page.get_by_role("link", name="Sessions and attendance").click()
    page.get_by_role("link", name="Schedule a session").click()
    page.get_by_label("Title").fill("Opening session")
    page.get_by_label("Time zone").fill("Africa/Nairobi")
    page.get_by_label("Starts").fill("2027-02-01T09:00")
    page.get_by_label("Ends").fill("2027-02-01T16:00")
    page.get_by_label("Location").fill("Mirren ferry office, upstairs")
    page.get_by_label("(a) Framing").check()
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("Session “Opening session” scheduled.")).to_be_visible()
    page.get_by_label("Attendance of Mirela Oskant (P-001)").select_option("present")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#attendance").get_by_role("status")).to_have_text("Attendance saved.")
    screenshot(page, "design-05-session")
    seat = DialogueParticipant.objects.get(dialogue=dialogue, participant__code="P-001")
    assert seat.status == "confirmed" and seat.acknowledgements.count() == 3
    assert Attendance.objects.get(dialogue_participant=seat).status == "present"

    # The status moves on, and a refused move is explained.
    page.goto(f"/dialogues/{dialogue.public_id}/")
    page.get_by_role("button", name="Move to “Convening”").click()
    expect(page.get_by_role("status").first).to_contain_text("now “Convening”")
    assert page.console_errors == []
