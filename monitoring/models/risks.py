"""The risk register of a programme: risks with a review date, do-no-harm red lines and
expectation-management statements.

Red lines are the most sensitive text Parley holds after identities: proposals that could
endanger communities if leaked. Only facilitators and programme officers read them (see
monitoring.permissions); they never reach donors, exports or notifications."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_LOW = 1, _("Very low")
    LOW = 2, _("Low")
    MEDIUM = 3, _("Medium")
    HIGH = 4, _("High")
    VERY_HIGH = 5, _("Very high")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Risk(models.Model):
    """A risk to the programme or to the people in it, reviewed on a date."""

    Level = Level
    Status = RiskStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "dialogues.Programme", on_delete=models.CASCADE, related_name="risks"
    )
    title = models.CharField(_("risk"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=Level.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    mitigation = models.TextField(_("mitigation"))
    review_on = models.DateField(_("next review"))
    status = models.CharField(
        _("status"), max_length=6, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review_on", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5),
                name="monitoring_risk_likelihood_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5),
                name="monitoring_risk_impact_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "closed"]),
                name="monitoring_risk_status_valid",
            ),
        ]
        indexes = [
            # The register page and the review scan: open risks by review date.
            models.Index(fields=["programme", "status", "review_on"], name="monitoring_risk_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def score(self):
        return self.likelihood * self.impact


class RiskReviewReminder(models.Model):
    """A review date of a risk that has come: planned and delivered once, like the ladder's
    reminders (uptake.services.reminders), through the same notifications and e-mail outbox."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="review_reminders")
    due_on = models.DateField()
    fire_at = models.DateTimeField()
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fire_at", "pk"]
        verbose_name = _("risk review reminder")
        verbose_name_plural = _("risk review reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "due_on"], name="monitoring_riskreviewreminder_once"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "sent", "cancelled"]),
                name="monitoring_riskreviewreminder_state_valid",
            ),
        ]
        indexes = [
            # The delivery scan: pending rows whose moment has come.
            models.Index(fields=["state", "fire_at"], name="monitoring_riskreminder_due"),
        ]

    def __str__(self):
        return f"{self.risk_id} · {self.due_on}"


class RedLine(models.Model):
    """A do-no-harm red line: a proposal or disclosure that could endanger communities if it
    leaked. Readable by facilitators and programme officers only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "dialogues.Programme", on_delete=models.CASCADE, related_name="red_lines"
    )
    statement = models.TextField(_("red line"))
    harm = models.TextField(_("who could be harmed, and how"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("red line")
        verbose_name_plural = _("red lines")

    def __str__(self):
        return str(self.public_id)


class ExpectationStatement(models.Model):
    """What the programme told whom it could and could not do: options, not promises.
    Shown to donors beside results."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "dialogues.Programme", on_delete=models.CASCADE, related_name="expectation_statements"
    )
    audience = models.CharField(
        _("said to"),
        max_length=200,
        help_text=_("A group or institution, e.g. 'the negotiating delegations', never a name."),
    )
    statement = models.TextField(_("what was said"))
    made_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_on", "-pk"]
        verbose_name = _("expectation statement")
        verbose_name_plural = _("expectation statements")

    def __str__(self):
        return f"{self.audience} ({self.made_on})"
