"""Reminders: planned from the deadlines in the database, each delivered exactly once.

`reminders_plan(now)` writes a Reminder row for every (kind, subject, due date) whose moment has
come, straight from the current state of commitments, briefings, pilots and sessions; the
unique constraints make a rerun (or two scans at once) harmless. `reminders_deliver(ids, now)`
claims each row with a conditional update and writes its notifications and e-mails in the
same transaction: a second worker finds nothing to claim, and a worker killed half-way rolls
back, leaving the row pending for the next scan.

Moments fall at 09:00 on the programme's calendar (a session's: 24 hours before it starts)
and are stored in UTC. Reminders whose deadline is long past are not planned, so a first run
on old data does not flood the team.
"""

import datetime
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from dialogues.models import Dialogue, Membership, Session
from dialogues.permissions import (
    forget_checked_permissions,
    may_see_identity,
    shared_permission_checks,
)
from dialogues.services.attribution import dialogue_redactor
from dialogues.services.sessions import session_zone
from uptake.models import (
    Briefing,
    BriefingOutcome,
    Commitment,
    CommitmentStatus,
    Feedback,
    Notification,
    Pilot,
    PilotStatus,
    Reminder,
    ReminderKind,
    ReminderMute,
    ReminderState,
    UptakeSettings,
)
from uptake.permissions import notifications_for_user
from uptake.services.ladder import programme_today, programme_zone

logger = logging.getLogger(__name__)

Kind = ReminderKind
Role = Membership.Role

# How long a batch of deliveries goes on with the rights and redactors it loaded before it
# reads them again: a right revoked or a participant added while a long batch runs counts
# within seconds.
SHARED_FOR_SECONDS = 5

# When a dated reminder goes out, on the programme's calendar.
REMINDER_TIME = datetime.time(9, 0)
DUE_SOON_DAYS = 7
PILOT_ENDING_DAYS = 3
SESSION_NOTICE = datetime.timedelta(hours=24)
# A reminder whose moment passed longer ago than this is not planned any more.
MAX_LATE = datetime.timedelta(days=30)
DEFAULT_FEEDBACK_DAYS = UptakeSettings._meta.get_field("feedback_reminder_days").default
# Local calendars run up to 14 hours off UTC: a date window one day wider on each side of the
# UTC calendar holds every programme's local dates.
ZONE_SLACK = datetime.timedelta(days=1)
OPEN_STATUSES = (CommitmentStatus.OPEN, CommitmentStatus.SLIPPED)
# Who manages the chain on a programme (carry_uptake or lead_dialogues).
CHAIN_MANAGERS = (Role.FACILITATOR, Role.PROGRAMME_OFFICER)


def local_moment(day, zone):
    """09:00 on `day` in `zone`, in UTC."""
    return datetime.datetime.combine(day, REMINDER_TIME, tzinfo=zone).astimezone(datetime.UTC)


# --- Planning ---------------------------------------------------------------------------


def _reminder_missing(kind, subject, due_on="due_on"):
    """Anti-join: no reminder of `kind` yet for the outer row and its due date."""
    return ~Exists(
        Reminder.objects.filter(kind=kind, **{subject: OuterRef("pk"), "due_on": OuterRef(due_on)})
    )


def _commitments(utc_today, first_due, last_due, kind):
    return (
        Commitment.objects.filter(
            status__in=OPEN_STATUSES,
            due_on__gte=utc_today + first_due,
            due_on__lte=utc_today + last_due,
        )
        .filter(_reminder_missing(kind, "commitment"))
        .select_related("document__dialogue__programme")
    )


