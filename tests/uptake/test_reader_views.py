"""An aide-mémoire's readers page: who reaches it, naming and removing readers, donors never
offered, the last reader kept, and the access log recording who viewed it and when."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape

from dialogues.models import Membership
from dialogues.services.teams import membership_add
from tests.dialogues.factories import UserFactory
from uptake.models import DocumentEvent
from uptake.services import documents as services
from uptake.services import readers

BODY = "The ministry is wary of the northern ford."


def page(response):
    return response.content.decode()


def readers_url(document):
    return reverse("uptake:reader_list", args=[document.public_id])


def remove_url(document):
    return reverse("uptake:reader_remove", args=[document.public_id])


def detail_url(document):
    return reverse("uptake:document_detail", args=[document.public_id])


def named(document):
    return set(document.documentuserobjectpermission_set.values_list("user__username", flat=True))


@pytest.fixture
def aide_memoire(dialogue, facilitator):
    """Started by the facilitator, its only named reader."""
    document = services.aide_memoire_create(
        dialogue=dialogue, actor=facilitator, title="Handling the corridor"
    )
    services.document_save(
        document=document,
        actor=facilitator,
        base_revision=1,
        title="Handling the corridor",
        content={"sections": [{"title": "Context", "body": BODY}]},
    )
    document.refresh_from_db()
    return document


@pytest.fixture
def officer_named(aide_memoire, facilitator, officer):
    readers.reader_add(document=aide_memoire, actor=facilitator, user=officer)
    return aide_memoire


# --- Access -----------------------------------------------------------------------------

ROLES = ["facilitator", "officer", "legal_reviewer", "donor", "stranger"]
# The readers page of an aide-mémoire only the facilitator is named on.
READERS_STATUS = {"facilitator": 200, "officer": 404, "legal_reviewer": 404}


def test_anonymous_visitors_are_sent_to_log_in(client, aide_memoire, officer, facilitator):
    for response in [
        client.get(readers_url(aide_memoire)),
        client.post(readers_url(aide_memoire), {"user": officer.pk}),
        client.post(remove_url(aide_memoire), {"user": facilitator.pk}),
    ]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert named(aide_memoire) == {"fiona"}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_facilitator_reaches_the_readers_page(request, login, aide_memoire, role):
    response = login(request.getfixturevalue(role)).get(readers_url(aide_memoire))
    assert response.status_code == READERS_STATUS.get(role, 404)
    if response.status_code == 404:
        assert "Handling the corridor" not in page(response)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_facilitator_names_or_removes_readers(
    request, login, aide_memoire, legal_reviewer, facilitator, role
):
    client = login(request.getfixturevalue(role))
    added = client.post(readers_url(aide_memoire), {"user": legal_reviewer.pk})
    expected = 302 if role == "facilitator" else READERS_STATUS.get(role, 404)
    assert added.status_code == expected
    assert named(aide_memoire) == ({"fiona", "lena"} if expected == 302 else {"fiona"})
    removed = client.post(remove_url(aide_memoire), {"user": facilitator.pk})
    assert removed.status_code == expected
    assert named(aide_memoire) == ({"lena"} if expected == 302 else {"fiona"})


def test_a_named_officer_reads_the_aide_memoire_but_may_not_manage_its_readers(
    login, officer, officer_named, legal_reviewer
):
    client = login(officer)
    assert client.get(detail_url(officer_named)).status_code == 200
    assert client.get(readers_url(officer_named)).status_code == 403
    response = client.post(readers_url(officer_named), {"user": legal_reviewer.pk})
    assert response.status_code == 403
    assert client.post(remove_url(officer_named), {"user": officer.pk}).status_code == 403
    assert named(officer_named) == {"fiona", "otto"}


def test_a_non_paper_has_no_readers_page(login, facilitator, dialogue):
    document = services.non_paper_create_from_package(
        dialogue=dialogue, actor=facilitator, title="Open non-paper"
    )
    client = login(facilitator)
    assert client.get(readers_url(document)).status_code == 403
    assert client.post(remove_url(document), {"user": facilitator.pk}).status_code == 403


def test_an_unknown_or_malformed_document_is_404(login, facilitator):
    client = login(facilitator)
    missing = uuid.uuid4()
    assert client.get(reverse("uptake:reader_list", args=[missing])).status_code == 404
    assert client.post(reverse("uptake:reader_remove", args=[missing])).status_code == 404
    assert client.get("/documents/not-a-uuid/readers/").status_code == 404


@pytest.mark.parametrize("user", ["", "abc", "999999"])
def test_removing_an_unknown_user_is_404(login, facilitator, aide_memoire, user):
    response = login(facilitator).post(remove_url(aide_memoire), {"user": user})
    assert response.status_code == 404
    assert named(aide_memoire) == {"fiona"}


def test_removing_the_last_reader_is_refused_with_a_message(login, facilitator, aide_memoire):
    client = login(facilitator)
    response = client.post(remove_url(aide_memoire), {"user": facilitator.pk}, follow=True)
    assert "Name another reader first: an aide-mémoire needs one." in page(response)
    assert named(aide_memoire) == {"fiona"}
    assert client.get(detail_url(aide_memoire)).status_code == 200


def test_removing_someone_not_named_is_refused_with_a_message(
    login, facilitator, aide_memoire, officer
):
    response = login(facilitator).post(remove_url(aide_memoire), {"user": officer.pk}, follow=True)
    assert "That person is not named on this document." in page(response)


# --- Naming readers ---------------------------------------------------------------------


def test_a_team_member_named_by_the_facilitator_can_then_read(
    login, facilitator, officer, aide_memoire
):
    officer_client = login(officer)
    assert officer_client.get(detail_url(aide_memoire)).status_code == 404
    facilitator_client = login(facilitator)
    response = facilitator_client.post(readers_url(aide_memoire), {"user": officer.pk}, follow=True)
    assert f"{escape(officer.get_full_name())} can now read this aide-mémoire." in page(response)
    assert named(aide_memoire) == {"fiona", "otto"}
    officer_client = login(officer)
    response = officer_client.get(detail_url(aide_memoire))
    assert response.status_code == 200
    assert BODY in page(response)


def test_a_named_legal_reviewer_reads_it_but_does_not_edit_it(
    login, facilitator, legal_reviewer, aide_memoire
):
    login(facilitator).post(readers_url(aide_memoire), {"user": legal_reviewer.pk})
    client = login(legal_reviewer)
    assert BODY in page(client.get(detail_url(aide_memoire)))
    edit = reverse("uptake:document_edit", args=[aide_memoire.public_id])
    assert client.get(edit).status_code == 403


def test_donors_are_never_offered_nor_accepted_as_readers(
    login, facilitator, donor, officer, aide_memoire
):
    client = login(facilitator)
    html = page(client.get(readers_url(aide_memoire)))
    assert f'<option value="{officer.pk}">' in html
    assert f'<option value="{donor.pk}">' not in html
    assert escape(donor.get_full_name()) not in html
    assert "(dario)" not in html
    response = client.post(readers_url(aide_memoire), {"user": donor.pk})
    assert response.status_code == 400
    assert "Select a valid choice." in page(response)
    assert named(aide_memoire) == {"fiona"}
    assert login(donor).get(detail_url(aide_memoire)).status_code == 404


def test_someone_off_the_programme_is_never_accepted_as_a_reader(
    login, facilitator, stranger, aide_memoire
):
    response = login(facilitator).post(readers_url(aide_memoire), {"user": stranger.pk})
    assert response.status_code == 400
    assert named(aide_memoire) == {"fiona"}
    assert login(stranger).get(detail_url(aide_memoire)).status_code == 404


def test_once_everyone_eligible_is_named_the_page_says_so(
    login, facilitator, officer, legal_reviewer, donor, aide_memoire
):
    client = login(facilitator)
    for user in (officer, legal_reviewer):
        client.post(readers_url(aide_memoire), {"user": user.pk})
    html = page(client.get(readers_url(aide_memoire)))
    assert "Everyone on the team who may be named already is." in html


def test_a_facilitator_who_removes_themself_still_manages_readers_but_no_longer_reads(
    login, facilitator, officer, officer_named
):
    client = login(facilitator)
    client.post(remove_url(officer_named), {"user": facilitator.pk})
    assert named(officer_named) == {"otto"}
    assert client.get(detail_url(officer_named)).status_code == 403
    response = client.get(readers_url(officer_named))
    assert response.status_code == 200
    assert BODY not in page(response)
    assert login(officer).get(detail_url(officer_named)).status_code == 200


# --- The access log ---------------------------------------------------------------------


def test_the_access_log_records_who_viewed_the_aide_memoire_and_when(
    login, facilitator, officer, officer_named
):
    assert login(officer).get(detail_url(officer_named)).status_code == 200
    event = DocumentEvent.objects.get(document=officer_named, kind=DocumentEvent.Kind.VIEWED)
    assert event.actor == officer
    assert event.revision_number == officer_named.head
    html = page(login(facilitator).get(readers_url(officer_named)))
    when = format_date(timezone.localtime(event.at), "j M Y, H:i:s")
    row = f"<tr><td>{when}</td><td>{escape(officer.get_full_name())} (otto)</td><td>Viewed</td>"
    assert row in html
    # Naming the officer was logged too.
    assert "Named a reader" in html


def test_a_refused_look_is_not_logged_as_a_view(login, legal_reviewer, facilitator, aide_memoire):
    assert login(legal_reviewer).get(detail_url(aide_memoire)).status_code == 404
    assert not DocumentEvent.objects.filter(kind=DocumentEvent.Kind.VIEWED).exists()


def test_viewing_a_non_paper_is_not_logged_per_view(login, officer, dialogue, facilitator):
    document = services.non_paper_create_from_package(
        dialogue=dialogue, actor=facilitator, title="Open non-paper"
    )
    assert login(officer).get(detail_url(document)).status_code == 200
    assert not DocumentEvent.objects.filter(kind=DocumentEvent.Kind.VIEWED).exists()


# --- Query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("times", [1, 10])
def test_the_readers_page_runs_the_same_queries_at_1x_and_10x(
    login, programme, facilitator, aide_memoire, django_assert_max_num_queries, times
):
    for n in range(times):
        user = UserFactory(username=f"member{n}")
        membership_add(
            programme=programme,
            email=user.email,
            role=Membership.Role.PROGRAMME_OFFICER,
            is_admin=False,
            actor=None,
        )
        readers.reader_add(document=aide_memoire, actor=facilitator, user=user)
        UserFactory(username=f"candidate{n}")
        membership_add(
            programme=programme,
            email=f"candidate{n}@example.org",
            role=Membership.Role.LEGAL_REVIEWER,
            is_admin=False,
            actor=None,
        )
        client = login(user)
        client.get(detail_url(aide_memoire))
    client = login(facilitator)
    url = readers_url(aide_memoire)
    assert client.get(url).status_code == 200  # warm the content-type caches
    # 14: Django session, user; the document with dialogue and programme; the chokepoint's
    # checks on the programme and on the document (two each); the named readers (to leave
    # them out of the candidates); the programme's members; the identity check (two); the
    # named readers (for the page); the menu's roles; the log.
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    assert all(f"(member{n})" in html for n in range(times))
    assert all(f"(candidate{n})" not in html for n in range(times))
    assert html.count("<td>Viewed</td>") == times
