"""A participant's records on request: everything held about them exported, and their
identity erased everywhere, history tables included, while aggregates keep working.

The participant's name, an alias, their e-mail and phone are written into the places a team
fills in (consent scope, session notes, an aide-mémoire's title and text, a red line, an
evidence summary, another participant's contact notes), through the models' own saves, so
the audit trail's history copies them too. After the erasure every text column of every
table in the database is searched for them.
"""

import datetime
import json

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Attendance, DialogueParticipant, GroundRule, RuleAcknowledgement
from dialogues.services import participants as participant_services
from dialogues.services.participant_records import ERASURE_REASON, identity_erasure
from monitoring.models import RedLine
from monitoring.services.activity import programme_activity
from tests.assurance import figures
from tests.assurance.database_state import tabled_models
from tests.dialogues.factories import ParticipantFactory, SessionFactory
from tests.uptake.factories import aide_memoire

NAME = "Zephyrine Okonkwo-Baptiste"
ALIASES = ["Zeph Okonkwo", "The Baroness"]
EMAIL = "zeph.ob@example.net"
PHONE = "+256 700 123 456"
SECRETS = (NAME, *ALIASES, EMAIL, PHONE)


@pytest.fixture
def person(programme, facilitator, dialogue):
    """The participant, registered and then corrected through the services (two historical
    rows holding their identity), confirmed on the roster with consent, present at a
    session, having acknowledged a ground rule, and named in the team's texts."""
    registered = participant_services.participant_create(
        programme=programme,
        actor=facilitator,
        full_name="Zephyrine Okonkwo",
        aliases=ALIASES[0],
        affiliation="Lakeside Elders Forum",
        email=EMAIL,
        phone=PHONE,
        contact_notes="Call after six.",
        category="community",
        gender="woman",
        region="Lakeshore",
        languages="Luganda, English",
        is_authoritative_proxy=False,
    )
    registered = participant_services.participant_update(
        participant=registered,
        actor=facilitator,
        full_name=NAME,
        aliases="\n".join(ALIASES),
    )
    place = participant_services.dialogue_invite_participant(
        dialogue=dialogue, participant=registered, actor=facilitator
    )
    place = participant_services.dialogue_participant_record_consent(
        entry=place,
        given_on=datetime.date(2026, 1, 5),
        scope=f"{NAME} agrees to take part; no photos of The Baroness.",
        actor=facilitator,
    )
    participant_services.dialogue_participant_set_status(
        entry=place, status=DialogueParticipant.Status.CONFIRMED, actor=facilitator
    )
    session = SessionFactory(
        dialogue=dialogue,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-2),
    )
    session.notes = f"zeph okonkwo spoke of the crossing; reach her on {PHONE}."
    session.save()
    Attendance.objects.create(
        session=session, dialogue_participant=place, status=Attendance.Status.PRESENT
    )
    rule = GroundRule.objects.create(
        dialogue=dialogue, kind=GroundRule.Kind.CHATHAM_HOUSE, title="Chatham House", text="."
    )
    RuleAcknowledgement.objects.create(
        rule=rule, dialogue_participant=place, acknowledged_on=datetime.date(2026, 1, 6)
    )
    aide_memoire(
        dialogue,
        facilitator,
        title="Handling note on The Baroness",
        sections=[{"title": "Context", "body": f"{NAME} ({EMAIL}) asked for discretion."}],
    )
    RedLine.objects.create(
        programme=programme, statement=f"Never seat {NAME} beside the envoy.", harm="Her safety."
    )
    other = ParticipantFactory(programme=programme, code="P-050", full_name="Ulrich Brandvold")
    other.contact_notes = f"Travels with {ALIASES[1]}."
    other.save()
    return registered


def _text_hits(terms):
    """(table, column, pk) of every text value in the database holding one of `terms`,
    ignoring case: every character, text and JSON column of every model's table."""
    folded = [term.casefold() for term in terms]
    hits, columns = [], 0
    for model in tabled_models():
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        columns += len(fields)
        for field in fields:
            values = model._base_manager.values_list("pk", field.attname)
            for pk, value in values.iterator():
                text = (
                    json.dumps(value, ensure_ascii=False)
                    if field.get_internal_type() == ("JSONField")
                    else str(value or "")
                )
                if any(term in text.casefold() for term in folded):
                    hits.append((model._meta.db_table, field.name, pk))
    return hits, columns


def _url(name, person):
    return reverse(f"dialogues:{name}", args=[person.programme.public_id, person.public_id])


