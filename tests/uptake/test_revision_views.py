"""A document's history pages: the revision list, one revision, the comparison of two and
restoring an old text. Who reaches them, unknown numbers, names withheld, query counts."""

import uuid

import pytest
from django.urls import reverse
from django.utils.html import escape

from dialogues.models import Dialogue
from tests.dialogues.factories import DialogueParticipantFactory, ParticipantFactory
from uptake.models import Revision
from uptake.services import documents as services

NAME = "Amal Haddad"
SURNAME = "Haddad"
WITHHELD = "[name withheld]"

STEPS = [
    {
        "text": f"Open checkpoint {n} at dawn",
        "who": "Both liaison offices",
        "when": "Week one",
        "how": "Through the hotline",
        "ladder": 30,
    }
    for n in range(1, 4)
]
CONTENT = {"problem": "Convoys wait for days at the corridor.", "steps": STEPS}


def save(document, actor, *, note="", title=None, **content):
    services.document_save(
        document=document,
        actor=actor,
        base_revision=document.head,
        title=title or document.title,
        content={**CONTENT, **content},
        note=note,
    )
    document.refresh_from_db()
    return document


def draft_non_paper(dialogue, actor, *, title="Corridor non-paper", **content):
    """A non-paper in draft: revision 1 from the package, revision 2 with CONTENT."""
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=actor, title=title)
    return save(document, actor, **content)


def move(document, actor, *statuses):
    for status in statuses:
        services.document_transition(document=document, actor=actor, to_status=status)
    document.refresh_from_db()
    return document


def page(response):
    return response.content.decode()


@pytest.fixture
def amal(dialogue):
    return DialogueParticipantFactory(
        dialogue=dialogue,
        participant=ParticipantFactory(programme=dialogue.programme, full_name=NAME, aliases=""),
    ).participant


@pytest.fixture
def non_paper(dialogue, facilitator, amal):
    """Three revisions: the package's, CONTENT, and a sharper problem."""
    document = draft_non_paper(dialogue, facilitator)
    return save(document, facilitator, problem="Convoys wait nine days.", note="Sharper")


@pytest.fixture
def shared(dialogue, facilitator, amal):
    document = move(
        draft_non_paper(dialogue, facilitator, title="Shared non-paper"),
        facilitator,
        "review",
        "ready",
        "delivered",
    )
    services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    return document


@pytest.fixture
def aide_memoire(dialogue, officer, amal):
    """Started by the officer, its only named reader; two revisions."""
    document = services.aide_memoire_create(dialogue=dialogue, actor=officer, title="Handling")
    services.document_save(
        document=document,
        actor=officer,
        base_revision=1,
        title="Handling",
        content={"sections": [{"title": "Context", "body": "The ministry is wary."}]},
    )
    document.refresh_from_db()
    return document


def history_urls(document):
    public_id = document.public_id
    return {
        "list": reverse("uptake:revision_list", args=[public_id]),
        "detail": reverse("uptake:revision_detail", args=[public_id, 1]),
        "compare": reverse("uptake:revision_compare", args=[public_id]) + "?from=1&to=2",
    }


# --- Access -----------------------------------------------------------------------------

HISTORY_STATUS = {"facilitator": 200, "officer": 200, "legal_reviewer": 200}
RESTORE_STATUS = {"facilitator": 302, "officer": 302, "legal_reviewer": 403}
ROLES = ["facilitator", "officer", "legal_reviewer", "donor", "stranger"]


