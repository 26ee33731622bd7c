"""Output metrics (non-papers delivered, pilots agreed, communiqué adoptions) against a
hand-computed fixture with period edges on the programme's calendar; the records behind each
figure; recording a communiqué adoption (the non-paper, its steps, names refused); who
reaches each page; bad input; query counts; the demo."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dialogues.demo.programme import PROGRAMME
from dialogues.models import Programme
from monitoring.models import CommuniqueAdoption
from monitoring.services.activity import Period
from monitoring.services.outputs import (
    OutputMetrics,
    communique_adoption_create,
    programme_output_records,
    programme_outputs,
)
from tests.dialogues.factories import DialogueFactory, ParticipantFactory
from tests.uptake.factories import (
    aide_memoire,
    deliver,
    move,
    non_paper,
    non_paper_content,
    step,
)
from uptake.models import Document, Pilot, ProofPoint, Revision
from uptake.services.ladder import programme_today

Kind, Status, PilotStatus = Document.Kind, Document.Status, Pilot.Status
APRIL = Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))


def utc(text):
    """An aware UTC datetime from "2026-03-31 17:30"."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


# Asia/Yangon is UTC+06:30: 17:30 UTC is midnight there, the first minute of the next day.
LAST_MINUTE_OF_MARCH = utc("2026-03-31 17:29")
FIRST_MINUTE_OF_APRIL = utc("2026-03-31 17:30")
LAST_MINUTE_OF_APRIL = utc("2026-04-30 17:29")
FIRST_MINUTE_OF_MAY = utc("2026-04-30 17:30")
MID_APRIL = utc("2026-04-15 06:00")


def document_row(dialogue, title, *, kind=Kind.NON_PAPER, status=Status.DELIVERED, **fields):
    """A document written as a row (with a head revision of three steps), the way the
    services leave a delivered one."""
    document = Document.objects.create(
        dialogue=dialogue, kind=kind, title=title, status=status, head=1, **fields
    )
    content = non_paper_content() if kind == Kind.NON_PAPER else {"sections": []}
    Revision.objects.create(document=document, number=1, title=title, content=content)
    return document


def day(month, number):
    return datetime.date(2026, month, number)


APRIL_10 = utc("2026-04-10 03:00")
APRIL_12 = utc("2026-04-12 03:00")
MAY_3 = utc("2026-05-03 03:00")


def pilot_row(document, title, status, *, checked_at=None, starts_on=None, proof=False):
    pilot = Pilot.objects.create(
        document=document,
        step_index=0,
        title=title,
        scope="One crossing, one week.",
        parties="Both liaison offices",
        status=status,
        do_no_harm_at=checked_at,
        do_no_harm_notes="Checked." if checked_at else "",
        starts_on=starts_on,
    )
    if proof:
        ProofPoint.objects.create(
            pilot=pilot,
            happened="The crossing opened.",
            evidence="Convoy log.",
            observed_on=starts_on + datetime.timedelta(days=1),
        )
    return pilot


def adoption_row(programme, document, title, issued_on):
    return CommuniqueAdoption.objects.create(
        programme=programme,
        non_paper=document,
        title=title,
        issuer="Joint Liaison Council",
        issued_on=issued_on,
        adopted_wording="The Council welcomes the crossing.",
        echoed_steps=[1],
    )


