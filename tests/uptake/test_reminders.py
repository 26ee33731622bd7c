"""Reminders: planned from the deadlines in the database at 09:00 on the programme's calendar
(stored in UTC), delivered exactly once to each recipient by notification and e-mail, muted
per kind, with names withheld from whoever may not see them."""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Dialogue, Membership
from dialogues.services.teams import (
    membership_add,
    membership_remove,
    membership_sync_permissions,
    programme_update_settings,
)
from tests.dialogues.factories import DialogueFactory, UserFactory
from tests.uptake.chain_factories_c import (
    at,
    briefing,
    delivered_non_paper,
    due,
    pilot,
    session,
)
from tests.uptake.factories import on_roster
from uptake.models import (
    Briefing,
    Commitment,
    Feedback,
    Notification,
    Pilot,
    Reminder,
    ReminderKind,
    UptakeSettings,
)
from uptake.services import reminders as reminders_module
from uptake.services.reminders import (
    MAX_EMAIL_ATTEMPTS,
    emails_due,
    notification_emails_send,
    reminder_mute_set,
    reminder_recipients,
    reminders_deliver,
    reminders_due,
    reminders_plan,
)
from uptake.tasks import deliver_reminders

Kind = ReminderKind
State = Reminder.State
D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(facilitator, officer, legal_reviewer, donor):
    """Everyone on the programme: reminders go to the officers and facilitators only."""
    return {"facilitator": facilitator, "officer": officer}


@pytest.fixture
def document(dialogue, team):
    return delivered_non_paper(dialogue, team["facilitator"])


def reminders(**filters):
    return list(Reminder.objects.filter(**filters).order_by("kind", "due_on"))


def deliver(reminder_id, now=None):
    """Deliver the one reminder `reminder_id` as the worker delivers a batch; returns how
    many recipients it reached (and it must not fail)."""
    reached, failed = reminders_deliver([reminder_id], now)
    assert failed == 0
    return reached


def deliver_all(now):
    reached, failed = reminders_deliver(reminders_due(now), now)
    assert failed == 0
    return reached


def in_days(days):
    """A date `days` from today (the programme's calendar is UTC unless a test says)."""
    return timezone.now().date() + datetime.timedelta(days=days)


def in_zone(programme, name):
    programme.time_zone = name
    programme.save(update_fields=["time_zone"])


# --- Planning: commitments ---------------------------------------------------------------


def test_a_commitment_is_reminded_at_nine_seven_days_before_it_is_due_and_not_before(document):
    commitment = due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 08:59"))
    assert reminders() == []
    reminders_plan(at("2026-05-13 09:00"))
    [reminder] = reminders()
    assert (reminder.kind, reminder.commitment, reminder.due_on) == (
        Kind.COMMITMENT_DUE_SOON,
        commitment,
        D(2026, 5, 20),
    )
    assert reminder.fire_at == at("2026-05-13 09:00")
    assert reminder.state == State.PENDING


def test_due_dates_fall_on_the_programme_calendar_across_a_daylight_saving_change(
    programme, document
):
    # Athens moves from EET (UTC+2) to EEST (UTC+3) on 29 March 2026.
    in_zone(programme, "Europe/Athens")
    due(document, D(2026, 4, 2))
    reminders_plan(at("2026-03-26 06:59"))
    assert reminders() == []
    reminders_plan(at("2026-03-26 07:00"))
    [soon] = reminders()
    assert soon.kind == Kind.COMMITMENT_DUE_SOON
    assert soon.fire_at == at("2026-03-26 07:00")  # 09:00 EET
    reminders_plan(at("2026-04-03 05:59"))
    assert len(reminders()) == 1
    reminders_plan(at("2026-04-03 06:00"))
    overdue = Reminder.objects.get(kind=Kind.COMMITMENT_OVERDUE)
    assert overdue.fire_at == at("2026-04-03 06:00")  # 09:00 EEST
    assert overdue.due_on == D(2026, 4, 2)


def test_a_commitment_is_reminded_the_day_after_it_is_due_if_still_open_or_slipped(document):
    open_one = due(document, D(2026, 5, 20), step_index=0)
    slipped = due(document, D(2026, 5, 20), step_index=1, status=Commitment.Status.SLIPPED)
    due(document, D(2026, 5, 20), step_index=2, status=Commitment.Status.DONE)
    reminders_plan(at("2026-05-21 08:59"))
    assert reminders(kind=Kind.COMMITMENT_OVERDUE) == []
    reminders_plan(at("2026-05-21 09:00"))
    overdue = reminders(kind=Kind.COMMITMENT_OVERDUE)
    assert {reminder.commitment for reminder in overdue} == {open_one, slipped}


