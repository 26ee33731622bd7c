import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.models.programmes import Programme


class DialogueStatus(models.TextChoices):
    DESIGN = "design", _("Design")
    CONVENING = "convening", _("Convening")
    IN_ROUNDS = "rounds", _("In rounds")
    PACKAGING = "packaging", _("Packaging")
    CLOSED = "closed", _("Closed")
    PAUSED = "paused", _("Paused")
    ABANDONED = "abandoned", _("Abandoned")


class TrackLevel(models.TextChoices):
    TRACK_1_5 = "1.5", _("Track 1.5")
    TRACK_2 = "2", _("Track 2")
    TRACK_3 = "3", _("Track 3")


class ConflictAim(models.TextChoices):
    MANAGE = "manage", _("Manage the conflict")
    RESOLVE = "resolve", _("Resolve the conflict")
    TRANSFORM = "transform", _("Transform the conflict")


class Assessment(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not yet known")


class DialogueQuerySet(models.QuerySet):
    # Work in progress first, in the order of the design pillars; finished work last.
    WORKFLOW_ORDER = [
        DialogueStatus.DESIGN,
        DialogueStatus.CONVENING,
        DialogueStatus.IN_ROUNDS,
        DialogueStatus.PACKAGING,
        DialogueStatus.PAUSED,
        DialogueStatus.CLOSED,
        DialogueStatus.ABANDONED,
    ]

    def in_workflow_order(self, *then_by):
        rank = models.Case(
            *[
                models.When(status=status, then=models.Value(position))
                for position, status in enumerate(self.WORKFLOW_ORDER)
            ],
            output_field=models.IntegerField(),
        )
        return self.alias(status_rank=rank).order_by(*then_by, "status_rank", "title")


class Dialogue(models.Model):
    """One facilitated dialogue on one tightly scoped problem."""

    Status = DialogueStatus
    TrackLevel = TrackLevel
    Aim = ConflictAim

    # Forward moves follow the design pillars. A paused dialogue resumes only where it was
    # paused (see allowed_transitions), so a pause never skips a step.
    ALLOWED_TRANSITIONS = {
        Status.DESIGN: {Status.CONVENING, Status.PAUSED, Status.ABANDONED},
        Status.CONVENING: {Status.IN_ROUNDS, Status.PAUSED, Status.ABANDONED},
        Status.IN_ROUNDS: {Status.PACKAGING, Status.PAUSED, Status.ABANDONED},
        Status.PACKAGING: {Status.CLOSED, Status.PAUSED, Status.ABANDONED},
        Status.PAUSED: {Status.ABANDONED},
        Status.CLOSED: set(),
        Status.ABANDONED: set(),
    }
    FINAL_STATUSES = {Status.CLOSED, Status.ABANDONED}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="dialogues")
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(
        _("defined problem"),
        help_text=_("One solvable problem, e.g. humanitarian access triggers in a named corridor."),
    )
    scope_notes = models.TextField(
        _("scope notes"),
        blank=True,
        help_text=_("What is in and out of scope. Over-broad mandates kill momentum."),
    )
    track_level = models.CharField(
        _("track level"),
        max_length=3,
        choices=TrackLevel.choices,
        default=TrackLevel.TRACK_2,
        help_text=_(
            "Track 1.5: officials taking part in a private capacity, mostly for official "
            "audiences. Track 2: influential non-officials exploring new approaches, for "
            "officials or public opinion. Track 3: civil-society capacity building and advocacy."
        ),
    )
    aim = models.CharField(
        _("aim"),
        max_length=10,
        choices=Aim.choices,
        default=Aim.MANAGE,
        help_text=_(
            "Manage: contain violence and its effects. Resolve: settle the issue in dispute. "
            "Transform: change the relationships and structures behind the conflict."
        ),
    )
    # Timing rationale: ripeness (Zartman) and readiness.
    hurting_stalemate = models.CharField(
        _("is there a mutually hurting stalemate?"),
        max_length=8,
        choices=Assessment.choices,
        default=Assessment.UNKNOWN,
    )
    way_out_perceived = models.CharField(
        _("do the parties perceive a way out?"),
        max_length=8,
        choices=Assessment.choices,
        default=Assessment.UNKNOWN,
    )
    credible_people_willing = models.CharField(
        _("are credible people willing to explore options?"),
        max_length=8,
        choices=Assessment.choices,
        default=Assessment.UNKNOWN,
        help_text=_("Readiness: worth convening even when the situation is not ripe."),
    )
    timing_notes = models.TextField(_("timing notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DESIGN
    )
    paused_from = models.CharField(
        _("paused from"), max_length=10, choices=Status.choices, blank=True, editable=False
    )
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    horizon_days = models.PositiveSmallIntegerField(
        _("horizon in days"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Tangible next steps are due this many days after the start."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DialogueQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DialogueStatus.values),
                name="dialogues_dialogue_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(track_level__in=TrackLevel.values),
                name="dialogues_dialogue_track_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(aim__in=ConflictAim.values),
                name="dialogues_dialogue_aim_valid",
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__in": Assessment.values}),
                    name=f"dialogues_dialogue_{field}_valid",
                )
                for field in ("hurting_stalemate", "way_out_perceived", "credible_people_willing")
            ],
            models.CheckConstraint(
                condition=~models.Q(status="paused") | ~models.Q(paused_from=""),
                name="dialogues_dialogue_paused_knows_from_where",
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1, horizon_days__lte=365),
                name="dialogues_dialogue_horizon_within_a_year",
            ),
        ]
        indexes = [
            # The home pages list a programme's dialogues by status.
            models.Index(fields=["programme", "status"], name="dialogues_dialogue_prog_status"),
        ]

    def __str__(self):
        return self.title

    @property
    def next_steps_due_on(self):
        """The date tangible next steps are due: the start date plus the horizon."""
        if self.starts_on is None:
            return None
        return self.starts_on + timedelta(days=self.horizon_days)

    @property
    def is_frozen(self):
        """Closed and abandoned dialogues keep their record as it was."""
        return self.status in (DialogueStatus.CLOSED, DialogueStatus.ABANDONED)

    @property
    def timing_verdict(self):
        """Ripe (stalemate and a way out), ready (credible people willing), both, or neither."""
        ripe = self.hurting_stalemate == Assessment.YES and self.way_out_perceived == Assessment.YES
        ready = self.credible_people_willing == Assessment.YES
        if ripe and ready:
            return _("Ripe and ready")
        if ripe:
            return _("Ripe")
        if ready:
            return _("Ready, though not ripe")
        return _("Neither ripe nor ready yet")

    def allowed_transitions(self):
        allowed = set(self.ALLOWED_TRANSITIONS.get(self.status, set()))
        if self.status == DialogueStatus.PAUSED and self.paused_from:
            allowed.add(self.paused_from)
        return allowed

    def can_transition_to(self, status):
        return status in self.allowed_transitions()

    def transition_to(self, status):
        """Move to `status` or raise ValidationError saying why the move is refused."""
        if not self.can_transition_to(status):
            allowed = sorted(str(self.Status(s).label) for s in self.allowed_transitions())
            raise ValidationError(
                _("A dialogue in “%(current)s” cannot move to “%(target)s”. Allowed: %(allowed)s.")
                % {
                    "current": self.get_status_display(),
                    "target": self.Status(status).label,
                    "allowed": ", ".join(allowed) or _("none, it is final"),
                }
            )
        self.paused_from = self.status if status == DialogueStatus.PAUSED else ""
        self.status = status
