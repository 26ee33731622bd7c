"""The 30/60/90-day ladder: due dates on the programme's calendar (time zones, a delivery
late in the evening, a daylight-saving change), updating a commitment and its rules, the
overdue list; the ladder and commitment pages for every role, bad input kept, names
withheld, query counts."""

import datetime
import uuid
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.dialogues.factories import ProgrammeFactory
from tests.uptake.chain_factories_b import delivered_non_paper
from tests.uptake.factories import deliver, non_paper, on_roster, step
from uptake.models import Commitment, Document
from uptake.services import ladder as services
from uptake.services.ladder import programme_today

UTC = datetime.UTC
Status = Commitment.Status
NAME = "Amal Haddad"
WITHHELD = "[name withheld]"


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def at(*args):
    """A moment in UTC."""
    return datetime.datetime(*args, tzinfo=UTC)


def in_zone(programme, time_zone):
    programme.time_zone = time_zone
    programme.save(update_fields=["time_zone"])
    return programme


def delivered_at(dialogue, actor, moment, ladder=(30, 60, 90)):
    """A non-paper delivered at `moment` (UTC), one step per rung in `ladder`."""
    document = non_paper(
        dialogue, actor, steps=[step(n, ladder=days) for n, days in enumerate(ladder, start=1)]
    )
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return deliver(document, actor)


def due_dates(document):
    return {c.rung: c.due_on for c in document.commitments.all()}


# --- Due dates on the programme's calendar --------------------------------------------------


def test_each_step_is_due_on_its_rung_counted_from_the_delivery_date(
    programme, dialogue, facilitator
):
    in_zone(programme, "Europe/Athens")
    document = delivered_at(dialogue, facilitator, at(2026, 3, 10, 8, 0))  # 10:00 in Athens
    assert due_dates(document) == {
        30: datetime.date(2026, 4, 9),
        60: datetime.date(2026, 5, 9),
        90: datetime.date(2026, 6, 8),
    }
    # The first rung falls after the clocks go forward (29 March): the date is still right.
    assert [c.step_index for c in document.commitments.order_by("rung")] == [0, 1, 2]
    assert set(document.commitments.values_list("status", flat=True)) == {Status.OPEN}


def test_a_delivery_late_in_the_evening_before_the_clocks_change_keeps_its_day(
    programme, dialogue, facilitator
):
    in_zone(programme, "Europe/Athens")
    # 23:30 on 28 March in Athens (UTC+2); the clocks go to UTC+3 that night. Thirty days of
    # 24 hours from that moment would land at 00:30 on 28 April: the ladder counts days.
    document = delivered_at(dialogue, facilitator, at(2026, 3, 28, 21, 30), ladder=(30, 30, 60))
    assert due_dates(document) == {30: datetime.date(2026, 4, 27), 60: datetime.date(2026, 5, 27)}


def test_a_delivery_just_after_midnight_in_athens_counts_from_the_athens_day(
    programme, dialogue, facilitator
):
    in_zone(programme, "Europe/Athens")
    document = delivered_at(dialogue, facilitator, at(2026, 3, 10, 22, 30))  # 00:30 on 11 March
    assert due_dates(document)[30] == datetime.date(2026, 4, 10)


def test_a_delivery_at_2330_utc_is_the_next_day_in_yangon(programme, dialogue, facilitator):
    in_zone(programme, "Asia/Yangon")
    document = delivered_at(dialogue, facilitator, at(2026, 3, 10, 23, 30))  # 06:00, 11 March
    assert due_dates(document) == {
        30: datetime.date(2026, 4, 10),
        60: datetime.date(2026, 5, 10),
        90: datetime.date(2026, 6, 9),
    }


def test_the_same_moment_is_still_the_same_day_for_a_programme_on_utc(
    programme, dialogue, facilitator
):
    document = delivered_at(dialogue, facilitator, at(2026, 3, 10, 23, 30))
    assert due_dates(document)[30] == datetime.date(2026, 4, 9)


def test_a_programme_west_of_greenwich_counts_from_its_own_evening(
    programme, dialogue, facilitator
):
    in_zone(programme, "America/Bogota")
    document = delivered_at(dialogue, facilitator, at(2026, 3, 10, 2, 0))  # 21:00, 9 March
    assert due_dates(document)[30] == datetime.date(2026, 4, 8)


# --- Updating a commitment ----------------------------------------------------------------


@pytest.fixture
def delivered(dialogue, facilitator):
    return delivered_non_paper(dialogue, facilitator, title="Corridor non-paper")


@pytest.fixture
def commitment(delivered):
    return delivered.commitments.get(step_index=0)