def test_nothing_is_planned_for_done_or_dropped_commitments(document):
    due(document, D(2026, 5, 20), step_index=0, status=Commitment.Status.DONE)
    due(document, D(2026, 5, 20), step_index=1, status=Commitment.Status.DROPPED)
    Commitment.objects.filter(document=document, step_index=2).delete()
    for moment in ("2026-05-13 09:00", "2026-05-21 09:00"):
        reminders_plan(at(moment))
    assert reminders() == []


def test_a_first_run_on_old_data_plans_no_stale_reminders(document):
    # Due yesterday: overdue now, so "due in 7 days" is skipped.
    due(document, D(2026, 5, 19), step_index=0)
    # Overdue for two months: too late to chase by reminder.
    due(document, D(2026, 3, 19), step_index=1)
    # Overdue for 30 days exactly since its reminder moment: still chased.
    due(document, D(2026, 4, 19), step_index=2)
    reminders_plan(at("2026-05-20 09:00"))
    planned = {(r.kind, r.commitment.step_index) for r in reminders()}
    assert planned == {(Kind.COMMITMENT_OVERDUE, 0), (Kind.COMMITMENT_OVERDUE, 2)}


def test_a_due_soon_reminder_still_goes_when_the_scan_first_runs_a_few_days_late(document):
    due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-17 12:00"))
    [reminder] = reminders()
    assert reminder.kind == Kind.COMMITMENT_DUE_SOON
    assert reminder.fire_at == at("2026-05-13 09:00")


# --- Planning: briefings, pilots, sessions ----------------------------------------------


def test_a_briefing_with_no_feedback_is_chased_after_fourteen_days_by_default(document, team):
    chased = briefing(document, briefed_on=D(2026, 5, 1), created_by=team["officer"])
    reminders_plan(at("2026-05-15 08:59"))
    assert reminders() == []
    reminders_plan(at("2026-05-15 09:00"))
    [reminder] = reminders()
    assert (reminder.kind, reminder.briefing, reminder.due_on) == (
        Kind.BRIEFING_NO_FEEDBACK,
        chased,
        D(2026, 5, 15),
    )


def test_the_programme_sets_after_how_many_days_a_briefing_is_chased(programme, document, team):
    UptakeSettings.objects.create(programme=programme, feedback_reminder_days=5)
    briefing(document, briefed_on=D(2026, 5, 1))
    reminders_plan(at("2026-05-06 08:59"))
    assert reminders() == []
    reminders_plan(at("2026-05-06 09:00"))
    [reminder] = reminders()
    assert reminder.due_on == D(2026, 5, 6)


def test_briefings_with_feedback_or_not_briefed_are_not_chased(document, team):
    answered = briefing(document, briefed_on=D(2026, 5, 1))
    Feedback.objects.create(
        briefing=answered, reaction=Feedback.Reaction.WELCOMED, received_on=D(2026, 5, 3)
    )
    briefing(document, briefed_on=D(2026, 5, 1), outcome=Briefing.Outcome.PENDING)
    briefing(document, briefed_on=D(2026, 5, 1), outcome=Briefing.Outcome.DECLINED)
    reminders_plan(at("2026-05-20 09:00"))
    assert reminders() == []


def test_a_running_pilot_is_reminded_three_days_before_it_ends(programme, document):
    in_zone(programme, "Asia/Yangon")  # UTC+6:30
    ending = pilot(document, ends_on=D(2026, 6, 10))
    pilot(document, ends_on=D(2026, 6, 10), status=Pilot.Status.STOPPED, title="Stopped")
    pilot(document, ends_on=D(2026, 6, 10), status=Pilot.Status.COMPLETED, title="Done")
    pilot(document, ends_on=None, title="Open-ended")
    reminders_plan(at("2026-06-07 02:29"))
    assert reminders() == []
    reminders_plan(at("2026-06-07 02:30"))  # 09:00 in Yangon
    [reminder] = reminders()
    assert (reminder.kind, reminder.pilot, reminder.due_on) == (
        Kind.PILOT_ENDING,
        ending,
        D(2026, 6, 10),
    )