@pytest.fixture
def world(programme, other_programme, dialogue):
    """Hand-counted, in Asia/Yangon. For April (1st to 30th, both included):
    non-papers delivered B, C, G (3); pilots agreed p2, p3, p5, p10 (4); adoptions a2, a3
    (2). With no period: non-papers A, B, C, D, G, I (6); pilots p2, p3, p4, p5, p10, p11,
    p12 (7); adoptions a1 to a4 (4)."""
    programme.time_zone = "Asia/Yangon"
    programme.save()
    elsewhere = DialogueFactory(programme=other_programme, title="Ridge talks")
    docs = {
        "A": document_row(dialogue, "A late March", delivered_at=LAST_MINUTE_OF_MARCH),
        "B": document_row(dialogue, "B first of April", delivered_at=FIRST_MINUTE_OF_APRIL),
        "C": document_row(dialogue, "C last of April", delivered_at=LAST_MINUTE_OF_APRIL),
        "D": document_row(dialogue, "D first of May", delivered_at=FIRST_MINUTE_OF_MAY),
        "E": document_row(dialogue, "E ready, not delivered", status=Status.READY),
        "F": document_row(
            dialogue, "F aide-memoire", kind=Kind.AIDE_MEMOIRE, delivered_at=MID_APRIL
        ),
        "H": document_row(elsewhere, "H another programme", delivered_at=MID_APRIL),
        "I": document_row(dialogue, "I delivered, no date"),
    }
    docs["G"] = document_row(
        dialogue,
        "B first of April",
        version=2,
        previous_version=docs["B"],
        delivered_at=MID_APRIL,
    )
    base = docs["B"]
    pilots = {
        "p1": pilot_row(base, "p1 proposed", PilotStatus.PROPOSED, checked_at=MID_APRIL),
        "p2": pilot_row(base, "p2 agreed", PilotStatus.AGREED, checked_at=FIRST_MINUTE_OF_APRIL),
        # Ran, checked before its start: counts on the check (10 April).
        "p3": pilot_row(
            base, "p3 running", PilotStatus.RUNNING, checked_at=APRIL_10, starts_on=day(4, 12)
        ),
        "p4": pilot_row(
            base,
            "p4 completed",
            PilotStatus.COMPLETED,
            checked_at=FIRST_MINUTE_OF_MAY,
            starts_on=day(5, 2),
        ),
        # Ran (a proof-point says so), started before the check was logged: counts on 3 April.
        "p5": pilot_row(
            base,
            "p5 stopped after running",
            PilotStatus.STOPPED,
            checked_at=APRIL_12,
            starts_on=day(4, 3),
            proof=True,
        ),
        "p6": pilot_row(
            base, "p6 stopped, agreed or not", PilotStatus.STOPPED, checked_at=APRIL_12
        ),
        "p7": pilot_row(base, "p7 stopped unchecked", PilotStatus.STOPPED),
        "p8": pilot_row(docs["H"], "p8 elsewhere", PilotStatus.AGREED, checked_at=MID_APRIL),
        "p9": pilot_row(
            docs["F"], "p9 on an aide-memoire", PilotStatus.AGREED, checked_at=MID_APRIL
        ),
        # Logged after the fact: checked on 3 May, started on 20 April: counts on 20 April.
        "p10": pilot_row(
            base, "p10 logged late", PilotStatus.COMPLETED, checked_at=MAY_3, starts_on=day(4, 20)
        ),
        # Never ran: a planned start says nothing of the agreement, it counts on 3 May.
        "p11": pilot_row(
            base, "p11 agreed, planned", PilotStatus.AGREED, checked_at=MAY_3, starts_on=day(4, 20)
        ),
        # Checked at 23:59 on 31 March, local time: March, whatever the start.
        "p12": pilot_row(
            base,
            "p12 checked late March",
            PilotStatus.RUNNING,
            checked_at=LAST_MINUTE_OF_MARCH,
            starts_on=day(4, 5),
        ),
    }
    adoptions = {
        "a1": adoption_row(programme, base, "a1 March", datetime.date(2026, 3, 31)),
        "a2": adoption_row(programme, base, "a2 first of April", datetime.date(2026, 4, 1)),
        "a3": adoption_row(programme, docs["G"], "a3 last of April", datetime.date(2026, 4, 30)),
        "a4": adoption_row(programme, base, "a4 May", datetime.date(2026, 5, 1)),
        "a5": adoption_row(other_programme, docs["H"], "a5 elsewhere", datetime.date(2026, 4, 10)),
    }
    return {**docs, **pilots, **adoptions}


# --- The figures --------------------------------------------------------------------------


def test_the_figures_for_a_period_count_what_falls_in_it_on_the_programmes_calendar(
    programme, world
):
    assert programme_outputs(programme, period=APRIL) == OutputMetrics(
        non_papers_delivered=3, pilots_agreed=4, communique_adoptions=2
    )


def test_with_no_period_every_dated_and_undated_record_counts(programme, world):
    expected = OutputMetrics(non_papers_delivered=6, pilots_agreed=7, communique_adoptions=4)
    assert programme_outputs(programme) == expected
    assert programme_outputs(programme, period=Period()) == expected


def test_an_open_side_of_the_period_keeps_everything_on_that_side(programme, world):
    from_april = Period(start=datetime.date(2026, 4, 1))
    # B, C, D, G; p2, p3, p4, p5, p10, p11; a2, a3, a4.
    assert programme_outputs(programme, period=from_april) == OutputMetrics(4, 6, 3)
    until_april = Period(end=datetime.date(2026, 4, 30))
    # A, B, C, G; p2, p3, p5, p10, p12; a1, a2, a3.
    assert programme_outputs(programme, period=until_april) == OutputMetrics(4, 5, 3)


