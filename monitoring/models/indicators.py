"""Outcome indicators of a programme: definition, baseline, targets per period (every change
of a target logged with its reason) and the values recorded against them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    """A measure the programme tracks, framed as contribution (never attribution)."""

    class Direction(models.TextChoices):
        UP_IS_GOOD = "up", _("Up is good")
        DOWN_IS_GOOD = "down", _("Down is good")

    class Category(models.TextChoices):
        ACTIVITY = "activity", _("Activity")
        OUTPUT = "output", _("Output")
        OUTCOME = "outcome", _("Outcome")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "dialogues.Programme", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=60)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.UP_IS_GOOD
    )
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.OUTCOME
    )
    counts_people = models.BooleanField(
        _("counts people"),
        default=False,
        help_text=_(
            "Tick when the values are numbers of people (e.g. women delegates): donors then "
            "see values from 1 to 4 as “<5”."
        ),
    )
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2)
    baseline_date = models.DateField(_("baseline date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=["up", "down"]),
                name="monitoring_indicator_direction_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=["activity", "output", "outcome"]),
                name="monitoring_indicator_category_valid",
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorTarget(models.Model):
    """The value aimed for over one period (both days included)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["period_start", "period_end", "pk"]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"],
                name="monitoring_indicatortarget_one_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="monitoring_indicatortarget_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id}: {self.period_start} – {self.period_end}"


class TargetChange(models.Model):
    """Why a target's value changed: one row per change, never edited."""

    class Reason(models.TextChoices):
        CONTEXT_CHANGED = "context", _("Context changed")
        IMPLEMENTATION_DELAY = "delay", _("Implementation delay")
        DONOR_REQUIREMENT = "donor", _("Donor requirement")
        LEARNING = "learning", _("Learning")
        OTHER = "other", _("Other")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="target_changes"
    )
    target = models.ForeignKey(IndicatorTarget, on_delete=models.CASCADE, related_name="changes")
    old_value = models.DecimalField(_("old value"), max_digits=14, decimal_places=2)
    new_value = models.DecimalField(_("new value"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    explanation = models.TextField(_("explanation"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("target change")
        verbose_name_plural = _("target changes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reason__in=["context", "delay", "donor", "learning", "other"]),
                name="monitoring_targetchange_reason_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(explanation=""),
                name="monitoring_targetchange_explanation_required",
            ),
        ]

    def __str__(self):
        return f"{self.old_value} → {self.new_value} ({self.reason})"


class IndicatorValue(models.Model):
    """A value observed over a period, with its evidence; optionally for one group (e.g. a
    region). Never names a participant."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    evidence = models.TextField(_("evidence"))
    comment = models.TextField(_("comment"), blank=True)
    disaggregation = models.CharField(
        _("disaggregation"),
        max_length=120,
        blank=True,
        help_text=_("Optional group this value is for, e.g. a region. Leave blank for the total."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period_start", "period_end", "recorded_at", "pk"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="monitoring_indicatorvalue_end_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(evidence=""),
                name="monitoring_indicatorvalue_evidence_required",
            ),
        ]
        indexes = [
            # indicator_progress and the list page: the values of indicators, newest last.
            models.Index(fields=["indicator", "period_start"], name="monitoring_value_period_idx"),
        ]

    def __str__(self):
        return f"{self.value} ({self.period_start} – {self.period_end})"
