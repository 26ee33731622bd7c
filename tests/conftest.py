"""Named users per role on one programme, plus a stranger who belongs to another."""

import pytest

from dialogues.models import Membership
from dialogues.services.design import dialogue_create
from dialogues.services.teams import membership_add
from tests.dialogues.factories import DialogueFactory, ProgrammeFactory, UserFactory

Role = Membership.Role

# Scans the whole run's log output for participants' names, passwords and session ids.
pytest_plugins = ["tests.assurance.log_capture"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def steady_session_writes(settings):
    # A signed-in request rewrites the session once its last-activity time is a minute old
    # (dialogues.session_limits): on a slow machine a test can pass that mark between two
    # requests and count one query more. Tests of the idle limit set it back themselves.
    settings.SESSION_SEEN_RESOLUTION = 10**9


def _member(programme, role, *, is_admin=False, **user_fields):
    user = UserFactory(**user_fields)
    membership_add(programme=programme, email=user.email, role=role, is_admin=is_admin, actor=None)
    return user


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Lakeshore Access Programme")


@pytest.fixture
def other_programme(db):
    return ProgrammeFactory(name="Hidden Ridge Programme")


@pytest.fixture
def facilitator(programme):
    """A facilitator who is also the programme admin."""
    return _member(programme, Role.FACILITATOR, is_admin=True, username="fiona")


@pytest.fixture
def officer(programme):
    return _member(programme, Role.PROGRAMME_OFFICER, username="otto")


@pytest.fixture
def legal_reviewer(programme):
    return _member(programme, Role.LEGAL_REVIEWER, username="lena")


@pytest.fixture
def donor(programme):
    return _member(programme, Role.DONOR, username="dario")


@pytest.fixture
def stranger(other_programme):
    """A facilitator and admin, but of another programme."""
    return _member(other_programme, Role.FACILITATOR, is_admin=True, username="sam")


@pytest.fixture
def dialogue(programme):
    return DialogueFactory(programme=programme, title="Corridor triggers")


@pytest.fixture
def designed(programme, facilitator):
    """A dialogue made by the design service: its default ground rules and five rounds."""
    return dialogue_create(
        programme=programme, actor=facilitator, title="Corridor triggers", problem="Triggers."
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