def test_a_single_day_period_includes_both_its_ends(programme, world):
    first_of_april = Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 1))
    # B (delivered at local midnight), p2 (checked at local midnight), a2.
    assert programme_outputs(programme, period=first_of_april) == OutputMetrics(1, 1, 1)


def test_the_other_programme_counts_only_its_own(other_programme, world):
    # H; p8; a5.
    assert programme_outputs(other_programme, period=APRIL) == OutputMetrics(1, 1, 1)


def test_the_figures_are_one_query_whatever_the_data(programme, world, django_assert_num_queries):
    with django_assert_num_queries(1):
        programme_outputs(programme, period=APRIL)


def test_a_programme_with_nothing_has_zeros(programme):
    assert programme_outputs(programme) == OutputMetrics(0, 0, 0)


# --- The records behind them --------------------------------------------------------------


def test_the_records_behind_each_figure_are_listed_newest_first(programme, world):
    records = programme_output_records(programme, period=APRIL)
    assert [(row.title, row.version) for row in records.non_papers] == [
        ("C last of April", 1),
        ("B first of April", 2),
        ("B first of April", 1),
    ]
    first = records.non_papers[-1]
    assert first.delivered_on == datetime.date(2026, 4, 1)
    assert first.public_id == world["B"].public_id
    assert first.dialogue_title == "Corridor triggers"
    assert [(row.title, row.counted_on) for row in records.pilots] == [
        ("p10 logged late", day(4, 20)),
        ("p3 running", day(4, 10)),
        ("p5 stopped after running", day(4, 3)),
        ("p2 agreed", day(4, 1)),
    ]
    agreed = records.pilots[-1]
    assert (agreed.status, agreed.status_label, agreed.step_number) == (
        PilotStatus.AGREED,
        "Agreed",
        1,
    )
    assert agreed.non_paper_public_id == world["B"].public_id
    assert [row.title for row in records.adoptions] == ["a3 last of April", "a2 first of April"]
    assert records.adoptions[0].non_paper_version == 2
    assert records.adoptions[0].echoed_steps == (1,)


def test_the_records_match_the_figures_for_every_period(programme, world):
    periods = (
        APRIL,
        Period(),
        Period(start=day(4, 1)),
        Period(end=day(4, 30)),
        Period(day(4, 3), day(4, 3)),
    )
    for period in periods:
        figures = programme_outputs(programme, period=period)
        records = programme_output_records(programme, period=period)
        assert figures == OutputMetrics(
            len(records.non_papers), len(records.pilots), len(records.adoptions)
        )


def test_the_undated_delivery_is_listed_without_a_date(programme, world):
    records = programme_output_records(programme)
    undated = [row for row in records.non_papers if row.title == "I delivered, no date"]
    assert len(undated) == 1 and undated[0].delivered_on is None
    assert records.non_papers[-1] == undated[0]


def test_the_records_pass_titles_through_the_redactor(programme, world):
    records = programme_output_records(programme, period=APRIL, redact=str.upper)
    assert records.non_papers[0].title == "C LAST OF APRIL"
    assert records.pilots[0].non_paper_title == "B FIRST OF APRIL"
    assert records.adoptions[0].issuer == "JOINT LIAISON COUNCIL"
    assert records.adoptions[0].dialogue_title == "CORRIDOR TRIGGERS"


def test_the_records_take_three_queries(programme, world, django_assert_num_queries):
    with django_assert_num_queries(3):
        programme_output_records(programme, period=APRIL)


# --- Recording a communiqué adoption ------------------------------------------------------


@pytest.fixture
def delivered(dialogue, facilitator):
    """A delivered non-paper of three steps, the second about a hotline."""
    return deliver(
        non_paper(
            dialogue,
            facilitator,
            steps=[step(1), step(2, text="Open a de-confliction hotline"), step(3)],
        ),
        facilitator,
    )


def adopt(programme, non_paper, actor=None, **overrides):
    fields = {
        "title": "Communiqué of the Joint Liaison Council",
        "issuer": "Joint Liaison Council",
        "issued_on": programme_today(programme),
        "reference": "Paragraph 7",
        "adopted_wording": "The Council welcomes a de-confliction hotline.",
        "echoed_steps": [2],
        **overrides,
    }
    return communique_adoption_create(
        programme=programme, actor=actor, non_paper=non_paper, **fields
    )


