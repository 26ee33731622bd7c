"""The 30/60/90-day ladder: when a non-paper version is delivered, each of its steps becomes
a commitment due 30, 60 or 90 days later."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uptake.models.documents import Document


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    SLIPPED = "slipped", _("Slipped")
    DROPPED = "dropped", _("Dropped")


class CommitmentQuerySet(models.QuerySet):
    def overdue(self, today):
        """Open or slipped commitments whose due date has passed (`today` in the programme's
        time zone)."""
        return self.filter(
            status__in=[CommitmentStatus.OPEN, CommitmentStatus.SLIPPED], due_on__lt=today
        )


class Commitment(models.Model):
    """One step of a delivered non-paper, due on a rung of the ladder. `what`, `who` and the
    rung are copied from the delivered text, which is frozen; the due date and owner can be
    changed afterwards."""

    Status = CommitmentStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="commitments")
    step_index = models.PositiveSmallIntegerField(_("step"))
    what = models.TextField(_("step"))
    rung = models.PositiveSmallIntegerField(_("ladder rung (days)"))
    due_on = models.DateField(_("due"))
    owner = models.CharField(
        _("owner"), max_length=300, help_text=_("Who carries it, as the non-paper says.")
    )
    # The team member who follows it up and gets its reminders; empty: the whole team.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.OPEN
    )
    evidence = models.TextField(_("evidence"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "step_index"]
        verbose_name = _("ladder commitment")
        verbose_name_plural = _("ladder commitments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CommitmentStatus.values),
                name="uptake_commitment_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rung__in=[30, 60, 90]), name="uptake_commitment_rung_valid"
            ),
            models.UniqueConstraint(
                fields=["document", "step_index"], name="uptake_commitment_one_per_step"
            ),
        ]
        indexes = [
            # Overdue commitments on the programme overview; the reminder scan.
            models.Index(fields=["status", "due_on"], name="uptake_commitment_by_due"),
        ]

    def __str__(self):
        return f"{self.document} · {self.step_index + 1}"
