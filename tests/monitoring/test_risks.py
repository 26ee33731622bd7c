"""The risk register: who reaches each page (red lines for facilitators and programme
officers only), the consent and confidentiality checks against a hand-computed fixture, owners
on the team, texts that never name a participant, review reminders planned and delivered once
through uptake's notifications and outbox, bad input, query counts and the demo."""

import datetime
import logging
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from config.celery import app as celery_app
from dialogues.models import DialogueParticipant, GroundRule, Membership
from dialogues.services.teams import membership_add
from monitoring.models import ExpectationStatement, RedLine, Risk, RiskReviewReminder
from monitoring.services import risk_reviews as reviews
from monitoring.services import risks as services
from monitoring.tasks import deliver_risk_reviews, scan_risk_reviews
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
    UserFactory,
)
from uptake.models import Document, Notification, ReminderKind, ReminderMute

pytestmark = pytest.mark.django_db

Role = Membership.Role
Level = Risk.Level
State = RiskReviewReminder.State
Status = DialogueParticipant.Status
READ = "uptake.read_document"
RED_LINE = "Never map the night crossings used by the ridge families"
HARM = "Families crossing to the clinics would be stopped at the river."


def member(programme, role, **fields):
    user = UserFactory(**fields)
    membership_add(programme=programme, email=user.email, role=role, actor=None)
    return user


def make_risk(programme, owner, **overrides):
    fields = {
        "title": "Talks become known in the market town",
        "description": "",
        "likelihood": Level.MEDIUM,
        "impact": Level.HIGH,
        "owner": owner,
        "mitigation": "Venues outside the valley; codes in every note.",
        "review_on": timezone.now().date() + datetime.timedelta(days=10),
        **overrides,
    }
    return services.risk_create(programme=programme, actor=owner, **fields)


def register_url(programme):
    return reverse("monitoring:risk_register", args=[programme.public_id])


def risk_post(owner, **overrides):
    return {
        "title": "A convoy list leaks",
        "description": "The list of convoy drivers reaches a checkpoint.",
        "likelihood": "3",
        "impact": "5",
        "owner": str(owner.pk),
        "mitigation": "Lists held by the Red Crescent only.",
        "review_on": "2026-12-15",
        **overrides,
    }


# --- Who reaches what ------------------------------------------------------------------------


@pytest.fixture
def risk(programme, officer):
    return make_risk(programme, officer)


@pytest.fixture
def red_line(programme, facilitator):
    return services.red_line_create(
        programme=programme, actor=facilitator, statement=RED_LINE, harm=HARM
    )


def page_urls(programme, risk):
    return [
        register_url(programme),
        reverse("monitoring:risk_detail", args=[risk.public_id]),
    ]


def post_urls(programme, risk):
    return [
        reverse("monitoring:risk_create", args=[programme.public_id]),
        reverse("monitoring:risk_update", args=[risk.public_id]),
        reverse("monitoring:risk_close", args=[risk.public_id]),
        reverse("monitoring:red_line_create", args=[programme.public_id]),
        reverse("monitoring:expectation_statement_create", args=[programme.public_id]),
    ]


def test_anonymous_visitors_are_sent_to_log_in_from_every_risk_page(client, programme, risk):
    for url in page_urls(programme, risk):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    for url in post_urls(programme, risk):
        response = client.post(url, {})
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("role", ["donor", "stranger"])
def test_donors_and_strangers_get_404_on_every_risk_page(request, login, programme, risk, role):
    client = login(request.getfixturevalue(role))
    for url in page_urls(programme, risk):
        assert client.get(url).status_code == 404
    for url in post_urls(programme, risk):
        assert client.post(url, {}).status_code == 404
    assert Risk.objects.get().status == Risk.Status.OPEN
    assert not RedLine.objects.exists() and not ExpectationStatement.objects.exists()


def test_a_malformed_or_unknown_risk_is_a_404(login, facilitator):
    client = login(facilitator)
    assert client.get("/risks/not-a-uuid/").status_code == 404
    assert client.get(reverse("monitoring:risk_detail", args=[uuid.uuid4()])).status_code == 404