@pytest.mark.django_db
def test_the_export_holds_everything_about_the_participant(login, person, dialogue):
    response = login(person.programme.memberships.get(role="facilitator").user).get(
        _url("participant_export", person)
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert NAME not in response["Content-Disposition"]
    record = json.loads(response.content)
    assert record["identity"]["full_name"] == NAME
    assert record["identity"]["email"] == EMAIL
    assert record["profile"]["region"] == "Lakeshore"
    assert record["dialogues"] == [
        {
            "dialogue": dialogue.title,
            "status": "Confirmed",
            "invited_at": record["dialogues"][0]["invited_at"],
            "consent_given_on": "2026-01-05",
            "consent_scope": f"{NAME} agrees to take part; no photos of The Baroness.",
        }
    ]
    assert [mark["status"] for mark in record["attendance"]] == ["Present"]
    assert [ack["rule"] for ack in record["ground_rules_acknowledged"]] == ["Chatham House"]
    assert len(record["record_history"]) >= 2  # registered, then corrected
    mentioned_in = {(m["table"], m["field"]) for m in record["mentions"]}
    expected = {
        ("dialogues.DialogueParticipant", "consent_scope"),
        ("dialogues.HistoricalDialogueParticipant", "consent_scope"),
        ("dialogues.Session", "notes"),
        ("dialogues.Participant", "contact_notes"),  # someone else's notes
        ("uptake.Document", "title"),
        ("uptake.HistoricalDocument", "title"),
        ("uptake.Revision", "title"),
        ("uptake.Revision", "content"),
        ("monitoring.RedLine", "statement"),
    }
    assert expected <= mentioned_in, expected - mentioned_in
    figures.record(
        "Participant export",
        f"1 participant: identity, {len(record['dialogues'])} dialogue place, "
        f"{len(record['attendance'])} attendance mark, "
        f"{len(record['ground_rules_acknowledged'])} acknowledgement, "
        f"{len(record['mentions'])} mentions in {len(mentioned_in)} columns, "
        f"{len(record['record_history'])} history entries; every seeded place found",
    )


@pytest.mark.django_db
def test_export_and_erase_are_for_facilitators_who_see_identities(
    client, person, officer, legal_reviewer, donor, stranger
):
    for user, status in ((stranger, 404), (donor, 404), (officer, 403), (legal_reviewer, 403)):
        client.force_login(user)
        for name in ("participant_export", "participant_erase"):
            assert client.get(_url(name, person)).status_code == status, (user, name)
        assert client.post(_url("participant_erase", person), {"code": person.code}).status_code
    person.refresh_from_db()
    assert person.full_name == NAME


@pytest.mark.django_db
def test_erasing_removes_the_identity_everywhere_and_keeps_the_aggregates(
    login, person, facilitator, programme, dialogue
):
    hits_before, _columns = _text_hits(SECRETS)
    assert len({table for table, _field, _pk in hits_before}) >= 8, hits_before
    now = timezone.now()
    activity_before = programme_activity(programme, now=now)
    mix_before = participant_services.roster_mix(dialogue.roster.select_related("participant"))
    client = login(facilitator)

    page = client.get(_url("participant_erase", person))
    assert page.status_code == 200
    assert b"cannot be undone" in page.content

    wrong = client.post(_url("participant_erase", person), {"code": "P-999"})
    assert wrong.status_code == 400
    person.refresh_from_db()
    assert person.full_name == NAME

    done = client.post(
        _url("participant_erase", person), {"code": person.code.lower()}, follow=True
    )
    assert done.status_code == 200
    assert NAME.encode() not in done.content

    hits, columns = _text_hits(SECRETS)
    assert hits == []
    person.refresh_from_db()
    assert person.full_name == person.code
    assert person.region == "Lakeshore"
    assert person.dialogue_places.get().consent_given_on == datetime.date(2026, 1, 5)
    assert programme_activity(programme, now=now) == activity_before
    assert (
        participant_services.roster_mix(dialogue.roster.select_related("participant")) == mix_before
    )
    erasure = identity_erasure(person)
    assert erasure.history_user == facilitator
    assert erasure.history_change_reason == ERASURE_REASON
    again = client.post(_url("participant_erase", person), {"code": person.code})
    assert again.status_code == 400  # erased already: nothing more to do
    figures.record(
        "Participant erasure",
        f"{len(hits_before)} text values held the name, aliases, e-mail or phone in "
        f"{len({t for t, _f, _p in hits_before})} tables (history included); after erasing, "
        f"0 hits in {columns} text columns of {len(tabled_models())} tables; "
        "activity metrics and roster mix unchanged",
    )