def refusal(programme, non_paper, **overrides):
    with pytest.raises(ValidationError) as refused:
        adopt(programme, non_paper, **overrides)
    assert not CommuniqueAdoption.objects.exists()
    return refused.value.message_dict


def test_an_adoption_is_recorded_with_its_steps_in_order_and_once(programme, delivered, officer):
    created = adopt(
        programme,
        delivered,
        officer,
        echoed_steps=[3, 1, 3],
        title="  Communiqué of the Council  ",
        reference="",
    )
    created.refresh_from_db()
    assert created.echoed_steps == [1, 3]
    assert created.title == "Communiqué of the Council" and created.reference == ""
    assert (created.programme, created.non_paper, created.recorded_by) == (
        programme,
        delivered,
        officer,
    )


def test_a_non_paper_of_another_programme_is_refused(programme, other_programme, facilitator):
    elsewhere = deliver(
        non_paper(DialogueFactory(programme=other_programme), facilitator), facilitator
    )
    errors = refusal(programme, elsewhere)
    assert errors == {"non_paper": ["Choose a non-paper of this programme."]}


@pytest.mark.parametrize("statuses", [(), ("review",), ("review", "ready")])
def test_a_version_not_yet_delivered_is_refused(programme, dialogue, facilitator, statuses):
    document = move(non_paper(dialogue, facilitator), facilitator, *statuses)
    errors = refusal(programme, document)
    assert set(errors) == {"non_paper"}
    assert "a communiqué echoes a delivered version" in errors["non_paper"][0]


def test_an_aide_memoire_is_refused(programme, dialogue, facilitator):
    errors = refusal(programme, aide_memoire(dialogue, facilitator))
    assert set(errors) == {"non_paper"}
    assert "aide-mémoire is confidential" in errors["non_paper"][0]


def test_a_missing_non_paper_is_refused(programme):
    errors = refusal(programme, None)
    assert set(errors) == {"non_paper"}


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "Say which of the non-paper's steps"),
        ([0], "This version has steps 1 to 3: 0 is not one of them."),
        ([2, 4, 9], "This version has steps 1 to 3: 4, 9 is not one of them."),
        (["2"], "Give step numbers"),
        ([True], "Give step numbers"),
        (None, "Say which of the non-paper's steps"),
    ],
)
def test_steps_must_be_steps_of_the_versions_text(programme, delivered, steps, message):
    errors = refusal(programme, delivered, echoed_steps=steps)
    assert set(errors) == {"echoed_steps"}
    assert message in errors["echoed_steps"][0]


def test_the_steps_are_those_of_the_delivered_versions_own_text(programme, dialogue, facilitator):
    five = deliver(
        non_paper(dialogue, facilitator, title="Five steps", steps=[step(n) for n in range(1, 6)]),
        facilitator,
    )
    assert adopt(programme, five, echoed_steps=[5]).echoed_steps == [5]


def test_a_participants_name_is_refused_in_every_text(programme, delivered, officer):
    ParticipantFactory(programme=programme, full_name="José Ramos", aliases="Pepe")
    errors = refusal(
        programme,
        delivered,
        adopted_wording="As jose ramos proposed, a hotline.",
        issuer="Pepe's office",
        title="Communiqué",
        reference="Ramos, para. 2",
    )
    assert set(errors) == {"adopted_wording", "issuer"}
    assert "refer to people by their role, never by name" in errors["adopted_wording"][0]


def test_another_programmes_participant_is_not_ours_to_refuse(
    programme, other_programme, delivered
):
    ParticipantFactory(programme=other_programme, full_name="Chit Hlaing")
    created = adopt(programme, delivered, adopted_wording="Chit Hlaing Street hotline.")
    assert created.pk


def test_a_communique_cannot_be_dated_in_the_future_or_before_the_delivery(programme, delivered):
    today = programme_today(programme)
    errors = refusal(programme, delivered, issued_on=today + datetime.timedelta(days=1))
    assert errors == {"issued_on": ["A communiqué cannot be dated in the future."]}
    errors = refusal(programme, delivered, issued_on=today - datetime.timedelta(days=1))
    assert set(errors) == {"issued_on"}
    assert "wording issued before that cannot echo it" in errors["issued_on"][0]


