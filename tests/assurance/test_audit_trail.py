"""The audit trail (dialogues.audit): every create, change and delete of a sensitive row is
recorded with its actor, time and change, whichever way it is made (Parley's pages, Django
admin, a management command, a cascade), and the history pages are read only by whom they
should be, with identities withheld as on the live pages.

Each operation below is made the way a person makes it (a request as the user, an admin form
as a superuser, call_command), then `_check` looks for its historical row: the kind, the
actor, a time within the operation, and for a change the fields it changed. The figure (models
audited, operations checked, unrecorded changes) is printed at the end of the run."""

import sys
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import UserObjectPermission

from dialogues import permissions
from dialogues.audit import audit_context
from dialogues.models import (
    DialogueParticipant,
    Membership,
    Participant,
    Programme,
    RuleAcknowledgement,
)
from dialogues.services import participants as participant_services
from dialogues.services.teams import membership_add
from tests.assurance import figures
from tests.dialogues.factories import UserFactory
from tests.uptake.chain_factories_a import ready_non_paper
from tests.uptake.factories import aide_memoire, non_paper, save
from uptake.models import Document, DocumentUserObjectPermission, Revision, Vetting
from uptake.models.chain import VettingClearance

Role = Membership.Role


def today():
    # Read at each use, not once at import: a run that crosses midnight would
    # otherwise date 'tomorrow' on what is by then today.
    return timezone.localdate()


CHECKED = {"operations": 0, "unrecorded": 0, "models": set()}


def _audited_models():
    """The models whose rows the trail keeps (not simple-history's own historical models)."""
    return [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]


def _record_figure():
    audited = len(_audited_models())
    figures.record(
        "Audit trail",
        f"{audited} models audited; {CHECKED['operations']} operations checked on "
        f"{len(CHECKED['models'])} of them (Parley's pages, Django admin, management "
        f"commands, cascades): {CHECKED['unrecorded']} unrecorded changes",
    )


def _check(model, kind, *, actor, since, where, changed=(), reason=None):
    """Assert that historical rows of `model` matching `where` (field lookups on the
    historical model), of `kind` ("+", "~", "-"), were written after `since`, each by `actor`,
    and that together they changed `changed` (one admin save writes a row for the form and one
    per many-to-many field it sets). Returns the latest."""
    CHECKED["operations"] += 1
    CHECKED["models"].add(model._meta.label)
    rows = list(
        model.history.filter(history_type=kind, history_date__gte=since, **where).order_by(
            "history_date", "history_id"
        )
    )
    problem = None
    if not rows:
        problem = f"no {kind} record of {model._meta.label} {where}"
    else:
        delta, now = set(), timezone.now()
        for record in rows:
            if record.history_user != actor:
                problem = f"{model._meta.label} {kind}: actor {record.history_user}, not {actor}"
            elif not since <= record.history_date <= now:
                problem = f"{model._meta.label} {kind}: time {record.history_date} out of range"
            elif reason is not None and record.history_change_reason != reason:
                problem = f"{model._meta.label} {kind}: reason {record.history_change_reason!r}"
            previous = record.prev_record
            if previous is not None:
                delta |= set(record.diff_against(previous).changed_fields)
        if problem is None and not set(changed) <= delta:
            problem = f"{model._meta.label} {kind}: changed {delta}, expected {changed}"
    if problem:
        CHECKED["unrecorded"] += 1
    _record_figure()
    assert problem is None, problem
    return rows[-1]


@pytest.fixture
def person(programme, facilitator):
    return participant_services.participant_create(
        programme=programme,
        actor=facilitator,
        full_name="Amina Yusuf",
        email="amina@example.org",
        category=Participant.Category.COMMUNITY_VOICE,
        gender=Participant.Gender.WOMAN,
    )


@pytest.fixture
def entry(designed, person, facilitator):
    return participant_services.dialogue_invite_participant(
        dialogue=designed, participant=person, actor=facilitator
    )