def _plan_commitments(now, utc_today):
    planned = []
    soon = datetime.timedelta(days=DUE_SOON_DAYS)
    # Due soon: 09:00 local, 7 days before; not once the due date is past (overdue speaks).
    for commitment in _commitments(
        utc_today, -ZONE_SLACK, soon + ZONE_SLACK, Kind.COMMITMENT_DUE_SOON
    ):
        programme = commitment.document.dialogue.programme
        fire_at = local_moment(commitment.due_on - soon, programme_zone(programme))
        if fire_at <= now and commitment.due_on >= programme_today(programme, now):
            planned.append(
                Reminder(
                    kind=Kind.COMMITMENT_DUE_SOON,
                    commitment=commitment,
                    due_on=commitment.due_on,
                    fire_at=fire_at,
                )
            )
    # Overdue: 09:00 local the day after the due date; at most 30 days late.
    one_day = datetime.timedelta(days=1)
    for commitment in _commitments(
        utc_today, -(MAX_LATE + one_day + ZONE_SLACK), ZONE_SLACK, Kind.COMMITMENT_OVERDUE
    ):
        programme = commitment.document.dialogue.programme
        fire_at = local_moment(commitment.due_on + one_day, programme_zone(programme))
        if fire_at <= now <= fire_at + MAX_LATE:
            planned.append(
                Reminder(
                    kind=Kind.COMMITMENT_OVERDUE,
                    commitment=commitment,
                    due_on=commitment.due_on,
                    fire_at=fire_at,
                )
            )
    return planned


def feedback_days(programme):
    """After how many days a briefing with no feedback is chased on `programme`."""
    try:
        return programme.uptake_settings.feedback_reminder_days
    except UptakeSettings.DoesNotExist:
        return DEFAULT_FEEDBACK_DAYS


def _plan_briefings(now, utc_today):
    # One query per chase delay in use (a handful), so each reads only the briefings whose
    # chase date falls in its window.
    delays = set(
        UptakeSettings.objects.values_list("feedback_reminder_days", flat=True).distinct()
    ) | {DEFAULT_FEEDBACK_DAYS}
    candidates = []
    for days in sorted(delays):
        uses_delay = Q(document__dialogue__programme__uptake_settings__feedback_reminder_days=days)
        if days == DEFAULT_FEEDBACK_DAYS:
            uses_delay |= Q(document__dialogue__programme__uptake_settings__isnull=True)
        delay = datetime.timedelta(days=days)
        briefings = (
            Briefing.objects.filter(
                uses_delay,
                outcome=BriefingOutcome.BRIEFED,
                briefed_on__gte=utc_today - delay - MAX_LATE - ZONE_SLACK,
                briefed_on__lte=utc_today - delay + ZONE_SLACK,
            )
            .filter(~Exists(Feedback.objects.filter(briefing=OuterRef("pk"))))
            .select_related("document__dialogue__programme")
        )
        candidates += [(briefing, briefing.briefed_on + delay) for briefing in briefings]
    # The due date is computed, so the anti-join is one query over the candidates.
    planned_already = set(
        Reminder.objects.filter(
            kind=Kind.BRIEFING_NO_FEEDBACK,
            briefing_id__in=[briefing.pk for briefing, _due in candidates],
        ).values_list("briefing_id", "due_on")
    )
    planned = []
    for briefing, due_on in candidates:
        programme = briefing.document.dialogue.programme
        fire_at = local_moment(due_on, programme_zone(programme))
        if (briefing.pk, due_on) not in planned_already and fire_at <= now <= fire_at + MAX_LATE:
            planned.append(
                Reminder(
                    kind=Kind.BRIEFING_NO_FEEDBACK,
                    briefing=briefing,
                    due_on=due_on,
                    fire_at=fire_at,
                )
            )
    return planned


def _plan_pilots(now, utc_today):
    ending = datetime.timedelta(days=PILOT_ENDING_DAYS)
    pilots = (
        Pilot.objects.filter(
            status=PilotStatus.RUNNING,
            ends_on__gte=utc_today - ZONE_SLACK,
            ends_on__lte=utc_today + ending + ZONE_SLACK,
        )
        .filter(_reminder_missing(Kind.PILOT_ENDING, "pilot", due_on="ends_on"))
        .select_related("document__dialogue__programme")
    )
    planned = []
    for pilot in pilots:
        programme = pilot.document.dialogue.programme
        fire_at = local_moment(pilot.ends_on - ending, programme_zone(programme))
        if fire_at <= now and pilot.ends_on >= programme_today(programme, now):
            planned.append(
                Reminder(kind=Kind.PILOT_ENDING, pilot=pilot, due_on=pilot.ends_on, fire_at=fire_at)
            )
    return planned


def _session_day(session):
    """The session's start date on its own calendar."""
    return timezone.localtime(session.starts_at, session_zone(session)).date()


