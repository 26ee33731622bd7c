"""Who may do what on a document: every role on a non-paper and on an aide-mémoire (named or
not), the 404/403 split of the chokepoint, and the list of a dialogue's documents."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm

from dialogues.models import Membership
from dialogues.services.teams import membership_add, membership_change, membership_remove
from tests.dialogues.factories import DialogueFactory, UserFactory
from tests.uptake.factories import aide_memoire, deliver, move, non_paper
from uptake.models import Document
from uptake.permissions import (
    DocumentAction,
    document_access,
    documents_for_user,
    get_document_for_user,
)
from uptake.services import documents as services

A = DocumentAction
Status = Document.Status
ROLES = ["facilitator", "officer", "legal_reviewer", "donor", "stranger"]
READ_PERM = "uptake.read_document"

ON_A_NON_PAPER = {
    "facilitator": {A.READ, A.READ_HISTORY, A.EDIT, A.READ_AUDIT, A.COMMENT, A.OVERRIDE_GUARD},
    "officer": {A.READ, A.READ_HISTORY, A.EDIT, A.READ_AUDIT, A.COMMENT},
    "legal_reviewer": {A.READ, A.READ_HISTORY, A.COMMENT},
    "donor": set(),
    "stranger": set(),
}
ON_AN_AIDE_MEMOIRE_NAMING_THEM = {
    "facilitator": {
        A.READ,
        A.READ_HISTORY,
        A.EDIT,
        A.READ_AUDIT,
        A.OVERRIDE_GUARD,
        A.MANAGE_READERS,
    },
    "officer": {A.READ, A.READ_HISTORY, A.EDIT, A.READ_AUDIT},
    "legal_reviewer": {A.READ, A.READ_HISTORY},
    # A guardian row alone never lets anyone outside the drafting team in.
    "donor": set(),
    "stranger": set(),
}
ON_AN_AIDE_MEMOIRE_NOT_NAMING_THEM = {
    # The facilitator manages its readers without reading it (nor overriding a guard on it).
    "facilitator": {A.MANAGE_READERS},
    "officer": set(),
    "legal_reviewer": set(),
    "donor": set(),
    "stranger": set(),
}


@pytest.fixture
def writer(programme, facilitator):
    """An officer who drafts the aide-mémoires below, so they name nobody else to start with."""
    user = UserFactory(username="wanda")
    membership_add(
        programme=programme,
        email=user.email,
        role=Membership.Role.PROGRAMME_OFFICER,
        actor=facilitator,
    )
    return user


def _user(request, role):
    return request.getfixturevalue(role)


def _status(document, actor, status):
    """Move a draft along the workflow until it reaches `status`."""
    path = list(Status)
    return move(document, actor, *path[1 : path.index(status) + 1])


# The matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_its_part_on_a_non_paper_in_every_status(
    request, dialogue, facilitator, role, status
):
    document = _status(non_paper(dialogue, facilitator), facilitator, status)
    assert document_access(_user(request, role), document) == ON_A_NON_PAPER[role]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_named_on_an_aide_memoire_may_do_its_part(request, dialogue, writer, role):
    document = aide_memoire(dialogue, writer)
    user = _user(request, role)
    assign_perm(READ_PERM, user, document)

    assert document_access(user, document) == ON_AN_AIDE_MEMOIRE_NAMING_THEM[role]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_not_named_on_an_aide_memoire_may_not_read_it(request, dialogue, writer, role):
    document = aide_memoire(dialogue, writer)
    assert (
        document_access(_user(request, role), document)
        == (ON_AN_AIDE_MEMOIRE_NOT_NAMING_THEM[role])
    )


def test_a_donor_reads_a_non_paper_only_once_delivered_and_shareable(dialogue, facilitator, donor):
    document = non_paper(dialogue, facilitator)
    for status in (Status.IN_REVIEW, Status.READY, Status.DELIVERED):
        document = move(document, facilitator, status)
        assert document_access(donor, document) == set()

    services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    document.refresh_from_db()
    assert document_access(donor, document) == {A.READ}

    services.document_set_shareable(document=document, actor=facilitator, shareable=False)
    document.refresh_from_db()
    assert document_access(donor, document) == set()


def test_a_stranger_never_reads_even_a_shared_non_paper(dialogue, facilitator, stranger):
    document = deliver(non_paper(dialogue, facilitator), facilitator)
    services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    document.refresh_from_db()
    assert document_access(stranger, document) == set()


def test_a_donor_never_reads_an_aide_memoire_even_delivered_and_named(dialogue, facilitator, donor):
    document = deliver(aide_memoire(dialogue, facilitator), facilitator)
    assign_perm(READ_PERM, donor, document)
    assert document_access(donor, document) == set()
    with pytest.raises(Http404):
        get_document_for_user(donor, document.public_id)


def test_anonymous_and_deactivated_users_may_do_nothing(dialogue, facilitator):
    document = deliver(non_paper(dialogue, facilitator), facilitator)
    services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    document.refresh_from_db()

    assert document_access(AnonymousUser(), document) == set()
    with pytest.raises(Http404):
        get_document_for_user(AnonymousUser(), document.public_id)

    facilitator.is_active = False
    facilitator.save(update_fields=["is_active"])
    assert document_access(facilitator, document) == set()
    with pytest.raises(Http404):
        get_document_for_user(facilitator, document.public_id)


def test_a_reader_who_leaves_the_team_or_becomes_a_donor_can_no_longer_read(
    programme, dialogue, facilitator, officer, legal_reviewer
):
    document = aide_memoire(dialogue, facilitator)
    assign_perm(READ_PERM, officer, document)
    assign_perm(READ_PERM, legal_reviewer, document)

    membership_remove(
        membership=Membership.objects.get(programme=programme, user=officer), actor=facilitator
    )
    membership_change(
        membership=Membership.objects.get(programme=programme, user=legal_reviewer),
        role=Membership.Role.DONOR,
        is_admin=False,
        actor=facilitator,
    )

    assert document_access(officer, document) == set()
    assert document_access(legal_reviewer, document) == set()


def test_a_prefetched_checker_gives_the_same_answers(dialogue, facilitator, officer):
    paper = non_paper(dialogue, facilitator)
    aide = aide_memoire(dialogue, facilitator)
    checker = ObjectPermissionChecker(officer)
    checker.prefetch_perms([dialogue.programme])
    checker.prefetch_perms([paper, aide])

    assert document_access(officer, paper, checker) == ON_A_NON_PAPER["officer"]
    assert document_access(officer, aide, checker) == set()


# The chokepoint ------------------------------------------------------------------------------


def test_the_chokepoint_returns_the_document_with_its_programme_and_the_allowed_actions(
    dialogue, facilitator, django_assert_num_queries
):
    document = non_paper(dialogue, facilitator)

    found, allowed = get_document_for_user(facilitator, document.public_id, A.EDIT)

    assert found == document
    assert allowed == ON_A_NON_PAPER["facilitator"]
    with django_assert_num_queries(0):
        assert found.dialogue.programme.name == "Lakeshore Access Programme"


def test_a_legal_reviewer_reads_and_comments_on_a_non_paper_but_may_not_edit_it(
    dialogue, facilitator, legal_reviewer
):
    document = non_paper(dialogue, facilitator)

    for action in (A.READ, A.READ_HISTORY, A.COMMENT):
        get_document_for_user(legal_reviewer, document.public_id, action)
    for action in (A.EDIT, A.OVERRIDE_GUARD, A.MANAGE_READERS):
        with pytest.raises(PermissionDenied):
            get_document_for_user(legal_reviewer, document.public_id, action)


def test_an_officer_edits_a_non_paper_but_may_not_override_the_guard(
    dialogue, facilitator, officer
):
    document = non_paper(dialogue, facilitator)
    get_document_for_user(officer, document.public_id, A.EDIT)
    with pytest.raises(PermissionDenied):
        get_document_for_user(officer, document.public_id, A.OVERRIDE_GUARD)


@pytest.mark.parametrize("action", list(A))
def test_a_stranger_gets_404_for_every_action(dialogue, facilitator, stranger, action):
    document = non_paper(dialogue, facilitator)
    with pytest.raises(Http404):
        get_document_for_user(stranger, document.public_id, action)


def test_a_donor_gets_404_for_a_non_paper_not_shared_and_403_for_its_history_once_shared(
    dialogue, facilitator, donor
):
    document = deliver(non_paper(dialogue, facilitator), facilitator)
    with pytest.raises(Http404):
        get_document_for_user(donor, document.public_id)

    services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    found, allowed = get_document_for_user(donor, document.public_id)
    assert (found, allowed) == (document, {A.READ})
    for action in (A.READ_HISTORY, A.COMMENT, A.EDIT):
        with pytest.raises(PermissionDenied):
            get_document_for_user(donor, document.public_id, action)


def test_a_facilitator_not_named_may_manage_an_aide_memoires_readers_but_not_read_it(
    dialogue, writer, facilitator
):
    document = aide_memoire(dialogue, writer)

    get_document_for_user(facilitator, document.public_id, A.MANAGE_READERS)
    for action in (A.READ, A.READ_HISTORY, A.EDIT):
        with pytest.raises(PermissionDenied):
            get_document_for_user(facilitator, document.public_id, action)


def test_an_officer_not_named_on_an_aide_memoire_is_not_told_it_exists(dialogue, writer, officer):
    document = aide_memoire(dialogue, writer)
    for action in A:
        with pytest.raises(Http404):
            get_document_for_user(officer, document.public_id, action)

    assign_perm(READ_PERM, officer, document)
    found, _ = get_document_for_user(officer, document.public_id)
    assert found == document


def test_reading_permission_on_one_aide_memoire_opens_no_other(dialogue, writer, officer):
    named = aide_memoire(dialogue, writer, title="Named")
    other = aide_memoire(dialogue, writer, title="Other")
    assign_perm(READ_PERM, officer, named)

    assert A.READ in document_access(officer, named)
    assert document_access(officer, other) == set()


@pytest.mark.parametrize(
    "public_id", [uuid.uuid4(), str(uuid.uuid4()), "not-a-uuid", "", "123", None]
)
def test_an_unknown_or_malformed_document_id_is_404(dialogue, facilitator, public_id):
    non_paper(dialogue, facilitator)
    with pytest.raises(Http404):
        get_document_for_user(facilitator, public_id)


# The list of a dialogue's documents ------------------------------------------------------------


@pytest.fixture
def documents(dialogue, writer, officer):
    """Two non-papers and three aide-mémoires: one naming the officer, two not."""
    paper = non_paper(dialogue, writer, title="Paper A")
    second = non_paper(dialogue, writer, title="Paper B")
    named = aide_memoire(dialogue, writer, title="Aide named")
    assign_perm(READ_PERM, officer, named)
    hidden = aide_memoire(dialogue, writer, title="Aide hidden")
    hidden_too = aide_memoire(dialogue, writer, title="Aide hidden too")
    # Another dialogue of the same programme: never listed here.
    elsewhere = DialogueFactory(programme=dialogue.programme)
    non_paper(elsewhere, writer, title="Elsewhere")
    aide_memoire(elsewhere, writer, title="Elsewhere aide")
    return {
        "paper": paper,
        "second": second,
        "named": named,
        "hidden": hidden,
        "hidden_too": hidden_too,
    }


def _listed(user, dialogue):
    return [(d.title, d.readable) for d in documents_for_user(user, dialogue)]


def test_an_officer_lists_the_non_papers_and_only_the_aide_memoires_naming_them(
    dialogue, officer, documents
):
    assert _listed(officer, dialogue) == [
        ("Aide named", True),
        ("Paper A", True),
        ("Paper B", True),
    ]


def test_a_legal_reviewer_named_nowhere_lists_only_the_non_papers(
    dialogue, legal_reviewer, documents
):
    assert _listed(legal_reviewer, dialogue) == [("Paper A", True), ("Paper B", True)]


def test_a_facilitator_lists_every_aide_memoire_but_reads_only_those_naming_them(
    dialogue, facilitator, documents
):
    assign_perm(READ_PERM, facilitator, documents["hidden"])

    assert _listed(facilitator, dialogue) == [
        ("Aide hidden", True),
        ("Aide hidden too", False),
        ("Aide named", False),
        ("Paper A", True),
        ("Paper B", True),
    ]


def test_listing_takes_the_same_number_of_queries_for_one_or_ten_aide_memoires(
    dialogue, writer, officer
):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            documents_for_user(officer, dialogue)
        return len(queries)

    first = aide_memoire(dialogue, writer, title="Aide 0")
    assign_perm(READ_PERM, officer, first)
    non_paper(dialogue, writer, title="Paper 0")
    count_queries()  # warms the content-type and global-permission caches
    once = count_queries()
    # The documents; the aide-mémoires naming the user; the user's and their groups'
    # permissions on the programme, in one query (does the user lead its dialogues?).
    assert once == 3

    for number in range(1, 10):
        named = aide_memoire(dialogue, writer, title=f"Aide {number}")
        assign_perm(READ_PERM, officer, named)
        non_paper(dialogue, writer, title=f"Paper {number}")

    assert count_queries() == once
    assert len(documents_for_user(officer, dialogue)) == 20