def test_legal_reviewers_read_the_register_but_never_the_red_lines(
    login, programme, legal_reviewer, risk, red_line
):
    response = login(legal_reviewer).get(register_url(programme))
    assert response.status_code == 200
    html = response.content.decode()
    assert risk.title in html
    assert RED_LINE not in html and HARM not in html
    assert 'id="red-lines"' not in html and "Do-no-harm red lines" not in html
    assert response.context["red_lines"] == []
    # No forms for a reader.
    assert reverse("monitoring:risk_create", args=[programme.public_id]) not in html
    assert reverse("monitoring:red_line_create", args=[programme.public_id]) not in html
    detail = login(legal_reviewer).get(reverse("monitoring:risk_detail", args=[risk.public_id]))
    assert detail.status_code == 200 and RED_LINE not in detail.content.decode()


def test_legal_reviewers_get_404_for_red_lines_and_403_for_other_writes(
    login, programme, legal_reviewer, risk
):
    client = login(legal_reviewer)
    red = client.post(
        reverse("monitoring:red_line_create", args=[programme.public_id]),
        {"statement": RED_LINE, "harm": HARM},
    )
    assert red.status_code == 404
    for url in post_urls(programme, risk):
        if "red-lines" not in url:
            assert client.post(url, risk_post(legal_reviewer)).status_code == 403
    assert not RedLine.objects.exists()
    assert Risk.objects.get().status == Risk.Status.OPEN


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_facilitators_and_officers_read_and_record_red_lines(
    request, login, programme, role, red_line
):
    user = request.getfixturevalue(role)
    client = login(user)
    html = client.get(register_url(programme)).content.decode()
    assert RED_LINE in html and HARM in html
    response = client.post(
        reverse("monitoring:red_line_create", args=[programme.public_id]),
        {"statement": "No document names the elders who carried messages.", "harm": "Reprisals."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#red-lines")
    assert RedLine.objects.filter(recorded_by=user, harm="Reprisals.").count() == 1
    # The confirmation never repeats the red line.
    followed = client.get(response["Location"])
    messages = [str(m) for m in followed.context["messages"]]
    assert messages == ["Red line recorded."]


def test_the_programme_page_links_the_register_for_the_team_only(
    login, programme, legal_reviewer, donor
):
    url = register_url(programme)
    detail = reverse("dialogues:programme_detail", args=[programme.public_id])
    assert url in login(legal_reviewer).get(detail).content.decode()
    assert url not in login(donor).get(detail).content.decode()


def test_risks_are_listed_open_first_by_score_then_review_date(
    login, programme, facilitator, officer
):
    today = timezone.now().date()
    low = make_risk(programme, officer, title="Low", likelihood=1, impact=2)
    later = make_risk(
        programme,
        officer,
        title="High later",
        likelihood=4,
        impact=4,
        review_on=today.replace(year=today.year + 1),
    )
    sooner = make_risk(programme, officer, title="High sooner", likelihood=4, impact=4)
    top = make_risk(programme, officer, title="Top", likelihood=5, impact=5)
    closed = make_risk(programme, officer, title="Closed", likelihood=5, impact=5)
    services.risk_close(risk=closed, actor=officer)
    response = login(facilitator).get(register_url(programme))
    assert [r.title for r in response.context["risks"]] == [
        top.title,
        sooner.title,
        later.title,
        low.title,
        closed.title,
    ]


# --- The checks, against a hand-computed fixture -----------------------------------------------


@pytest.fixture
def checked(programme, other_programme, facilitator, officer, legal_reviewer, dialogue):
    """Two open dialogues and a closed one, hand-counted:

    - Corridor triggers (`dialogue`, Chatham House rule): invited without consent (1), invited
      with consent, confirmed with consent, declined and withdrawn without consent (not
      counted); a classified non-paper; an aide-mémoire with 6 readers (crowded).
    - Market days (problem-solving rule only: unclassified): two invited without consent (2);
      a non-paper, an aide-mémoire with 2 readers (the facilitator one) and one with exactly
      5 (all unclassified, none crowded).
    - Ridge protocol, closed: invited without consent (not counted).
    - Another programme: a dialogue with everything wrong (never counted here).

    Expected: 3 participants without consent (1 + 2), 3 unclassified documents, 1 crowded
    aide-mémoire."""
    GroundRule.objects.create(
        dialogue=dialogue, kind=GroundRule.Kind.CHATHAM_HOUSE, title="Chatham House", text="."
    )
    market = DialogueFactory(programme=programme, title="Market days")
    GroundRule.objects.create(
        dialogue=market, kind=GroundRule.Kind.PROBLEM_SOLVING, title="Norms", text="."
    )
    ridge = DialogueFactory(programme=programme, title="Ridge protocol", status="closed")
    consented = datetime.date(2026, 1, 5)

    def place(on, name, code, status=Status.INVITED, consent=None):
        person = ParticipantFactory(programme=on.programme, full_name=name, code=code)
        return DialogueParticipantFactory(
            dialogue=on, participant=person, status=status, consent_given_on=consent
        )

    place(dialogue, "Amara Quell", "P-101")
    place(dialogue, "Bram Ostrey", "P-102", consent=consented)
    place(dialogue, "Cato Wirral", "P-103", Status.CONFIRMED, consented)
    place(dialogue, "Dane Fallow", "P-104", Status.DECLINED)
    place(dialogue, "Edda Marsh", "P-105", Status.WITHDRAWN)
    place(market, "Fenna Rook", "P-106")
    place(market, "Gale Thorn", "P-107")
    place(ridge, "Hale Birch", "P-108")

    readers = [member(programme, Role.LEGAL_REVIEWER) for _ in range(6)]

    def document(on, kind, title, reader_count=0, also=()):
        made = Document.objects.create(dialogue=on, kind=kind, title=title)
        for user in [*readers[:reader_count], *also]:
            assign_perm(READ, user, made)
        return made

    non_paper, aide = Document.Kind.NON_PAPER, Document.Kind.AIDE_MEMOIRE
    document(dialogue, non_paper, "Corridor non-paper")
    # 7 readers, the facilitator one of them.
    crowded = document(dialogue, aide, "Handling note for the envoy", 6, also=[facilitator])
    document(market, non_paper, "Market non-paper")
    # 2 readers: one of them and the facilitator.
    document(market, aide, "Market handling note", 1, also=[facilitator])
    document(market, aide, "Market briefing note", 5)

    elsewhere = DialogueFactory(programme=other_programme, title="Elsewhere")
    place(elsewhere, "Ivo Stark", "P-201")
    document(elsewhere, aide, "Elsewhere note", 6)
    return {"dialogue": dialogue, "market": market, "crowded": crowded}


def test_the_checks_count_what_was_hand_counted(programme, facilitator, checked):
    checks = services.confidentiality_checks(programme, viewer=facilitator)
    assert checks.participants_without_consent == 3
    assert checks.unclassified_documents == 3
    assert checks.crowded_aide_memoires == 1
    assert [(gap.dialogue_title, gap.count) for gap in checks.consent_gaps] == [
        ("Corridor triggers", 1),
        ("Market days", 2),
    ]
    # By dialogue, kind, then title: the facilitator is not named on the briefing note.
    assert [(d.title, d.readable, d.dialogue_title) for d in checks.unclassified] == [
        ("An aide-mémoire of “Market days”", False, "Market days"),
        ("Market handling note", True, "Market days"),
        ("Market non-paper", True, "Market days"),
    ]
    [crowded] = checks.crowded
    assert (crowded.title, crowded.readers, crowded.readable) == (
        "Handling note for the envoy",
        7,
        True,
    )


def test_a_classifying_ground_rule_clears_the_dialogues_documents(programme, checked):
    GroundRule.objects.create(
        dialogue=checked["market"], kind=GroundRule.Kind.NON_ATTRIBUTION, title="N-A", text="."
    )
    assert services.confidentiality_checks(programme).unclassified_documents == 0


def test_names_of_people_without_consent_show_only_to_who_may_see_identity(
    login, programme, facilitator, officer, legal_reviewer, checked
):
    html = login(facilitator).get(register_url(programme)).content.decode()
    for label in ("Amara Quell (P-101)", "Fenna Rook (P-106)", "Gale Thorn (P-107)"):
        assert label in html
    assert "Bram Ostrey" not in html and "Dane Fallow" not in html and "Hale Birch" not in html
    for reader in (officer, legal_reviewer):
        response = login(reader).get(register_url(programme))
        html = response.content.decode()
        assert response.context["checks"].participants_without_consent == 3
        for secret in ("Amara Quell", "P-101", "Fenna Rook", "P-106", "P-107"):
            assert secret not in html


def test_aide_memoire_titles_show_only_to_their_readers(
    login, programme, facilitator, legal_reviewer, checked
):
    assert (
        "Handling note for the envoy"
        in login(facilitator).get(register_url(programme)).content.decode()
    )
    response = login(legal_reviewer).get(register_url(programme))
    html = response.content.decode()
    for title in ("Handling note for the envoy", "Market handling note", "Market briefing note"):
        assert title not in html
    assert "An aide-mémoire of “Corridor triggers”" in [
        d.title for d in response.context["checks"].crowded
    ]
    # Non-papers are read by the whole team.
    assert "Market non-paper" in html


def test_checks_without_a_viewer_hold_counts_and_no_names_or_aide_memoire_titles(
    programme, checked
):
    checks = services.confidentiality_checks(programme)
    assert (
        checks.participants_without_consent,
        checks.unclassified_documents,
        checks.crowded_aide_memoires,
    ) == (3, 3, 1)
    assert all(gap.people == () for gap in checks.consent_gaps)
    titles = [d.title for d in [*checks.unclassified, *checks.crowded]]
    assert "Handling note for the envoy" not in titles and "Market handling note" not in titles
    assert "Market non-paper" in titles


def test_titles_naming_a_participant_are_withheld_from_who_may_not_see_identities(
    programme, facilitator, officer, dialogue
):
    ParticipantFactory(programme=programme, full_name="Amara Quell", code="P-301")
    Document.objects.create(
        dialogue=dialogue, kind=Document.Kind.NON_PAPER, title="Amara Quell's corridor draft"
    )
    assert services.confidentiality_checks(programme, viewer=facilitator).unclassified[0].title == (
        "Amara Quell's corridor draft"
    )
    withheld = services.confidentiality_checks(programme, viewer=officer).unclassified[0].title
    assert "Amara" not in withheld and "[name withheld]" in withheld


# --- Services: owners, names, conflicts ------------------------------------------------------


def test_a_risk_owner_must_be_an_active_team_member_who_is_not_a_donor(
    programme, legal_reviewer, donor, stranger, officer
):
    for owner in (donor, stranger):
        with pytest.raises(ValidationError) as refused:
            make_risk(programme, owner)
        assert "owner" in refused.value.message_dict
    gone = member(programme, Role.PROGRAMME_OFFICER)
    get_user_model().objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()
    with pytest.raises(ValidationError):
        make_risk(programme, gone)
    assert make_risk(programme, legal_reviewer).owner == legal_reviewer
    risk = make_risk(programme, officer)
    with pytest.raises(ValidationError) as refused:
        services.risk_update(risk=risk, actor=officer, owner=donor)
    assert "owner" in refused.value.message_dict
    assert Risk.objects.get(pk=risk.pk).owner == officer


def test_texts_naming_a_participant_are_refused_everywhere_in_the_register(
    programme, officer, dialogue
):
    ParticipantFactory(programme=programme, full_name="Amara Quell", aliases="The Heron")
    with pytest.raises(ValidationError) as refused:
        make_risk(programme, officer, mitigation="Move the heron to a safe house.")
    assert list(refused.value.message_dict) == ["mitigation"]
    with pytest.raises(ValidationError) as refused:
        services.red_line_create(
            programme=programme, actor=officer, statement="Never name Amara Quell.", harm="Her."
        )
    assert list(refused.value.message_dict) == ["statement"]
    with pytest.raises(ValidationError) as refused:
        services.expectation_statement_create(
            programme=programme,
            actor=officer,
            audience="Amara Quell",
            statement="Options, not promises.",
            made_on=datetime.date(2026, 1, 1),
        )
    assert list(refused.value.message_dict) == ["audience"]
    assert not (Risk.objects.exists() or RedLine.objects.exists())
    assert not ExpectationStatement.objects.exists()


def test_an_expectation_statement_is_not_recorded_before_it_is_made(programme, officer):
    with pytest.raises(ValidationError) as refused:
        services.expectation_statement_create(
            programme=programme,
            actor=officer,
            audience="The delegations",
            statement="Options, not promises.",
            made_on=timezone.now().date() + datetime.timedelta(days=3),
        )
    assert list(refused.value.message_dict) == ["made_on"]


def test_a_risk_saved_by_someone_else_meanwhile_is_not_overwritten(programme, officer, risk):
    seen = risk.updated_at
    services.risk_update(risk=risk, actor=officer, expected_updated_at=seen, title="First")
    with pytest.raises(ValidationError) as refused:
        services.risk_update(risk=risk, actor=officer, expected_updated_at=seen, title="Second")
    assert refused.value.code == "conflict"
    assert Risk.objects.get(pk=risk.pk).title == "First"


def test_a_closed_risk_is_neither_changed_nor_closed_again(programme, officer, risk):
    services.risk_close(risk=risk, actor=officer)
    for change in (
        lambda: services.risk_update(risk=risk, actor=officer, title="Changed"),
        lambda: services.risk_close(risk=risk, actor=officer),
    ):
        with pytest.raises(ValidationError):
            change()
    assert Risk.objects.get(pk=risk.pk).title == risk.title


# --- Review reminders ------------------------------------------------------------------------


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def yangon(programme):
    """The programme keeps Myanmar time (UTC+06:30): 09:00 there is 02:30 UTC."""
    programme.time_zone = "Asia/Yangon"
    programme.save()
    return programme


@pytest.fixture
def due_risk(yangon, facilitator, officer, legal_reviewer, donor, red_line):
    """A risk owned by the legal reviewer, reviewed on 10 March 2026, with a red line on the
    programme that must never travel with its reminder."""
    return make_risk(yangon, legal_reviewer, review_on=datetime.date(2026, 3, 10))


def test_a_review_is_planned_once_at_nine_on_the_programme_calendar(due_risk):
    assert reviews.risk_reviews_plan(utc(2026, 3, 10, 2, 29)) == 0
    assert reviews.risk_reviews_plan(utc(2026, 3, 10, 2, 31)) == 1
    assert reviews.risk_reviews_plan(utc(2026, 3, 10, 3, 0)) == 0
    reminder = RiskReviewReminder.objects.get()
    assert (reminder.due_on, reminder.fire_at, reminder.state) == (
        datetime.date(2026, 3, 10),
        utc(2026, 3, 10, 2, 30),
        State.PENDING,
    )


def test_a_review_long_past_is_not_planned(due_risk):
    assert reviews.risk_reviews_plan(utc(2026, 4, 10, 2, 31)) == 0
    assert reviews.risk_reviews_plan(utc(2026, 4, 9, 2, 29)) == 1


def test_a_review_is_delivered_once_to_owner_and_officers_without_any_red_line(
    due_risk, legal_reviewer, officer, facilitator, mailoutbox, caplog
):
    now = utc(2026, 3, 10, 3, 0)
    caplog.set_level(logging.DEBUG)
    reviews.risk_reviews_plan(now)
    [reminder_id] = reviews.risk_reviews_due(now)
    assert reviews.risk_review_deliver(reminder_id, now) == 2
    assert reviews.risk_review_deliver(reminder_id, now) == 0
    # A second scan finds nothing to plan and nothing pending.
    assert reviews.risk_reviews_plan(now) == 0 and reviews.risk_reviews_due(now) == []
    notifications = Notification.objects.order_by("recipient__username")
    assert [n.recipient for n in notifications] == [legal_reviewer, officer]
    assert {n.kind for n in notifications} == {ReminderKind.RISK_REVIEW}
    for notification in notifications:
        assert due_risk.title in notification.title
        assert notification.url.startswith(register_url(due_risk.programme))
    assert sorted(m.to[0] for m in mailoutbox) == sorted([legal_reviewer.email, officer.email])
    for text in [
        *(m.subject + m.body for m in mailoutbox),
        *(n.title + n.body + n.url for n in notifications),
        caplog.text,
    ]:
        assert RED_LINE not in text and HARM not in text
    assert due_risk.title in mailoutbox[0].body
    assert "10 March 2026" in mailoutbox[0].body or "March 10, 2026" in mailoutbox[0].body
    assert RiskReviewReminder.objects.get().state == State.SENT


def test_a_muted_risk_review_reaches_the_rest_of_the_team(due_risk, officer, legal_reviewer):
    ReminderMute.objects.create(user=officer, kind=ReminderKind.RISK_REVIEW)
    now = utc(2026, 3, 10, 3, 0)
    reviews.risk_reviews_plan(now)
    [reminder_id] = reviews.risk_reviews_due(now)
    assert reviews.risk_review_deliver(reminder_id, now) == 1
    assert Notification.objects.get().recipient == legal_reviewer


def test_closing_a_risk_cancels_its_pending_review_and_a_closed_risk_gets_none(
    due_risk, legal_reviewer, mailoutbox
):
    now = utc(2026, 3, 10, 3, 0)
    reviews.risk_reviews_plan(now)
    services.risk_close(risk=due_risk, actor=legal_reviewer)
    assert RiskReviewReminder.objects.get().state == State.CANCELLED
    assert reviews.risk_reviews_due(now) == []
    RiskReviewReminder.objects.all().delete()
    assert reviews.risk_reviews_plan(now) == 0
    assert not Notification.objects.exists() and mailoutbox == []


def test_moving_the_review_later_cancels_the_reminder_for_the_old_date(
    due_risk, legal_reviewer, mailoutbox
):
    now = utc(2026, 3, 10, 3, 0)
    reviews.risk_reviews_plan(now)
    services.risk_update(risk=due_risk, actor=legal_reviewer, review_on=datetime.date(2026, 4, 10))
    assert RiskReviewReminder.objects.get().state == State.CANCELLED
    assert reviews.risk_reviews_plan(now) == 0
    # The new date gets its own reminder when it comes.
    later = utc(2026, 4, 10, 3, 0)
    assert reviews.risk_reviews_plan(later) == 1
    [reminder_id] = reviews.risk_reviews_due(later)
    assert reviews.risk_review_deliver(reminder_id, later) == 2
    assert len(mailoutbox) == 2


def test_a_risk_changed_behind_the_services_back_cancels_its_reminder_at_delivery(
    due_risk, mailoutbox
):
    now = utc(2026, 3, 10, 3, 0)
    reviews.risk_reviews_plan(now)
    Risk.objects.filter(pk=due_risk.pk).update(review_on=datetime.date(2026, 5, 1))
    [reminder_id] = reviews.risk_reviews_due(now)
    assert reviews.risk_review_deliver(reminder_id, now) == 0
    assert RiskReviewReminder.objects.get().state == State.CANCELLED
    assert mailoutbox == []


def test_the_scan_task_queues_delivery_and_a_second_scan_sends_nothing(
    due_risk, mailoutbox, monkeypatch
):
    queued = []
    monkeypatch.setattr(deliver_risk_reviews, "delay_on_commit", queued.append)
    review_day = timezone.now().date()
    Risk.objects.filter(pk=due_risk.pk).update(review_on=review_day - datetime.timedelta(days=1))
    assert scan_risk_reviews() == 1
    assert deliver_risk_reviews(*queued) == 2
    assert len(mailoutbox) == 2
    assert scan_risk_reviews() == 0
    assert deliver_risk_reviews(*queued) == 0
    assert len(mailoutbox) == 2 and len(queued) == 1


def test_the_beat_scans_for_risk_reviews_with_late_acks_and_time_limits():
    entry = celery_app.conf.beat_schedule["scan-risk-reviews"]
    assert entry["task"] == "monitoring.tasks.scan_risk_reviews"
    assert entry["schedule"].remaining_estimate(timezone.now()) <= datetime.timedelta(minutes=5)
    assert set(entry.get("options", {})) <= {"expires"}
    for task in (scan_risk_reviews, deliver_risk_reviews):
        assert task.acks_late is True
        assert 0 < task.soft_time_limit < task.time_limit <= 300


# --- Pages: add, edit, close, bad input ------------------------------------------------------


def test_an_officer_adds_a_risk_and_is_sent_to_it_in_the_register(login, programme, officer):
    response = login(officer).post(
        reverse("monitoring:risk_create", args=[programme.public_id]), risk_post(officer)
    )
    risk = Risk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{register_url(programme)}#risk-{risk.public_id}"
    assert (risk.title, risk.likelihood, risk.impact, risk.owner, risk.created_by) == (
        "A convoy list leaks",
        3,
        5,
        officer,
        officer,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"review_on": "31/02/2026"}, "review_on"),
        ({"title": ""}, "title"),
        ({"likelihood": "9"}, "likelihood"),
        ({"mitigation": "Keep Amara Quell away from the market."}, "mitigation"),
    ],
)
def test_bad_risk_input_is_shown_again_with_400_and_the_typed_text(
    login, programme, officer, dialogue, overrides, field
):
    # Everything typed comes back: the texts, and a refused date as the text it was.
    ParticipantFactory(programme=programme, full_name="Amara Quell")
    data = risk_post(officer, **overrides)
    response = login(officer).post(
        reverse("monitoring:risk_create", args=[programme.public_id]), data
    )
    assert response.status_code == 400
    assert field in response.context["risk_form"].errors
    html = response.content.decode()
    for name in ("title", "description", "mitigation", "review_on"):
        if data[name]:
            assert data[name] in html
    assert not Risk.objects.exists()