def _plan_sessions(now):
    sessions = list(
        Session.objects.filter(starts_at__gt=now, starts_at__lte=now + SESSION_NOTICE).exclude(
            dialogue__status__in=Dialogue.FINAL_STATUSES
        )
    )
    planned_already = set(
        Reminder.objects.filter(
            kind=Kind.SESSION_STARTING, session_id__in=[session.pk for session in sessions]
        ).values_list("session_id", "due_on")
    )
    return [
        Reminder(
            kind=Kind.SESSION_STARTING,
            session=session,
            due_on=_session_day(session),
            fire_at=session.starts_at - SESSION_NOTICE,
        )
        for session in sessions
        if (session.pk, _session_day(session)) not in planned_already
    ]


def reminders_plan(now=None):
    """Write a pending Reminder for every (kind, subject, due date) whose moment has come by
    `now` and that has none yet; returns how many rows it tried to add. Reads only the
    candidates of a few days' windows. Safe to run at any time, by several workers at once:
    the unique constraints drop duplicates.
    Caller: the periodic scan (uptake.tasks.scan_reminders)."""
    now = now or timezone.now()
    utc_today = now.astimezone(datetime.UTC).date()
    planned = [
        *_plan_commitments(now, utc_today),
        *_plan_briefings(now, utc_today),
        *_plan_pilots(now, utc_today),
        *_plan_sessions(now),
    ]
    Reminder.objects.bulk_create(planned, ignore_conflicts=True)
    return len(planned)


