"""Outcome records (Outcome Harvesting) and the learning log of a programme."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from monitoring.models.indicators import Indicator


class Confidence(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class OutcomeRecord(models.Model):
    """One outcome in the Outcome Harvesting form: a change in a social actor's behaviour,
    relations or practice, and how the programme contributed to it (never attribution).
    Outcome records reach donors, so their texts never name a participant (enforced by
    monitoring.services.outcomes)."""

    Confidence = Confidence

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "dialogues.Programme", on_delete=models.CASCADE, related_name="outcome_records"
    )
    change = models.TextField(_("what changed"))
    social_actor = models.CharField(
        _("who changed"),
        max_length=200,
        help_text=_("The social actor: an institution or a group, never a participant."),
    )
    observed_on = models.DateField(_("when"))
    place = models.CharField(_("where"), max_length=200)
    significance = models.TextField(_("significance"))
    contribution = models.TextField(
        _("how the programme contributed"),
        help_text=_("Contribution, never attribution: what the programme did that helped."),
    )
    sources = models.TextField(
        _("sources and substantiation"),
        help_text=_("Who or what confirms the change, by role or document, never by name."),
    )
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, default=Confidence.MEDIUM
    )
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="outcome_records", verbose_name=_("indicators")
    )
    dialogues = models.ManyToManyField(
        "dialogues.Dialogue", blank=True, related_name="+", verbose_name=_("dialogues")
    )
    documents = models.ManyToManyField(
        "uptake.Document", blank=True, related_name="+", verbose_name=_("non-papers")
    )
    pilots = models.ManyToManyField(
        "uptake.Pilot", blank=True, related_name="+", verbose_name=_("pilots")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outcome record")
        verbose_name_plural = _("outcome records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__in=["low", "medium", "high"]),
                name="monitoring_outcomerecord_confidence_valid",
            ),
        ]
        indexes = [
            # outcome_list and the CSV: a programme's records, newest first.
            models.Index(fields=["programme", "created_at"], name="monitoring_outcome_prog_idx"),
        ]

    def __str__(self):
        return f"{self.social_actor} ({self.observed_on})"


class LearningEntry(models.Model):
    """One entry of the learning log: what failed and why, the assumption it updated and
    the decision taken. Never names a participant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "dialogues.Programme", on_delete=models.CASCADE, related_name="learning_entries"
    )
    failure = models.TextField(_("what failed and why"))
    assumption = models.TextField(_("assumption updated"))
    decision = models.TextField(_("decision taken"))
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="learning_entries", verbose_name=_("indicators")
    )
    dialogues = models.ManyToManyField(
        "dialogues.Dialogue", blank=True, related_name="+", verbose_name=_("dialogues")
    )
    documents = models.ManyToManyField(
        "uptake.Document", blank=True, related_name="+", verbose_name=_("non-papers")
    )
    pilots = models.ManyToManyField(
        "uptake.Pilot", blank=True, related_name="+", verbose_name=_("pilots")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("learning entry")
        verbose_name_plural = _("learning entries")
        indexes = [
            # learning_list: a programme's entries, newest first.
            models.Index(fields=["programme", "created_at"], name="monitoring_learning_prog_idx"),
        ]

    def __str__(self):
        return str(self.public_id)