def test_every_sensitive_model_is_audited():
    sensitive = {
        "dialogues.Participant",
        "dialogues.DialogueParticipant",
        "dialogues.RuleAcknowledgement",
        "dialogues.Membership",
        "dialogues.Programme",
        "auth.User",
        "auth.Group",
        "guardian.UserObjectPermission",
        "guardian.GroupObjectPermission",
        "uptake.Document",
        "uptake.DocumentUserObjectPermission",
        "uptake.Revision",
        "uptake.Vetting",
        "uptake.VettingClearance",
    }
    assert sensitive <= {model._meta.label for model in _audited_models()}


# --- Parley's pages: the actor is the signed-in user ------------------------------------------


def test_participants_created_and_changed_on_the_pages_are_recorded(login, facilitator, programme):
    client = login(facilitator)
    since = timezone.now()
    client.post(
        reverse("dialogues:participant_create", args=[programme.public_id]),
        {"full_name": "Karim Nassar", "category": "expert", "gender": "man"},
    )
    karim = Participant.objects.get(full_name="Karim Nassar")
    created = _check(Participant, "+", actor=facilitator, since=since, where={"id": karim.pk})
    assert created.full_name == "Karim Nassar"
    since = timezone.now()
    response = client.post(
        reverse("dialogues:participant_edit", args=[programme.public_id, karim.public_id]),
        {
            "full_name": "Karim A. Nassar",
            "phone": "+1 555 0100",
            "category": "expert",
            "gender": "man",
        },
    )
    assert response.status_code == 302
    _check(
        Participant,
        "~",
        actor=facilitator,
        since=since,
        where={"id": karim.pk},
        changed={"full_name", "phone"},
    )


def test_invitations_consent_and_acknowledgements_are_recorded(
    login, officer, designed, person, entry
):
    client = login(officer)
    since = timezone.now()
    prefix = f"consent-{entry.public_id}"
    client.post(
        reverse("dialogues:roster_record_consent", args=[designed.public_id, entry.public_id]),
        {f"{prefix}-given_on": today().isoformat(), f"{prefix}-scope": "Taking part"},
    )
    _check(
        DialogueParticipant,
        "~",
        actor=officer,
        since=since,
        where={"id": entry.pk},
        changed={"consent_given_on", "consent_scope", "consent_recorded_by"},
    )
    since = timezone.now()
    client.post(
        reverse("dialogues:roster_set_status", args=[designed.public_id, entry.public_id]),
        {f"status-{entry.public_id}-status": "confirmed"},
    )
    _check(
        DialogueParticipant,
        "~",
        actor=officer,
        since=since,
        where={"id": entry.pk},
        changed={"status"},
    )
    rule = designed.ground_rules.first()
    url = reverse("dialogues:acknowledgements_save", args=[designed.public_id, entry.public_id])
    eid = entry.public_id
    since = timezone.now()
    client.post(url, {f"{eid}-rules": [str(rule.public_id)], f"{eid}-acknowledged_on": today()})
    where = {"rule_id": rule.pk, "dialogue_participant_id": entry.pk}
    _check(RuleAcknowledgement, "+", actor=officer, since=since, where=where)
    since = timezone.now()
    client.post(url, {f"{eid}-acknowledged_on": today()})  # no rule ticked: withdrawn
    assert not RuleAcknowledgement.objects.exists()
    _check(RuleAcknowledgement, "-", actor=officer, since=since, where=where)


def test_inviting_someone_is_recorded(login, officer, designed, person):
    since = timezone.now()
    login(officer).post(
        reverse("dialogues:roster_invite", args=[designed.public_id]),
        {"participant": str(person.public_id)},
    )
    entry = DialogueParticipant.objects.get(participant=person)
    _check(DialogueParticipant, "+", actor=officer, since=since, where={"id": entry.pk})