def test_a_session_is_reminded_a_day_before_and_dated_on_its_own_calendar(dialogue, team):
    # 01:00 on 2 June in Yangon is 18:30 UTC on 1 June.
    meeting = session(dialogue, starts_at=at("2026-06-01 18:30"), time_zone="Asia/Yangon")
    reminders_plan(at("2026-05-31 18:29"))
    assert reminders() == []
    reminders_plan(at("2026-05-31 18:30"))
    [reminder] = reminders()
    assert (reminder.kind, reminder.session, reminder.due_on) == (
        Kind.SESSION_STARTING,
        meeting,
        D(2026, 6, 2),
    )
    assert reminder.fire_at == at("2026-05-31 18:30")


def test_sessions_of_closed_or_abandoned_dialogues_and_past_sessions_are_not_reminded(
    dialogue, programme, team
):
    for status in (Dialogue.Status.CLOSED, Dialogue.Status.ABANDONED):
        ended = DialogueFactory(programme=programme, status=status)
        session(ended, starts_at=at("2026-06-01 10:00"))
    session(dialogue, starts_at=at("2026-05-31 11:00"), title="Already started")
    reminders_plan(at("2026-05-31 12:00"))
    assert reminders() == []


def test_planning_twice_adds_nothing(document, dialogue, team):
    due(document, D(2026, 5, 20))
    briefing(document, briefed_on=D(2026, 5, 1))
    pilot(document, ends_on=D(2026, 5, 17))
    session(dialogue, starts_at=at("2026-05-16 08:00"))
    now = at("2026-05-15 12:00")
    reminders_plan(now)
    first = set(Reminder.objects.values_list("kind", "due_on"))
    assert len(first) == 4
    reminders_plan(now)
    assert Reminder.objects.count() == 4


def test_planning_reads_a_fixed_number_of_queries_whatever_the_data(
    dialogue, team, django_assert_max_num_queries
):
    # Queries: commitments due soon, commitments overdue, the chase delays in use, briefings
    # per delay (one), their planned reminders, pilots, sessions, their planned reminders,
    # the insert.
    for count in (1, 10):
        Reminder.objects.all().delete()
        for number in range(count):
            document = delivered_non_paper(dialogue, team["facilitator"], title=f"NP {number}")
            due(document, D(2026, 5, 20), step_index=0)
            due(document, D(2026, 5, 14), step_index=1)
            briefing(document, briefed_on=D(2026, 5, 1))
            pilot(document, ends_on=D(2026, 5, 17))
            session(dialogue, starts_at=at("2026-05-16 08:00"))
        with django_assert_max_num_queries(10):
            reminders_plan(at("2026-05-15 12:00"))
        assert Reminder.objects.count() >= 5 * count


# --- Delivery ----------------------------------------------------------------------------


def test_a_delivery_loads_each_recipients_permissions_once_and_again_before_sending_names(
    document, team
):
    due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 09:00"))
    [reminder] = reminders()
    with CaptureQueriesContext(connection) as queries:
        assert deliver(reminder.pk, at("2026-05-13 09:01")) == 2
    assert len(mail.outbox) == 2
    # One load of each recipient's object permissions for the texts, not one per check;
    # read afresh before the e-mail written with names (the facilitator's) goes.
    loads = [q for q in queries if 'JOIN "guardian_userobjectpermission"' in q["sql"]]
    assert len(loads) == 3


def test_a_reminder_reaches_the_officers_and_facilitators_by_notification_and_email(document, team):
    commitment = due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 09:00"))
    [reminder] = reminders()
    assert deliver(reminder.pk, at("2026-05-13 09:01")) == 2
    reminder.refresh_from_db()
    assert reminder.state == State.SENT
    assert reminder.sent_at == at("2026-05-13 09:01")
    notifications = Notification.objects.filter(reminder=reminder).order_by("recipient_id")
    assert {n.recipient for n in notifications} == {team["officer"], team["facilitator"]}
    first = notifications[0]
    assert first.kind == Kind.COMMITMENT_DUE_SOON
    assert "Open crossing 1 for convoys" in first.title
    assert "May 20, 2026" in first.title  # the due date, written out
    assert first.url == reverse("uptake:ladder", args=[document.public_id])
    assert first.read_at is None
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [team["officer"].email, team["facilitator"].email]
    )
    message = next(m for m in mail.outbox if m.to == [team["officer"].email])
    assert message.extra_headers["Message-ID"] == (
        f"<reminder-{reminder.pk}-{team['officer'].pk}@parley>"
    )
    assert message.subject == f"[Parley] {first.title}"
    assert "Open crossing 1 for convoys" in message.body
    assert f"http://testserver{first.url}" in message.body
    assert "http://testserver" + reverse("uptake:notification_settings") in message.body
    assert commitment.pk == reminder.commitment_id