def test_missing_texts_and_date_are_refused_together(programme, delivered):
    errors = refusal(programme, delivered, title=" ", issuer="", adopted_wording="", issued_on=None)
    assert {"title", "issuer", "adopted_wording", "issued_on"} <= set(errors)
    assert "reference" not in errors


# --- Pages: access ------------------------------------------------------------------------


def outputs_url(programme):
    return reverse("monitoring:outputs", args=[programme.public_id])


def create_url(programme):
    return reverse("monitoring:communique_create", args=[programme.public_id])


def detail_url(adoption):
    return reverse("monitoring:communique_detail", args=[adoption.public_id])


def adoption_form(document, programme, **overrides):
    return {
        "title": "Communiqué of the Joint Liaison Council",
        "issuer": "Joint Liaison Council",
        "issued_on": programme_today(programme).isoformat(),
        "reference": "Paragraph 7",
        "non_paper": str(document.public_id),
        "echoed_steps": "2",
        "adopted_wording": "The Council welcomes a de-confliction hotline.",
        **overrides,
    }


@pytest.fixture
def adoption(programme, delivered):
    return adopt(programme, delivered)


def test_anonymous_visitors_are_sent_to_log_in(client, programme, delivered, adoption):
    for url in (outputs_url(programme), detail_url(adoption)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(create_url(programme), adoption_form(delivered, programme))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_strangers_and_donors_get_404_everywhere(
    login, programme, delivered, adoption, stranger, donor
):
    for user in (stranger, donor):
        client = login(user)
        assert client.get(outputs_url(programme)).status_code == 404
        assert client.get(detail_url(adoption)).status_code == 404
        response = client.post(create_url(programme), adoption_form(delivered, programme))
        assert response.status_code == 404
    assert CommuniqueAdoption.objects.count() == 1


def test_a_legal_reviewer_reads_but_may_not_record(
    login, programme, delivered, adoption, legal_reviewer
):
    client = login(legal_reviewer)
    html = client.get(outputs_url(programme)).content.decode()
    assert "Communiqué of the Joint Liaison Council" in html
    assert "Record a communiqué adoption" not in html
    assert client.get(detail_url(adoption)).status_code == 200
    response = client.post(create_url(programme), adoption_form(delivered, programme))
    assert response.status_code == 403
    assert CommuniqueAdoption.objects.count() == 1


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_record_an_adoption_and_read_its_steps(
    request, login, programme, delivered, role
):
    user = request.getfixturevalue(role)
    client = login(user)
    assert "Record a communiqué adoption" in client.get(outputs_url(programme)).content.decode()
    response = client.post(
        create_url(programme), adoption_form(delivered, programme, echoed_steps="3, 2")
    )
    created = CommuniqueAdoption.objects.get()
    assert response.status_code == 302 and response.url == detail_url(created)
    assert created.recorded_by == user and created.echoed_steps == [2, 3]
    html = client.get(detail_url(created)).content.decode()
    assert "The Council welcomes a de-confliction hotline." in html
    assert "Open a de-confliction hotline" in html and "Open crossing 3 for convoys" in html
    assert "Open crossing 1 for convoys" not in html  # step 1 is not echoed
    assert reverse("uptake:document_detail", args=[delivered.public_id]) in html


def test_unknown_or_malformed_ids_are_404(login, facilitator):
    client = login(facilitator)
    assert (
        client.get(reverse("monitoring:communique_detail", args=[uuid.uuid4()])).status_code == 404
    )
    assert client.get("/communiques/not-a-uuid/").status_code == 404
    assert client.get("/programmes/not-a-uuid/outputs/").status_code == 404
    assert client.get(reverse("monitoring:outputs", args=[uuid.uuid4()])).status_code == 404


def test_the_programme_page_links_to_the_outputs_for_the_team_only(
    login, programme, officer, donor
):
    page = reverse("dialogues:programme_detail", args=[programme.public_id])
    assert outputs_url(programme) in login(officer).get(page).content.decode()
    assert outputs_url(programme) not in login(donor).get(page).content.decode()


# --- Pages: what they show ----------------------------------------------------------------


def test_each_figure_is_followed_by_the_records_behind_it_with_links(
    login, programme, world, legal_reviewer
):
    # A reader: no recording form, whose choices would list every delivered version.
    response = login(legal_reviewer).get(
        outputs_url(programme), {"date_from": "2026-04-01", "date_to": "2026-04-30"}
    )
    assert response.status_code == 200
    assert response.context["metrics"] == OutputMetrics(3, 4, 2)
    html = response.content.decode()
    assert "Non-papers delivered: 3" in html and "Pilots agreed: 4" in html
    assert "Communiqué adoptions: 2" in html
    assert reverse("uptake:timeline", args=[world["C"].public_id]) in html
    assert reverse("uptake:pilot_detail", args=[world["p5"].public_id]) in html
    assert reverse("monitoring:communique_detail", args=[world["a3"].public_id]) in html
    for left_out in ("A late March", "D first of May", "p6 stopped", "a4 May", "a5 elsewhere"):
        assert left_out not in html
    assert "H another programme" not in html


def test_the_page_says_what_each_figure_counts(login, programme, officer):
    html = login(officer).get(outputs_url(programme)).content.decode()
    assert "a version 2 delivered after Track I feedback is a delivery of its own" in html
    assert "the figure may be low, never high" in html
    assert "dated by the day it was issued" in html


def test_the_form_offers_only_this_programmes_delivered_non_papers_with_their_steps(
    login, programme, other_programme, dialogue, delivered, facilitator, officer
):
    non_paper(dialogue, facilitator, title="Still a draft")
    aide_memoire(dialogue, facilitator, title="Private handling note")
    deliver(
        non_paper(DialogueFactory(programme=other_programme), facilitator, title="Theirs"),
        facilitator,
    )
    response = login(officer).get(outputs_url(programme))
    field = response.context["adoption_form"].fields["non_paper"]
    assert list(field.queryset) == [delivered]
    html = response.content.decode()
    assert "Open a de-confliction hotline" in html  # the step list beside the form
    assert "Still a draft" not in html and "Private handling note" not in html
    assert "Theirs" not in html


def test_names_are_withheld_from_those_who_may_not_see_identities(
    login, programme, dialogue, facilitator, legal_reviewer
):
    secret = deliver(
        non_paper(
            dialogue,
            facilitator,
            title="After Aung Kyaw Secret spoke",
            steps=[step(1), step(2, text="Ask Aung Kyaw Secret to chair"), step(3)],
        ),
        facilitator,
    )
    created = adopt(programme, secret, adopted_wording="The Council endorses the chair.")
    # Recorded before the person joined the register: the page still withholds the name.
    ParticipantFactory(programme=programme, full_name="Aung Kyaw Secret", aliases="the chair")
    adopt_detail = detail_url(created)
    for url in (outputs_url(programme), adopt_detail):
        html = login(legal_reviewer).get(url).content.decode()
        assert "Aung Kyaw Secret" not in html and "[name withheld]" in html
    html = login(facilitator).get(adopt_detail).content.decode()
    assert "Ask Aung Kyaw Secret to chair" in html


# --- Bad input ----------------------------------------------------------------------------


def test_a_bad_period_is_400_with_the_typed_text_kept(login, programme, officer):
    response = login(officer).get(
        outputs_url(programme), {"date_from": "2026-02-31", "date_to": "soon"}
    )
    assert response.status_code == 400 and response.context["metrics"] is None
    html = response.content.decode()
    assert 'value="2026-02-31"' in html and 'value="soon"' in html
    assert "Enter a valid date." in html and "Correct the period to see the figures." in html


def test_a_reversed_or_far_period_is_400(login, programme, officer):
    client = login(officer)
    reversed_period = {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    response = client.get(outputs_url(programme), reversed_period)
    assert response.status_code == 400
    assert "The “From” date is after the “To” date." in response.content.decode()
    response = client.get(outputs_url(programme), {"date_from": "0001-01-01"})
    assert response.status_code == 400


def test_unreadable_step_numbers_are_400_with_everything_typed_kept(
    login, programme, delivered, officer
):
    response = login(officer).post(
        create_url(programme),
        adoption_form(delivered, programme, echoed_steps="2 and 3", issued_on="2026-02-31"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give step numbers separated by commas, such as 1, 3." in html
    assert 'value="2 and 3"' in html and 'value="2026-02-31"' in html
    assert "The Council welcomes a de-confliction hotline." in html
    assert not CommuniqueAdoption.objects.exists()


def test_a_step_the_version_lacks_is_400_on_its_field(login, programme, delivered, officer):
    response = login(officer).post(
        create_url(programme), adoption_form(delivered, programme, echoed_steps="2, 7")
    )
    assert response.status_code == 400
    form = response.context["adoption_form"]
    assert form.errors["echoed_steps"] == ["This version has steps 1 to 3: 7 is not one of them."]
    assert 'value="2, 7"' in response.content.decode()
    assert not CommuniqueAdoption.objects.exists()


def test_a_name_in_the_wording_is_400_with_the_text_kept(login, programme, delivered, officer):
    ParticipantFactory(programme=programme, full_name="José Ramos")
    response = login(officer).post(
        create_url(programme),
        adoption_form(delivered, programme, adopted_wording="As José Ramos proposed."),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "refer to people by their role, never by name" in html
    assert "As José Ramos proposed." in html  # the writer's own text, for them to fix
    assert not CommuniqueAdoption.objects.exists()


def test_a_forged_non_paper_is_400_not_500(
    login, programme, other_programme, dialogue, facilitator, officer
):
    theirs = deliver(
        non_paper(DialogueFactory(programme=other_programme), facilitator), facilitator
    )
    aide = aide_memoire(dialogue, facilitator)
    client = login(officer)
    for forged in (str(theirs.public_id), str(aide.public_id), "not-a-uuid", ""):
        response = client.post(
            create_url(programme),
            adoption_form(theirs, programme, non_paper=forged, title="Keep this title"),
        )
        assert response.status_code == 400
        assert 'value="Keep this title"' in response.content.decode()
    assert not CommuniqueAdoption.objects.exists()


# --- Query count --------------------------------------------------------------------------


def grow(programme, dialogue, count):
    now, today = timezone.now(), programme_today(programme)
    for n in range(count):
        document = document_row(dialogue, f"Grown non-paper {n}", delivered_at=now)
        pilot_row(
            document,
            f"Grown pilot {n}",
            PilotStatus.STOPPED,
            checked_at=now,
            starts_on=today,
            proof=True,
        )
        adoption_row(programme, document, f"Grown communiqué {n}", today)


@pytest.mark.parametrize("role", ["officer", "legal_reviewer"])
def test_the_outputs_page_runs_the_same_queries_at_1x_and_10x(
    request, login, programme, dialogue, role, django_assert_max_num_queries
):
    # 21 queries for an officer (18 for a legal reviewer, who sees no form): session, user,
    # programme, four permission lookups (view_dialogues twice, user and group rows each),
    # the identity check (two) and the participants (names withheld from both roles), the
    # recorder check (two), the three figures in one query, the records behind them
    # (three), for the officer the delivered non-papers and their steps, the menu's roles
    # and unread notifications, and for the officer the form's choices. None grows with
    # the records.
    client = login(request.getfixturevalue(role))
    url = outputs_url(programme)
    client.get(url)
    grow(programme, dialogue, 1)
    with django_assert_max_num_queries(21) as small:
        assert client.get(url).status_code == 200
    grow(programme, dialogue, 9)
    with django_assert_max_num_queries(21) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["metrics"] == OutputMetrics(10, 10, 10)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_detail_page_runs_a_bounded_number_of_queries(
    login, programme, adoption, legal_reviewer, django_assert_max_num_queries
):
    client = login(legal_reviewer)
    client.get(detail_url(adoption))
    with django_assert_max_num_queries(14):
        assert client.get(detail_url(adoption)).status_code == 200


# --- Demo ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_records_two_adoptions_once_echoing_the_delivered_market_non_paper():
    call_command("load_demo", without_debug=True, verbosity=0)
    first = list(CommuniqueAdoption.objects.values_list("pk", "echoed_steps"))
    call_command("load_demo", without_debug=True, verbosity=0)
    assert list(CommuniqueAdoption.objects.values_list("pk", "echoed_steps")) == first
    assert sorted(steps for _pk, steps in first) == [[1, 2], [3]]
    programme = Programme.objects.get(name=PROGRAMME["name"])
    for adoption in CommuniqueAdoption.objects.select_related("non_paper"):
        assert adoption.programme == programme
        assert adoption.non_paper.status == Status.DELIVERED
        assert adoption.non_paper.is_non_paper and adoption.non_paper.version == 1
        assert adoption.recorded_by.username == "officer"
    # The uptake demo delivers the market non-paper's first version only, and agrees four
    # pilots of which one stops while proposed: three count.
    assert programme_outputs(programme) == OutputMetrics(
        non_papers_delivered=1, pilots_agreed=3, communique_adoptions=2
    )