def _programme_grants(programme, user):
    return {
        "content_type": ContentType.objects.get_for_model(Programme),
        "object_pk": str(programme.pk),
        "user_id": user.pk,
    }


def test_team_changes_and_the_permissions_they_grant_are_recorded(login, facilitator, programme):
    client = login(facilitator)
    newcomer = UserFactory(username="nadia")
    since = timezone.now()
    client.post(
        reverse("dialogues:team", args=[programme.public_id]),
        {"email": newcomer.email, "role": Role.LEGAL_REVIEWER},
    )
    membership = Membership.objects.get(user=newcomer)
    _check(Membership, "+", actor=facilitator, since=since, where={"id": membership.pk})
    grants = _programme_grants(programme, newcomer)
    _check(UserObjectPermission, "+", actor=facilitator, since=since, where=grants)

    since = timezone.now()
    client.post(
        reverse("dialogues:member_change", args=[programme.public_id, membership.public_id]),
        {
            f"{membership.public_id}-role": Role.LEGAL_REVIEWER,
            f"{membership.public_id}-identity_granted": "on",
        },
    )
    _check(
        Membership,
        "~",
        actor=facilitator,
        since=since,
        where={"id": membership.pk},
        changed={"identity_granted"},
    )
    granted = _check(UserObjectPermission, "+", actor=facilitator, since=since, where=grants)
    assert granted.permission.codename == permissions.VIEW_IDENTITY

    since = timezone.now()
    client.post(
        reverse("dialogues:member_remove", args=[programme.public_id, membership.public_id])
    )
    assert not Membership.objects.filter(user=newcomer).exists()
    _check(Membership, "-", actor=facilitator, since=since, where={"id": membership.pk})
    _check(UserObjectPermission, "-", actor=facilitator, since=since, where=grants)


def test_programme_settings_that_grant_identity_access_are_recorded(login, facilitator, programme):
    since = timezone.now()
    login(facilitator).post(
        reverse("dialogues:programme_settings", args=[programme.public_id]),
        {
            "name": programme.name,
            "country": programme.country,
            "time_zone": "UTC",
            "officers_see_identity": "on",
        },
    )
    _check(
        Programme,
        "~",
        actor=facilitator,
        since=since,
        where={"id": programme.pk},
        changed={"officers_see_identity"},
    )


def test_documents_revisions_and_readers_are_recorded(
    login, facilitator, officer, legal_reviewer, dialogue
):
    client = login(officer)
    since = timezone.now()
    client.post(
        reverse("uptake:aide_memoire_create", args=[dialogue.public_id]), {"title": "Quiet"}
    )
    document = Document.objects.get(title="Quiet")
    _check(Document, "+", actor=officer, since=since, where={"id": document.pk})
    _check(Revision, "+", actor=officer, since=since, where={"document_id": document.pk})
    readers = {"content_object_id": document.pk}
    _check(DocumentUserObjectPermission, "+", actor=officer, since=since, where=readers)

    since = timezone.now()
    client.post(reverse("uptake:document_move", args=[document.public_id]), {"to": "review"})
    _check(Document, "~", actor=officer, since=since, where={"id": document.pk}, changed={"status"})

    # The facilitator names a reader, and takes them off again.
    named = {**readers, "user_id": legal_reviewer.pk}
    manager = login(facilitator)
    since = timezone.now()
    manager.post(
        reverse("uptake:reader_list", args=[document.public_id]), {"user": legal_reviewer.pk}
    )
    _check(DocumentUserObjectPermission, "+", actor=facilitator, since=since, where=named)
    since = timezone.now()
    manager.post(
        reverse("uptake:reader_remove", args=[document.public_id]), {"user": legal_reviewer.pk}
    )
    _check(DocumentUserObjectPermission, "-", actor=facilitator, since=since, where=named)


