import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogues.models import Dialogue
from tests.dialogues.factories import DialogueFactory

HOME = "/"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_facilitators_land_on_their_dialogues(login, facilitator, dialogue, other_programme):
    DialogueFactory(programme=other_programme, title="Someone else's dialogue")
    html = login(facilitator).get(HOME).content.decode()
    assert "Your dialogues" in html
    assert "Corridor triggers" in html
    assert "Someone else&#x27;s dialogue" not in html
    assert "My dialogues" in html  # the navigation speaks to the role


def test_programme_officers_land_on_the_programme_overview(login, officer, programme, dialogue):
    DialogueFactory(programme=programme, status=Dialogue.Status.CLOSED)
    html = login(officer).get(HOME).content.decode()
    assert "Programme overview" in html
    assert programme.name in html
    assert "2 dialogues" in html
    assert "Design 1" in html and "Closed 1" in html


def test_legal_reviewers_land_on_what_awaits_review(login, legal_reviewer, programme):
    DialogueFactory(programme=programme, title="Packaged options", status="packaging")
    DialogueFactory(programme=programme, title="Still designing", status="design")
    html = login(legal_reviewer).get(HOME).content.decode()
    assert "Awaiting your review" in html
    assert "Packaged options" in html
    assert "Still designing" not in html
    # The way to the non-paper versions waiting for their vetting.
    assert reverse("uptake:chain_overview", args=[programme.public_id]) in html


def test_donors_land_on_the_programmes_they_fund_without_any_dialogue_detail(
    login, donor, programme, dialogue
):
    html = login(donor).get(HOME).content.decode()
    assert "Programmes you fund" in html
    assert programme.name in html
    assert dialogue.title not in html
    assert dialogue.problem not in html


def test_someone_on_no_team_is_told_how_to_join(login, db):
    from tests.dialogues.factories import UserFactory

    html = login(UserFactory()).get(HOME).content.decode()
    assert "not on any programme team yet" in html


@pytest.mark.parametrize("role_fixture", ["facilitator", "officer", "legal_reviewer", "donor"])
def test_home_queries_do_not_grow_with_the_data(
    request, login, programme, role_fixture, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(role_fixture))
    DialogueFactory.create_batch(2, programme=programme, status="packaging")
    client.get(HOME)
    # session, user, memberships, the role's own query, navigation roles.
    with django_assert_max_num_queries(8) as at_1x:
        client.get(HOME)
    DialogueFactory.create_batch(20, programme=programme, status="packaging")
    with django_assert_max_num_queries(len(at_1x.captured_queries)):
        client.get(HOME)


def test_programme_list_shows_my_role_in_bounded_queries(
    login, facilitator, programme, django_assert_max_num_queries
):
    client = login(facilitator)
    # session, user, the count, the page with its dialogue counts, the roles there, the
    # menu's roles and unread count; one more on the first request of a process.
    with django_assert_max_num_queries(8):
        html = client.get(reverse("dialogues:programme_list")).content.decode()
    assert programme.name in html
    assert "Facilitator" in html


def test_a_facilitator_on_many_programmes_gets_their_dialogues_a_page_at_a_time(
    login, facilitator, programme, monkeypatch
):
    from dialogues.views import programmes as views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    for title in ("Alpha talks", "Bravo talks", "Charlie talks"):
        DialogueFactory(programme=programme, title=title)
    client = login(facilitator)
    first = client.get(HOME).content.decode()
    assert "Alpha talks" in first and "Bravo talks" in first
    assert "Charlie talks" not in first
    assert "Page 1 of 2" in first and '?page=2" rel="next"' in first
    second = client.get(HOME, {"page": 2}).content.decode()
    assert "Charlie talks" in second and "Alpha talks" not in second


