"""In Chromium: a facilitator fills the register, invites people and watches the mix change,
is refused a confirmation without consent, records consent, and ticks ground-rule
acknowledgements with htmx; an officer without identity permission sees codes only, and
consent scopes with names withheld; once the dialogue closes, its pages offer no changes and a
page left open is refused with a message."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dialogues.models import DialogueParticipant, RuleAcknowledgement
from dialogues.services import participants as services
from dialogues.services.design import dialogue_transition
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    # name, category, gender, authoritative proxy
    ("Mirela Oskant", "Ex-official", "Woman", True),
    ("Anouk Teral", "Technical expert", "Woman", False),
    ("Jonah Pereszt", "Community voice", "Man", False),
]


def shoot(page, name):
    # caret="initial": hiding the caret writes a style attribute that htmx would then copy
    # into swapped rows, which the CSP rightly refuses.
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"participants-{name}.png", full_page=True, caret="initial")


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


def test_a_facilitator_builds_the_roster_records_consent_and_acknowledgements(
    page,
    facilitator,
    programme,
    designed,
):
    log_in(page, facilitator)
    page.goto(f"/programmes/{programme.public_id}/participants/")
    for number, (name, category, gender, proxy) in enumerate(PEOPLE, start=1):
        page.get_by_role("link", name="Add a participant").click()
        page.get_by_label("Full name").fill(name)
        page.get_by_label("Category").select_option(label=category)
        page.get_by_label("Gender").select_option(label=gender)
        if proxy:
            page.get_by_label("Authoritative proxy").check()
        page.get_by_role("button", name="Add to the register").click()
        expect(page.get_by_text(f"P-00{number} was added to the register.")).to_be_visible()
        # The message names the code only; the page names the person, to those allowed.
        expect(page.locator(".messages")).not_to_contain_text(name)
        expect(page.get_by_role("heading", level=1)).to_have_text(f"P-00{number} · {name}")
        page.get_by_role("link", name="Participant register").click()
    shoot(page, "01-register")

    page.goto(f"/dialogues/{designed.public_id}/participants/")
    expect(page.get_by_text("Below the guidance: the group has 0 people")).to_be_visible()
    for number, (name, *_profile) in enumerate(PEOPLE, start=1):
        page.get_by_label("Participant:").select_option(label=f"{name} (P-00{number})")
        page.get_by_role("button", name="Invite", exact=True).click()
        expect(page.get_by_text(f"P-00{number} was invited.")).to_be_visible()
        expect(page.locator(".messages")).not_to_contain_text(name)
    expect(page.get_by_text("Below the guidance: the group has 3 people")).to_be_visible()
    expect(
        page.get_by_text("The group has authoritative proxies, technical experts")
    ).to_be_visible()
    gender_table = page.get_by_role("table", name="Gender balance")
    expect(gender_table.get_by_role("row", name="Woman")).to_contain_text("67%")
    expect(page.get_by_text("No consent recorded")).to_have_count(3)
    # The warning signs are drawn but have no alternative text: a screen reader hears the
    # words, not "warning sign" before each of them.
    warning = page.locator(".mix-warning").first
    assert "⚠" in warning.evaluate("el => getComputedStyle(el, '::before').content")
    assert "⚠" not in page.locator("main").aria_snapshot()

    first = page.locator("tr", has_text="P-001")
    first.get_by_label("Status of P-001").select_option("confirmed")
    first.get_by_role("button", name="Save P-001").click()
    expect(page.get_by_text("P-001 cannot be confirmed: no consent is recorded.")).to_be_visible()
    shoot(page, "02-consent-gate")

    first = page.locator("tr", has_text="P-001")
    first.locator("summary").click()
    first.get_by_label("Scope of consent").fill("Taking part under the Chatham House Rule")
    first.get_by_role("button", name="Record consent P-001").click()
    expect(page.get_by_text("Consent recorded for P-001.")).to_be_visible()
    first = page.locator("tr", has_text="P-001")
    first.get_by_label("Status of P-001").select_option("confirmed")
    first.get_by_role("button", name="Save P-001").click()
    expect(page.get_by_text("P-001: Confirmed.")).to_be_visible()
    expect(page.get_by_text("No consent recorded")).to_have_count(2)
    shoot(page, "03-roster")
    assert DialogueParticipant.objects.get(participant__code="P-001").status == "confirmed"

    page.get_by_role("link", name="Ground rules and acknowledgements").click()
    rules_url = page.url
    page.get_by_label("P-001 acknowledged “Chatham House Rule”").check()
    page.get_by_label("P-001 acknowledged “Non-attribution”").check()
    page.get_by_role("button", name="Save P-001").click()
    # htmx swaps the row in place: same page, the row says so, the dates appear.
    expect(page.get_by_text("Acknowledgements saved for P-001.")).to_be_visible()
    assert page.url == rules_url
    expect(page.locator("tr", has_text="P-001").locator(".ack-cell .meta")).to_have_count(2)
    assert (
        RuleAcknowledgement.objects.filter(dialogue_participant__participant__code="P-001").count()
        == 2
    )
    shoot(page, "04-acknowledgements")
    assert page.console_errors == []


def test_an_officer_without_identity_works_the_roster_by_codes(
    page,
    officer,
    facilitator,
    programme,
    designed,
):
    for name, category, gender, proxy in PEOPLE:
        person = services.participant_create(
            programme=programme,
            actor=facilitator,
            full_name=name,
            category={"Ex-official": "ex_official", "Technical expert": "expert"}.get(
                category, "community"
            ),
            gender=gender.lower(),
            is_authoritative_proxy=proxy,
        )
        if not proxy:
            services.dialogue_invite_participant(dialogue=designed, participant=person, actor=None)
    log_in(page, officer)
    page.goto(f"/dialogues/{designed.public_id}/participants/")
    page.get_by_label("Participant:").select_option(label="P-001")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("P-001 was invited.")).to_be_visible()
    shoot(page, "05-officer-roster")
    page.get_by_role("link", name="Ground rules and acknowledgements").click()
    page.get_by_label("P-002 acknowledged “Chatham House Rule”").check()
    page.get_by_role("button", name="Save P-002").click()
    expect(page.get_by_text("Acknowledgements saved for P-002.")).to_be_visible()
    shoot(page, "06-officer-acknowledgements")
    page.goto(f"/programmes/{programme.public_id}/participants/")
    html = page.content()
    for name, *_profile in PEOPLE:
        assert name not in html
    expect(page.get_by_role("link", name="Add a participant")).to_have_count(0)
    assert page.console_errors == []


def test_a_closed_dialogue_offers_no_changes_and_refuses_a_page_left_open(
    page, facilitator, programme, designed
):
    person = services.participant_create(
        programme=programme,
        actor=facilitator,
        full_name="Mirela Oskant",
        category="ex_official",
        gender="woman",
    )
    services.dialogue_invite_participant(dialogue=designed, participant=person, actor=None)
    log_in(page, facilitator)
    page.goto(f"/dialogues/{designed.public_id}/participants/")
    first = page.locator("tr", has_text="P-001")
    first.get_by_label("Status of P-001").select_option("withdrawn")
    # The dialogue closes while the page is open.
    for status in ("convening", "rounds", "packaging", "closed"):
        dialogue_transition(dialogue=designed, status=status, actor=facilitator)
    first.get_by_role("button", name="Save P-001").click()
    expect(
        page.get_by_text("This dialogue is closed: its record can no longer change.")
    ).to_be_visible()
    expect(
        page.get_by_text("The dialogue is closed: its roster and consent records no longer change.")
    ).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("tr", has_text="P-001")).to_contain_text("Invited")
    shoot(page, "07-closed-roster")
    page.get_by_role("link", name="Ground rules and acknowledgements").click()
    expect(
        page.get_by_text("its ground rules and acknowledgements no longer change")
    ).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)
    assert DialogueParticipant.objects.get().status == "invited"
    assert page.console_errors == []


def test_an_officer_reads_consent_scopes_with_names_withheld(
    page, officer, facilitator, programme, designed
):
    people = [
        services.participant_create(
            programme=programme,
            actor=facilitator,
            full_name=name,
            category="community",
            gender=gender.lower(),
        )
        for name, _category, gender, _proxy in PEOPLE
    ]
    entry = services.dialogue_invite_participant(
        dialogue=designed, participant=people[0], actor=None
    )
    services.dialogue_participant_record_consent(
        entry=entry,
        given_on=timezone.localdate(),
        scope="Taking part; not in the same room as Jonah Pereszt",
        actor=facilitator,
    )
    log_in(page, officer)
    page.goto(f"/dialogues/{designed.public_id}/participants/")
    row = page.locator("tr", has_text="P-001")
    expect(row).to_contain_text("Taking part; not in the same room as [name withheld]")
    html = page.content()
    for name, *_profile in PEOPLE:
        assert name not in html
    shoot(page, "08-officer-consent-scope")
