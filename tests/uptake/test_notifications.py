"""The in-app notifications: each user's own list with what is unread, opening one, marking
all read, the unread count in the navigation, and which reminder kinds they mute."""

import datetime
import uuid

import pytest
from django.urls import reverse

from tests.uptake.chain_factories_c import delivered_non_paper, due, notification
from uptake.models import Notification, ReminderKind, ReminderMute

pytestmark = pytest.mark.django_db

LIST = reverse("uptake:notification_list")
READ_ALL = reverse("uptake:notifications_read_all")
SETTINGS = reverse("uptake:notification_settings")


@pytest.fixture
def commitment(dialogue, facilitator, officer):
    document = delivered_non_paper(dialogue, facilitator)
    return due(document, datetime.date(2026, 5, 20))


def read_url(item):
    return reverse("uptake:notification_read", args=[item.public_id])


def test_every_notification_page_sends_an_anonymous_visitor_to_log_in(client, commitment, officer):
    item = notification(officer, commitment)
    for method, url in (
        ("get", LIST),
        ("post", read_url(item)),
        ("post", READ_ALL),
        ("get", SETTINGS),
        ("post", SETTINGS),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    item.refresh_from_db()
    assert item.read_at is None


def test_the_list_shows_my_notifications_newest_first_with_the_unread_ones_marked(
    login, commitment, officer, facilitator
):
    older = notification(officer, commitment, title="Older one", read=True)
    newer = notification(officer, commitment, title="Newer one")
    notification(facilitator, commitment, title="Someone else's")
    Notification.objects.filter(pk=older.pk).update(
        created_at=newer.created_at - datetime.timedelta(hours=1)
    )
    html = login(officer).get(LIST).content.decode()
    assert html.index("Newer one") < html.index("Older one")
    assert "Someone else&#x27;s" not in html and "Someone else's" not in html
    assert html.count(">Unread</span>") == 1
    assert 'class="card notification-unread"' in html
    assert read_url(newer) in html


def test_the_list_is_paginated_fifty_at_a_time(login, commitment, officer):
    for number in range(51):
        notification(officer, commitment, title=f"Reminder number {number}")
    client = login(officer)
    first = client.get(LIST).content.decode()
    assert first.count('class="card') == 50
    assert "Page 1 of 2" in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert second.count('class="card') == 1
    # A page that does not exist shows the last one rather than an error.
    assert client.get(LIST, {"page": "nine"}).status_code == 200


def test_opening_my_notification_marks_it_read_and_goes_to_what_it_is_about(
    login, commitment, officer
):
    target = reverse("uptake:document_detail", args=[commitment.document.public_id])
    item = notification(officer, commitment, url=target)
    response = login(officer).post(read_url(item))
    assert response.status_code == 302
    assert response["Location"] == target
    item.refresh_from_db()
    assert item.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil", ""])
def test_a_notification_pointing_off_site_goes_back_to_the_list(login, commitment, officer, url):
    item = notification(officer, commitment, url=url)
    response = login(officer).post(read_url(item), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "The notification is marked as read." in response.content.decode()


def test_someone_elses_notification_or_a_bad_id_is_not_found(
    login, commitment, officer, facilitator, stranger, donor
):
    item = notification(facilitator, commitment)
    for user in (officer, stranger, donor):
        assert login(user).post(read_url(item)).status_code == 404
    item.refresh_from_db()
    assert item.read_at is None
    client = login(officer)
    assert client.post(f"{LIST}not-a-uuid/read/").status_code == 404
    assert client.post(read_url(item).replace(str(item.public_id), "0" * 32)).status_code == 404
    unknown = reverse("uptake:notification_read", args=[uuid.uuid4()])
    assert client.post(unknown).status_code == 404


def test_opening_and_marking_all_read_are_posts_only(login, commitment, officer):
    item = notification(officer, commitment)
    client = login(officer)
    assert client.get(read_url(item)).status_code == 405
    assert client.get(READ_ALL).status_code == 405


def test_marking_all_read_touches_only_my_own(login, commitment, officer, facilitator):
    mine = [notification(officer, commitment) for _ in range(3)]
    theirs = notification(facilitator, commitment)
    response = login(officer).post(READ_ALL, follow=True)
    assert "All your notifications are marked as read." in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    again = login(officer).post(READ_ALL, follow=True)
    assert "You had no unread notifications." in again.content.decode()


def test_the_navigation_shows_how_many_are_unread(login, commitment, officer, facilitator):
    notification(officer, commitment)
    notification(officer, commitment)
    notification(officer, commitment, read=True)
    notification(facilitator, commitment)
    html = login(officer).get(reverse("dialogues:programme_list")).content.decode()
    assert f'<a href="{LIST}" >Notifications <span aria-hidden="true">(2)</span>' in html
    assert '<span class="visually-hidden">(2 unread)</span>' in html
    html = login(officer).get(LIST).content.decode()
    assert f'<a href="{LIST}" aria-current="page">Notifications' in html


def test_someone_with_nothing_unread_sees_zero(login, programme, donor):
    html = login(donor).get(reverse("dialogues:programme_list")).content.decode()
    assert '<span aria-hidden="true">(0)</span>' in html
    assert "(0 unread)" in html


def test_the_settings_page_has_a_labelled_checkbox_per_kind_with_my_muted_ones_ticked(
    login, officer
):
    ReminderMute.objects.create(user=officer, kind=ReminderKind.PILOT_ENDING)
    html = login(officer).get(SETTINGS).content.decode()
    assert "<legend>Do not send me these reminders:</legend>" in html
    for kind in ReminderKind:
        assert f'value="{kind.value}"' in html
        assert str(kind.label) in html
    assert html.count("checked") == 1
    assert 'value="pilot_ending"' in html.split("checked")[0].rsplit("<input", 1)[1]


def test_saving_the_settings_mutes_the_ticked_kinds_and_unmutes_the_rest(login, officer):
    ReminderMute.objects.create(user=officer, kind=ReminderKind.PILOT_ENDING)
    client = login(officer)
    response = client.post(
        SETTINGS,
        {"muted": [ReminderKind.COMMITMENT_DUE_SOON, ReminderKind.SESSION_STARTING]},
        follow=True,
    )
    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    assert set(officer.reminder_mutes.values_list("kind", flat=True)) == {
        ReminderKind.COMMITMENT_DUE_SOON,
        ReminderKind.SESSION_STARTING,
    }
    client.post(SETTINGS, {})
    assert not officer.reminder_mutes.exists()


def test_an_unknown_kind_is_refused_with_the_page_and_the_ticks_kept(login, officer):
    response = login(officer).post(SETTINGS, {"muted": [ReminderKind.PILOT_ENDING, "gossip"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice. gossip is not one of the available choices." in html
    assert 'value="pilot_ending"' in html.split("checked")[0].rsplit("<input", 1)[1]
    assert not officer.reminder_mutes.exists()


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    login, commitment, officer, count, django_assert_max_num_queries
):
    for _ in range(count):
        notification(officer, commitment)
    client = login(officer)
    # Queries: session, user, navigation roles, unread count, page count, the page.
    with django_assert_max_num_queries(6):
        assert client.get(LIST).status_code == 200


def test_someone_who_left_the_team_no_longer_reads_its_notifications(
    login, officer, programme, commitment
):
    from dialogues.models import Membership
    from dialogues.services.teams import membership_remove

    item = notification(officer, commitment, title="Overdue: open crossing 1")
    client = login(officer)
    assert "Overdue: open crossing 1" in client.get(reverse("uptake:notification_list")).text
    membership_remove(
        membership=Membership.objects.get(user=officer, programme=programme), actor=None
    )

    listing = client.get(reverse("uptake:notification_list")).text
    assert "Overdue: open crossing 1" not in listing
    assert "(0 unread)" in listing
    assert client.post(read_url(item)).status_code == 404


def test_no_one_reads_notifications_unsigned_or_deactivated(officer, commitment):
    from django.contrib.auth.models import AnonymousUser

    from uptake.permissions import notifications_for_user

    notification(officer, commitment, title="Overdue: open crossing 1")
    assert notifications_for_user(officer).count() == 1
    assert notifications_for_user(AnonymousUser()).count() == 0
    officer.is_active = False
    officer.save()
    assert notifications_for_user(officer).count() == 0


def test_a_text_written_with_names_is_withheld_once_the_reader_may_no_longer_see_them(
    login, officer, programme, commitment
):
    from dialogues.services.teams import programme_update_settings

    programme_update_settings(programme=programme, actor=None, officers_see_identity=True)
    notification(
        officer,
        commitment,
        title="Overdue: Amal Haddad's crossing",
        body="Amal Haddad carries it.",
        written_with_identity=True,
    )
    client = login(officer)
    assert "Amal Haddad" in client.get(reverse("uptake:notification_list")).text

    programme_update_settings(programme=programme, actor=None, officers_see_identity=False)
    listing = client.get(reverse("uptake:notification_list")).text
    assert "Amal Haddad" not in listing
    assert "A reminder (details withheld)" in listing