def test_vetting_verdicts_and_the_clearance_are_recorded(
    login, facilitator, legal_reviewer, dialogue
):
    ready = ready_non_paper(dialogue, facilitator)
    client = login(legal_reviewer)
    url = reverse("uptake:vetting", args=[ready.public_id])
    since = timezone.now()
    for framework in Vetting.Framework.values:
        data = {"framework": framework, "step_index": "", "verdict": "cleared", "notes": ""}
        assert client.post(url, data).status_code == 302
    where = {"document_id": ready.pk, "framework": "ihl"}
    _check(Vetting, "+", actor=legal_reviewer, since=since, where=where)
    _check(VettingClearance, "+", actor=legal_reviewer, since=since, where={"document": ready})

    since = timezone.now()
    data = {"framework": "ihl", "step_index": "", "verdict": "blocked", "notes": "Not yet."}
    assert client.post(url, data).status_code == 302
    _check(
        Vetting, "~", actor=legal_reviewer, since=since, where=where, changed={"verdict", "notes"}
    )
    _check(VettingClearance, "-", actor=legal_reviewer, since=since, where={"document": ready})


def test_saving_a_document_records_the_revision_and_the_new_head(login, officer, dialogue):
    document = non_paper(dialogue, officer)
    since = timezone.now()
    client = login(officer)
    url = reverse("uptake:revision_restore", args=[document.public_id, 1])
    assert client.post(url).status_code == 302
    _check(Document, "~", actor=officer, since=since, where={"id": document.pk}, changed={"head"})
    _check(
        Revision,
        "+",
        actor=officer,
        since=since,
        where={"document_id": document.pk, "number": 3},
    )


# --- Django admin ------------------------------------------------------------------------------


