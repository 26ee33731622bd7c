"""The participant pages at work: the register, the roster with its consent gate and mix,
ground rules and the acknowledgement matrix (with and without htmx), bad input kept and
explained, bad ids 404, and a bounded number of queries per page."""

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from dialogues.models import (
    Dialogue,
    DialogueParticipant,
    GroundRule,
    Participant,
    RuleAcknowledgement,
)
from dialogues.services import participants as services
from dialogues.services.design import dialogue_create, dialogue_transition
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
)

Status = DialogueParticipant.Status


def today():
    # Read at each use, not once at import: a run that crosses midnight would
    # otherwise date 'tomorrow' on what is by then today.
    return timezone.localdate()


TOMORROW = (today() + timedelta(days=1)).isoformat()


@pytest.fixture
def person(programme, facilitator):
    return services.participant_create(
        programme=programme,
        actor=facilitator,
        full_name="Amina Yusuf",
        category=Participant.Category.COMMUNITY_VOICE,
        gender=Participant.Gender.WOMAN,
    )


@pytest.fixture
def entry(designed, person, facilitator):
    return services.dialogue_invite_participant(
        dialogue=designed, participant=person, actor=facilitator
    )


def _roster_url(dialogue):
    return reverse("dialogues:roster", args=[dialogue.public_id])


def _rules_url(dialogue):
    return reverse("dialogues:ground_rules", args=[dialogue.public_id])


# --- The register --------------------------------------------------------------------------


def test_a_facilitator_adds_a_participant_who_gets_the_next_code(
    login, facilitator, programme, person
):
    url = reverse("dialogues:participant_create", args=[programme.public_id])
    response = login(facilitator).post(
        url,
        {
            "full_name": "Karim Nassar",
            "affiliation": "Tavel Customs",
            "category": "expert",
            "gender": "man",
            "languages": "Velorian, English",
            "is_authoritative_proxy": "on",
        },
        follow=True,
    )
    html = response.content.decode()
    created = Participant.objects.get(full_name="Karim Nassar")
    assert created.code == "P-002"
    assert created.is_authoritative_proxy
    assert response.redirect_chain[-1][0] == reverse(
        "dialogues:participant_detail", args=[programme.public_id, created.public_id]
    )
    assert "P-002 was added to the register." in html
    # The page itself names them, to someone allowed: the message need not.
    assert "<h1>P-002 · Karim Nassar</h1>" in html


