"""Micro-pilots: proposing from a delivered step, the do-no-harm check before agreeing (in
the service and the database), every move of the lifecycle allowed or refused with its
reason, changes while not finished, proof-points; the pages for every role, bad input kept,
malformed ids, names withheld, query counts."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.uptake.chain_factories_b import delivered_non_paper, pilot_in
from tests.uptake.factories import aide_memoire, move, non_paper, on_roster, step
from uptake.models import Pilot, ProofPoint
from uptake.services import pilots as services
from uptake.services.ladder import programme_today

Status = Pilot.Status
NAME = "Amal Haddad"
WITHHELD = "[name withheld]"


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def propose(document, actor, **overrides):
    fields = {
        "step_index": 1,
        "title": "A 72-hour de-confliction window",
        "scope": "One district, 72 hours, daylight only.",
        "parties": "Both liaison offices",
        "starts_on": None,
        "ends_on": None,
        **overrides,
    }
    return services.pilot_propose(document=document, actor=actor, **fields)


@pytest.fixture
def delivered(dialogue, facilitator):
    return delivered_non_paper(
        dialogue,
        facilitator,
        title="Corridor non-paper",
        steps=[step(1), step(2, text="Open a de-confliction hotline"), step(3)],
    )


@pytest.fixture
def today(programme):
    return programme_today(programme)


# --- Proposing ---------------------------------------------------------------------------


def test_a_pilot_is_proposed_from_a_step_of_a_delivered_version(delivered, officer):
    pilot = propose(delivered, officer)
    assert (pilot.status, pilot.step_index, pilot.document) == (Status.PROPOSED, 1, delivered)
    assert pilot.created_by == officer
    assert pilot.do_no_harm_at is None


def test_a_pilot_may_come_from_the_non_paper_as_a_whole(delivered, officer):
    assert propose(delivered, officer, step_index=None).step_index is None


@pytest.mark.parametrize("statuses", [(), ("review",), ("review", "ready")])
def test_a_version_not_yet_delivered_cannot_have_pilots(dialogue, facilitator, statuses):
    document = move(non_paper(dialogue, facilitator), facilitator, *statuses)
    with pytest.raises(ValidationError) as refused:
        propose(document, facilitator)
    assert "A pilot is proposed from a delivered non-paper" in refused.value.messages[0]
    assert not Pilot.objects.exists()


@pytest.mark.parametrize("step_index", [3, 7])
def test_a_step_the_version_does_not_have_is_refused(delivered, officer, step_index):
    with pytest.raises(ValidationError) as refused:
        propose(delivered, officer, step_index=step_index)
    assert refused.value.message_dict == {
        "step_index": ["This version has no such step: choose one of its steps."]
    }


def test_a_pilot_needs_a_title_a_scope_and_parties(delivered, officer):
    with pytest.raises(ValidationError) as refused:
        propose(delivered, officer, title="  ", scope="", parties="")
    assert set(refused.value.message_dict) == {"title", "scope", "parties"}
    assert "Give the pilot a short title." in refused.value.message_dict["title"]


def test_a_pilot_cannot_end_before_it_starts(delivered, officer, today):
    with pytest.raises(ValidationError) as refused:
        propose(delivered, officer, starts_on=today, ends_on=today - datetime.timedelta(days=1))
    assert refused.value.message_dict == {"ends_on": ["The pilot cannot end before it starts."]}


# --- Do-no-harm and the lifecycle ---------------------------------------------------------


def test_recording_the_do_no_harm_check_says_who_and_when(delivered, officer):
    pilot = services.pilot_record_do_no_harm(
        pilot=propose(delivered, officer), notes="  Nobody crosses at night.  ", actor=officer
    )
    pilot.refresh_from_db()
    assert pilot.do_no_harm_notes == "Nobody crosses at night."
    assert pilot.do_no_harm_by == officer
    assert pilot.do_no_harm_at is not None


def test_the_do_no_harm_check_needs_notes(delivered, officer):
    pilot = propose(delivered, officer)
    with pytest.raises(ValidationError) as refused:
        services.pilot_record_do_no_harm(pilot=pilot, notes="   ", actor=officer)
    assert list(refused.value.message_dict) == ["notes"]
    pilot.refresh_from_db()
    assert pilot.do_no_harm_at is None


def test_the_do_no_harm_check_is_not_rewritten_once_agreed(delivered, officer):
    pilot = pilot_in(delivered, officer, Status.AGREED)
    with pytest.raises(ValidationError) as refused:
        services.pilot_record_do_no_harm(pilot=pilot, notes="Changed my mind.", actor=officer)
    assert refused.value.messages == [
        "The do-no-harm check is recorded while a pilot is proposed; this one is agreed."
    ]


def test_a_pilot_cannot_be_agreed_before_its_do_no_harm_check(delivered, officer):
    pilot = propose(delivered, officer)
    with pytest.raises(ValidationError) as refused:
        services.pilot_transition(pilot=pilot, to_status=Status.AGREED, actor=officer)
    assert refused.value.messages[0].startswith(
        "Record the do-no-harm check before the pilot is agreed"
    )
    pilot.refresh_from_db()
    assert pilot.status == Status.PROPOSED


@pytest.mark.parametrize("status", [Status.AGREED, Status.RUNNING, Status.COMPLETED])
def test_the_database_refuses_a_pilot_past_proposed_without_do_no_harm(delivered, officer, status):
    pilot = propose(delivered, officer, starts_on=datetime.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Pilot.objects.filter(pk=pilot.pk).update(status=status)
    pilot.refresh_from_db()
    assert pilot.status == Status.PROPOSED


def test_the_database_lets_a_pilot_be_stopped_without_do_no_harm(delivered, officer):
    pilot = propose(delivered, officer)
    Pilot.objects.filter(pk=pilot.pk).update(status=Status.STOPPED, stop_reason="Dropped.")
    pilot.refresh_from_db()
    assert pilot.status == Status.STOPPED


# (from, to): every move the lifecycle allows.
ALLOWED = [
    (Status.PROPOSED, Status.AGREED),
    (Status.PROPOSED, Status.STOPPED),
    (Status.AGREED, Status.RUNNING),
    (Status.AGREED, Status.STOPPED),
    (Status.RUNNING, Status.COMPLETED),
    (Status.RUNNING, Status.STOPPED),
]
REFUSED = [(start, to) for start in Status for to in Status if (start, to) not in ALLOWED]


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_every_allowed_move_is_made(delivered, officer, start, to):
    pilot = pilot_in(delivered, officer, start)
    if start == Status.PROPOSED and to == Status.AGREED:
        services.pilot_record_do_no_harm(pilot=pilot, notes="Weighed.", actor=officer)
    moved = services.pilot_transition(
        pilot=pilot, to_status=to, actor=officer, stop_reason="The road flooded."
    )
    pilot.refresh_from_db()
    assert moved.status == pilot.status == to
    assert pilot.stop_reason == ("The road flooded." if to == Status.STOPPED else "")


@pytest.mark.parametrize(("start", "to"), REFUSED)
def test_every_other_move_is_refused_with_its_reason(delivered, officer, start, to):
    pilot = pilot_in(delivered, officer, start)
    with pytest.raises(ValidationError) as refused:
        services.pilot_transition(pilot=pilot, to_status=to, actor=officer, stop_reason="Why")
    assert refused.value.messages == [
        f"A pilot that is {start.label.lower()} cannot become {to.label.lower()}."
    ]
    pilot.refresh_from_db()
    assert pilot.status == start


def test_an_unknown_status_is_refused(delivered, officer):
    with pytest.raises(ValidationError, match=r"Unknown status\."):
        services.pilot_transition(
            pilot=propose(delivered, officer), to_status="paused", actor=officer
        )


def test_a_pilot_runs_only_with_a_start_date(delivered, officer):
    pilot = propose(delivered, officer)
    services.pilot_record_do_no_harm(pilot=pilot, notes="Weighed.", actor=officer)
    services.pilot_transition(pilot=pilot, to_status=Status.AGREED, actor=officer)
    with pytest.raises(ValidationError) as refused:
        services.pilot_transition(pilot=pilot, to_status=Status.RUNNING, actor=officer)
    assert refused.value.messages == ["Set the pilot's start date before it starts running."]


def test_stopping_a_pilot_takes_a_reason(delivered, officer):
    pilot = propose(delivered, officer)
    with pytest.raises(ValidationError) as refused:
        services.pilot_transition(
            pilot=pilot, to_status=Status.STOPPED, actor=officer, stop_reason="  "
        )
    assert refused.value.message_dict == {
        "stop_reason": ["Say why the pilot stopped: it is part of the record."]
    }
    pilot.refresh_from_db()
    assert pilot.status == Status.PROPOSED


def test_completing_a_pilot_before_its_planned_end_records_today_as_its_end(
    delivered, officer, today
):
    pilot = pilot_in(delivered, officer, Status.RUNNING)
    assert pilot.ends_on == today + datetime.timedelta(days=7)
    completed = services.pilot_transition(pilot=pilot, to_status=Status.COMPLETED, actor=officer)
    assert completed.ends_on == today


def test_completing_a_pilot_after_its_planned_end_keeps_that_end(delivered, officer, today):
    pilot = pilot_in(delivered, officer, Status.RUNNING)
    earlier = today - datetime.timedelta(days=2)
    Pilot.objects.filter(pk=pilot.pk).update(
        starts_on=today - datetime.timedelta(days=5), ends_on=earlier
    )
    completed = services.pilot_transition(pilot=pilot, to_status=Status.COMPLETED, actor=officer)
    assert completed.ends_on == earlier


# --- Changing a pilot ----------------------------------------------------------------------


def update(pilot, actor, **changes):
    fields = {
        "title": pilot.title,
        "scope": pilot.scope,
        "parties": pilot.parties,
        "starts_on": pilot.starts_on,
        "ends_on": pilot.ends_on,
        **changes,
    }
    return services.pilot_update(pilot=pilot, actor=actor, **fields)


def test_dates_change_while_a_pilot_runs_but_its_agreed_scope_does_not(delivered, officer, today):
    pilot = pilot_in(delivered, officer, Status.RUNNING)
    later = today + datetime.timedelta(days=10)
    update(pilot, officer, ends_on=later)
    pilot.refresh_from_db()
    assert (pilot.ends_on, pilot.status) == (later, "running")
    assert pilot.do_no_harm_at is not None  # agreed on it: the check stays on record

    scope = pilot.scope
    with pytest.raises(ValidationError) as refused:
        update(pilot, officer, scope="Every crossing, open-ended.")
    assert "Stop it and propose the new one instead" in str(refused.value)
    pilot.refresh_from_db()
    assert pilot.scope == scope


@pytest.mark.parametrize("status", [Status.AGREED, Status.RUNNING])
def test_new_parties_are_refused_once_a_pilot_is_agreed(delivered, officer, status):
    pilot = pilot_in(delivered, officer, status)
    with pytest.raises(ValidationError):
        update(pilot, officer, parties="Both sides and an armed group")
    pilot.refresh_from_db()
    assert "armed group" not in pilot.parties


def test_a_new_scope_clears_the_do_no_harm_check_of_a_proposed_pilot(delivered, officer):
    pilot = propose(delivered, officer)
    services.pilot_record_do_no_harm(pilot=pilot, notes="Weighed.", actor=officer)
    changed = update(pilot, officer, scope="The whole province.")
    pilot.refresh_from_db()
    assert changed.do_no_harm_cleared
    assert (pilot.do_no_harm_at, pilot.do_no_harm_notes, pilot.do_no_harm_by) == (None, "", None)


def test_new_dates_keep_the_do_no_harm_check(delivered, officer, today):
    pilot = propose(delivered, officer)
    services.pilot_record_do_no_harm(pilot=pilot, notes="Weighed.", actor=officer)
    assert not update(pilot, officer, starts_on=today).do_no_harm_cleared
    pilot.refresh_from_db()
    assert pilot.do_no_harm_notes == "Weighed."


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.STOPPED])
def test_a_finished_pilot_no_longer_changes(delivered, officer, status):
    pilot = pilot_in(delivered, officer, status)
    with pytest.raises(ValidationError) as refused:
        update(pilot, officer, scope="Rewritten after the fact.")
    assert refused.value.messages == [
        f"A {status.label.lower()} pilot is a record: its dates and scope no longer change."
    ]


def test_a_running_pilot_keeps_its_start_date(delivered, officer):
    pilot = pilot_in(delivered, officer, Status.RUNNING)
    with pytest.raises(ValidationError) as refused:
        update(pilot, officer, starts_on=None)
    assert refused.value.message_dict == {"starts_on": ["A running pilot keeps its start date."]}


def test_an_officer_who_may_not_see_names_cannot_rewrite_a_pilot_naming_someone(
    dialogue, delivered, officer, facilitator
):
    on_roster(dialogue, NAME, code="P-777")
    pilot = propose(delivered, facilitator, parties=f"{NAME} and the district office")
    with pytest.raises(ValidationError, match="withheld from you"):
        update(pilot, officer, parties="The district office")
    update(pilot, facilitator, parties="The district office")  # who may see names can


# --- Proof-points --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.RUNNING, Status.COMPLETED])
def test_a_running_or_completed_pilot_records_proof_points(delivered, officer, today, status):
    pilot = pilot_in(delivered, officer, status)
    point = services.proof_point_add(
        pilot=pilot,
        happened="Forty trucks crossed.",
        evidence="The checkpoint log.",
        observed_on=today,
        actor=officer,
    )
    assert (point.pilot, point.recorded_by, point.observed_on) == (pilot, officer, today)


@pytest.mark.parametrize("status", [Status.PROPOSED, Status.AGREED, Status.STOPPED])
def test_a_pilot_that_has_not_run_has_no_proof_points(delivered, officer, today, status):
    pilot = pilot_in(delivered, officer, status)
    with pytest.raises(ValidationError) as refused:
        services.proof_point_add(
            pilot=pilot, happened="x", evidence="y", observed_on=today, actor=officer
        )
    assert refused.value.messages == [
        f"Proof-points come from a running or completed pilot; this one is {status.label.lower()}."
    ]
    assert not ProofPoint.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, "A proof-point cannot be dated in the future."),
        (-1, "The pilot started on"),
    ],
)
def test_a_proof_point_is_dated_while_the_pilot_could_show_it(
    delivered, officer, today, days, message
):
    pilot = pilot_in(delivered, officer, Status.RUNNING)
    with pytest.raises(ValidationError) as refused:
        services.proof_point_add(
            pilot=pilot,
            happened="Forty trucks crossed.",
            evidence="The log.",
            observed_on=today + datetime.timedelta(days=days),
            actor=officer,
        )
    assert refused.value.message_dict["observed_on"][0].startswith(message)


def test_a_proof_point_says_what_happened_and_what_shows_it(delivered, officer, today):
    pilot = pilot_in(delivered, officer, Status.RUNNING)
    with pytest.raises(ValidationError) as refused:
        services.proof_point_add(
            pilot=pilot, happened=" ", evidence="", observed_on=None, actor=officer
        )
    assert set(refused.value.message_dict) == {"happened", "evidence", "observed_on"}


# --- Pages: who reaches what ----------------------------------------------------------------

ROLES = ["facilitator", "officer", "legal_reviewer", "donor", "stranger"]
READ_STATUS = {"facilitator": 200, "officer": 200, "legal_reviewer": 200}
WRITE_STATUS = {"facilitator": 302, "officer": 302, "legal_reviewer": 403}


@pytest.fixture
def running(delivered, facilitator):
    return pilot_in(delivered, facilitator, Status.RUNNING)


@pytest.fixture
def proposed(delivered, facilitator):
    return pilot_in(delivered, facilitator, Status.PROPOSED, title="A proposed pilot")


def read_urls(delivered, running):
    return [
        reverse("uptake:pilot_list", args=[delivered.public_id]),
        reverse("uptake:pilot_detail", args=[running.public_id]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, delivered, running):
    for url in read_urls(delivered, running):
        assert_login_redirect(client.get(url))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_pilot_pages_it_may(request, login, delivered, running, role):
    client = login(request.getfixturevalue(role))
    for url in read_urls(delivered, running):
        response = client.get(url)
        assert response.status_code == READ_STATUS.get(role, 404)
        assert ("One crossing for 72 hours" in page(response)) == (response.status_code == 200)


def test_the_forms_are_offered_to_those_who_manage_the_chain_only(
    login, delivered, running, officer, legal_reviewer
):
    list_url = reverse("uptake:pilot_list", args=[delivered.public_id])
    detail_url = reverse("uptake:pilot_detail", args=[running.public_id])
    officer_list, officer_detail = (page(login(officer).get(u)) for u in (list_url, detail_url))
    assert "Propose the pilot" in officer_list
    assert "Record the proof-point" in officer_detail
    assert "Mark it completed" in officer_detail
    assert "Stop the pilot" in officer_detail
    legal_list, legal_detail = (page(login(legal_reviewer).get(u)) for u in (list_url, detail_url))
    assert "Propose the pilot" not in legal_list
    for text in ["Record the proof-point", "Mark it completed", "Stop the pilot"]:
        assert text not in legal_detail


# Every write: the pilot fixture it acts on, what it posts, and how to see it happened.
WRITES = {
    "pilot_list": ("delivered", {"title": "New pilot", "scope": "Small.", "parties": "Both"}),
    "pilot_do_no_harm": ("proposed", {"notes": "Nobody at risk."}),
    "pilot_move": ("running", {"to": "completed"}),
    "proof_point_add": ("running", {"happened": "Trucks crossed.", "evidence": "The log."}),
    "pilot_edit": ("running", {"title": "Renamed pilot", "scope": "Small.", "parties": "Both"}),
}


def write_effects(running, proposed):
    running.refresh_from_db()
    proposed.refresh_from_db()
    return {
        "pilot_list": Pilot.objects.count(),
        "pilot_do_no_harm": proposed.do_no_harm_notes,
        "pilot_move": running.status,
        "proof_point_add": ProofPoint.objects.count(),
        "pilot_edit": running.title,
    }


def post_write(request, client, name):
    target, data = WRITES[name]
    data = dict(data)
    if name == "proof_point_add":
        data["observed_on"] = programme_today(request.getfixturevalue("programme")).isoformat()
    if name == "pilot_edit":
        running = request.getfixturevalue("running")
        # A running pilot keeps the scope and parties it was agreed on; its title may change.
        data.update(
            starts_on=running.starts_on.isoformat(), scope=running.scope, parties=running.parties
        )
    return client.post(
        reverse(f"uptake:{name}", args=[request.getfixturevalue(target).public_id]), data
    )


@pytest.mark.parametrize("name", WRITES)
def test_anonymous_visitors_cannot_write(request, client, running, proposed, name):
    before = write_effects(running, proposed)
    assert_login_redirect(post_write(request, client, name))
    assert write_effects(running, proposed) == before


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_write_only_what_its_role_allows(
    request, login, running, proposed, name, role
):
    client = login(request.getfixturevalue(role))
    before = write_effects(running, proposed)
    response = post_write(request, client, name)
    expected = WRITE_STATUS.get(role, 404)
    assert response.status_code == expected
    after = write_effects(running, proposed)
    assert {k for k in before if before[k] != after[k]} == ({name} if expected == 302 else set())


@pytest.mark.parametrize("name", [name for name in WRITES if name != "pilot_list"])
def test_writes_refuse_get(request, login, facilitator, running, proposed, name):
    target, _data = WRITES[name]
    url = reverse(f"uptake:{name}", args=[request.getfixturevalue(target).public_id])
    assert login(facilitator).get(url).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/pilots/not-a-uuid/",
        "/pilots/not-a-uuid/move/",
        "/documents/not-a-uuid/pilots/",
        "/pilots/1/edit/",
    ],
)
def test_a_malformed_id_is_404(login, facilitator, url):
    client = login(facilitator)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_an_unknown_pilot_or_version_is_404(login, facilitator):
    client = login(facilitator)
    assert client.get(reverse("uptake:pilot_detail", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("uptake:pilot_list", args=[uuid.uuid4()])).status_code == 404
    for name in ["pilot_move", "pilot_do_no_harm", "pilot_edit", "proof_point_add"]:
        assert client.post(reverse(f"uptake:{name}", args=[uuid.uuid4()])).status_code == 404


def test_an_aide_memoire_has_no_pilots(login, dialogue, officer):
    document = aide_memoire(dialogue, officer)
    url = reverse("uptake:pilot_list", args=[document.public_id])
    assert login(officer).get(url).status_code == 404


# --- Pages: doing it ---------------------------------------------------------------------------


def test_proposing_from_the_list_opens_the_new_pilot(login, officer, delivered):
    url = reverse("uptake:pilot_list", args=[delivered.public_id])
    response = login(officer).post(
        url,
        {
            "step_index": "1",
            "title": "Hotline trial",
            "scope": "One week.",
            "parties": "Both liaison offices",
            "starts_on": "",
            "ends_on": "",
        },
    )
    pilot = Pilot.objects.get()
    assert response["Location"] == reverse("uptake:pilot_detail", args=[pilot.public_id])
    assert (pilot.title, pilot.step_index, pilot.created_by) == ("Hotline trial", 1, officer)
    detail = page(login(officer).get(response["Location"]))
    assert "Open a de-confliction hotline" in detail  # the step it comes from
    assert "Record its do-no-harm check before it is agreed." in detail


def test_a_proposal_with_missing_fields_keeps_what_was_typed(login, officer, delivered):
    url = reverse("uptake:pilot_list", args=[delivered.public_id])
    response = login(officer).post(
        url, {"title": "", "scope": "Only the northern crossing.", "parties": "", "ends_on": "x"}
    )
    assert response.status_code == 400
    html = page(response)
    assert "Only the northern crossing." in html
    assert "Please correct the fields marked below." in html
    assert not Pilot.objects.exists()


def test_an_end_before_the_start_comes_back_on_the_form(login, officer, delivered):
    url = reverse("uptake:pilot_list", args=[delivered.public_id])
    response = login(officer).post(
        url,
        {
            "title": "Backwards",
            "scope": "Typed scope",
            "parties": "Both",
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "The pilot cannot end before it starts." in page(response)
    assert "Typed scope" in page(response)


def test_a_draft_offers_no_proposal_and_refuses_one(login, officer, dialogue):
    document = non_paper(dialogue, officer)
    url = reverse("uptake:pilot_list", args=[document.public_id])
    client = login(officer)
    assert "deliver this one first" in page(client.get(url))
    response = client.post(url, {"title": "t", "scope": "s", "parties": "p"}, follow=True)
    assert "deliver this version first" in page(response)
    assert not Pilot.objects.exists()


def test_agreeing_without_the_check_is_refused_on_the_page_with_the_reason(
    login, officer, proposed
):
    response = login(officer).post(
        reverse("uptake:pilot_move", args=[proposed.public_id]), {"to": "agreed"}
    )
    assert response.status_code == 409
    assert "Record the do-no-harm check before the pilot is agreed" in page(response)
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


def test_the_check_then_agreeing_moves_the_pilot_on(login, officer, proposed):
    client = login(officer)
    check = client.post(
        reverse("uptake:pilot_do_no_harm", args=[proposed.public_id]), {"notes": "Weighed."}
    )
    assert check.status_code == 302
    moved = client.post(
        reverse("uptake:pilot_move", args=[proposed.public_id]), {"to": "agreed"}, follow=True
    )
    assert "The pilot is now agreed." in page(moved)
    proposed.refresh_from_db()
    assert proposed.status == Status.AGREED


def test_an_empty_do_no_harm_check_is_refused_with_a_message(login, officer, proposed):
    response = login(officer).post(
        reverse("uptake:pilot_do_no_harm", args=[proposed.public_id]), {"notes": "  "}
    )
    assert response.status_code == 400
    assert "This field is required." in page(response)


def test_stopping_without_a_reason_keeps_the_form(login, officer, running):
    response = login(officer).post(
        reverse("uptake:pilot_move", args=[running.public_id]),
        {"to": "stopped", "stop_reason": ""},
    )
    assert response.status_code == 400
    assert "Say why the pilot stopped" in page(response)
    running.refresh_from_db()
    assert running.status == Status.RUNNING


def test_an_unknown_move_is_refused(login, officer, running):
    response = login(officer).post(
        reverse("uptake:pilot_move", args=[running.public_id]), {"to": "paused"}
    )
    assert response.status_code == 400
    assert "Choose one of the moves offered." in page(response)


def test_a_completed_pilot_cannot_be_stopped(login, officer, delivered):
    pilot = pilot_in(delivered, officer, Status.COMPLETED)
    response = login(officer).post(
        reverse("uptake:pilot_move", args=[pilot.public_id]),
        {"to": "stopped", "stop_reason": "Too late"},
    )
    assert response.status_code == 409
    assert "A pilot that is completed cannot become stopped." in page(response)


def test_a_proof_point_dated_in_the_future_keeps_what_was_typed(login, officer, running, programme):
    tomorrow = programme_today(programme) + datetime.timedelta(days=1)
    response = login(officer).post(
        reverse("uptake:proof_point_add", args=[running.public_id]),
        {"happened": "Forty trucks crossed.", "evidence": "Log", "observed_on": tomorrow},
    )
    assert response.status_code == 400
    html = page(response)
    assert "A proof-point cannot be dated in the future." in html
    assert "Forty trucks crossed." in html


def test_a_proof_point_is_listed_on_the_pilot(login, officer, running, programme):
    client = login(officer)
    response = client.post(
        reverse("uptake:proof_point_add", args=[running.public_id]),
        {
            "happened": "Forty trucks crossed.",
            "evidence": "The checkpoint log.",
            "observed_on": programme_today(programme).isoformat(),
        },
        follow=True,
    )
    assert "The proof-point was recorded." in page(response)
    assert "Forty trucks crossed." in page(response)


def test_editing_a_proposed_pilots_scope_warns_that_its_check_was_cleared(login, officer, proposed):
    services.pilot_record_do_no_harm(pilot=proposed, notes="Weighed.", actor=officer)
    response = login(officer).post(
        reverse("uptake:pilot_edit", args=[proposed.public_id]),
        {"title": proposed.title, "scope": "Bigger now.", "parties": proposed.parties},
        follow=True,
    )
    assert "its do-no-harm check was cleared" in page(response)


def test_an_invalid_edit_keeps_what_was_typed(login, officer, running):
    response = login(officer).post(
        reverse("uptake:pilot_edit", args=[running.public_id]),
        {"title": "Renamed", "scope": "New scope typed", "parties": "Both", "starts_on": ""},
    )
    assert response.status_code == 400
    assert "A running pilot keeps its start date." in page(response)
    assert "New scope typed" in page(response)


def test_editing_a_finished_pilot_is_refused_on_the_page(login, officer, delivered):
    pilot = pilot_in(delivered, officer, Status.STOPPED)
    response = login(officer).post(
        reverse("uptake:pilot_edit", args=[pilot.public_id]),
        {"title": "Renamed", "scope": "s", "parties": "p"},
    )
    assert response.status_code == 409
    assert "its dates and scope no longer change" in page(response)
    assert "The road flooded." in page(response)  # why it stopped


# --- Names withheld ----------------------------------------------------------------------------


@pytest.fixture
def named_pilot(dialogue, delivered, facilitator):
    on_roster(dialogue, NAME, code="P-777")
    return services.pilot_propose(
        document=delivered,
        step_index=None,
        title=f"Crossing escorted by {NAME}",
        scope=f"{NAME} walks the first convoy through.",
        parties="Both liaison offices",
        starts_on=None,
        ends_on=None,
        actor=facilitator,
    )


def test_an_officer_without_identity_reads_name_withheld_on_the_pilot_pages(
    login, officer, named_pilot
):
    client = login(officer)
    for url in [
        reverse("uptake:pilot_detail", args=[named_pilot.public_id]),
        reverse("uptake:pilot_list", args=[named_pilot.document.public_id]),
    ]:
        html = page(client.get(url))
        assert NAME not in html
        assert WITHHELD in html
    detail = page(client.get(reverse("uptake:pilot_detail", args=[named_pilot.public_id])))
    assert "Save the changes" not in detail  # no form showing what they may not read


def test_the_facilitator_reads_the_name_on_the_pilot(login, facilitator, named_pilot):
    html = page(
        login(facilitator).get(reverse("uptake:pilot_detail", args=[named_pilot.public_id]))
    )
    assert NAME in html


# --- Query counts -----------------------------------------------------------------------------


def populate(document, actor, times):
    for n in range(times):
        pilot = pilot_in(document, actor, Status.RUNNING, title=f"Pilot {n}")
        for m in range(times):
            services.proof_point_add(
                pilot=pilot,
                happened=f"Happened {n}.{m}",
                evidence="Log",
                observed_on=pilot.starts_on,
                actor=actor,
            )
    return pilot


def warm_up(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("times", [1, 10])
def test_the_pilot_pages_run_the_same_queries_at_1x_and_10x(
    dialogue, login, officer, delivered, django_assert_max_num_queries, times
):
    on_roster(dialogue, NAME, code="P-777")  # names are withheld from the officer
    last = populate(delivered, officer, times)
    client = login(officer)
    list_url = reverse("uptake:pilot_list", args=[delivered.public_id])
    warm_up(client, list_url)
    # 12: session, user; version with dialogue and programme; chain check (two); identity
    # check (two); roster; the head revision (the form's steps); the pilots with their
    # proof-point counts; the menu's roles; the unread notifications.
    with django_assert_max_num_queries(12):
        response = client.get(list_url)
    assert all(f"Pilot {n}<" in page(response) for n in range(times))
    detail_url = reverse("uptake:pilot_detail", args=[last.public_id])
    warm_up(client, detail_url)
    # 13: session, user; pilot with version, dialogue and programme; chain check (two);
    # identity check (two); roster; the head revision (its step); the proof-points with who
    # recorded them; the menu's roles; the unread notifications; who recorded the
    # do-no-harm check.
    with django_assert_max_num_queries(13):
        response = client.get(detail_url)
    assert all(f"Happened {times - 1}.{m}" in page(response) for m in range(times))
