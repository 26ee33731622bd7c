import pytest
from django.urls import reverse

from tests.dialogues.factories import UserFactory

LOGIN = "/accounts/login/"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def member(facilitator):
    return facilitator


def test_log_in_by_username(client, member):
    response = client.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dialogues:home")


def test_log_in_by_email_in_any_case(client, member):
    response = client.post(LOGIN, {"username": "FIONA@Example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_a_wrong_password_says_so_and_keeps_the_username(client, member):
    response = client.post(LOGIN, {"username": "fiona", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct" in html
    assert 'value="fiona"' in html


def test_repeated_failures_lock_the_account_even_from_rotating_addresses(client, member, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "fiona", "password": f"guess-{attempt}"},
            REMOTE_ADDR=f"10.0.0.{attempt + 1}",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt + 1}",
        )
    response = client.post(
        LOGIN,
        {"username": "fiona@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.99",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_log_out_is_a_post(login, member):
    client = login(member)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_reset_mails_a_working_link(client, member, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "fiona@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert done.status_code == 302
    assert (
        client.post(LOGIN, {"username": "fiona", "password": "a-new-long-passphrase"}).status_code
        == 302
    )


def test_password_reset_does_not_reveal_who_has_an_account(client, member, mailoutbox):
    known = client.post("/accounts/password_reset/", {"email": "fiona@example.org"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [message.to for message in mailoutbox] == [["fiona@example.org"]]


def test_someone_invited_but_not_yet_in_can_still_ask_for_a_link(client, db, mailoutbox):
    invited = UserFactory(username="ines", email="ines@example.org")
    invited.set_unusable_password()
    invited.save()
    client.post("/accounts/password_reset/", {"email": "ines@example.org"})
    assert [message.to for message in mailoutbox] == [["ines@example.org"]]


def test_weak_passwords_are_refused(login, db):
    user = UserFactory(username="wendy")
    response = login(user).post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This password is too common." in html