def test_the_programme_list_comes_a_page_at_a_time_by_name(
    login, facilitator, programme, monkeypatch
):
    from dialogues.models import Membership
    from dialogues.services.teams import membership_sync_permissions
    from dialogues.views import programmes as views
    from tests.dialogues.factories import ProgrammeFactory

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    for name in ("Aaron Valley Programme", "Zephyr Coast Programme"):
        membership = Membership.objects.create(
            programme=ProgrammeFactory(name=name), user=facilitator, role="officer"
        )
        membership_sync_permissions(membership=membership)
    client = login(facilitator)
    url = reverse("dialogues:programme_list")
    first = client.get(url).content.decode()
    assert "3 programmes, by name." in first
    assert "Aaron Valley Programme" in first and "Zephyr Coast Programme" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Zephyr Coast Programme" in second and "Programme officer" in second


def _on_programmes(user, role, names):
    from dialogues.models import Membership
    from dialogues.services.teams import membership_sync_permissions
    from tests.dialogues.factories import ProgrammeFactory

    programmes = []
    for name in names:
        programme = ProgrammeFactory(name=name)
        membership = Membership.objects.create(programme=programme, user=user, role=role)
        membership_sync_permissions(membership=membership)
        programmes.append(programme)
    return programmes


@pytest.mark.parametrize("role", ["officer", "legal", "donor"])
def test_home_shows_a_person_s_first_programmes_by_name_and_links_to_the_rest(
    login, db, monkeypatch, role
):
    from dialogues.views import programmes as views
    from tests.dialogues.factories import UserFactory

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    user = UserFactory()
    _on_programmes(user, role, ["Charlie Programme", "Alpha Programme", "Bravo Programme"])
    html = login(user).get(HOME).content.decode()
    assert "Alpha Programme" in html and "Bravo Programme" in html
    assert "Charlie Programme" not in html
    assert "1 more programme: see all your programmes" in html
    assert f'href="{reverse("dialogues:programme_list")}"' in html


def test_a_site_administrator_s_home_lists_the_first_programmes_of_all_and_links_to_the_rest(
    login, db, monkeypatch
):
    from dialogues.views import programmes as views
    from tests.dialogues.factories import ProgrammeFactory, UserFactory

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    for name in ("Charlie Programme", "Alpha Programme", "Bravo Programme"):
        ProgrammeFactory(name=name)
    admin = UserFactory(is_superuser=True, is_staff=True)
    # Signed in verified by an authenticator, as dialogues.second_factor requires of staff.
    admin.otp_device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    html = login(admin).get(HOME).content.decode()
    assert "All programmes (site administrator)" in html
    assert "Alpha Programme" in html and "Bravo Programme" in html
    assert "Charlie Programme" not in html
    assert "1 more programme: see all your programmes" in html


def test_the_review_queue_shows_its_first_dialogues(login, db, monkeypatch):
    from dialogues.views import programmes as views
    from tests.dialogues.factories import UserFactory

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    user = UserFactory()
    [programme] = _on_programmes(user, "legal", ["Alpha Programme"])
    for title in ("Aardvark options", "Badger options", "Cormorant options"):
        DialogueFactory(programme=programme, title=title, status="packaging")
    html = login(user).get(HOME).content.decode()
    assert "Aardvark options" in html and "Badger options" in html
    assert "Cormorant options" not in html
    assert "The first 2, by programme and title" in html


def test_home_withholds_names_in_listed_titles_reading_only_the_listed_programmes_participants(
    login, db, monkeypatch
):
    from dialogues.views import programmes as views
    from tests.dialogues.factories import ParticipantFactory, UserFactory

    reviewer = UserFactory()
    listed, quiet = _on_programmes(reviewer, "legal", ["Alpha Programme", "Bravo Programme"])
    named = ParticipantFactory(programme=listed, full_name="Hollis Varga")
    ParticipantFactory(programme=quiet, full_name="Ines Okafor")
    DialogueFactory(programme=listed, title="Options with Hollis Varga", status="packaging")
    read = []
    real = views.Redactor

    def spying(participants=None, **options):
        participants = None if participants is None else list(participants)
        read.append(participants)
        return real(participants, **options)

    monkeypatch.setattr(views, "Redactor", spying)
    html = login(reviewer).get(HOME).content.decode()
    assert "Hollis Varga" not in html
    assert "Options with [name withheld]" in html
    # Bravo lists no dialogue here: its register is not read.
    assert read == [[named]]
