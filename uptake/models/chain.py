"""The uptake chain after drafting: who carries a non-paper to policy (carriers, briefings),
the legal and operational vetting that gates it, what comes back (feedback), and the
micro-pilots that test its steps."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.audit import AuditedRecords
from dialogues.models import Programme
from uptake.models.documents import Document


class UptakeSettings(models.Model):
    """A programme's settings for the uptake chain (one row, created on first use)."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="uptake_settings"
    )
    feedback_reminder_days = models.PositiveSmallIntegerField(
        _("chase feedback after (days)"),
        default=14,
        help_text=_("Remind the team when a briefing has had no feedback for this many days."),
    )

    class Meta:
        verbose_name = _("uptake settings")
        verbose_name_plural = _("uptake settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(feedback_reminder_days__gte=1, feedback_reminder_days__lte=365),
                name="uptake_uptakesettings_feedback_days_range",
            ),
        ]

    def __str__(self):
        return str(self.programme)


class CarrierKind(models.TextChoices):
    SENIOR_ADVISOR = "advisor", _("Senior advisor")
    SPECIAL_ENVOY = "envoy", _("Special envoy")
    COMMITTEE_CHAIR = "chair", _("Committee chair")
    OTHER = "other", _("Other")


class Carrier(models.Model):
    """Someone who can brief principals under time pressure. Not a participant: carriers are
    the programme's contacts in government and multilateral bodies."""

    Kind = CarrierKind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="carriers")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    institution = models.CharField(_("institution"), max_length=200)
    principals = models.TextField(
        _("principals they reach"), help_text=_("For example: the foreign minister's office.")
    )
    trust_notes = models.TextField(
        _("notes on trust"),
        blank=True,
        help_text=_("Visible to the facilitator and programme officers only."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("policy carrier")
        verbose_name_plural = _("policy carriers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CarrierKind.values), name="uptake_carrier_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


class VettingFramework(models.TextChoices):
    IHL = "ihl", _("International humanitarian law")
    IHRL = "ihrl", _("International human rights law")
    SANCTIONS = "sanctions", _("Sanctions regimes")
    DOMESTIC = "domestic", _("Domestic law")
    OPERATIONAL = "operational", _("Operational and logistical feasibility")


class VettingVerdict(models.TextChoices):
    CLEARED = "cleared", _("Cleared")
    CONDITIONS = "conditions", _("Cleared with conditions")
    BLOCKED = "blocked", _("Blocked")
    NOT_APPLICABLE = "na", _("Not applicable")


# Verdicts that let a version be relayed.
PASSING_VERDICTS = frozenset(
    {VettingVerdict.CLEARED, VettingVerdict.CONDITIONS, VettingVerdict.NOT_APPLICABLE}
)


class Vetting(models.Model):
    """A legal reviewer's verdict on one non-paper version against one framework: for the
    whole text (`step_index` empty) or for one of its steps. The latest verdict per
    (version, framework, step) is the row; changes are kept in the timeline through
    `decided_at` and the document's events."""

    Framework = VettingFramework
    Verdict = VettingVerdict

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="vettings")
    framework = models.CharField(_("framework"), max_length=11, choices=Framework.choices)
    # Index into the delivered text's steps (content["steps"]); empty for the whole text.
    step_index = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    notes = models.TextField(_("notes"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as written so the record still says who vetted it after the account is gone.
    reviewer_name = models.CharField(_("reviewer"), max_length=300)
    decided_at = models.DateTimeField(_("decided"))

    # Every verdict a reviewer gave, not only the latest the row holds.
    history = AuditedRecords()

    class Meta:
        ordering = ["document", "framework", "step_index"]
        verbose_name = _("vetting verdict")
        verbose_name_plural = _("vetting verdicts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(framework__in=VettingFramework.values),
                name="uptake_vetting_framework_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=VettingVerdict.values),
                name="uptake_vetting_verdict_valid",
            ),
            models.UniqueConstraint(
                fields=["document", "framework"],
                condition=models.Q(step_index__isnull=True),
                name="uptake_vetting_one_per_framework",
            ),
            models.UniqueConstraint(
                fields=["document", "framework", "step_index"],
                condition=models.Q(step_index__isnull=False),
                name="uptake_vetting_one_per_framework_step",
            ),
        ]

    def __str__(self):
        return f"{self.document} · {self.get_framework_display()} · {self.get_verdict_display()}"

    @property
    def passes(self):
        return self.verdict in PASSING_VERDICTS


class VettingClearance(models.Model):
    """Exists exactly while every framework passes for a non-paper version: written and
    removed only by the vetting service. A briefing recorded as briefed must point at the
    clearance of its own version (see Briefing's constraints), so the gate holds in the
    database too: no clearance row, no relay."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="clearance"
    )
    cleared_at = models.DateTimeField()

    history = AuditedRecords()

    class Meta:
        verbose_name = _("vetting clearance")
        verbose_name_plural = _("vetting clearances")

    def __str__(self):
        return str(self.document)


class BriefingOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    BRIEFED = "briefed", _("Briefed")
    DECLINED = "declined", _("Declined")


class Briefing(models.Model):
    """A non-paper version relayed through a carrier to a principal."""

    Outcome = BriefingOutcome

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="briefings")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="briefings")
    principal = models.CharField(_("principal"), max_length=200)
    briefed_on = models.DateField(_("date"))
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING
    )
    notes = models.TextField(_("notes"), blank=True)
    # Set (to the version's own clearance) when the outcome becomes briefed.
    clearance = models.ForeignKey(
        VettingClearance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefings",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-briefed_on", "-id"]
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=BriefingOutcome.values),
                name="uptake_briefing_outcome_valid",
            ),
            # The vetting gate in the database: briefed only with this version's clearance.
            models.CheckConstraint(
                condition=~models.Q(outcome=BriefingOutcome.BRIEFED)
                | models.Q(clearance__isnull=False, clearance=models.F("document")),
                name="uptake_briefing_briefed_only_when_cleared",
            ),
        ]
        indexes = [
            # A version's briefings (timeline, chain overview).
            models.Index(fields=["document", "briefed_on"], name="uptake_briefing_by_document"),
        ]

    def __str__(self):
        return f"{self.carrier} → {self.principal}"


class FeedbackReaction(models.TextChoices):
    WELCOMED = "welcomed", _("Welcomed")
    CHANGES_REQUESTED = "changes", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    NO_RESPONSE = "none", _("No response")


class Feedback(models.Model):
    """What came back through the backchannel after a briefing. `iteration` is the next
    version of the non-paper it led to, if any."""

    Reaction = FeedbackReaction

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="feedback")
    reaction = models.CharField(_("reaction"), max_length=8, choices=Reaction.choices)
    received_on = models.DateField(_("received"))
    language_adjustments = models.TextField(
        _("language adjustments asked for"),
        blank=True,
        help_text=_("Wording the principal's side asked to change, as they put it."),
    )
    notes = models.TextField(_("notes"), blank=True)
    iteration = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_addressed",
        verbose_name=_("led to version"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("Track I feedback")
        verbose_name_plural = _("Track I feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reaction__in=FeedbackReaction.values),
                name="uptake_feedback_reaction_valid",
            ),
        ]

    def __str__(self):
        return f"{self.briefing} · {self.get_reaction_display()}"


class PilotStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


class Pilot(models.Model):
    """A micro-pilot proposed from a non-paper step, to generate proof-points at low
    political risk (a single crossing, a 72-hour de-confliction window ...)."""

    Status = PilotStatus

    TRANSITIONS = {
        PilotStatus.PROPOSED: {PilotStatus.AGREED, PilotStatus.STOPPED},
        PilotStatus.AGREED: {PilotStatus.RUNNING, PilotStatus.STOPPED},
        PilotStatus.RUNNING: {PilotStatus.COMPLETED, PilotStatus.STOPPED},
        PilotStatus.COMPLETED: set(),
        PilotStatus.STOPPED: set(),
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="pilots")
    step_index = models.PositiveSmallIntegerField(_("from step"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope"))
    parties = models.TextField(_("parties involved"))
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.PROPOSED
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    do_no_harm_notes = models.TextField(_("do-no-harm check"), blank=True)
    do_no_harm_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    do_no_harm_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.TextField(_("why it stopped"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("micro-pilot")
        verbose_name_plural = _("micro-pilots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PilotStatus.values), name="uptake_pilot_status_valid"
            ),
            # No pilot is agreed (or goes further) without a recorded do-no-harm check.
            models.CheckConstraint(
                condition=models.Q(status__in=[PilotStatus.PROPOSED, PilotStatus.STOPPED])
                | models.Q(do_no_harm_at__isnull=False),
                name="uptake_pilot_agreed_after_do_no_harm",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="uptake_pilot_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def check_transition(self, to_status):
        """Raise ValidationError saying why the pilot may not move to `to_status`."""
        if to_status not in PilotStatus.values:
            raise ValidationError(_("Unknown status."), code="unknown_status")
        if to_status not in self.TRANSITIONS[PilotStatus(self.status)]:
            raise ValidationError(
                _("A pilot that is %(current)s cannot become %(target)s.")
                % {
                    "current": self.get_status_display().lower(),
                    "target": PilotStatus(to_status).label.lower(),
                },
                code="transition_not_allowed",
            )


class ProofPoint(models.Model):
    """What a pilot showed: what happened, the evidence, when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="proof_points")
    happened = models.TextField(_("what happened"))
    evidence = models.TextField(_("evidence"))
    observed_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observed_on", "id"]
        verbose_name = _("proof-point")
        verbose_name_plural = _("proof-points")

    def __str__(self):
        return f"{self.pilot} · {self.observed_on}"