def reminders_due(now=None):
    """Ids of the pending reminders whose moment has come, in order."""
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(state=ReminderState.PENDING, fire_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Delivery ---------------------------------------------------------------------------


# What each kind's texts and recipients read about its subject.
_SUBJECTS = {
    "commitment": (Commitment, ("document__dialogue__programme", "responsible")),
    "briefing": (
        Briefing,
        ("document__dialogue__programme__uptake_settings", "carrier", "created_by"),
    ),
    "pilot": (Pilot, ("document__dialogue__programme",)),
    "session": (Session, ("dialogue__programme",)),
}


def _load(reminder_id):
    """The reminder, then its subject with what the texts read: two small queries, where one
    join across every kind's subject took ten times longer to build than both to run."""
    reminder = Reminder.objects.get(pk=reminder_id)
    for field, (model, related) in _SUBJECTS.items():
        subject_id = getattr(reminder, f"{field}_id")
        if subject_id is not None:
            setattr(reminder, field, model.objects.select_related(*related).get(pk=subject_id))
    return reminder


def _dialogue(reminder):
    subject = reminder.subject
    if reminder.session_id:
        return subject.dialogue
    return subject.document.dialogue


def _still_needed(reminder, now):
    """Whether the subject still calls for this reminder: the deadline has not moved and the
    work is not done."""
    kind = reminder.kind
    if kind in (Kind.COMMITMENT_DUE_SOON, Kind.COMMITMENT_OVERDUE):
        commitment = reminder.commitment
        if commitment.status not in OPEN_STATUSES or commitment.due_on != reminder.due_on:
            return False
        if kind == Kind.COMMITMENT_DUE_SOON:
            # Past its date it is overdue, and that reminder speaks instead.
            return commitment.due_on >= programme_today(commitment.document.dialogue.programme, now)
        return True
    if kind == Kind.BRIEFING_NO_FEEDBACK:
        briefing = reminder.briefing
        programme = briefing.document.dialogue.programme
        chase_on = briefing.briefed_on + datetime.timedelta(days=feedback_days(programme))
        return (
            briefing.outcome == BriefingOutcome.BRIEFED
            and chase_on == reminder.due_on
            and not briefing.feedback.exists()
        )
    if kind == Kind.PILOT_ENDING:
        pilot = reminder.pilot
        return pilot.status == PilotStatus.RUNNING and pilot.ends_on == reminder.due_on
    if kind == Kind.SESSION_STARTING:
        session = reminder.session
        return (
            session.dialogue.status not in Dialogue.FINAL_STATUSES
            and session.starts_at > now
            and _session_day(session) == reminder.due_on
        )
    return False  # unknown kind: deny


def _memberships(programme):
    return (
        Membership.objects.filter(programme=programme, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )


def reminder_recipients(reminder):
    """Who gets `reminder`: active team members (those without an e-mail address see it in
    Parley only).
    A commitment: whoever follows it up, while they still manage the chain on the team;
    otherwise the programme's officers and facilitators. A briefing: the officers, and whoever
    recorded it while they still manage the chain. A pilot or a session: the officers and
    facilitators."""
    programme = _dialogue(reminder).programme
    memberships = _memberships(programme)
    if reminder.commitment_id and reminder.commitment.responsible_id:
        responsible = memberships.filter(
            user_id=reminder.commitment.responsible_id, role__in=CHAIN_MANAGERS
        )
        if responsible:
            return [membership.user for membership in responsible]
    if reminder.briefing_id:
        wanted = Q(role=Role.PROGRAMME_OFFICER)
        if reminder.briefing.created_by_id:
            wanted |= Q(user_id=reminder.briefing.created_by_id, role__in=CHAIN_MANAGERS)
        return [membership.user for membership in memberships.filter(wanted)]
    return [membership.user for membership in memberships.filter(role__in=CHAIN_MANAGERS)]


def _one_line(text, length=None):
    text = " ".join((text or "").split())
    return Truncator(text).chars(length) if length else text


def _date(day):
    return formats.date_format(day, "DATE_FORMAT")


def _commitment_text(reminder, redact):
    commitment = reminder.commitment
    document = commitment.document
    values = {
        "step": _one_line(redact(commitment.what), 120),
        "number": commitment.step_index + 1,
        "document": _one_line(redact(document.title)),
        "owner": _one_line(redact(commitment.owner)),
        "date": _date(commitment.due_on),
        "status": commitment.get_status_display().lower(),
    }
    if reminder.kind == Kind.COMMITMENT_DUE_SOON:
        title = _("Due on %(date)s: %(step)s") % values
        body = (
            _(
                "Step %(number)s of “%(document)s” (%(owner)s) is due on %(date)s, in a week. "
                "Record its evidence when it is done, or give it a new date if it slips."
            )
            % values
        )
    else:
        title = _("Overdue since %(date)s: %(step)s") % values
        body = (
            _(
                "Step %(number)s of “%(document)s” (%(owner)s) was due on %(date)s and is "
                "still %(status)s. Mark it done, give it a new date, or drop it."
            )
            % values
        )
    url = reverse("uptake:ladder", args=[document.public_id])
    return title, body, url


def _briefing_text(reminder, redact):
    briefing = reminder.briefing
    document = briefing.document
    values = {
        "document": _one_line(redact(document.title)),
        # Carriers are the programme's contacts; a principal is checked for names when the
        # briefing is recorded, and redacted here for anyone added to the roster since.
        "carrier": _one_line(briefing.carrier.name),
        "principal": _one_line(redact(briefing.principal)),
        "date": _date(briefing.briefed_on),
        "days": (reminder.due_on - briefing.briefed_on).days,
    }
    title = _("No feedback yet from %(principal)s on “%(document)s”") % values
    body = (
        _(
            "%(carrier)s briefed %(principal)s on “%(document)s” on %(date)s, %(days)s days "
            "ago, and no reaction has been recorded. Ask through the backchannel, and record "
            "what comes back (or that nothing did)."
        )
        % values
    )
    url = reverse("uptake:briefing_detail", args=[briefing.public_id])
    return title, body, url


def _pilot_text(reminder, redact):
    pilot = reminder.pilot
    document = pilot.document
    values = {
        "pilot": _one_line(redact(pilot.title)),
        "document": _one_line(redact(document.title)),
        "date": _date(pilot.ends_on),
    }
    title = _("The pilot “%(pilot)s” ends on %(date)s") % values
    body = (
        _(
            "The pilot from “%(document)s” ends on %(date)s. Record its proof-points, then "
            "mark it completed or stopped."
        )
        % values
    )
    url = reverse("uptake:pilot_detail", args=[pilot.public_id])
    return title, body, url


def _session_text(reminder, redact):
    session = reminder.session
    zone = session_zone(session)
    starts = timezone.localtime(session.starts_at, zone)
    values = {
        "session": _one_line(redact(session.title)),
        "dialogue": _one_line(redact(session.dialogue.title)),
        "when": formats.date_format(starts, "DATETIME_FORMAT"),
        "zone": str(zone),
    }
    title = _("The session “%(session)s” starts on %(when)s") % values
    body = (
        _("The session of “%(dialogue)s” starts on %(when)s (%(zone)s time), within a day.")
        % values
    )
    url = reverse("dialogues:session_detail", args=[session.dialogue.public_id, session.public_id])
    return title, body, url


_TEXTS = {
    Kind.COMMITMENT_DUE_SOON: _commitment_text,
    Kind.COMMITMENT_OVERDUE: _commitment_text,
    Kind.BRIEFING_NO_FEEDBACK: _briefing_text,
    Kind.PILOT_ENDING: _pilot_text,
    Kind.SESSION_STARTING: _session_text,
}


def message_id(reminder_id, user_id):
    """The same for every attempt, so a mail client drops a copy sent twice (a worker killed
    after sending, before it could mark the message sent)."""
    return f"<reminder-{reminder_id}-{user_id}@parley>"


def _notification_message_id(notification):
    """message_id for a notification of an uptake reminder; for one of a reminder kept by
    another app (no uptake Reminder), one of its own, as fixed."""
    if notification.reminder_id is None:
        return f"<notification-{notification.public_id}@parley>"
    return message_id(notification.reminder_id, notification.recipient_id)


def _email_text(programme, title, body, url):
    """The subject and body of a reminder's e-mail."""
    context = {
        "title": title,
        "body": body,
        "programme": programme.name,
        "link": f"{settings.PARLEY_BASE_URL}{url}" if url else "",
        "settings_link": settings.PARLEY_BASE_URL + reverse("uptake:notification_settings"),
    }
    subject = _one_line(render_to_string("uptake/email/reminder_subject.txt", context))
    subject = Truncator(subject).chars(Notification._meta.get_field("email_subject").max_length)
    return subject, render_to_string("uptake/email/reminder.txt", context)


def reminders_deliver(reminder_ids, now=None):
    """Deliver each of `reminder_ids` whose moment has come and that is still pending, in
    order and each in its own transaction: one notification per recipient who has not muted
    its kind, each text written (and names withheld) for that recipient, its e-mail in the
    outbox. Then send the batch's e-mails over one connection to the mail server. Returns
    (recipients reached, reminders that failed).

    What the batch's reminders share is loaded once (again every SHARED_FOR_SECONDS in a
    long batch): each recipient's permissions, each dialogue's redactors. A reminder is
    claimed with a conditional update in the transaction that writes its notifications, so a
    rerun or a second worker delivers nothing and a worker killed half-way leaves it
    pending; a subject that no longer needs it (commitment done, feedback in, date moved)
    cancels it instead. One that fails stays pending for the next scan, logged by id and
    error type, and the others still go. E-mails go only after the commits, each recipient's
    rights read afresh; one that fails is retried by the next scan.
    Caller: the worker (uptake.tasks.deliver_reminders)."""
    now = now or timezone.now()
    reached, failed, written = 0, 0, []
    redactors = {}
    with shared_permission_checks():
        loaded_at = time.monotonic()
        for reminder_id in reminder_ids:
            if time.monotonic() - loaded_at > SHARED_FOR_SECONDS:
                forget_checked_permissions()
                redactors.clear()
                loaded_at = time.monotonic()
            try:
                notifications = _deliver(reminder_id, now, redactors)
            except SoftTimeLimitExceeded:
                raise  # the task is out of time: stop before the hard kill lands
            except Exception as error:
                failed += 1
                # The id and the error's type only, no traceback: its message may hold an
                # address or a name.
                logger.error(
                    "Delivering reminder %s failed (%s); it stays pending",
                    reminder_id,
                    type(error).__name__,
                )
                continue
            reached += len(notifications)
            written += notifications
        # Rights read afresh for the check before sending: the batch may have taken a while.
        forget_checked_permissions()
        # Claimed at the present moment, as the outbox worker claims them (`now` may be the
        # moment a late scan delivers as of).
        _emails_send_logged([n.pk for n in written], timezone.now())
    return reached, failed


def _deliver(reminder_id, now, redactors):
    """Claim and write one reminder's notifications (one transaction); returns them.
    `redactors` holds the batch's redactors by (dialogue, whether names show)."""
    with transaction.atomic():
        claimed = Reminder.objects.filter(
            pk=reminder_id, state=ReminderState.PENDING, fire_at__lte=now
        ).update(state=ReminderState.SENT, sent_at=now)
        if not claimed:
            return []
        reminder = _load(reminder_id)
        if not _still_needed(reminder, now):
            Reminder.objects.filter(pk=reminder.pk).update(
                state=ReminderState.CANCELLED, sent_at=None
            )
            return []
        dialogue = _dialogue(reminder)
        programme = dialogue.programme
        recipients = reminder_recipients(reminder)
        muted = set(
            ReminderMute.objects.filter(
                kind=reminder.kind, user__in=[user.pk for user in recipients]
            ).values_list("user_id", flat=True)
        )
        notifications = []
        with translation.override(settings.LANGUAGE_CODE):
            for user in recipients:
                if user.pk in muted:
                    continue
                show_identity = may_see_identity(user, programme)
                key = (dialogue.pk, show_identity)
                if key not in redactors:
                    redactors[key] = dialogue_redactor(dialogue, show_identity=show_identity)
                title, body, url = _TEXTS[reminder.kind](reminder, redactors[key])
                title = Truncator(title).chars(Notification._meta.get_field("title").max_length)
                subject, text = _email_text(programme, title, body, url) if user.email else ("", "")
                notifications.append(
                    Notification(
                        reminder=reminder,
                        recipient=user,
                        programme=programme,
                        written_with_identity=show_identity,
                        kind=reminder.kind,
                        title=title,
                        body=body,
                        url=url,
                        email_subject=subject,
                        email_body=text,
                    )
                )
        return Notification.objects.bulk_create(notifications)


# How many times an e-mail is tried before it is left for good (the notification stays in
# the app), how long after each failure the next try waits (growing, so that a mail server
# down for an hour loses nothing), and how long a sender may hold one before it is taken for
# dead (longer than the tasks' hard time limit).
MAX_EMAIL_ATTEMPTS = 5
EMAIL_RETRY_AFTER = datetime.timedelta(minutes=5)
EMAIL_LEASE = datetime.timedelta(minutes=10)


def _outbox(now):
    return (
        Notification.objects.filter(emailed_at__isnull=True, email_attempts__lt=MAX_EMAIL_ATTEMPTS)
        .exclude(email_subject="")
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_LEASE))
    )