def test_delivering_the_same_reminder_twice_sends_it_once(document, team):
    due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 09:00"))
    [reminder] = reminders()
    assert deliver(reminder.pk, at("2026-05-13 09:01")) == 2
    assert deliver(reminder.pk, at("2026-05-13 09:02")) == 0
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    reminder.refresh_from_db()
    assert reminder.sent_at == at("2026-05-13 09:01")


def test_a_reminder_is_not_delivered_before_its_moment(document, team):
    due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 09:00"))
    [reminder] = reminders()
    assert deliver(reminder.pk, at("2026-05-13 08:00")) == 0
    reminder.refresh_from_db()
    assert reminder.state == State.PENDING
    assert mail.outbox == []


def test_scanning_and_delivering_batches_twice_reaches_each_recipient_once_per_deadline(
    document, dialogue, team
):
    for step_index in range(3):
        due(document, D(2026, 5, 20), step_index=step_index)
    briefing(document, briefed_on=D(2026, 5, 1))
    pilot(document, ends_on=D(2026, 5, 17))
    session(dialogue, starts_at=at("2026-05-16 08:00"))
    now = at("2026-05-15 12:00")
    for _run in range(2):
        reminders_plan(now)
    ids = reminders_due(now)
    assert len(ids) == 6
    # Two deliveries of the same batch, as when a batch is queued twice.
    deliver_reminders_now = [deliver(pk, now) for pk in ids]
    again = [deliver(pk, now) for pk in ids]
    assert again == [0] * 6
    assert reminders_due(now) == []
    # Briefings reach the officers (and who recorded it: nobody here); the rest the officers
    # and facilitators.
    assert sum(deliver_reminders_now) == 5 * 2 + 1
    pairs = list(Notification.objects.values_list("reminder_id", "recipient_id"))
    assert len(pairs) == len(set(pairs)) == 11
    assert len(mail.outbox) == 11
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 11


def test_the_delivery_task_delivers_a_batch_in_order_and_a_second_run_sends_nothing(document, team):
    # The task delivers at the present moment: commitments due in three days.
    for step_index in range(3):
        due(document, in_days(3), step_index=step_index)
    reminders_plan()
    ids = reminders_due()
    assert len(ids) == 3
    batch = list(reversed(ids))
    assert deliver_reminders(batch) == 6
    assert deliver_reminders(batch) == 0
    written = Notification.objects.order_by("pk").values_list("reminder_id", flat=True)
    assert list(dict.fromkeys(written)) == batch
    assert Notification.objects.count() == 6
    assert len(mail.outbox) == 6


def test_a_reminder_that_fails_stays_pending_and_the_rest_of_the_batch_still_goes(
    document, team, monkeypatch, caplog
):
    due(document, in_days(3))
    pilot(document, ends_on=in_days(2))
    reminders_plan()
    ids = reminders_due()
    [failing] = [pk for pk in ids if Reminder.objects.get(pk=pk).kind == Kind.PILOT_ENDING]

    def broken(reminder, redact):
        raise RuntimeError("Amira Haddad's pilot")

    monkeypatch.setitem(reminders_module._TEXTS, Kind.PILOT_ENDING, broken)
    assert reminders_deliver(ids) == (2, 1)
    assert Reminder.objects.get(pk=failing).state == State.PENDING
    assert not Notification.objects.filter(reminder_id=failing).exists()
    assert len(mail.outbox) == 2
    assert f"Delivering reminder {failing} failed (RuntimeError)" in caplog.text
    assert "Amira" not in caplog.text
    # The next scan delivers it once it works again.
    monkeypatch.undo()
    assert reminders_due() == [failing]
    assert deliver(failing) == 2


