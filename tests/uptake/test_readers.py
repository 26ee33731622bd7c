"""Naming and removing an aide-mémoire's readers: only team members who are not donors, never
leaving it without a reader, and every change in its log."""

import pytest
from django.core.exceptions import ValidationError

from dialogues.models import Membership
from dialogues.services.teams import membership_add
from tests.dialogues.factories import UserFactory
from tests.uptake.factories import aide_memoire, deliver, non_paper
from uptake.models import DocumentEvent
from uptake.permissions import DocumentAction, document_access
from uptake.services import documents as services
from uptake.services.readers import (
    copy_readers,
    eligible_readers,
    reader_add,
    reader_remove,
    readers_of,
)

NOT_ELIGIBLE = "Choose a member of this programme's team who is not named yet."


@pytest.fixture
def document(dialogue, facilitator):
    return aide_memoire(dialogue, facilitator)


def _usernames(users):
    return [user.username for user in users]


def test_the_writer_of_an_aide_memoire_is_its_first_reader(document, facilitator):
    assert readers_of(document) == [facilitator]


def test_team_members_other_than_donors_and_readers_already_named_are_eligible(
    programme, document, facilitator, officer, legal_reviewer, donor, stranger
):
    inactive = UserFactory(username="ivy")
    membership_add(
        programme=programme,
        email=inactive.email,
        role=Membership.Role.PROGRAMME_OFFICER,
        actor=facilitator,
    )
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    eligible = eligible_readers(document)

    assert {u.pk for u in eligible} == {officer.pk, legal_reviewer.pk}


def test_naming_a_reader_lets_them_read_and_is_logged(document, facilitator, legal_reviewer):
    assert document_access(legal_reviewer, document) == set()

    reader_add(document=document, actor=facilitator, user=legal_reviewer)

    assert {u.pk for u in readers_of(document)} == {facilitator.pk, legal_reviewer.pk}
    assert DocumentAction.READ in document_access(legal_reviewer, document)
    assert legal_reviewer not in eligible_readers(document)
    event = document.events.get(kind=DocumentEvent.Kind.READER_ADDED)
    assert (event.actor, event.actor_name) == (
        facilitator,
        f"{facilitator.get_full_name()} (fiona)",
    )
    assert event.detail == f"{legal_reviewer.get_full_name()} (lena)"


@pytest.mark.parametrize("who", ["donor", "stranger", "facilitator"])
def test_donors_outsiders_and_readers_already_named_cannot_be_named(
    request, document, facilitator, who
):
    user = request.getfixturevalue(who)

    with pytest.raises(ValidationError) as refused:
        reader_add(document=document, actor=facilitator, user=user)

    assert refused.value.message_dict == {"user": [NOT_ELIGIBLE]}
    assert readers_of(document) == [facilitator]
    assert not document.events.filter(kind=DocumentEvent.Kind.READER_ADDED).exists()


def test_a_deactivated_member_cannot_be_named(document, facilitator, officer):
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        reader_add(document=document, actor=facilitator, user=officer)


def test_removing_a_reader_stops_them_reading_and_is_logged(document, facilitator, officer):
    reader_add(document=document, actor=facilitator, user=officer)

    reader_remove(document=document, actor=facilitator, user=officer)

    assert readers_of(document) == [facilitator]
    assert document_access(officer, document) == set()
    assert officer in eligible_readers(document)
    event = document.events.get(kind=DocumentEvent.Kind.READER_REMOVED)
    assert event.actor == facilitator
    assert event.detail == f"{officer.get_full_name()} (otto)"


def test_the_last_reader_cannot_be_removed(document, facilitator, officer):
    with pytest.raises(ValidationError, match="Name another reader first"):
        reader_remove(document=document, actor=facilitator, user=facilitator)
    assert readers_of(document) == [facilitator]

    # With a second reader the first can go, and then the second is the last.
    reader_add(document=document, actor=facilitator, user=officer)
    reader_remove(document=document, actor=facilitator, user=facilitator)
    with pytest.raises(ValidationError, match="Name another reader first"):
        reader_remove(document=document, actor=facilitator, user=officer)
    assert readers_of(document) == [officer]


def test_someone_not_named_cannot_be_removed(document, facilitator, officer):
    with pytest.raises(ValidationError, match="not named on this document"):
        reader_remove(document=document, actor=facilitator, user=officer)
    assert not document.events.filter(kind=DocumentEvent.Kind.READER_REMOVED).exists()


def test_a_non_paper_has_no_named_readers(dialogue, facilitator, officer):
    paper = non_paper(dialogue, facilitator)
    with pytest.raises(ValidationError, match="Only an aide-mémoire"):
        reader_add(document=paper, actor=facilitator, user=officer)
    with pytest.raises(ValidationError, match="Only an aide-mémoire"):
        reader_remove(document=paper, actor=facilitator, user=facilitator)


def test_readers_are_listed_by_name(document, facilitator, officer, legal_reviewer):
    officer.first_name, officer.last_name = "Aaron", "Zed"
    officer.save()
    legal_reviewer.first_name, legal_reviewer.last_name = "Zoe", "Abel"
    legal_reviewer.save()
    facilitator.first_name, facilitator.last_name = "Mia", "Moss"
    facilitator.save()
    reader_add(document=document, actor=facilitator, user=legal_reviewer)
    reader_add(document=document, actor=facilitator, user=officer)

    assert _usernames(readers_of(document)) == ["otto", "fiona", "lena"]


def test_readers_of_one_aide_memoire_are_not_readers_of_another(
    dialogue, document, facilitator, officer
):
    other = aide_memoire(dialogue, facilitator, title="Other")
    reader_add(document=document, actor=facilitator, user=officer)

    assert readers_of(other) == [facilitator]
    assert document_access(officer, other) == set()


def test_copying_readers_names_everyone_named_on_the_source(
    dialogue, document, facilitator, officer, legal_reviewer
):
    reader_add(document=document, actor=facilitator, user=officer)
    target = aide_memoire(dialogue, legal_reviewer, title="Target")

    copy_readers(source=document, target=target)

    assert {u.pk for u in readers_of(target)} == {facilitator.pk, officer.pk, legal_reviewer.pk}


def test_a_reader_removed_before_delivery_does_not_read_the_next_iteration(
    document, facilitator, officer
):
    reader_add(document=document, actor=facilitator, user=officer)
    reader_remove(document=document, actor=facilitator, user=officer)
    deliver(document, facilitator)

    following = services.document_new_iteration(document=document, actor=facilitator)

    assert readers_of(following) == [facilitator]
    assert document_access(officer, following) == set()