def emails_due(now=None):
    """Ids of notifications whose e-mail is still to send (never sent, not given up, not held
    by a live sender nor waiting before a retry), in order."""
    return list(_outbox(now or timezone.now()).order_by("pk").values_list("pk", flat=True))


def _still_receiving(notifications):
    """The ids of `notifications` whose recipient may still be sent their text: an active
    account with an address, still on the programme's team, and still allowed the names it
    was written with. One query per recipient."""
    by_recipient = {}
    for notification in notifications:
        by_recipient.setdefault(notification.recipient, []).append(notification)
    allowed = set()
    for recipient, theirs in by_recipient.items():
        if not recipient.is_active or not recipient.email:
            continue
        on_team = set(
            notifications_for_user(recipient)
            .filter(pk__in=[notification.pk for notification in theirs])
            .values_list("pk", flat=True)
        )
        allowed |= {
            notification.pk
            for notification in theirs
            if notification.pk in on_team
            and (
                not notification.written_with_identity
                or may_see_identity(recipient, notification.programme)
            )
        }
    return allowed


def _emails_send(ids, now):
    """Send the e-mails of the notifications `ids` that are in the outbox, over one
    connection; returns (the ids sent, [(id, error)] for those that failed).

    Each is claimed with its own conditional update (one sender at a time, each claim an
    attempt), and every later write checks the claim is still this one. A recipient who
    left the team, lost the right to the names in it or whose account was closed is not
    sent it (given up). Each is marked sent as soon as it has gone, so a sender stopped
    half-way (its time limit, a kill) leaves at most the one it was sending to go again,
    recognisable by its fixed Message-ID. A failed send is retried later, each wait longer
    than the last, and the connection is opened afresh for the next one."""
    claimed = [
        pk
        for pk in ids
        if _outbox(now)
        .filter(pk=pk)
        .update(email_claimed_at=now, email_attempts=F("email_attempts") + 1)
    ]
    if not claimed:
        return [], []
    mine = Notification.objects.filter(email_claimed_at=now)
    held = list(
        Notification.objects.filter(pk__in=claimed)
        .select_related("recipient", "programme")
        .order_by("pk")
    )
    allowed = _still_receiving(held)
    mine.filter(pk__in=[n.pk for n in held if n.pk not in allowed]).update(
        email_attempts=MAX_EMAIL_ATTEMPTS, email_claimed_at=None
    )
    to_send = [notification for notification in held if notification.pk in allowed]
    sent, failures = [], []
    if not to_send:
        return sent, failures
    connection = mailers.default
    _open(connection)
    try:
        for notification in to_send:
            message = EmailMessage(
                subject=notification.email_subject,
                body=notification.email_body,
                to=[notification.recipient.email],
                headers={"Message-ID": _notification_message_id(notification)},
            )
            try:
                connection.send_messages([message])
            except SoftTimeLimitExceeded:
                raise  # the task is out of time: what went is marked already
            except Exception as error:
                failures.append((notification.pk, error))
                # Claimable again once the wait is over: 5, 15, 45 ... minutes after this try.
                wait = EMAIL_RETRY_AFTER * 3 ** (notification.email_attempts - 1)
                mine.filter(pk=notification.pk).update(email_claimed_at=now + wait - EMAIL_LEASE)
                # A server that dropped the connection fails every later message on it.
                _close(connection)
                _open(connection)
                continue
            if mine.filter(pk=notification.pk).update(emailed_at=timezone.now()):
                sent.append(notification.pk)
            else:
                logger.warning(
                    "Notification %s was claimed by another sender meanwhile", notification.pk
                )
    finally:
        _close(connection)
    return sent, failures