def test_an_owner_from_outside_the_team_is_refused_with_400(
    login, programme, officer, donor, stranger
):
    for outsider in (donor, stranger):
        response = login(officer).post(
            reverse("monitoring:risk_create", args=[programme.public_id]),
            risk_post(outsider),
        )
        assert response.status_code == 400
        assert "owner" in response.context["risk_form"].errors
    assert not Risk.objects.exists()


def test_a_red_line_naming_a_participant_is_refused_and_kept_for_correction(
    login, programme, facilitator, dialogue
):
    ParticipantFactory(programme=programme, full_name="Amara Quell")
    statement = "Never reveal that Amara Quell carried the message."
    response = login(facilitator).post(
        reverse("monitoring:red_line_create", args=[programme.public_id]),
        {"statement": statement, "harm": HARM},
    )
    assert response.status_code == 400
    assert "statement" in response.context["red_line_form"].errors
    assert statement in response.content.decode()
    assert not RedLine.objects.exists()


def test_expectation_statements_are_recorded_and_bad_ones_shown_again(login, programme, officer):
    url = reverse("monitoring:expectation_statement_create", args=[programme.public_id])
    client = login(officer)
    bad = client.post(url, {"audience": "The delegations", "statement": "", "made_on": "soon"})
    assert bad.status_code == 400
    form = bad.context["expectation_form"]
    assert {"statement", "made_on"} <= set(form.errors)
    assert 'value="soon"' in bad.content.decode()
    good = client.post(
        url,
        {
            "audience": "The delegations",
            "statement": "We offer options, not promises.",
            "made_on": "2026-01-12",
        },
    )
    assert good.status_code == 302 and good["Location"].endswith("#expectations")
    html = client.get(register_url(programme)).content.decode()
    assert "We offer options, not promises." in html