@pytest.fixture
def opened(monkeypatch):
    """The mail connections opened (each call of the backend's open), in order."""
    calls = []
    real_open = LocmemBackend.open

    def counting_open(self):
        calls.append(self)
        return real_open(self)

    monkeypatch.setattr(LocmemBackend, "open", counting_open)
    return calls


def test_a_batch_sends_its_emails_over_one_connection(document, dialogue, team, opened):
    for step_index in range(3):
        due(document, in_days(3), step_index=step_index)
    pilot(document, ends_on=in_days(2))
    reminders_plan()
    assert deliver_reminders(reminders_due()) == 8
    assert len(mail.outbox) == 8
    assert len(opened) == 1


def relay_down_for(monkeypatch, addresses):
    """Make the mail backend refuse `addresses` (a set the test may empty); returns the list
    of addresses it did send to."""
    sent = []

    def flaky(self, messages):
        if messages[0].to[0] in addresses:
            raise ConnectionRefusedError("relay down")
        sent.extend(message.to[0] for message in messages)
        return len(messages)

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", flaky)
    return sent


def test_a_failed_email_is_retried_alone_later_and_never_resent_to_those_who_got_it(
    document, team, monkeypatch
):
    due(document, in_days(3))
    reminders_plan()
    [reminder] = reminders_due()
    officer = team["officer"]
    down = {officer.email}
    sent = relay_down_for(monkeypatch, down)
    # The reminder is delivered in the app to both; one e-mail waits in the outbox.
    assert deliver_reminders([reminder]) == 2
    assert Reminder.objects.get(pk=reminder).state == State.SENT
    assert Notification.objects.filter(reminder_id=reminder).count() == 2
    assert sent == [team["facilitator"].email]
    waiting = Notification.objects.get(recipient=officer)

    # Not retried at once (a flood of retries would use the attempts up in a short outage).
    now = timezone.now()
    assert emails_due(now) == []
    assert emails_due(now + datetime.timedelta(minutes=6)) == [waiting.pk]
    down.clear()
    assert notification_emails_send([waiting.pk], now + datetime.timedelta(minutes=6)) == 1
    assert sorted(sent) == sorted([team["facilitator"].email, officer.email])
    later = now + datetime.timedelta(days=1)
    assert emails_due(later) == []
    assert notification_emails_send([waiting.pk], later) == 0