def _open(connection):
    """Open the mail connection for the messages to come. If it cannot be opened, each
    send tries again and its failure is recorded there."""
    try:
        connection.open()
    except SoftTimeLimitExceeded:
        raise
    except Exception:  # noqa: S110 (recorded by the send that follows)
        pass


def _close(connection):
    """Close the mail connection; a failure to say goodbye loses nothing that went."""
    try:
        connection.close()
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        logger.warning("Closing the mail connection failed (%s)", type(error).__name__)


def _emails_send_logged(ids, now):
    """_emails_send, each failure logged (the id and the error's type only: an address or a
    name may be in its message) and left for the outbox's retry; an error outside the
    sending (the database) too, since the notifications it concerns are committed already.
    Returns how many were sent."""
    try:
        sent, failures = _emails_send(ids, now)
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        logger.error("E-mailing %s notifications failed (%s)", len(ids), type(error).__name__)
        return 0
    for notification_id, error in failures:
        logger.warning(
            "E-mailing notification %s failed (%s); it will be retried",
            notification_id,
            type(error).__name__,
        )
    return len(sent)


def notification_emails_send(notification_ids, now=None):
    """Send the e-mails of the notifications `notification_ids` that are still to send (not
    sent, not given up, not held by another sender nor waiting before a retry), over one
    connection to the mail server; returns how many were sent. One that fails is logged and
    retried later; the others still go.
    Callers: the worker for the outbox (uptake.tasks), monitoring's risk reviews."""
    with shared_permission_checks():
        return _emails_send_logged(list(notification_ids), now or timezone.now())


# --- The recipient's side ---------------------------------------------------------------


@transaction.atomic
def reminder_mute_set(*, user, kinds):
    """Mute exactly `kinds` (ReminderKind values) for `user`, unmuting the others.
    Caller: the user themself. Raises ValidationError for a kind that does not exist."""
    kinds = set(kinds)
    unknown = kinds - set(ReminderKind.values)
    if unknown:
        raise ValidationError(
            _("There is no reminder of that kind: %(kinds)s.")
            % {"kinds": ", ".join(sorted(unknown))},
            code="unknown_kind",
        )
    ReminderMute.objects.filter(user=user).exclude(kind__in=kinds).delete()
    ReminderMute.objects.bulk_create(
        [ReminderMute(user=user, kind=kind) for kind in sorted(kinds)], ignore_conflicts=True
    )


def notifications_mark_read(*, user, notification=None, now=None):
    """Mark `notification`, or every unread notification of `user`, as read; returns how
    many changed. Caller: the recipient (a notification of someone else changes nothing)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=now or timezone.now())