def update(commitment, actor, **changes):
    fields = {
        "due_on": commitment.due_on,
        "owner": commitment.owner,
        "responsible": commitment.responsible,
        "status": commitment.status,
        "evidence": commitment.evidence,
        **changes,
    }
    return services.commitment_update(commitment=commitment, actor=actor, **fields)


def test_a_commitment_gets_a_new_date_owner_follower_and_status(commitment, officer, facilitator):
    new_date = commitment.due_on + datetime.timedelta(days=14)
    update(
        commitment,
        officer,
        due_on=new_date,
        owner="  The district office  ",
        responsible=facilitator,
        status=Status.SLIPPED,
        evidence="Waiting for the governor.",
    )
    commitment.refresh_from_db()
    assert (commitment.due_on, commitment.owner, commitment.responsible, commitment.status) == (
        new_date,
        "The district office",
        facilitator,
        Status.SLIPPED,
    )


def test_a_commitment_is_done_only_with_evidence(commitment, officer):
    with pytest.raises(ValidationError) as refused:
        update(commitment, officer, status=Status.DONE, evidence="   ")
    assert refused.value.message_dict == {
        "evidence": [
            "Say what shows it was done before marking it done: a record, a date, a source."
        ]
    }
    update(commitment, officer, status=Status.DONE, evidence="Crossing log, 3 May.")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.evidence) == (Status.DONE, "Crossing log, 3 May.")


@pytest.mark.parametrize("follower", ["officer", "facilitator"])
def test_an_officer_or_a_facilitator_may_follow_a_commitment_up(
    request, commitment, officer, follower
):
    user = request.getfixturevalue(follower)
    update(commitment, officer, responsible=user)
    commitment.refresh_from_db()
    assert commitment.responsible == user


@pytest.mark.parametrize("follower", ["legal_reviewer", "donor", "stranger"])
def test_nobody_else_may_follow_a_commitment_up(request, commitment, officer, follower):
    with pytest.raises(ValidationError) as refused:
        update(commitment, officer, responsible=request.getfixturevalue(follower))
    assert list(refused.value.message_dict) == ["responsible"]
    commitment.refresh_from_db()
    assert commitment.responsible is None


def test_a_commitment_needs_a_due_date_an_owner_and_a_known_status(commitment, officer):
    with pytest.raises(ValidationError) as refused:
        update(commitment, officer, due_on=None, owner=" ", status="paused")
    assert set(refused.value.message_dict) == {"due_on", "owner", "status"}


def test_an_officer_who_may_not_see_names_cannot_rewrite_an_owner_naming_someone(
    dialogue, commitment, officer, facilitator
):
    on_roster(dialogue, NAME, code="P-777")
    update(commitment, facilitator, owner=f"{NAME}'s office")
    with pytest.raises(ValidationError, match="withheld from you"):
        update(commitment, officer, owner="The office")


def test_the_followers_offered_are_the_programmes_officers_and_facilitators(
    programme, officer, facilitator, legal_reviewer, donor, stranger
):
    assert set(services.managers_of(programme)) == {officer, facilitator}


# --- Overdue ------------------------------------------------------------------------------


def test_overdue_lists_open_and_slipped_commitments_past_their_date(
    programme, delivered, dialogue, facilitator
):
    today = programme_today(programme)
    first, second, third = delivered.commitments.order_by("step_index")
    Commitment.objects.filter(pk=first.pk).update(due_on=today - datetime.timedelta(days=3))
    Commitment.objects.filter(pk=second.pk).update(
        due_on=today - datetime.timedelta(days=1), status=Status.SLIPPED
    )
    Commitment.objects.filter(pk=third.pk).update(due_on=today)  # due today: not late yet
    done = delivered_non_paper(dialogue, facilitator, title="Done one").commitments.first()
    Commitment.objects.filter(pk=done.pk).update(
        due_on=today - datetime.timedelta(days=9), status=Status.DONE
    )
    dropped = delivered_non_paper(dialogue, facilitator, title="Dropped").commitments.first()
    Commitment.objects.filter(pk=dropped.pk).update(
        due_on=today - datetime.timedelta(days=9), status=Status.DROPPED
    )
    overdue = services.overdue_commitments(programme)
    assert [(c.pk, c.days_late) for c in overdue] == [(first.pk, 3), (second.pk, 1)]


def test_another_programmes_overdue_commitments_are_not_listed(
    programme, other_programme, delivered
):
    Commitment.objects.update(due_on=datetime.date(2020, 1, 1))
    assert len(services.overdue_commitments(programme)) == 3
    assert services.overdue_commitments(other_programme) == []