def test_a_risk_is_reviewed_moved_and_closed_through_its_page(
    login, programme, officer, facilitator, risk
):
    client = login(officer)
    detail = client.get(reverse("monitoring:risk_detail", args=[risk.public_id]))
    form = detail.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(review_on="2027-01-20", owner=str(facilitator.pk), likelihood="2")
    response = client.post(reverse("monitoring:risk_update", args=[risk.public_id]), data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.review_on, risk.owner, risk.likelihood) == (
        datetime.date(2027, 1, 20),
        facilitator,
        2,
    )
    # The same form posted again is out of date: nothing is overwritten.
    stale = client.post(
        reverse("monitoring:risk_update", args=[risk.public_id]), {**data, "title": "Stale"}
    )
    assert stale.status_code == 400 and "Stale" in stale.content.decode()
    assert Risk.objects.get(pk=risk.pk).title == risk.title
    closed = client.post(reverse("monitoring:risk_close", args=[risk.public_id]))
    assert closed.status_code == 302
    assert Risk.objects.get(pk=risk.pk).status == Risk.Status.CLOSED
    again = client.post(reverse("monitoring:risk_close", args=[risk.public_id]))
    assert again.status_code == 400
    assert again.context["may_record"] is False
    assert "This risk is closed." in again.content.decode()


