"""Reminders that keep the ladder alive, and the in-app notifications they become.

A Reminder row is a deadline in the database: (kind, subject, due date), with the moment it
should go out (`fire_at`, UTC, computed in the programme's time zone). A periodic task finds
the rows whose moment has come and claims each with a conditional update inside the
transaction that writes its notifications, so a rerun or a second worker never sends it
twice and a worker killed half-way leaves it pending for the next run."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.models import Programme, Session
from uptake.models.chain import Briefing, Pilot
from uptake.models.ladder import Commitment


class ReminderKind(models.TextChoices):
    COMMITMENT_DUE_SOON = "commitment_soon", _("A commitment is due in 7 days")
    COMMITMENT_OVERDUE = "commitment_overdue", _("A commitment is overdue")
    BRIEFING_NO_FEEDBACK = "briefing_silent", _("A briefing has had no feedback")
    PILOT_ENDING = "pilot_ending", _("A pilot ends within 3 days")
    SESSION_STARTING = "session_starting", _("A session starts within 24 hours")
    # Kept by the monitoring app (monitoring.RiskReviewReminder): its notifications have no
    # uptake Reminder.
    RISK_REVIEW = "risk_review", _("A risk is due for review")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    # The subject no longer needs it (commitment done, feedback came, date moved ...).
    CANCELLED = "cancelled", _("Cancelled")


SUBJECT_FIELDS = ("commitment", "briefing", "pilot", "session")


class Reminder(models.Model):
    Kind = ReminderKind
    State = ReminderState

    kind = models.CharField(max_length=18, choices=Kind.choices)
    # Exactly one subject is set (see the constraint below).
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    briefing = models.ForeignKey(
        Briefing, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    pilot = models.ForeignKey(
        Pilot, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The deadline the reminder is about, in the programme's (or session's) local calendar.
    due_on = models.DateField()
    fire_at = models.DateTimeField()
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fire_at", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values), name="uptake_reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=ReminderState.values),
                name="uptake_reminder_state_valid",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(commitment__isnull=False, briefing=None, pilot=None, session=None)
                    | models.Q(commitment=None, briefing__isnull=False, pilot=None, session=None)
                    | models.Q(commitment=None, briefing=None, pilot__isnull=False, session=None)
                    | models.Q(commitment=None, briefing=None, pilot=None, session__isnull=False)
                ),
                name="uptake_reminder_one_subject",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=ReminderState.SENT) | models.Q(sent_at__isnull=False),
                name="uptake_reminder_sent_has_time",
            ),
            # One reminder per (kind, subject, due date).
            *(
                models.UniqueConstraint(
                    fields=["kind", subject, "due_on"],
                    condition=models.Q(**{f"{subject}__isnull": False}),
                    name=f"uptake_reminder_once_per_{subject}",
                )
                for subject in SUBJECT_FIELDS
            ),
        ]
        indexes = [
            # The beat scan: pending reminders whose moment has come.
            models.Index(
                fields=["fire_at"],
                condition=models.Q(state=ReminderState.PENDING),
                name="uptake_reminder_pending_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.due_on}"

    @property
    def subject(self):
        for name in SUBJECT_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None


class Notification(models.Model):
    """A reminder as one recipient sees it in Parley (and got it by email). Its text is
    written for that recipient: a participant's name never appears unless they may see it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Empty for a reminder another app keeps (a risk review: monitoring.RiskReviewReminder),
    # which claims its own rows so each recipient is reached once.
    reminder = models.ForeignKey(
        Reminder, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Whose work it is about: shown only while the recipient is still on its team.
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    # Written with participants' names shown (the recipient could see identities then): the
    # text is withheld again if they no longer may.
    written_with_identity = models.BooleanField(default=False)
    kind = models.CharField(max_length=18, choices=ReminderKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail outbox: the message is written with the notification, in the reminder's
    # transaction, and sent after it commits (never inside it: a rolled-back transaction
    # cannot unsend a message). Empty subject: the recipient has no address.
    email_subject = models.CharField(max_length=300, blank=True)
    email_body = models.TextField(blank=True)
    # One sender at a time: a claim older than the lease is taken to be a dead worker's.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # Each reminder reaches each recipient exactly once.
            models.UniqueConstraint(
                fields=["reminder", "recipient"], name="uptake_notification_once_per_recipient"
            ),
        ]
        indexes = [
            # The unread count in the navigation and the recipient's list.
            models.Index(fields=["recipient", "read_at"], name="uptake_notification_inbox"),
            # The beat scan: e-mails still to send.
            models.Index(
                fields=["id"],
                condition=models.Q(emailed_at__isnull=True) & ~models.Q(email_subject=""),
                name="uptake_notification_outbox",
            ),
        ]

    def __str__(self):
        return self.title


class ReminderMute(models.Model):
    """A user who does not want reminders of one kind."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_mutes"
    )
    kind = models.CharField(max_length=18, choices=ReminderKind.choices)

    class Meta:
        verbose_name = _("muted reminder kind")
        verbose_name_plural = _("muted reminder kinds")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="uptake_remindermute_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values),
                name="uptake_remindermute_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}"
