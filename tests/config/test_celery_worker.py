"""A real Celery worker, on whichever broker the settings configure: the filesystem queue by
default, Redis when CELERY_BROKER_URL is set (CI runs both)."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app as celery_app
from dialogues.models import Membership
from dialogues.services.teams import membership_add
from dialogues.tasks import purge_expired_sessions
from tests.dialogues.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_runs_on_the_configured_broker():
    expected = "redis" if settings.CELERY_BROKER_URL.startswith("redis") else "filesystem"
    assert celery_app.connection_for_write().transport_cls == expected
    assert not celery_app.conf.task_always_eager


def test_a_task_runs_in_the_worker_and_returns_its_result(worker):
    Session.objects.create(
        session_key="expired-session-key-0001",
        session_data="",
        expire_date=timezone.now() - timedelta(days=1),
    )
    Session.objects.create(
        session_key="live-session-key-0002",
        session_data="",
        expire_date=timezone.now() + timedelta(days=1),
    )
    result = purge_expired_sessions.delay()
    assert result.get(timeout=30) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live-session-key-0002"]


def test_an_invitation_is_mailed_by_the_worker_after_the_membership_commits(worker, mailoutbox):
    programme = ProgrammeFactory(name="Worker Test Programme")
    admin = UserFactory(username="worker-admin")
    membership, _sent = membership_add(
        programme=programme,
        email="new.person@example.org",
        role=Membership.Role.DONOR,
        actor=admin,
    )
    assert wait_for(lambda: len(mailoutbox) == 1), "the worker sent no invitation"
    message = mailoutbox[0]
    assert message.to == ["new.person@example.org"]
    assert "Worker Test Programme" in message.subject
    assert f"Your username is {membership.user.username}" in message.body
    assert "http://testserver/accounts/invitation/" in message.body
