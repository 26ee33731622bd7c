"""A facilitator builds the conflict-and-dialogue map in Chromium: actors and an alliance, a
dated state, the htmx filters, the CSV download and a refused then accepted upload."""

import re

import pytest
from playwright.sync_api import expect

from dialogues.models import ActorRelation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()


def add_actor(page, name, kind, alliances=()):
    page.get_by_role("link", name="Add an actor").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Kind").select_option(label=kind)
    for alliance in alliances:
        page.get_by_label(alliance).check()
    page.get_by_role("button", name="Add to the map").click()
    expect(page.get_by_text(f"{name} is on the map.")).to_be_visible()


def test_a_facilitator_builds_filters_downloads_and_imports_the_map(
    page,
    screenshot,
    facilitator,
    programme,
    tmp_path,
):
    log_in(page, facilitator)
    page.goto(f"/programmes/{programme.public_id}/map/")
    expect(page.get_by_text("No state has been recorded for any pair yet.")).to_be_visible()
    page.get_by_role("link", name="Actors and alliances").click()
    add_actor(page, "Northern Alliance", "Alliance")
    add_actor(page, "Sarn Liberation Front", "Armed group", ["Northern Alliance"])
    add_actor(page, "State Army", "Government or state body")
    add_actor(page, "Lakeshore Council", "Civil-society body")

    # A duplicate name in another case is refused, and what was typed stays.
    page.get_by_role("link", name="Add an actor").click()
    page.get_by_label("Name").fill("state ARMY")
    page.get_by_label("Notes").fill("Typed before the mistake")
    page.get_by_role("button", name="Add to the map").click()
    expect(page.get_by_text("There is already an actor called “State Army”")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("Typed before the mistake")
    screenshot(page, "actor-map-01-duplicate-actor")
    page.get_by_role("link", name="Cancel").click()
    screenshot(page, "actor-map-02-actors")

    page.get_by_role("link", name="Conflict-and-dialogue map", exact=True).click()
    page.get_by_role("link", name="Record the state of a pair").click()
    page.get_by_label("First actor").select_option(label="State Army")
    page.get_by_label("Second actor").select_option(label="Sarn Liberation Front")
    page.get_by_label("As of").fill("2026-01-10")
    page.get_by_label("Conflict status").select_option(label="Bilateral ceasefire")
    page.get_by_label("Dialogue status").select_option(label="Contact through intermediaries only")
    page.get_by_role("button", name="Record this state").click()
    expect(page.get_by_text("as of 2026-01-10 recorded.")).to_be_visible()
    screenshot(page, "actor-map-03-history")

    # The second pair comes from a CSV upload: first a bad file, refused whole.
    page.get_by_role("link", name="Conflict-and-dialogue map", exact=True).click()
    page.get_by_role("link", name="Import from CSV").click()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Actor,Actor,Conflict status,Dialogue status,As of,Notes\n"
        "Lakeshore Council,State Army,allied,active,2026-01-12,\n"
        "Lakeshore Council,Ghost Brigade,allied,active,2026-01-12,\n",
        encoding="utf-8",
    )
    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Line 3: Actor “Ghost Brigade” is not on the map")).to_be_visible()
    screenshot(page, "actor-map-04-import-refused")
    assert ActorRelation.objects.count() == 1

    good = tmp_path / "good.csv"
    good.write_text(
        "Actor,Actor,Conflict status,Dialogue status,As of,Notes\n"
        "Lakeshore Council,State Army,allied,active,2026-01-12,Weekly liaison\n",
        encoding="utf-8",
    )
    page.get_by_label("CSV file").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("1 state recorded.")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_text("Sarn Liberation Front (Northern Alliance)")).to_be_visible()
    expect(page.get_by_text("2 pairs shown.")).to_be_visible()
    screenshot(page, "actor-map-05-map")

    # Filtering swaps the results in place and keeps the filter in the address.
    page.get_by_label("Conflict status").select_option(label="Allied; no conflict")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 pair shown.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/map/\?.*conflict_status=allied"))
    expect(page.get_by_role("button", name="Filter")).to_be_focused()
    screenshot(page, "actor-map-06-filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these pairs as CSV").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert content.splitlines()[1] == (
        "State Army,Lakeshore Council,Allied; no conflict,Active dialogue,2026-01-12,Weekly liaison"
    )
    assert page.console_errors == []
