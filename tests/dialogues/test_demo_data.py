import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from guardian.models import UserObjectPermission

from dialogues.models import Dialogue, Membership, Programme

pytestmark = pytest.mark.django_db


def counts():
    return (
        Programme.objects.count(),
        Membership.objects.count(),
        Dialogue.objects.count(),
        UserObjectPermission.objects.count(),
    )


def test_loading_the_demo_twice_creates_no_duplicates():
    call_command("load_demo", without_debug=True, verbosity=0)
    first = counts()
    call_command("load_demo", without_debug=True, verbosity=0)
    assert counts() == first
    assert first[0] == 1


def test_demo_has_a_dialogue_in_every_status():
    call_command("load_demo", without_debug=True, verbosity=0)
    statuses = set(Dialogue.objects.values_list("status", flat=True))
    assert statuses == set(Dialogue.Status.values)


@pytest.mark.parametrize("name", ["facilitator", "officer", "legal", "donor", "admin"])
def test_every_demo_user_logs_in_by_name_and_by_email(rf, name):
    call_command("load_demo", without_debug=True, verbosity=0)
    request = rf.post("/accounts/login/")
    assert authenticate(request, username=name, password="parley-demo") is not None
    assert (
        authenticate(request, username=f"{name}@demo.parley.example", password="parley-demo")
        is not None
    )


def test_demo_roles_match_their_names():
    call_command("load_demo", without_debug=True, verbosity=0)
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "facilitator": "facilitator",
        "officer": "officer",
        "legal": "legal",
        "donor": "donor",
    }


def test_no_migration_creates_demo_users(django_user_model):
    assert not django_user_model.objects.filter(username__in=["facilitator", "admin"]).exists()
