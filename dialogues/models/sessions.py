import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.models.dialogues import Dialogue
from dialogues.models.participants import DialogueParticipant
from dialogues.models.rounds import Round


class Session(models.Model):
    """A meeting of a dialogue. Times are stored in UTC; `time_zone` is where it happens."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", help_text=_("For example Asia/Yangon.")
    )
    location = models.TextField(
        _("location"), blank=True, help_text=_("Visible to the programme team only.")
    )
    rounds = models.ManyToManyField(Round, blank=True, related_name="sessions")
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("Non-attributed: record what was said, never who said it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="dialogues_session_ends_after_start",
            ),
        ]
        indexes = [
            # Sessions of a dialogue in time order (dialogue pages, iCalendar, metrics).
            models.Index(fields=["dialogue", "starts_at"], name="dialogues_session_by_time"),
        ]

    def __str__(self):
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    PARTIAL = "partial", _("Partly present")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    Status = AttendanceStatus

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    dialogue_participant = models.ForeignKey(
        DialogueParticipant, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "dialogue_participant"], name="dialogues_attendance_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="dialogues_attendance_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.dialogue_participant.participant.code} · {self.get_status_display()}"