@pytest.mark.parametrize("name", ["list", "detail", "compare", "restore"])
def test_anonymous_visitors_are_sent_to_log_in(client, non_paper, name):
    if name == "restore":
        response = client.post(reverse("uptake:revision_restore", args=[non_paper.public_id, 1]))
    else:
        response = client.get(history_urls(non_paper)[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    non_paper.refresh_from_db()
    assert non_paper.head == 3


@pytest.mark.parametrize("name", ["list", "detail", "compare"])
@pytest.mark.parametrize("role", ROLES)
def test_the_team_reads_a_non_papers_history_and_nobody_else_learns_of_it(
    request, login, non_paper, name, role
):
    response = login(request.getfixturevalue(role)).get(history_urls(non_paper)[name])
    assert response.status_code == HISTORY_STATUS.get(role, 404)
    if response.status_code == 404:
        assert "Corridor non-paper" not in page(response)


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_restore_an_old_revision(request, login, non_paper, role):
    url = reverse("uptake:revision_restore", args=[non_paper.public_id, 2])
    response = login(request.getfixturevalue(role)).post(url)
    expected = RESTORE_STATUS.get(role, 404)
    assert response.status_code == expected
    non_paper.refresh_from_db()
    assert non_paper.head == (4 if expected == 302 else 3)


@pytest.mark.parametrize("name", ["list", "detail", "compare"])
def test_a_donor_reading_a_shared_non_paper_gets_404_on_its_history(login, donor, shared, name):
    client = login(donor)
    assert client.get(reverse("uptake:document_detail", args=[shared.public_id])).status_code == 200
    assert client.get(history_urls(shared)[name]).status_code == 404


def test_a_donor_cannot_restore_a_shared_non_paper(login, donor, shared):
    url = reverse("uptake:revision_restore", args=[shared.public_id, 1])
    assert login(donor).post(url).status_code == 404


@pytest.mark.parametrize("name", ["list", "detail", "compare"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("officer", 200),  # named
        ("facilitator", 403),  # leads, not named
        ("legal_reviewer", 404),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_only_named_readers_read_an_aide_memoires_history(
    request, login, aide_memoire, name, role, status
):
    response = login(request.getfixturevalue(role)).get(history_urls(aide_memoire)[name])
    assert response.status_code == status
    assert ("Handling" in page(response)) == (status == 200)


def test_restore_refuses_get(login, facilitator, non_paper):
    url = reverse("uptake:revision_restore", args=[non_paper.public_id, 1])
    assert login(facilitator).get(url).status_code == 405


# --- Unknown ids and numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/documents/not-a-uuid/revisions/",
        "/documents/not-a-uuid/revisions/1/",
        "/documents/not-a-uuid/revisions/compare/?from=1&to=2",
    ],
)
def test_a_malformed_document_id_is_404(login, facilitator, url):
    assert login(facilitator).get(url).status_code == 404


def test_an_unknown_document_is_404_on_every_history_page(login, facilitator):
    client = login(facilitator)
    missing = uuid.uuid4()
    assert client.get(reverse("uptake:revision_list", args=[missing])).status_code == 404
    assert client.get(reverse("uptake:revision_detail", args=[missing, 1])).status_code == 404
    url = reverse("uptake:revision_compare", args=[missing]) + "?from=1&to=2"
    assert client.get(url).status_code == 404
    assert client.post(reverse("uptake:revision_restore", args=[missing, 1])).status_code == 404


@pytest.mark.parametrize("number", [0, 4, 99999999999])
def test_an_unknown_revision_number_is_404(login, facilitator, non_paper, number):
    client = login(facilitator)
    url = reverse("uptake:revision_detail", args=[non_paper.public_id, number])
    assert client.get(url).status_code == 404
    restore = reverse("uptake:revision_restore", args=[non_paper.public_id, number])
    assert client.post(restore).status_code == 404
    non_paper.refresh_from_db()
    assert non_paper.head == 3


@pytest.mark.parametrize(
    "query",
    ["", "?from=1", "?to=2", "?from=1&to=9", "?from=abc&to=2", "?from=1&to=", "?from=-1&to=2"],
)
def test_comparing_with_a_missing_or_unknown_number_is_404(login, facilitator, non_paper, query):
    url = reverse("uptake:revision_compare", args=[non_paper.public_id]) + query
    assert login(facilitator).get(url).status_code == 404


def test_a_number_only_another_document_has_is_404(login, officer, non_paper, aide_memoire):
    # The non-paper has a third revision; the aide-mémoire, which the officer reads, has two.
    url = reverse("uptake:revision_detail", args=[aide_memoire.public_id, 3])
    assert login(officer).get(url).status_code == 404


# --- The pages --------------------------------------------------------------------------


def test_the_revision_list_shows_every_revision_with_author_and_note(
    login, legal_reviewer, facilitator, non_paper
):
    html = page(
        login(legal_reviewer).get(reverse("uptake:revision_list", args=[non_paper.public_id]))
    )
    for number in (1, 2, 3):
        assert reverse("uptake:revision_detail", args=[non_paper.public_id, number]) in html
    assert "Drafted from the package" in html
    assert "Sharper" in html
    assert escape(facilitator.get_full_name()) in html
    assert "(current)" in html


def test_an_old_revision_shows_its_own_text(login, officer, non_paper):
    html = page(
        login(officer).get(reverse("uptake:revision_detail", args=[non_paper.public_id, 2]))
    )
    assert "Convoys wait for days at the corridor." in html
    assert "Convoys wait nine days." not in html
    assert "Restore this text" in html


def test_the_current_revision_offers_no_restore_and_readers_never_do(
    login, officer, legal_reviewer, non_paper
):
    current = reverse("uptake:revision_detail", args=[non_paper.public_id, 3])
    assert "Restore this text" not in page(login(officer).get(current))
    old = reverse("uptake:revision_detail", args=[non_paper.public_id, 2])
    assert "Restore this text" not in page(login(legal_reviewer).get(old))


def test_comparing_two_revisions_shows_what_was_removed_and_added(login, officer, non_paper):
    url = reverse("uptake:revision_compare", args=[non_paper.public_id]) + "?from=2&to=3"
    response = login(officer).get(url)
    html = page(response)
    assert response.status_code == 200
    assert "Revision 2 against revision 3" in html
    assert '<li class="diff-removed">' in html
    assert "Convoys wait for days at the corridor." in html
    assert '<li class="diff-added">' in html
    assert "Convoys wait nine days." in html


def test_comparing_a_revision_with_itself_says_the_texts_are_the_same(login, officer, non_paper):
    url = reverse("uptake:revision_compare", args=[non_paper.public_id]) + "?from=3&to=3"
    assert "The two revisions hold the same text." in page(login(officer).get(url))


def test_restoring_makes_a_new_revision_with_the_old_text(login, officer, non_paper):
    client = login(officer)
    response = client.post(
        reverse("uptake:revision_restore", args=[non_paper.public_id, 2]), follow=True
    )
    assert "Revision 2 is the current text again, as revision 4." in page(response)
    non_paper.refresh_from_db()
    restored = Revision.objects.get(document=non_paper, number=4)
    assert non_paper.head == 4
    assert restored.restored_from == 2
    assert restored.author == officer
    assert restored.content["problem"] == "Convoys wait for days at the corridor."
    # History is never rewritten.
    assert Revision.objects.get(document=non_paper, number=3).content["problem"] == (
        "Convoys wait nine days."
    )
    history = page(client.get(reverse("uptake:revision_list", args=[non_paper.public_id])))
    assert "(restores 2)" in history


def test_restoring_a_delivered_text_is_refused_with_a_message(login, facilitator, shared):
    response = login(facilitator).post(
        reverse("uptake:revision_restore", args=[shared.public_id, 1]), follow=True
    )
    assert "This version was delivered: its text is frozen." in page(response)
    shared.refresh_from_db()
    assert shared.head == 2


# --- Names withheld ---------------------------------------------------------------------


@pytest.fixture
def named_history(dialogue, facilitator, amal):
    """A non-paper whose title, second revision and its note name Amal; the third removes
    her from the text (not from the title)."""
    document = draft_non_paper(
        dialogue,
        facilitator,
        title=f"Talks with {NAME}",
        problem=f"{NAME} says convoys wait for days.",
    )
    return save(document, facilitator, problem="Convoys wait for days.", note=f"Took out {NAME}")


@pytest.mark.parametrize("role", ["officer", "legal_reviewer"])
def test_an_officer_or_reviewer_without_identity_reads_name_withheld_in_the_history(
    request, login, named_history, role
):
    client = login(request.getfixturevalue(role))
    public_id = named_history.public_id
    for url in [
        reverse("uptake:revision_list", args=[public_id]),
        reverse("uptake:revision_detail", args=[public_id, 2]),
        reverse("uptake:revision_compare", args=[public_id]) + "?from=2&to=3",
    ]:
        response = client.get(url)
        html = page(response)
        assert response.status_code == 200, url
        assert WITHHELD in html, url
        assert NAME not in html, url
        assert SURNAME not in html, url
    detail = page(client.get(reverse("uptake:revision_detail", args=[public_id, 2])))
    assert f"{WITHHELD} says convoys wait for days." in detail


def test_the_facilitator_reads_the_names_in_the_history(login, facilitator, named_history):
    url = reverse("uptake:revision_detail", args=[named_history.public_id, 2])
    assert f"{NAME} says convoys wait for days." in page(login(facilitator).get(url))


def test_a_dialogue_title_naming_a_participant_is_withheld_on_the_history_pages(
    login, officer, dialogue, non_paper
):
    Dialogue.objects.filter(pk=dialogue.pk).update(title=f"Corridor talks with {NAME}")
    client = login(officer)
    for url in history_urls(non_paper).values():
        html = page(client.get(url))
        assert f"Corridor talks with {WITHHELD}" in html, url
        assert NAME not in html, url


# --- Query counts -----------------------------------------------------------------------

# Measured at 1x; the officer's page adds the roster, whose names are withheld from them.
LIST_QUERIES = {"facilitator": 10, "officer": 11}


@pytest.mark.parametrize("times", [1, 10])
@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_the_revision_list_runs_the_same_queries_at_1x_and_10x(
    request, login, facilitator, officer, dialogue, django_assert_max_num_queries, times, role
):
    for _ in range(times):
        DialogueParticipantFactory(dialogue=dialogue)
    document = draft_non_paper(dialogue, facilitator)
    for n in range(times * 3):
        author = officer if n % 2 else facilitator
        save(document, author, problem=f"Problem, take {n}", note=f"Take {n}")
        services.comment_add(document=document, actor=author, body=f"Remark {n}")
    client = login(request.getfixturevalue(role))
    url = reverse("uptake:revision_list", args=[document.public_id])
    assert client.get(url).status_code == 200  # warm the content-type caches
    # 10: Django session, user; the document with dialogue and programme; the chokepoint's
    # check (two); the identity check (two); [the roster, for the officer]; the revisions
    # with their authors; the menu's roles and unread notifications.
    with django_assert_max_num_queries(LIST_QUERIES[role]):
        response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    assert all(f"Take {n}<" in html for n in range(times * 3))
    assert html.count('name="from"') == times * 3 + 2