# --- Query counts ----------------------------------------------------------------------------


def grow(programme, dialogue, owner, count):
    """`count` of everything the register shows: risks, expectation statements, red lines,
    places without consent, unclassified documents and crowded aide-mémoires."""
    market = DialogueFactory(programme=programme)
    readers = [member(programme, Role.LEGAL_REVIEWER) for _ in range(6)]
    for n in range(count):
        make_risk(programme, owner, title=f"Risk {n} {uuid.uuid4().hex[:6]}")
        services.expectation_statement_create(
            programme=programme,
            actor=owner,
            audience=f"Audience {n}",
            statement="Options, not promises.",
            made_on=datetime.date(2026, 1, 1),
        )
        services.red_line_create(
            programme=programme, actor=owner, statement=f"Red line {n}", harm="Harm."
        )
        DialogueParticipantFactory(dialogue=market)
        Document.objects.create(dialogue=market, kind=Document.Kind.NON_PAPER, title=f"NP {n}")
        aide = Document.objects.create(
            dialogue=dialogue, kind=Document.Kind.AIDE_MEMOIRE, title=f"AM {n}"
        )
        for user in readers:
            assign_perm(READ, user, aide)


@pytest.mark.parametrize(("role", "most"), [("facilitator", 26), ("legal_reviewer", 25)])
def test_the_register_runs_the_same_queries_at_1x_and_10x(
    request, login, programme, dialogue, officer, role, most, django_assert_max_num_queries
):
    # 26 for a facilitator: session, user, programme, the view_dialogues checks (user and
    # group rows, twice), the recorder and red-line checks (two each), the risks with their
    # owners, the identity check (two, for the page's redactor, and two again in the
    # checks), the places without consent (facilitators see names),
    # the consent counts, the unclassified documents, the crowded aide-mémoires, the
    # viewer's named aide-mémoires, the expectation statements, the red lines, the owners for
    # the form, the menu's roles and unread notifications. 25 for a legal reviewer: the
    # participants (to withhold names; once for the page, once for the checks) instead of
    # the places, and no red lines and no form. None grows with the data.
    client = login(request.getfixturevalue(role))
    url = register_url(programme)
    grow(programme, dialogue, officer, 1)
    # Warms the lookups guardian and content types cache per process (the crowded
    # aide-mémoires' read permission among them), whichever tests ran before.
    client.get(url)
    with django_assert_max_num_queries(most) as small:
        assert client.get(url).status_code == 200
    grow(programme, dialogue, officer, 9)
    with django_assert_max_num_queries(most) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["risks"]) == 10
    assert response.context["checks"].crowded_aide_memoires == 10
    assert len(small.captured_queries) == len(large.captured_queries)


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_has_a_risk_register_once():
    call_command("load_demo", without_debug=True, verbosity=0)
    counts = [m.objects.count() for m in (Risk, RedLine, ExpectationStatement)]
    call_command("load_demo", without_debug=True, verbosity=0)
    assert [m.objects.count() for m in (Risk, RedLine, ExpectationStatement)] == counts
    assert counts[0] in (3, 4) and counts[1] in (1, 2) and counts[2] == 2
    risks = Risk.objects.select_related("programme")
    programme = risks[0].programme
    today = timezone.localtime(timezone.now(), reviews.programme_zone(programme)).date()
    assert any(r.status == "open" and r.review_on < today for r in risks)
    owners = {r.owner.username for r in risks}
    assert owners <= {"facilitator", "officer", "legal"} and len(owners) >= 2