def test_an_invalid_participant_keeps_what_was_typed_and_says_why(login, facilitator, programme):
    url = reverse("dialogues:participant_create", args=[programme.public_id])
    response = login(facilitator).post(
        url, {"full_name": "Karim Nassar", "email": "karim-at-nowhere", "gender": "robot"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Karim Nassar"' in html
    assert 'value="karim-at-nowhere"' in html
    assert "Enter a valid email address." in html
    assert "Select a valid choice." in html
    assert "This field is required." in html  # category
    assert not Participant.objects.exists()


def test_editing_a_participant_keeps_their_code(login, facilitator, programme, person):
    url = reverse("dialogues:participant_edit", args=[programme.public_id, person.public_id])
    client = login(facilitator)
    assert 'value="Amina Yusuf"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "full_name": "Amina Y. Yusuf",
            "category": "advisor",
            "gender": "woman",
            "region": "Coast",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.code, person.full_name, person.category, person.region) == (
        "P-001",
        "Amina Y. Yusuf",
        "advisor",
        "Coast",
    )


def test_the_register_links_each_code_to_its_page_and_counts_dialogues(
    login, facilitator, programme, person, entry
):
    html = (
        login(facilitator)
        .get(reverse("dialogues:participant_register", args=[programme.public_id]))
        .content.decode()
    )
    detail = reverse("dialogues:participant_detail", args=[programme.public_id, person.public_id])
    assert f'<a href="{detail}">P-001</a>' in html
    assert reverse("dialogues:participant_create", args=[programme.public_id]) in html
    assert "<td>1</td>" in html


def test_the_register_counts_each_participants_active_places_only(login, facilitator, programme):
    busy = ParticipantFactory(programme=programme, code="C-001")
    declined = ParticipantFactory(programme=programme, code="C-002")
    ParticipantFactory(programme=programme, code="C-003")
    for status in (Status.INVITED, Status.INVITED, Status.DECLINED, Status.WITHDRAWN):
        DialogueParticipantFactory(
            dialogue=DialogueFactory(programme=programme), participant=busy, status=status
        )
    DialogueParticipantFactory(
        dialogue=DialogueFactory(programme=programme), participant=declined, status=Status.DECLINED
    )

    html = (
        login(facilitator)
        .get(reverse("dialogues:participant_register", args=[programme.public_id]))
        .content.decode()
    )

    rows = re.findall(r">(C-\d{3})</a></th>.*?<td>(\d+)</td>\s*</tr>", html, re.S)
    assert rows == [("C-001", "2"), ("C-002", "0"), ("C-003", "0")]
    assert "3 participants in the register." in html


def test_the_register_shows_fifty_participants_a_page_in_code_order(login, facilitator, programme):
    codes = [f"R-{n:03d}" for n in range(1, 53)]
    for code in reversed(codes):
        ParticipantFactory(programme=programme, code=code)
    client = login(facilitator)
    url = reverse("dialogues:participant_register", args=[programme.public_id])

    def listed(html):
        return re.findall(r">(R-\d{3})</a></th>", html)

    first = client.get(url).content.decode()
    assert listed(first) == codes[:50]
    assert "52 participants in the register." in first
    assert "Page 1 of 2" in first
    assert '?page=2" rel="next"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert listed(second) == codes[50:]
    assert '?page=1" rel="prev"' in second
    # A page number that is not one shows the first page; past the end, the last.
    assert listed(client.get(url, {"page": "x"}).content.decode()) == codes[:50]
    assert listed(client.get(url, {"page": 99}).content.decode()) == codes[50:]


def test_the_participant_page_links_to_the_rosters_they_are_on(
    login, officer, programme, person, entry, designed
):
    html = (
        login(officer)
        .get(reverse("dialogues:participant_detail", args=[programme.public_id, person.public_id]))
        .content.decode()
    )
    assert f"{_roster_url(designed)}#entry-{entry.public_id}" in html
    assert "Corridor triggers" in html
    assert "No consent recorded" in html
    # An officer without identity permission is offered no edit link.
    assert "/edit/" not in html


# --- The roster, consent and the mix -------------------------------------------------------


def test_the_roster_flags_who_has_no_consent(login, officer, designed, entry):
    html = login(officer).get(_roster_url(designed)).content.decode()
    assert "No consent recorded" in html
    assert reverse("dialogues:ground_rules", args=[designed.public_id]) in html


def test_inviting_from_the_register_adds_to_the_roster(login, officer, designed, programme):
    newcomer = ParticipantFactory(programme=programme, code="P-009")
    response = login(officer).post(
        reverse("dialogues:roster_invite", args=[designed.public_id]),
        {"participant": str(newcomer.public_id)},
    )
    entry = designed.roster.get(participant=newcomer)
    assert response["Location"] == f"{_roster_url(designed)}#entry-{entry.public_id}"
    assert entry.status == Status.INVITED


@pytest.mark.parametrize("pick", ["already_invited", "other_programme", "unknown", "malformed"])
def test_inviting_someone_who_cannot_be_invited_is_refused_with_a_message(
    login, facilitator, designed, entry, other_programme, pick
):
    choice = {
        "already_invited": str(entry.participant.public_id),
        "other_programme": str(ParticipantFactory(programme=other_programme).public_id),
        "unknown": str(uuid.uuid4()),
        "malformed": "P-001",
    }[pick]
    response = login(facilitator).post(
        reverse("dialogues:roster_invite", args=[designed.public_id]), {"participant": choice}
    )
    assert response.status_code == 200
    assert "Choose someone from the register who is not yet invited." in response.content.decode()
    assert designed.roster.count() == 1


def test_confirming_without_consent_is_refused_on_the_page(login, facilitator, designed, entry):
    url = reverse("dialogues:roster_set_status", args=[designed.public_id, entry.public_id])
    response = login(facilitator).post(url, {f"status-{entry.public_id}-status": "confirmed"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "P-001 cannot be confirmed: no consent is recorded. Record their consent first." in html
    # The choice made is still selected, so the user sees what was refused.
    assert '<option value="confirmed" selected>' in html
    entry.refresh_from_db()
    assert entry.status == Status.INVITED


def test_recording_consent_then_confirming_works(login, facilitator, designed, entry):
    client = login(facilitator)
    prefix = f"consent-{entry.public_id}"
    response = client.post(
        reverse("dialogues:roster_record_consent", args=[designed.public_id, entry.public_id]),
        {f"{prefix}-given_on": today().isoformat(), f"{prefix}-scope": "Taking part; no recording"},
        follow=True,
    )
    html = response.content.decode()
    assert "Consent recorded for P-001." in html
    assert "No consent recorded" not in html
    response = client.post(
        reverse("dialogues:roster_set_status", args=[designed.public_id, entry.public_id]),
        {f"status-{entry.public_id}-status": "confirmed"},
        follow=True,
    )
    assert "P-001: Confirmed." in response.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.consent_recorded_by) == (Status.CONFIRMED, facilitator)


def test_consent_in_the_future_is_refused_and_the_scope_typed_is_kept(
    login, officer, designed, entry
):
    prefix = f"consent-{entry.public_id}"
    response = login(officer).post(
        reverse("dialogues:roster_record_consent", args=[designed.public_id, entry.public_id]),
        {f"{prefix}-given_on": TOMORROW, f"{prefix}-scope": "Taking part, being contacted"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Consent cannot be recorded for a date in the future." in html
    assert "Taking part, being contacted</textarea>" in html
    assert f'value="{TOMORROW}"' in html
    entry.refresh_from_db()
    assert not entry.has_consent


def test_the_mix_shows_size_balance_and_gaps_as_the_roster_grows(
    login, facilitator, programme, designed, entry
):
    client = login(facilitator)
    html = client.get(_roster_url(designed)).content.decode()
    assert "Below the guidance: the group has 1 person" in html
    assert "Missing from the group: authoritative proxies, technical experts." in html
    for n in range(12):
        newcomer = services.participant_create(
            programme=programme,
            actor=facilitator,
            full_name=f"Person {n}",
            category="expert" if n % 2 else "commander",
            gender="man" if n % 2 else "woman",
            is_authoritative_proxy=not n % 2,
        )
        invited = services.dialogue_invite_participant(
            dialogue=designed, participant=newcomer, actor=facilitator
        )
    services.dialogue_participant_set_status(entry=invited, status=Status.WITHDRAWN, actor=None)
    html = client.get(_roster_url(designed)).content.decode()
    assert "Within the guidance of 10 to 16 people." in html
    assert "The group has authoritative proxies, technical experts and community voices." in html
    # 7 women of 12 (58%), 5 men (42%): the man who withdrew is not counted.
    assert '<th scope="row">Woman</th>\n          <td>7</td>\n          <td>58%</td>' in html
    assert '<th scope="row">Man</th>\n          <td>5</td>\n          <td>42%</td>' in html


# --- Ground rules --------------------------------------------------------------------------


def test_the_ground_rules_page_lists_the_default_rules(login, legal_reviewer, designed, entry):
    html = login(legal_reviewer).get(_rules_url(designed)).content.decode()
    for title in ("Chatham House Rule", "Non-attribution", "Problem-solving norms"):
        assert f"<h3>{title}</h3>" in html
    # Read-only: no forms for a legal reviewer.
    assert '<form method="post" action="/dialogues/' not in html
    assert "Not yet" in html


def test_a_facilitator_adds_and_rewords_rules(login, facilitator, designed):
    client = login(facilitator)
    client.post(
        reverse("dialogues:ground_rule_add", args=[designed.public_id]),
        {"new-rule-title": "Phones off", "new-rule-text": "Phones stay outside the room."},
    )
    rule = designed.ground_rules.get(title="Phones off")
    response = client.post(
        reverse("dialogues:ground_rule_edit", args=[designed.public_id, rule.public_id]),
        {f"{rule.public_id}-title": "Devices off", f"{rule.public_id}-text": "No devices."},
        follow=True,
    )
    assert "Rule “Devices off” saved." in response.content.decode()
    rule.refresh_from_db()
    assert (rule.title, rule.text, rule.position) == ("Devices off", "No devices.", 4)


def test_an_empty_rule_is_refused_and_the_text_typed_is_kept(login, facilitator, designed):
    rule = designed.ground_rules.first()
    response = login(facilitator).post(
        reverse("dialogues:ground_rule_edit", args=[designed.public_id, rule.public_id]),
        {f"{rule.public_id}-title": "", f"{rule.public_id}-text": "My careful rewording."},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "My careful rewording.</textarea>" in html
    rule.refresh_from_db()
    assert rule.title == "Chatham House Rule"


def test_ticking_acknowledgements_works_without_javascript(login, officer, designed, entry):
    chatham, nonattribution, _norms = designed.ground_rules.all()
    eid = entry.public_id
    response = login(officer).post(
        reverse("dialogues:acknowledgements_save", args=[designed.public_id, eid]),
        {
            f"{eid}-rules": [str(chatham.public_id), str(nonattribution.public_id)],
            f"{eid}-acknowledged_on": today().isoformat(),
        },
    )
    assert response["Location"] == f"{_rules_url(designed)}#ack-row-{eid}"
    assert set(RuleAcknowledgement.objects.values_list("rule__title", "acknowledged_on")) == {
        ("Chatham House Rule", today()),
        ("Non-attribution", today()),
    }
    html = login(officer).get(_rules_url(designed)).content.decode()
    assert html.count(" checked") == 2
    assert "1 of 3" not in html  # the roster counts, not this page


def test_saving_a_row_with_htmx_answers_with_that_row_only(login, facilitator, designed, entry):
    rule = designed.ground_rules.first()
    eid = entry.public_id
    response = login(facilitator).post(
        reverse("dialogues:acknowledgements_save", args=[designed.public_id, eid]),
        {f"{eid}-rules": [str(rule.public_id)], f"{eid}-acknowledged_on": today().isoformat()},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith(f'<tr id="ack-row-{eid}">')
    assert "Acknowledgements saved for P-001." in html
    assert html.count(" checked") == 1
    assert RuleAcknowledgement.objects.get().rule == rule


@pytest.mark.parametrize("htmx", [True, False])
def test_a_future_acknowledgement_is_refused_and_the_ticks_are_kept(
    login, facilitator, designed, entry, htmx
):
    rule = designed.ground_rules.first()
    eid = entry.public_id
    response = login(facilitator).post(
        reverse("dialogues:acknowledgements_save", args=[designed.public_id, eid]),
        {f"{eid}-rules": [str(rule.public_id)], f"{eid}-acknowledged_on": TOMORROW},
        headers={"HX-Request": "true"} if htmx else {},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "An acknowledgement cannot be dated in the future." in html
    assert html.count(" checked") == 1
    assert f'value="{TOMORROW}"' in html
    assert not RuleAcknowledgement.objects.exists()


def test_someone_who_declined_cannot_be_ticked_and_is_told_why(login, facilitator, designed, entry):
    services.dialogue_participant_set_status(entry=entry, status=Status.DECLINED, actor=None)
    rule = designed.ground_rules.first()
    eid = entry.public_id
    response = login(facilitator).post(
        reverse("dialogues:acknowledgements_save", args=[designed.public_id, eid]),
        {f"{eid}-rules": [str(rule.public_id)], f"{eid}-acknowledged_on": today().isoformat()},
    )
    assert response.status_code == 200
    assert "P-001 is no longer taking part (Declined)." in response.content.decode()
    assert not RuleAcknowledgement.objects.exists()


# --- Bad ids -------------------------------------------------------------------------------


def test_ids_from_elsewhere_or_nowhere_are_404(
    login, facilitator, programme, other_programme, designed, entry
):
    client = login(facilitator)
    elsewhere = dialogue_create(programme=programme, actor=facilitator, title="B", problem="B.")
    foreign_entry = services.dialogue_invite_participant(
        dialogue=elsewhere, participant=entry.participant, actor=facilitator
    )
    foreign_rule = elsewhere.ground_rules.first()
    outsider = ParticipantFactory(programme=other_programme)
    did, pid = designed.public_id, programme.public_id
    assert client.get(reverse("dialogues:roster", args=[uuid.uuid4()])).status_code == 404
    assert client.get(f"/dialogues/{did}/participants/P-001/status/").status_code == 404
    for name, args in [
        ("roster_set_status", [did, foreign_entry.public_id]),
        ("roster_record_consent", [did, uuid.uuid4()]),
        ("ground_rule_edit", [did, foreign_rule.public_id]),
        ("acknowledgements_save", [did, foreign_entry.public_id]),
    ]:
        assert client.post(reverse(f"dialogues:{name}", args=args)).status_code == 404
    for name in ("participant_detail", "participant_edit"):
        assert (
            client.get(reverse(f"dialogues:{name}", args=[pid, outsider.public_id])).status_code
            == 404
        )
        assert client.get(reverse(f"dialogues:{name}", args=[pid, uuid.uuid4()])).status_code == 404


# --- Queries stay bounded ------------------------------------------------------------------


def _counts(client, url, django_assert_max_num_queries, grow, limit):
    """The queries for `url` after growing the data to 1x and then 10x."""
    counts = []
    for size in (1, 10):
        grow(size)
        if size == 1:
            # Warm the per-process caches (content types) once the data exists: whether
            # an earlier test already filled them must not change the count.
            client.get(url)
        with django_assert_max_num_queries(limit) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    return counts


def test_the_register_runs_the_same_queries_whatever_its_size(
    login, facilitator, programme, django_assert_max_num_queries
):
    dialogue = DialogueFactory(programme=programme)

    def grow(size):
        for _ in range(size):
            DialogueParticipantFactory(dialogue=dialogue)

    # Session, user; programme; the user's permissions on it (user and group, loaded once);
    # the navigation's roles and unread count; the count and one page of participants with
    # their dialogue counts.
    url = reverse("dialogues:participant_register", args=[programme.public_id])
    counts = _counts(login(facilitator), url, django_assert_max_num_queries, grow, 12)
    assert counts[0] == counts[1]


def test_the_participant_page_runs_the_same_queries_whatever_its_size(
    login, facilitator, programme, person, django_assert_max_num_queries
):
    def grow(size):
        for _ in range(size):
            DialogueParticipantFactory(
                dialogue=DialogueFactory(programme=programme), participant=person
            )

    # Session, user; programme; three permission checks (six queries); the participant; the
    # navigation's roles; their places with their dialogues.
    url = reverse("dialogues:participant_detail", args=[programme.public_id, person.public_id])
    counts = _counts(login(facilitator), url, django_assert_max_num_queries, grow, 13)
    assert counts[0] == counts[1]


def test_the_roster_runs_the_same_queries_whatever_its_size(
    login, facilitator, programme, designed, django_assert_max_num_queries
):
    rules = list(designed.ground_rules.all())

    def grow(size):
        for n in range(size):
            entry = DialogueParticipantFactory(dialogue=designed)
            if n % 2:
                services.dialogue_participant_record_consent(
                    entry=entry, given_on=today(), scope="Taking part", actor=facilitator
                )
            for rule in rules:
                services.rule_acknowledgement_record(
                    rule=rule, entry=entry, acknowledged_on=today(), actor=facilitator
                )
            ParticipantFactory(programme=programme)  # someone left to invite

    # Session, user; dialogue with programme; three permission checks (six queries); the
    # roster with participants and acknowledgement counts; the number of rules; the
    # navigation's roles and unread notifications; the participants left to invite (once to
    # know there are some, once for the select).
    counts = _counts(
        login(facilitator), _roster_url(designed), django_assert_max_num_queries, grow, 15
    )
    assert counts[0] == counts[1]


def test_withholding_names_from_scopes_costs_one_query_whatever_the_roster_size(
    login, officer, programme, designed, django_assert_max_num_queries
):
    def grow(size):
        for _ in range(size):
            entry = DialogueParticipantFactory(dialogue=designed)
            services.dialogue_participant_record_consent(
                entry=entry,
                given_on=today(),
                scope=f"Taking part; not {entry.participant.full_name}'s photo",
                actor=None,
            )
            ParticipantFactory(programme=programme)

    # As for a facilitator, and once more: the programme's names and aliases, read once to
    # withhold them from every scope.
    counts = _counts(login(officer), _roster_url(designed), django_assert_max_num_queries, grow, 16)
    assert counts[0] == counts[1]


def test_the_ground_rules_page_runs_the_same_queries_whatever_its_size(
    login, facilitator, designed, django_assert_max_num_queries
):
    def grow(size):
        for n in range(size):
            rule = services.ground_rule_add(
                dialogue=designed, title=f"Rule {n}", text="Text.", actor=facilitator
            )
            entry = DialogueParticipantFactory(dialogue=designed)
            services.rule_acknowledgement_record(
                rule=rule, entry=entry, acknowledged_on=today(), actor=facilitator
            )

    # Session, user; dialogue with programme; three permission checks (six queries); the
    # rules; the people taking part; their acknowledgements; the navigation's roles and
    # unread notifications.
    counts = _counts(
        login(facilitator), _rules_url(designed), django_assert_max_num_queries, grow, 14
    )
    assert counts[0] == counts[1]


def test_the_roster_and_the_matrix_list_people_by_code(login, facilitator, programme, designed):
    people = [
        services.participant_create(
            programme=programme, actor=facilitator, full_name=name, category="other", gender="man"
        )
        for name in ("A", "B", "C")
    ]
    # Invited P-003 first, so the rows' natural (insertion) order differs from the codes'.
    for person in (people[2], people[0], people[1]):
        services.dialogue_invite_participant(dialogue=designed, participant=person, actor=None)
    client = login(facilitator)
    for url in (_roster_url(designed), _rules_url(designed)):
        html = client.get(url).content.decode()
        positions = [html.index(f"P-00{n}") for n in (1, 2, 3)]
        assert positions == sorted(positions)


# --- Flash messages name no one ------------------------------------------------------------


def _flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_messages_name_participants_by_code_even_to_those_who_see_names(
    login, facilitator, programme, designed, person
):
    # Not followed: the messages pile up unshown, so each response lists all so far.
    client = login(facilitator)
    client.post(
        reverse("dialogues:participant_create", args=[programme.public_id]),
        {"full_name": "Karim Nassar", "category": "expert", "gender": "man"},
    )
    client.post(
        reverse("dialogues:participant_edit", args=[programme.public_id, person.public_id]),
        {"full_name": "Amina Y. Yusuf", "category": "community", "gender": "woman"},
    )
    response = client.post(
        reverse("dialogues:roster_invite", args=[designed.public_id]),
        {"participant": str(person.public_id)},
    )
    assert _flashed(response) == [
        "P-002 was added to the register.",
        "P-001 was updated.",
        "P-001 was invited.",
    ]


# --- A closed or abandoned dialogue --------------------------------------------------------


def _freeze(dialogue, status):
    route = {
        Dialogue.Status.CLOSED: ["convening", "rounds", "packaging", "closed"],
        Dialogue.Status.ABANDONED: ["abandoned"],
    }[status]
    for step in route:
        dialogue_transition(dialogue=dialogue, status=step, actor=None)


def _record(dialogue):
    return (
        list(dialogue.roster.values_list("participant__code", "status", "consent_given_on")),
        list(GroundRule.objects.filter(dialogue=dialogue).values_list("title", "text")),
        RuleAcknowledgement.objects.filter(rule__dialogue=dialogue).count(),
    )


@pytest.mark.parametrize("status", [Dialogue.Status.CLOSED, Dialogue.Status.ABANDONED])
def test_a_frozen_dialogue_shows_its_roster_and_rules_without_write_controls(
    login, facilitator, programme, designed, entry, status
):
    ParticipantFactory(programme=programme)  # someone who could otherwise be invited
    services.rule_acknowledgement_record(
        rule=designed.ground_rules.first(), entry=entry, acknowledged_on=today(), actor=None
    )
    client = login(facilitator)
    # Open first, so the assertions below are seen to fail without the fix.
    assert 'method="post"' in client.get(_roster_url(designed)).content.decode()
    assert 'method="post"' in client.get(_rules_url(designed)).content.decode()
    _freeze(designed, status)
    label = Dialogue.Status(status).label.lower()
    roster_html = client.get(_roster_url(designed)).content.decode()
    assert f"The dialogue is {label}: its roster and consent records no longer change." in (
        roster_html
    )
    assert 'method="post"' not in roster_html.split("<main", 1)[1]
    assert "Invite a participant" not in roster_html
    assert '<span class="status invitation-invited">Invited</span>' in roster_html
    rules_html = client.get(_rules_url(designed)).content.decode()
    assert (
        f"The dialogue is {label}: its ground rules and acknowledgements no longer change."
        in rules_html
    )
    assert 'method="post"' not in rules_html.split("<main", 1)[1]
    assert 'type="checkbox"' not in rules_html
    assert "Acknowledged on" in rules_html


@pytest.fixture
def closed(designed, entry, programme):
    """A closed dialogue with one participant on its roster and one left to invite."""
    ParticipantFactory(programme=programme, code="P-002")
    _freeze(designed, Dialogue.Status.CLOSED)
    return designed


def _frozen_posts(dialogue, entry, newcomer):
    did, eid = dialogue.public_id, entry.public_id
    rule = dialogue.ground_rules.first()
    return {
        "invite": (
            reverse("dialogues:roster_invite", args=[did]),
            {"participant": str(newcomer.public_id)},
            _roster_url(dialogue),
        ),
        "status": (
            reverse("dialogues:roster_set_status", args=[did, eid]),
            {f"status-{eid}-status": "withdrawn"},
            f"{_roster_url(dialogue)}#entry-{eid}",
        ),
        "consent": (
            reverse("dialogues:roster_record_consent", args=[did, eid]),
            {f"consent-{eid}-given_on": today().isoformat(), f"consent-{eid}-scope": "Taking part"},
            f"{_roster_url(dialogue)}#entry-{eid}",
        ),
        "rule_add": (
            reverse("dialogues:ground_rule_add", args=[did]),
            {"new-rule-title": "Phones off", "new-rule-text": "Phones stay outside."},
            _rules_url(dialogue),
        ),
        "rule_edit": (
            reverse("dialogues:ground_rule_edit", args=[did, rule.public_id]),
            {f"{rule.public_id}-title": "Chatham", f"{rule.public_id}-text": "Reworded."},
            f"{_rules_url(dialogue)}#rule-{rule.public_id}",
        ),
        "acknowledgements": (
            reverse("dialogues:acknowledgements_save", args=[did, eid]),
            {f"{eid}-rules": [str(rule.public_id)], f"{eid}-acknowledged_on": today().isoformat()},
            f"{_rules_url(dialogue)}#ack-row-{eid}",
        ),
    }


@pytest.mark.parametrize(
    "name", ["invite", "status", "consent", "rule_add", "rule_edit", "acknowledgements"]
)
def test_writes_to_a_closed_dialogue_are_refused_with_a_message(
    login, officer, programme, closed, entry, name
):
    # Posted from a page left open before the dialogue closed: the forms are gone now, so
    # the refusal comes as a message on the page it was sent from.
    newcomer = programme.participants.get(code="P-002")
    url, data, back_to = _frozen_posts(closed, entry, newcomer)[name]
    before = _record(closed)
    client = login(officer)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == back_to
    assert _flashed(response) == ["This dialogue is closed: its record can no longer change."]
    assert _record(closed) == before
    html = client.get(back_to).content.decode()
    assert "This dialogue is closed: its record can no longer change." in html


def test_an_acknowledgement_row_saved_with_htmx_on_a_closed_dialogue_says_why(
    login, facilitator, closed, entry
):
    rule = closed.ground_rules.first()
    eid = entry.public_id
    response = login(facilitator).post(
        reverse("dialogues:acknowledgements_save", args=[closed.public_id, eid]),
        {f"{eid}-rules": [str(rule.public_id)], f"{eid}-acknowledged_on": today().isoformat()},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="ack-row-{eid}">')
    assert "This dialogue is closed: its record can no longer change." in html
    assert not RuleAcknowledgement.objects.exists()


# --- Warning signs are not read aloud ------------------------------------------------------


def test_the_stylesheets_warning_signs_have_empty_alternative_text():
    css = (Path(settings.BASE_DIR) / "static/parley/css/participants.css").read_text()
    contents = re.findall(r"content:\s*([^;]+);", css)
    assert contents, "the warning signs are drawn with generated content"
    for content in contents:
        # `content: "⚠ " / ""`: shown, but with no text for assistive technology.
        assert re.fullmatch(r'"[^"]*"\s*/\s*""', content.strip()), content