class _FormValues(HTMLParser):
    """The values a browser would submit from an admin change form, as it stands."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _form_values(client, url):
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    return parser.data


@pytest.fixture
def site_admin(client, db):
    """A superuser signed in to Django admin with a confirmed second factor (harmless where
    admin does not ask for one)."""
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


def test_account_flags_and_groups_changed_in_django_admin_are_recorded(client, site_admin):
    target = UserFactory(username="victor")
    auditors = Group.objects.create(name="auditors")
    url = reverse("admin:auth_user_change", args=[target.pk])
    data = _form_values(client, url)
    data.update(is_staff=["on"], is_superuser=["on"], groups=[str(auditors.pk)])
    since = timezone.now()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    _check(
        get_user_model(),
        "~",
        actor=site_admin,
        since=since,
        where={"id": target.pk},
        changed={"is_staff", "is_superuser"},
    )
    changed_groups = target.history.filter(history_date__gte=since).latest()
    assert [row.group for row in changed_groups.groups.all()] == [auditors]
    # The admin's history page is the trail, and shows what changed.
    html = client.get(reverse("admin:auth_user_history", args=[target.pk])).content.decode()
    assert "root" in html
    assert "Staff status:</strong> False → True" in html


def test_a_group_made_in_django_admin_is_recorded(client, site_admin):
    since = timezone.now()
    response = client.post(reverse("admin:auth_group_add"), {"name": "reviewers"})
    assert response.status_code == 302
    group = Group.objects.get(name="reviewers")
    _check(Group, "+", actor=site_admin, since=since, where={"id": group.pk})


def test_identity_access_changed_in_django_admin_is_recorded_and_regranted(
    client, site_admin, programme, facilitator, officer
):
    url = reverse("admin:dialogues_programme_change", args=[programme.pk])
    assert not permissions.may_see_identity(officer, programme)
    for wanted in (True, False):
        data = _form_values(client, url)
        data["officers_see_identity"] = ["on"] if wanted else []
        since = timezone.now()
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        _check(
            Programme,
            "~",
            actor=site_admin,
            since=since,
            where={"id": programme.pk},
            changed={"officers_see_identity"},
        )
        # Hole found: admin saved the flag without re-granting officers' permissions, so
        # unticking it left them reading names.
        assert permissions.may_see_identity(officer, programme) is wanted
        change = "+" if wanted else "-"
        _check(
            UserObjectPermission,
            change,
            actor=site_admin,
            since=since,
            where=_programme_grants(programme, officer),
        )


def test_deleting_a_programme_in_django_admin_records_each_row_it_takes_along(
    client, site_admin, other_programme, stranger
):
    person = Participant.objects.create(
        programme=other_programme,
        code="P-900",
        full_name="Rahel Haile",
        category=Participant.Category.OTHER,
        gender=Participant.Gender.WOMAN,
    )
    membership = Membership.objects.get(user=stranger)
    since = timezone.now()
    response = client.post(
        reverse("admin:dialogues_programme_delete", args=[other_programme.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    _check(Programme, "-", actor=site_admin, since=since, where={"id": other_programme.pk})
    _check(Participant, "-", actor=site_admin, since=since, where={"id": person.pk})
    _check(Membership, "-", actor=site_admin, since=since, where={"id": membership.pk})


# --- Management commands and code outside any request ------------------------------------------


def test_a_management_command_records_the_operator_and_itself(db):
    operator = UserFactory(username="ops", email="ops@example.org")
    since = timezone.now()
    call_command("load_demo", without_debug=True, actor="ops@example.org", verbosity=0)
    participant = Participant.objects.order_by("pk").first()
    for model, where in (
        (Participant, {"id": participant.pk}),
        (Membership, {}),
        (DialogueParticipant, {}),
        (Document, {}),
        (Revision, {}),
        (Vetting, {}),
    ):
        _check(model, "+", actor=operator, since=since, where=where, reason="manage.py load_demo")


def test_a_command_refuses_an_actor_it_cannot_name_before_changing_anything(db):
    with pytest.raises(CommandError, match="names no active account"):
        call_command("load_demo", without_debug=True, actor="nobody", verbosity=0)
    assert not Participant.history.exists()


def test_django_s_own_commands_are_recorded_with_the_command_as_reason(db, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["manage.py", "createsuperuser"])
    since = timezone.now()
    call_command("createsuperuser", interactive=False, username="newroot", email="r@example.org")
    created = _check(
        get_user_model(),
        "+",
        actor=None,
        since=since,
        where={"username": "newroot"},
        reason="manage.py createsuperuser",
    )
    assert created.is_superuser


def test_code_run_with_an_audit_context_records_its_actor(programme, facilitator, person):
    since, person_id = timezone.now(), person.pk
    with audit_context(actor=facilitator, reason="data repair #12"):
        person.delete()
    _check(
        Participant,
        "-",
        actor=facilitator,
        since=since,
        where={"id": person_id},
        reason="data repair #12",
    )


def test_a_sign_in_is_not_recorded_as_a_change_to_the_account(client, officer):
    before = officer.history.count()
    client.force_login(officer)  # stamps last_login, as every sign-in does
    officer.refresh_from_db()
    assert officer.last_login is not None
    assert officer.history.count() == before


# --- The history pages --------------------------------------------------------------------------


def _participant_history_url(programme, person):
    return reverse("dialogues:participant_history", args=[programme.public_id, person.public_id])


def _team_history_url(programme):
    return reverse("dialogues:team_history", args=[programme.public_id])


def _document_history_url(document):
    return reverse("uptake:document_history", args=[document.public_id])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("facilitator", 200),
        ("officer", 200),
        ("legal_reviewer", 403),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_history_pages_are_for_facilitators_and_officers(
    request, login, programme, facilitator, person, dialogue, role, status
):
    document = non_paper(dialogue, facilitator)
    client = login(request.getfixturevalue(role))
    for url in (
        _participant_history_url(programme, person),
        _team_history_url(programme),
        _document_history_url(document),
    ):
        assert client.get(url).status_code == status, url


def test_anonymous_visitors_are_sent_to_log_in(client, programme, person):
    response = client.get(_participant_history_url(programme, person))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_officer_without_identity_access_reads_codes_never_names(
    login, programme, facilitator, officer, person
):
    participant_services.participant_update(
        participant=person,
        actor=facilitator,
        full_name="Amina Y. Yusuf",
        email="amina.yusuf@example.org",
        category=person.category,
        gender=person.gender,
    )
    url = _participant_history_url(programme, person)
    html = login(officer).get(url).content.decode()
    assert person.code in html
    for secret in ("Amina", "Yusuf", "amina@example.org", "amina.yusuf@example.org"):
        assert secret not in html
    assert "withheld" in html
    # Who may see identities reads the change itself.
    html = login(facilitator).get(url).content.decode()
    assert "Amina Yusuf" in html and "Amina Y. Yusuf" in html


def test_the_consent_scope_is_withheld_from_readers_without_identity_access(
    login, programme, facilitator, officer, person, entry
):
    participant_services.dialogue_participant_record_consent(
        entry=entry, given_on=today(), scope="No photos of Amina Yusuf", actor=facilitator
    )
    html = login(officer).get(_participant_history_url(programme, person)).content.decode()
    assert "Amina" not in html
    assert "No photos" not in html


def test_a_document_s_history_passes_the_name_guard(
    login, programme, facilitator, officer, dialogue
):
    participant_services.participant_create(
        programme=programme,
        actor=facilitator,
        full_name="Rahel Haile",
        category=Participant.Category.OTHER,
        gender=Participant.Gender.WOMAN,
    )
    document = aide_memoire(dialogue, officer)
    with audit_context(actor=facilitator):
        save(document, officer, title="Talks with Rahel Haile", note="Rahel Haile agreed")
    html = login(officer).get(_document_history_url(document)).content.decode()
    assert "Rahel" not in html
    assert "Revision 3" in html


def test_the_team_history_shows_who_granted_what(login, programme, facilitator, officer):
    html = login(officer).get(_team_history_url(programme)).content.decode()
    assert "otto" in html
    assert "See dialogues, participants and the actor map" in html
    assert "Granted" in html


def test_history_pages_are_linked_from_the_pages_they_describe(
    login, programme, facilitator, person, dialogue
):
    document = non_paper(dialogue, facilitator)
    client = login(facilitator)
    pages = {
        reverse("dialogues:participant_detail", args=[programme.public_id, person.public_id]): (
            _participant_history_url(programme, person)
        ),
        reverse("uptake:document_detail", args=[document.public_id]): _document_history_url(
            document
        ),
        reverse("dialogues:team", args=[programme.public_id]): _team_history_url(programme),
        reverse("dialogues:programme_detail", args=[programme.public_id]): _team_history_url(
            programme
        ),
    }
    for page, link in pages.items():
        assert link in client.get(page).content.decode(), page


def _queries(client, url, django_assert_max_num_queries):
    client.get(url)  # warm the session
    with django_assert_max_num_queries(40) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_history_pages_run_the_same_queries_however_long_the_history(
    login, programme, facilitator, officer, person, entry, dialogue, django_assert_max_num_queries
):
    document = non_paper(dialogue, facilitator)
    client = login(facilitator)
    urls = (
        _participant_history_url(programme, person),
        _team_history_url(programme),
        _document_history_url(document),
    )
    short = [_queries(client, url, django_assert_max_num_queries) for url in urls]
    for n in range(10):
        participant_services.participant_update(
            participant=person,
            actor=facilitator,
            full_name=f"Amina Yusuf {n}",
            category=person.category,
            gender=person.gender,
        )
        participant_services.dialogue_participant_record_consent(
            entry=entry, given_on=today(), scope=f"Scope {n}", actor=facilitator
        )
        membership_add(
            programme=programme,
            email=f"extra{n}@example.org",
            role=Role.LEGAL_REVIEWER,
            actor=facilitator,
        )
        save(document, facilitator, note=f"Pass {n}")
    long = [_queries(client, url, django_assert_max_num_queries) for url in urls]
    assert long == short
