"""Outcome records and the learning log: required fields, links kept within the programme,
no participant named, who reaches each page, bad input, the CSV, query counts."""

import csv
import io
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from monitoring.models import Indicator, LearningEntry, OutcomeRecord
from monitoring.services.indicators import indicator_create
from monitoring.services.outcomes import learning_entry_create, outcome_record_create
from tests.dialogues.factories import DialogueFactory, ParticipantFactory
from uptake.models import Document, Pilot


def make_indicator(programme, name="Humanitarian access hours"):
    return indicator_create(
        programme=programme,
        actor=None,
        name=name,
        definition="Hours per month the corridor stays open.",
        unit="hours",
        direction=Indicator.Direction.UP_IS_GOOD,
        category=Indicator.Category.OUTCOME,
        baseline_value=Decimal("40"),
        baseline_date=date(2024, 12, 1),
    )


def make_document(dialogue, *, kind=Document.Kind.NON_PAPER, title="Corridor non-paper"):
    return Document.objects.create(dialogue=dialogue, kind=kind, title=title)


def make_pilot(document, title="Single crossing pilot"):
    return Pilot.objects.create(
        document=document, title=title, scope="One crossing, one week.", parties="Both offices"
    )


def outcome_texts(**overrides):
    return {
        "change": "The liaison office opened the northern crossing twice a week.",
        "social_actor": "Northern liaison office",
        "observed_on": date(2025, 3, 4),
        "place": "Northern corridor",
        "significance": "First regular crossing in two years.",
        "contribution": "The dialogue drafted the trigger list the office now uses.",
        "sources": "Convoy logs; the office's circular of March.",
        "confidence": OutcomeRecord.Confidence.MEDIUM,
        **overrides,
    }


def record(programme, actor=None, **overrides):
    return outcome_record_create(programme=programme, actor=actor, **outcome_texts(**overrides))


def learning(programme, actor=None, **overrides):
    fields = {
        "failure": "The hotline went unanswered at night: no one was on shift.",
        "assumption": "We assumed both offices staffed the line around the clock.",
        "decision": "Propose a night rota in the next non-paper.",
        **overrides,
    }
    return learning_entry_create(programme=programme, actor=actor, **fields)


# --- Services -----------------------------------------------------------------------------


def test_an_outcome_is_recorded_with_links_of_its_programme(programme, dialogue, officer):
    indicator = make_indicator(programme)
    document = make_document(dialogue)
    pilot = make_pilot(document)
    created = record(
        programme,
        officer,
        indicators=[indicator],
        dialogues=[dialogue],
        documents=[document],
        pilots=[pilot],
    )
    assert created.recorded_by == officer and created.programme == programme
    assert list(created.indicators.all()) == [indicator]
    assert list(created.documents.all()) == [document]
    assert list(created.pilots.all()) == [pilot]


def test_an_outcome_needs_every_harvesting_field(programme):
    with pytest.raises(ValidationError) as error:
        record(programme, change="  ", contribution="", observed_on=None, confidence="sure")
    assert {"change", "contribution", "observed_on", "confidence"} <= set(error.value.message_dict)
    assert not OutcomeRecord.objects.exists()


def test_links_to_another_programme_are_refused(programme, other_programme, dialogue):
    elsewhere = DialogueFactory(programme=other_programme, title="Ridge talks")
    foreign_document = make_document(elsewhere)
    links = {
        "indicators": [make_indicator(other_programme)],
        "dialogues": [elsewhere],
        "documents": [foreign_document],
        "pilots": [make_pilot(foreign_document)],
    }
    for field, objects in links.items():
        with pytest.raises(ValidationError) as error:
            record(programme, **{field: objects})
        assert "of this programme" in error.value.message_dict[field][0]
        with pytest.raises(ValidationError):
            learning(programme, **{field: objects})
    assert not OutcomeRecord.objects.exists() and not LearningEntry.objects.exists()


def test_an_aide_memoire_is_never_linked(programme, dialogue):
    aide = make_document(dialogue, kind=Document.Kind.AIDE_MEMOIRE, title="Handling note")
    with pytest.raises(ValidationError) as error:
        record(programme, documents=[aide])
    assert "non-papers" in error.value.message_dict["documents"][0]


def test_a_participants_name_is_refused_in_outcomes_and_learning(programme, officer):
    ParticipantFactory(programme=programme, full_name="José Ramos", aliases="Pepe")
    with pytest.raises(ValidationError) as error:
        record(programme, officer, sources="Confirmed by jose ramos by phone.")
    assert "refer to people by their role, never by name" in error.value.message_dict["sources"][0]
    with pytest.raises(ValidationError) as error:
        learning(programme, officer, failure="Pepe did not come.")
    assert set(error.value.message_dict) == {"failure"}
    assert not OutcomeRecord.objects.exists() and not LearningEntry.objects.exists()