def test_overdue_is_judged_on_the_programmes_calendar(programme, delivered):
    Commitment.objects.update(due_on=datetime.date(2026, 4, 9))
    late_evening = at(2026, 4, 9, 22, 30)  # still 9 April in UTC; 10 April in Yangon
    with mock.patch("django.utils.timezone.now", return_value=late_evening):
        assert services.overdue_commitments(programme) == []
        in_zone(programme, "Asia/Yangon")
        assert [c.days_late for c in services.overdue_commitments(programme)] == [1, 1, 1]


def test_an_unknown_time_zone_falls_back_to_utc(db):
    programme = ProgrammeFactory()
    programme.time_zone = "Mars/Olympus"  # written past the validator
    assert services.programme_zone(programme) == UTC


# --- Pages: who reaches what --------------------------------------------------------------

ROLES = ["facilitator", "officer", "legal_reviewer", "donor", "stranger"]


def test_anonymous_visitors_are_sent_to_log_in(client, delivered, commitment):
    assert_login_redirect(client.get(reverse("uptake:ladder", args=[delivered.public_id])))
    url = reverse("uptake:commitment_edit", args=[commitment.public_id])
    assert_login_redirect(client.get(url))
    assert_login_redirect(client.post(url, {"status": "done"}))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("facilitator", 200),
        ("officer", 200),
        ("legal_reviewer", 200),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_each_role_reads_the_ladder_it_may(request, login, delivered, role, status):
    response = login(request.getfixturevalue(role)).get(
        reverse("uptake:ladder", args=[delivered.public_id])
    )
    assert response.status_code == status
    assert ("Open crossing 1 for convoys" in page(response)) == (status == 200)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("facilitator", 200),
        ("officer", 200),
        ("legal_reviewer", 403),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_only_those_who_manage_the_chain_open_a_commitment(
    request, login, commitment, role, status
):
    url = reverse("uptake:commitment_edit", args=[commitment.public_id])
    assert login(request.getfixturevalue(role)).get(url).status_code == status