def test_a_batch_stopped_half_way_marks_what_went_and_never_sends_it_again(
    document, dialogue, team, monkeypatch
):
    for step_index in range(2):
        due(document, in_days(3), step_index=step_index)
    reminders_plan()
    sent = []

    def out_of_time_after_one(self, messages):
        if sent:
            raise SoftTimeLimitExceeded()
        sent.extend(messages)
        return len(messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", out_of_time_after_one)
    with pytest.raises(SoftTimeLimitExceeded):
        reminders_deliver(reminders_due())
    [went] = sent
    emailed = Notification.objects.filter(emailed_at__isnull=False)
    assert [n.email_subject for n in emailed] == [went.subject]
    # Once the stopped sender's hold has lapsed, the others go and the first never again.
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert emailed.get().pk not in emails_due(later)
    assert len(emails_due(later)) == 3


def test_a_failure_to_close_the_mail_connection_loses_nothing(document, team, monkeypatch, caplog):
    due(document, in_days(3))
    reminders_plan()

    def goodbye_fails(self):
        raise OSError("connection reset")

    monkeypatch.setattr(LocmemBackend, "close", goodbye_fails)
    assert deliver_reminders(reminders_due()) == 2
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert "Closing the mail connection failed (OSError)" in caplog.text


def test_an_email_another_sender_holds_is_left_to_it(document, team, monkeypatch):
    due(document, in_days(3))
    reminders_plan()
    officer, facilitator = team["officer"], team["facilitator"]
    down = {officer.email, facilitator.email}
    sent = relay_down_for(monkeypatch, down)
    deliver_reminders(reminders_due())
    held, free = Notification.objects.filter(recipient__in=[officer, facilitator]).order_by(
        "recipient_id"
    )
    now = timezone.now() + datetime.timedelta(minutes=6)
    # Another sender claims `held` at the same moment, and has not sent it yet.
    Notification.objects.filter(pk=held.pk).update(
        email_claimed_at=now, email_attempts=F("email_attempts") + 1
    )
    down.clear()
    assert notification_emails_send([held.pk, free.pk], now) == 1
    assert sent == [free.recipient.email]
    held.refresh_from_db()
    assert held.emailed_at is None


def test_after_a_failed_send_the_connection_is_opened_afresh(document, team, monkeypatch, opened):
    due(document, in_days(3))
    reminders_plan()
    sent = relay_down_for(monkeypatch, {team["facilitator"].email})
    assert deliver_reminders(reminders_due()) == 2
    assert sent == [team["officer"].email]
    # Once for the batch, once more after the failure (a server that dropped the connection
    # would fail every later message on it).
    assert len(opened) == 2


def test_an_email_is_tried_over_hours_then_given_up(document, team, monkeypatch, caplog):
    due(document, in_days(3))
    reminders_plan()
    relay_down_for(monkeypatch, {team["officer"].email, team["facilitator"].email})
    deliver_reminders(reminders_due())
    now, tries = timezone.now(), 1
    while True:
        ready = emails_due(now)
        if not ready:
            later = emails_due(now + datetime.timedelta(days=1))
            if not later:
                break
            now += datetime.timedelta(minutes=1)
            continue
        caplog.clear()
        assert notification_emails_send(ready, now) == 0
        for notification_id in ready:
            assert f"notification {notification_id} failed (ConnectionRefusedError)" in caplog.text
        tries += 1
    attempts = set(Notification.objects.values_list("email_attempts", flat=True))
    assert attempts == {MAX_EMAIL_ATTEMPTS} and tries == MAX_EMAIL_ATTEMPTS
    # 5 + 15 + 45 + 135 minutes between the five tries: an outage of hours loses nothing.
    assert now - timezone.now() >= datetime.timedelta(minutes=195)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2


def test_an_email_waiting_for_a_retry_is_not_sent_to_someone_who_left_the_team(
    programme, document, team, monkeypatch
):
    due(document, in_days(3))
    reminders_plan()
    officer = team["officer"]
    down = {officer.email}
    sent = relay_down_for(monkeypatch, down)
    deliver_reminders(reminders_due())
    membership_remove(
        membership=Membership.objects.get(user=officer, programme=programme), actor=None
    )
    down.clear()
    waiting = Notification.objects.get(recipient=officer)
    assert notification_emails_send([waiting.pk], timezone.now() + datetime.timedelta(hours=1)) == 0
    assert officer.email not in sent
    assert emails_due(timezone.now() + datetime.timedelta(days=1)) == []


def test_an_email_written_with_names_is_not_sent_once_the_reader_lost_the_right(
    programme, document, team, monkeypatch
):
    programme_update_settings(programme=programme, actor=None, officers_see_identity=True)
    due(document, in_days(3))
    reminders_plan()
    officer = team["officer"]
    down = {officer.email}
    sent = relay_down_for(monkeypatch, down)
    deliver_reminders(reminders_due())
    waiting = Notification.objects.get(recipient=officer)
    assert waiting.written_with_identity
    programme_update_settings(programme=programme, actor=None, officers_see_identity=False)
    down.clear()
    assert notification_emails_send([waiting.pk], timezone.now() + datetime.timedelta(hours=1)) == 0
    assert officer.email not in sent


def test_a_changed_due_date_cancels_the_old_reminder_and_plans_a_new_one(document, team):
    commitment = due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 09:00"))
    [old] = reminders()
    # Slipped before the worker got to it.
    Commitment.objects.filter(pk=commitment.pk).update(
        due_on=D(2026, 6, 3), status=Commitment.Status.SLIPPED
    )
    assert deliver(old.pk, at("2026-05-13 09:01")) == 0
    old.refresh_from_db()
    assert old.state == State.CANCELLED
    assert old.sent_at is None
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    reminders_plan(at("2026-05-27 09:00"))
    new = Reminder.objects.get(state=State.PENDING)
    assert (new.kind, new.due_on) == (Kind.COMMITMENT_DUE_SOON, D(2026, 6, 3))
    assert deliver_all(at("2026-05-27 09:01")) == 2
    assert Notification.objects.filter(reminder=new).count() == 2


def test_work_done_before_delivery_cancels_the_reminder(document, dialogue, team):
    commitment = due(document, D(2026, 5, 20))
    chased = briefing(document, briefed_on=D(2026, 5, 1))
    ending = pilot(document, ends_on=D(2026, 5, 17))
    moved = session(dialogue, starts_at=at("2026-05-16 08:00"))
    now = at("2026-05-15 12:00")
    reminders_plan(now)
    assert Reminder.objects.count() == 4
    Commitment.objects.filter(pk=commitment.pk).update(status=Commitment.Status.DONE)
    Feedback.objects.create(
        briefing=chased, reaction=Feedback.Reaction.NO_RESPONSE, received_on=D(2026, 5, 15)
    )
    Pilot.objects.filter(pk=ending.pk).update(status=Pilot.Status.STOPPED)
    moved.starts_at = at("2026-05-19 08:00")
    moved.ends_at = at("2026-05-19 10:00")
    moved.save()
    assert deliver_all(at("2026-05-15 12:01")) == 0
    assert set(Reminder.objects.values_list("state", flat=True)) == {State.CANCELLED}
    assert mail.outbox == []


def test_a_muted_kind_reaches_nobody_who_muted_it_and_everyone_else(document, team):
    officer, facilitator = team["officer"], team["facilitator"]
    reminder_mute_set(user=officer, kinds=[Kind.COMMITMENT_DUE_SOON])
    due(document, D(2026, 5, 20), step_index=0)
    reminders_plan(at("2026-05-13 09:00"))
    assert deliver_all(at("2026-05-13 09:01")) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [facilitator.pk]
    assert [m.to for m in mail.outbox] == [[facilitator.email]]
    # Other kinds still reach the officer.
    reminders_plan(at("2026-05-21 09:00"))
    assert deliver_all(at("2026-05-21 09:01")) == 2
    assert Notification.objects.filter(recipient=officer, kind=Kind.COMMITMENT_OVERDUE).exists()


def test_muting_an_unknown_kind_is_refused_and_unticking_unmutes(team):
    officer = team["officer"]
    with pytest.raises(ValidationError, match="no reminder of that kind"):
        reminder_mute_set(user=officer, kinds=["gossip"])
    reminder_mute_set(user=officer, kinds=[Kind.PILOT_ENDING, Kind.SESSION_STARTING])
    reminder_mute_set(user=officer, kinds=[Kind.SESSION_STARTING])
    assert list(officer.reminder_mutes.values_list("kind", flat=True)) == [Kind.SESSION_STARTING]


# --- Recipients ----------------------------------------------------------------------------


def _reminder(document, **fields):
    commitment = due(document, D(2026, 5, 20), **fields)
    return Reminder.objects.create(
        kind=Kind.COMMITMENT_OVERDUE,
        commitment=commitment,
        due_on=commitment.due_on,
        fire_at=at("2026-05-21 09:00"),
    )


def test_a_commitment_followed_up_by_someone_reminds_only_them(document, team):
    reminder = _reminder(document, responsible=team["officer"])
    assert reminder_recipients(reminder) == [team["officer"]]


def test_a_commitment_whose_follower_left_the_team_reminds_the_officers_and_facilitators(
    programme, document, team
):
    former = UserFactory(username="former")
    membership_add(
        programme=programme, email=former.email, role=Membership.Role.PROGRAMME_OFFICER, actor=None
    )
    reminder = _reminder(document, responsible=former)
    Membership.objects.filter(user=former).delete()
    assert set(reminder_recipients(reminder)) == {team["officer"], team["facilitator"]}


def test_inactive_accounts_donors_and_legal_reviewers_get_nothing_and_no_address_no_email(
    programme, document, team, legal_reviewer, donor
):
    silent = UserFactory(username="silent")
    membership_add(
        programme=programme, email=silent.email, role=Membership.Role.FACILITATOR, actor=None
    )
    type(silent).objects.filter(pk=silent.pk).update(email="")
    team["facilitator"].is_active = False
    team["facilitator"].save(update_fields=["is_active"])
    reminder = _reminder(document)
    assert reminder_recipients(reminder) == [team["officer"], silent]
    # Without an address, the reminder reaches them in Parley only.
    assert deliver(reminder.pk) == 2
    assert [message.to for message in mail.outbox] == [[team["officer"].email]]
    assert Notification.objects.get(recipient=silent).email_subject == ""


def test_a_briefing_reminds_the_officers_and_whoever_recorded_it(
    programme, document, team, legal_reviewer
):
    second_facilitator = UserFactory(username="fatima")
    membership_add(
        programme=programme,
        email=second_facilitator.email,
        role=Membership.Role.FACILITATOR,
        actor=None,
    )
    by_facilitator = briefing(document, briefed_on=D(2026, 5, 1), created_by=team["facilitator"])
    by_reviewer = briefing(document, briefed_on=D(2026, 5, 1), created_by=legal_reviewer)
    reminders_plan(at("2026-05-15 09:00"))
    first = Reminder.objects.get(briefing=by_facilitator)
    second = Reminder.objects.get(briefing=by_reviewer)
    assert set(reminder_recipients(first)) == {team["officer"], team["facilitator"]}
    assert reminder_recipients(second) == [team["officer"]]


# --- Names withheld ----------------------------------------------------------------------


def test_a_participant_named_in_a_step_is_withheld_from_an_officer_but_not_a_facilitator(
    dialogue, document, team
):
    on_roster(dialogue, "Amal Haddad", code="P-901")
    Commitment.objects.filter(document=document, step_index=0).update(
        what="Escort Amal Haddad to the crossing", owner="Amal Haddad's office"
    )
    due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 09:00"))
    deliver_all(at("2026-05-13 09:01"))
    for_officer = Notification.objects.get(recipient=team["officer"])
    for_facilitator = Notification.objects.get(recipient=team["facilitator"])
    assert "Amal Haddad" not in for_officer.title + for_officer.body
    assert "[name withheld]" in for_officer.title
    assert "[name withheld]" in for_officer.body
    assert "Escort Amal Haddad to the crossing" in for_facilitator.title
    assert "Amal Haddad's office" in for_facilitator.body
    officer_mail = next(m for m in mail.outbox if m.to == [team["officer"].email])
    assert "Amal Haddad" not in officer_mail.subject + officer_mail.body
    facilitator_mail = next(m for m in mail.outbox if m.to == [team["facilitator"].email])
    assert "Amal Haddad" in facilitator_mail.body


def test_an_officer_allowed_to_see_identities_reads_the_name(programme, dialogue, document, team):
    programme.officers_see_identity = True
    programme.save(update_fields=["officers_see_identity"])
    membership = Membership.objects.get(user=team["officer"], programme=programme)
    membership_sync_permissions(membership=membership)
    on_roster(dialogue, "Amal Haddad", code="P-902")
    Commitment.objects.filter(document=document, step_index=0).update(
        what="Escort Amal Haddad to the crossing"
    )
    due(document, D(2026, 5, 20))
    reminders_plan(at("2026-05-13 09:00"))
    deliver_all(at("2026-05-13 09:01"))
    assert "Amal Haddad" in Notification.objects.get(recipient=team["officer"]).title


def test_a_session_reminder_links_to_the_session_and_says_its_local_time(dialogue, team):
    meeting = session(
        dialogue, starts_at=at("2026-06-01 18:30"), time_zone="Asia/Yangon", title="Plenary"
    )
    reminders_plan(at("2026-05-31 18:30"))
    assert deliver_all(at("2026-05-31 18:31")) == 2
    notification = Notification.objects.get(recipient=team["officer"])
    assert notification.url == reverse(
        "dialogues:session_detail", args=[dialogue.public_id, meeting.public_id]
    )
    assert "Plenary" in notification.title
    assert "1 a.m." in notification.title  # 01:00 in Yangon, not 18:30 UTC
    assert "Asia/Yangon" in notification.body


def test_each_reminder_links_to_the_page_of_what_it_is_about(document, dialogue, team):
    commitment = due(document, D(2026, 5, 20))
    chased = briefing(document, briefed_on=D(2026, 5, 1))
    ending = pilot(document, ends_on=D(2026, 5, 17))
    now = at("2026-05-15 12:00")
    reminders_plan(now)
    deliver_all(now)
    links = dict(Notification.objects.filter(recipient=team["officer"]).values_list("kind", "url"))
    assert links == {
        Kind.COMMITMENT_DUE_SOON: reverse("uptake:ladder", args=[commitment.document.public_id]),
        Kind.BRIEFING_NO_FEEDBACK: reverse("uptake:briefing_detail", args=[chased.public_id]),
        Kind.PILOT_ENDING: reverse("uptake:pilot_detail", args=[ending.public_id]),
    }