def test_a_learning_entry_needs_its_three_texts(programme):
    with pytest.raises(ValidationError) as error:
        learning(programme, assumption="", decision=" ")
    assert set(error.value.message_dict) == {"assumption", "decision"}


# --- Pages: access --------------------------------------------------------------------------


def outcome_list_url(programme):
    return reverse("monitoring:outcome_list", args=[programme.public_id])


def learning_list_url(programme):
    return reverse("monitoring:learning_list", args=[programme.public_id])


def csv_url(programme):
    return reverse("monitoring:outcomes_csv", args=[programme.public_id])


def detail_url(outcome):
    return reverse("monitoring:outcome_detail", args=[outcome.public_id])


def outcome_form(**overrides):
    data = {**outcome_texts(observed_on="2025-03-04", confidence="medium"), **overrides}
    return data


def learning_form(**overrides):
    return {
        "failure": "The hotline went unanswered at night.",
        "assumption": "Both offices staffed the line around the clock.",
        "decision": "Propose a night rota.",
        **overrides,
    }


@pytest.fixture
def outcome(programme):
    return record(programme)


def read_urls(programme, outcome):
    return [
        outcome_list_url(programme),
        learning_list_url(programme),
        csv_url(programme),
        detail_url(outcome),
    ]


def write_posts(programme):
    return [
        (reverse("monitoring:outcome_create", args=[programme.public_id]), outcome_form()),
        (reverse("monitoring:learning_create", args=[programme.public_id]), learning_form()),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, programme, outcome):
    for url in read_urls(programme, outcome):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for url, data in write_posts(programme):
        response = client.post(url, data)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_strangers_and_donors_get_404_everywhere(login, programme, outcome, stranger, donor):
    for user in (stranger, donor):
        client = login(user)
        for url in read_urls(programme, outcome):
            assert client.get(url).status_code == 404
        for url, data in write_posts(programme):
            assert client.post(url, data).status_code == 404
    assert OutcomeRecord.objects.count() == 1 and not LearningEntry.objects.exists()


def test_a_legal_reviewer_reads_but_may_not_write(login, programme, outcome, legal_reviewer):
    client = login(legal_reviewer)
    for url in read_urls(programme, outcome):
        assert client.get(url).status_code == 200
    for url, data in write_posts(programme):
        assert client.post(url, data).status_code == 403
    assert OutcomeRecord.objects.count() == 1 and not LearningEntry.objects.exists()
    assert "Record an outcome" not in client.get(outcome_list_url(programme)).content.decode()


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_record_outcomes_and_learning(
    request, login, programme, dialogue, role
):
    user = request.getfixturevalue(role)
    client = login(user)
    document = make_document(dialogue)
    response = client.post(
        reverse("monitoring:outcome_create", args=[programme.public_id]),
        outcome_form(documents=[str(document.public_id)], dialogues=[str(dialogue.public_id)]),
    )
    created = OutcomeRecord.objects.get()
    assert response.status_code == 302 and response.url == detail_url(created)
    assert created.recorded_by == user and list(created.documents.all()) == [document]
    html = client.get(detail_url(created)).content.decode()
    assert "Northern liaison office" in html and "Non-paper v1: Corridor non-paper" in html
    response = client.post(
        reverse("monitoring:learning_create", args=[programme.public_id]), learning_form()
    )
    assert response.status_code == 302 and response.url == learning_list_url(programme)
    assert "Propose a night rota." in client.get(learning_list_url(programme)).content.decode()