def edit_data(commitment, **changes):
    return {
        "due_on": commitment.due_on.isoformat(),
        "owner": commitment.owner,
        "responsible": "",
        "status": commitment.status,
        "evidence": "",
        **changes,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("facilitator", 302),
        ("officer", 302),
        ("legal_reviewer", 403),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_only_those_who_manage_the_chain_update_a_commitment(
    request, login, commitment, role, status
):
    url = reverse("uptake:commitment_edit", args=[commitment.public_id])
    data = edit_data(commitment, status="slipped")
    response = login(request.getfixturevalue(role)).post(url, data)
    assert response.status_code == status
    commitment.refresh_from_db()
    assert commitment.status == ("slipped" if status == 302 else "open")


def test_the_ladder_groups_commitments_by_rung_and_flags_the_overdue(
    login, officer, dialogue, facilitator, programme
):
    document = delivered_non_paper(
        dialogue,
        facilitator,
        steps=[
            step(1, ladder=30),
            step(2, ladder=60, text="Joint patrol rota"),
            step(3, ladder=90, text="Return of remains"),
        ],
    )
    late = programme_today(programme) - datetime.timedelta(days=4)
    document.commitments.filter(rung=60).update(due_on=late)
    html = page(login(officer).get(reverse("uptake:ladder", args=[document.public_id])))
    rung_30, rung_60, rung_90 = (html.index(f"Rung: {days} days") for days in (30, 60, 90))
    assert rung_30 < html.index("Open crossing 1 for convoys") < rung_60
    assert rung_60 < html.index("Joint patrol rota") < rung_90 < html.index("Return of remains")
    assert html.count("Overdue by 4 days") == 1
    assert "1 commitment is overdue." in html
    for commitment in document.commitments.all():
        assert reverse("uptake:commitment_edit", args=[commitment.public_id]) in html


def test_a_legal_reviewer_reads_the_ladder_without_update_links(login, legal_reviewer, delivered):
    html = page(login(legal_reviewer).get(reverse("uptake:ladder", args=[delivered.public_id])))
    assert "Open crossing 1 for convoys" in html
    for commitment in delivered.commitments.all():
        assert reverse("uptake:commitment_edit", args=[commitment.public_id]) not in html


def test_a_draft_has_no_ladder_yet(login, officer, dialogue):
    document = non_paper(dialogue, officer)
    html = page(login(officer).get(reverse("uptake:ladder", args=[document.public_id])))
    assert "The ladder starts when this version is delivered." in html


@pytest.mark.parametrize(
    "url", ["/documents/not-a-uuid/ladder/", "/commitments/not-a-uuid/", "/commitments/12/"]
)
def test_a_malformed_id_is_404(login, facilitator, url):
    assert login(facilitator).get(url).status_code == 404


def test_an_unknown_version_or_commitment_is_404(login, facilitator):
    client = login(facilitator)
    assert client.get(reverse("uptake:ladder", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("uptake:commitment_edit", args=[uuid.uuid4()])).status_code == 404


def test_an_aide_memoire_has_no_ladder(login, officer, dialogue):
    document = Document.objects.create(
        dialogue=dialogue, kind=Document.Kind.AIDE_MEMOIRE, title="Note", created_by=officer
    )
    assert (
        login(officer).get(reverse("uptake:ladder", args=[document.public_id])).status_code == 404
    )


# --- Pages: updating ------------------------------------------------------------------------


def test_updating_a_commitment_returns_to_the_ladder_with_a_message(
    login, officer, commitment, facilitator
):
    url = reverse("uptake:commitment_edit", args=[commitment.public_id])
    response = login(officer).post(
        url,
        edit_data(
            commitment,
            status="done",
            evidence="Crossing log of 3 May.",
            responsible=str(facilitator.pk),
        ),
        follow=True,
    )
    assert "Step 1 of the ladder was updated." in page(response)
    assert "Crossing log of 3 May." in page(response)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.responsible) == ("done", facilitator)


def test_marking_done_without_evidence_keeps_what_was_typed(login, officer, commitment):
    url = reverse("uptake:commitment_edit", args=[commitment.public_id])
    response = login(officer).post(
        url, edit_data(commitment, status="done", owner="The governor's office, typed")
    )
    assert response.status_code == 400
    html = page(response)
    assert "Say what shows it was done before marking it done" in html
    assert "The governor&#x27;s office, typed" in html
    commitment.refresh_from_db()
    assert commitment.status == "open"


def test_a_bad_date_keeps_what_was_typed(login, officer, commitment):
    url = reverse("uptake:commitment_edit", args=[commitment.public_id])
    response = login(officer).post(
        url, edit_data(commitment, due_on="next Tuesday", evidence="Typed evidence")
    )
    assert response.status_code == 400
    assert "next Tuesday" in page(response)
    assert "Typed evidence" in page(response)


def test_a_legal_reviewer_is_not_offered_as_follower_and_is_refused(
    login, officer, commitment, legal_reviewer
):
    url = reverse("uptake:commitment_edit", args=[commitment.public_id])
    client = login(officer)
    form = page(client.get(url))
    assert f'value="{legal_reviewer.pk}"' not in form
    response = client.post(url, edit_data(commitment, responsible=str(legal_reviewer.pk)))
    assert response.status_code == 400
    commitment.refresh_from_db()
    assert commitment.responsible is None


# --- Names withheld --------------------------------------------------------------------------


@pytest.fixture
def named_commitment(dialogue, commitment, facilitator):
    on_roster(dialogue, NAME, code="P-777")
    update(commitment, facilitator, owner=f"{NAME} and the liaison office")
    return commitment


def test_an_officer_without_identity_reads_name_withheld_on_the_ladder(
    login, officer, facilitator, named_commitment
):
    url = reverse("uptake:ladder", args=[named_commitment.document.public_id])
    html = page(login(officer).get(url))
    assert NAME not in html
    assert f"{WITHHELD} and the liaison office" in html
    assert NAME in page(login(facilitator).get(url))


def test_an_officer_without_identity_is_sent_back_from_a_commitment_naming_someone(
    login, officer, named_commitment
):
    url = reverse("uptake:commitment_edit", args=[named_commitment.public_id])
    response = login(officer).get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "uptake:ladder", args=[named_commitment.document.public_id]
    )
    assert "only a team member who may see identities can change it" in page(response)
    assert NAME not in page(response)


# --- Query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("times", [1, 10])
def test_the_ladder_runs_the_same_queries_at_1x_and_10x(
    login, dialogue, officer, delivered, django_assert_max_num_queries, times
):
    on_roster(dialogue, NAME, code="P-777")  # names are withheld from the officer
    late = programme_today(dialogue.programme) - datetime.timedelta(days=2)
    for n in range(3, 3 + 3 * times):
        Commitment.objects.create(
            document=delivered,
            step_index=n,
            what=f"Extra step {n}",
            rung=(30, 60, 90)[n % 3],
            due_on=late,
            owner="Liaison office",
            responsible=officer,
        )
    client = login(officer)
    url = reverse("uptake:ladder", args=[delivered.public_id])
    assert client.get(url).status_code == 200
    # 11: session, user; version with dialogue and programme; chain check (two); identity
    # check (two); roster; the commitments with who follows them up; the menu's roles; the
    # unread notifications.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    html = page(response)
    assert all(f"Extra step {n}<" in html for n in range(3, 3 + 3 * times))
    assert html.count("Overdue by 2 days") == 3 * times