def test_a_name_that_became_a_participant_later_is_withheld_from_readers_without_identity(
    login, programme, legal_reviewer, facilitator
):
    # The risk was written before "Velma Ostrander" joined the register: it passed the name
    # check then, and must not show her name to a legal reviewer now.
    risk = Risk.objects.create(
        programme=programme,
        title="Velma Ostrander could be recognised at the ferry",
        likelihood=3,
        impact=4,
        owner=facilitator,
        mitigation="Velma Ostrander travels separately.",
        review_on=datetime.date(2026, 12, 1),
    )
    ExpectationStatement.objects.create(
        programme=programme,
        audience="the river councils",
        statement="Velma Ostrander's proposal is an option, not a promise.",
        made_on=datetime.date(2026, 11, 1),
    )
    ParticipantFactory(programme=programme, full_name="Velma Ostrander")
    client = login(legal_reviewer)
    register = client.get(reverse("monitoring:risk_register", args=[programme.public_id]))
    detail = client.get(reverse("monitoring:risk_detail", args=[risk.public_id]))
    for response in (register, detail):
        assert response.status_code == 200
        assert "Velma Ostrander" not in response.content.decode()
        assert "could be recognised at the ferry" in response.content.decode()
    shown = login(facilitator).get(reverse("monitoring:risk_detail", args=[risk.public_id]))
    assert "Velma Ostrander" in shown.content.decode()