def test_unknown_or_malformed_ids_are_404(login, facilitator):
    client = login(facilitator)
    assert client.get(reverse("monitoring:outcome_detail", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/outcomes/not-a-uuid/").status_code == 404
    assert client.get("/programmes/not-a-uuid/outcomes/").status_code == 404
    assert client.get("/programmes/not-a-uuid/learning/").status_code == 404
    unknown = reverse("monitoring:outcome_list", args=[uuid.uuid4()])
    assert client.get(unknown).status_code == 404


def test_link_choices_hide_names_from_those_who_may_not_see_identities(
    login, programme, dialogue, officer, legal_reviewer
):
    ParticipantFactory(programme=programme, full_name="Aung Kyaw Secret")
    document = make_document(dialogue, title="Notes after Aung Kyaw Secret spoke")
    record(programme, documents=[document])
    html = login(legal_reviewer).get(outcome_list_url(programme)).content.decode()
    assert "Aung Kyaw Secret" not in html and "Notes after" in html


def test_links_offered_are_only_the_programmes_own(
    login, programme, other_programme, dialogue, officer
):
    make_document(dialogue, title="Our non-paper")
    make_document(dialogue, kind=Document.Kind.AIDE_MEMOIRE, title="Private handling note")
    make_document(DialogueFactory(programme=other_programme), title="Their non-paper")
    html = login(officer).get(outcome_list_url(programme)).content.decode()
    assert "Our non-paper" in html
    assert "Private handling note" not in html and "Their non-paper" not in html


# --- Bad input ------------------------------------------------------------------------------


def test_an_incomplete_outcome_is_400_with_the_text_kept(login, programme, officer):
    url = reverse("monitoring:outcome_create", args=[programme.public_id])
    response = login(officer).post(
        url, outcome_form(contribution="", observed_on="2025-02-31", place="Crossing 4")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Crossing 4"' in html and 'value="2025-02-31"' in html
    assert "Enter a valid date." in html and "This field is required." in html
    assert not OutcomeRecord.objects.exists()


def test_a_name_in_an_outcome_is_400_with_the_text_kept(login, programme, officer):
    ParticipantFactory(programme=programme, full_name="José Ramos")
    url = reverse("monitoring:outcome_create", args=[programme.public_id])
    response = login(officer).post(url, outcome_form(sources="Told by José Ramos"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "refer to people by their role, never by name" in html
    assert "Told by José Ramos" in html  # the writer's own text, kept for them to fix
    assert not OutcomeRecord.objects.exists()


def test_a_forged_link_is_400_not_500(login, programme, other_programme, officer):
    foreign = make_document(DialogueFactory(programme=other_programme))
    url = reverse("monitoring:learning_create", args=[programme.public_id])
    client = login(officer)
    for forged in (str(foreign.public_id), "not-a-uuid"):
        response = client.post(url, learning_form(documents=[forged], decision="Keep this"))
        assert response.status_code == 400
        assert "Keep this" in response.content.decode()
    assert not LearningEntry.objects.exists()


# --- CSV ------------------------------------------------------------------------------------


def test_the_csv_lists_outcomes_newest_first_with_formulas_defused(
    login, programme, dialogue, facilitator
):
    indicator = make_indicator(programme)
    record(programme, social_actor="Water board", observed_on=date(2025, 1, 10))
    record(
        programme,
        facilitator,
        social_actor="=Northern office",
        confidence="high",
        indicators=[indicator],
        dialogues=[dialogue],
    )
    response = login(facilitator).get(csv_url(programme))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "When",
        "Who changed",
        "What changed",
        "Where",
        "Significance",
        "Contribution",
        "Sources and substantiation",
        "Confidence",
        "Links",
    ]
    assert [row[1] for row in rows[1:]] == ["'=Northern office", "Water board"]
    assert rows[1][0] == "2025-03-04" and rows[1][7] == "High"
    assert rows[1][8] == "Humanitarian access hours; Corridor triggers"
    assert rows[2][8] == ""


# --- Query count ----------------------------------------------------------------------------


def grow(programme, dialogue, count):
    for n in range(count):
        indicator = make_indicator(programme, name=f"Indicator {Indicator.objects.count()} {n}")
        document = make_document(dialogue, title=f"Non-paper {n}")
        pilot = make_pilot(document)
        links = {
            "indicators": [indicator],
            "dialogues": [dialogue],
            "documents": [document],
            "pilots": [pilot],
        }
        record(programme, **links)
        learning(programme, **links)


@pytest.mark.parametrize("url_of", [outcome_list_url, learning_list_url])
@pytest.mark.parametrize("role", ["officer", "legal_reviewer"])
def test_the_lists_run_the_same_queries_at_1x_and_10x(
    request, login, programme, dialogue, role, url_of, django_assert_max_num_queries
):
    # 24 queries for an officer (20 for a legal reviewer, who sees no add form): session,
    # user, programme, six permission lookups (view_dialogues and the recorder permissions,
    # user and group rows each), the participants (names withheld from both roles), the
    # entries with their recorders, one per link kind (indicators, dialogues, non-papers and
    # their dialogues, pilots), the recorder check (two), the menu's roles and unread
    # notifications, and the add form's four link choices. None grows with the entries.
    client = login(request.getfixturevalue(role))
    url = url_of(programme)
    client.get(url)
    grow(programme, dialogue, 1)
    with django_assert_max_num_queries(24) as small:
        assert client.get(url).status_code == 200
    grow(programme, dialogue, 9)
    with django_assert_max_num_queries(24) as large:
        response = client.get(url)
    assert response.status_code == 200
    rows = response.context["records" if url_of is outcome_list_url else "entries"]
    assert len(rows) == 10
    assert len(small.captured_queries) == len(large.captured_queries)
