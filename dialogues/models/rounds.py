"""The five structured rounds of a dialogue and the outputs each feeds to the next:
interests per party (b) → options (c) → a consequence test per option (d) → the package (e)."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.models.actors import Actor
from dialogues.models.dialogues import Dialogue


class RoundKind(models.TextChoices):
    FRAMING = "framing", _("(a) Framing")
    INTERESTS = "interests", _("(b) Interests and constraints mapping")
    OPTIONS = "options", _("(c) Option design")
    CONSEQUENCES = "consequences", _("(d) Consequence testing")
    PACKAGING = "packaging", _("(e) Packaging for Track I relay")


ROUND_ORDER = list(RoundKind.values)


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "progress", _("In progress")
    DONE = "done", _("Done")


class Round(models.Model):
    Kind = RoundKind
    Status = RoundStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="rounds")
    kind = models.CharField(_("round"), max_length=12, choices=RoundKind.choices)
    position = models.PositiveSmallIntegerField(editable=False)
    goals = models.TextField(_("goals"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "kind"], name="dialogues_round_once"),
            models.UniqueConstraint(
                fields=["dialogue", "position"], name="dialogues_round_position_once"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RoundKind.values), name="dialogues_round_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RoundStatus.values),
                name="dialogues_round_status_valid",
            ),
        ]

    def __str__(self):
        return str(self.get_kind_display())


class AgendaItem(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="agenda_items")
    title = models.CharField(_("agenda item"), max_length=200)
    minutes = models.PositiveSmallIntegerField(
        _("time box (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=5, minutes__lte=600),
                name="dialogues_agendaitem_minutes_range",
            ),
        ]

    def __str__(self):
        return self.title


class PartyInterest(models.Model):
    """Round (b): one party's interests and constraints, as the room mapped them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="interests")
    party = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="interests")
    interests = models.TextField(_("interests"))
    constraints = models.TextField(_("constraints"), blank=True)

    class Meta:
        ordering = ["party__name"]
        verbose_name = _("party interests")
        verbose_name_plural = _("party interests")
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "party"], name="dialogues_partyinterest_once_per_party"
            ),
        ]

    def __str__(self):
        return str(self.party)


class Option(models.Model):
    """Round (c): an option with who does what, when and how."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    who = models.CharField(_("who"), max_length=300, blank=True)
    when = models.CharField(_("when"), max_length=300, blank=True)
    how = models.TextField(_("how"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.title


class Verdict(models.TextChoices):
    CARRY_FORWARD = "carry", _("Carry forward")
    REVISE = "revise", _("Revise")
    DROP = "drop", _("Drop")


RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class ConsequenceTest(models.Model):
    """Round (d): what an option would do, to whom, at what risk."""

    Verdict = Verdict

    option = models.OneToOneField(Option, on_delete=models.CASCADE, related_name="consequence_test")
    gains = models.TextField(_("who gains"), blank=True)
    losses = models.TextField(_("who loses"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    do_no_harm = models.TextField(
        _("do-no-harm risks"), blank=True, help_text=_("Who could be put in danger, and how.")
    )
    legal_flags = models.TextField(
        _("legal flags"), blank=True, help_text=_("IHL, human rights law, sanctions, domestic law.")
    )
    feasibility = models.PositiveSmallIntegerField(
        _("feasibility (1–5)"), validators=RATING_VALIDATORS
    )
    political_weight = models.PositiveSmallIntegerField(
        _("political weight (1–5)"), validators=RATING_VALIDATORS
    )
    verdict = models.CharField(_("verdict"), max_length=6, choices=Verdict.choices)
    tested_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consequence test")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(feasibility__gte=1, feasibility__lte=5),
                name="dialogues_consequencetest_feasibility_range",
            ),
            models.CheckConstraint(
                condition=models.Q(political_weight__gte=1, political_weight__lte=5),
                name="dialogues_consequencetest_weight_range",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values),
                name="dialogues_consequencetest_verdict_valid",
            ),
        ]

    def __str__(self):
        return f"{self.option}: {self.get_verdict_display()}"


class PackageItem(models.Model):
    """Round (e): an option carried forward, in the order it goes to drafting."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="package")
    option = models.OneToOneField(Option, on_delete=models.CASCADE, related_name="package_item")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("package item")
        verbose_name_plural = _("package")

    def __str__(self):
        return str(self.option)
