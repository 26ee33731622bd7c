import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from dialogues.models.programmes import Programme


class ActorKind(models.TextChoices):
    GOVERNMENT = "government", _("Government or state body")
    ARMED_GROUP = "armed", _("Armed group")
    ALLIANCE = "alliance", _("Alliance")
    POLITICAL_PARTY = "party", _("Political party")
    CIVIL_SOCIETY = "civil", _("Civil-society body")
    OTHER = "other", _("Other")


class Actor(models.Model):
    """A party to the conflict, on the programme's conflict-and-dialogue map."""

    Kind = ActorKind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="actors")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ActorKind.choices)
    alliances = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="members",
        verbose_name=_("member of alliances"),
        help_text=_("Alliances (actors of kind alliance) this actor belongs to."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [
            # CSV import matches actors by name, so names are unique regardless of case.
            models.UniqueConstraint(
                "programme", Lower("name"), name="dialogues_actor_name_unique_in_programme"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ActorKind.values), name="dialogues_actor_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


class RelationConflictStatus(models.TextChoices):
    AGREEMENT = "agreement", _("Peace or ceasefire agreement in force")
    BILATERAL_CEASEFIRE = "bilateral", _("Bilateral ceasefire")
    DE_FACTO_CEASEFIRE = "defacto", _("De facto ceasefire; no fighting")
    UNILATERAL_CEASEFIRE = "unilateral", _("Unilateral ceasefire; occasional fighting")
    OCCASIONAL_FIGHTING = "occasional", _("No ceasefire; occasional fighting")
    FREQUENT_FIGHTING = "frequent", _("No ceasefire; frequent fighting")
    ALLIED = "allied", _("Allied; no conflict")


class RelationDialogueStatus(models.TextChoices):
    ACTIVE = "active", _("Active dialogue")
    REGULAR_SOME = "regular_some", _("Regular contact and some dialogue")
    REGULAR_NONE = "regular_none", _("Regular contact; no active dialogue")
    OCCASIONAL = "occasional", _("Occasional contact; no active dialogue")
    INTERMEDIARY = "intermediary", _("Contact through intermediaries only")
    NONE = "none", _("No contact and no dialogue")


class ActorRelationQuerySet(models.QuerySet):
    def current(self):
        """The latest relation of each actor pair (the map as it stands)."""
        newer = self.model.objects.filter(
            actor_a=models.OuterRef("actor_a"),
            actor_b=models.OuterRef("actor_b"),
            as_of__gt=models.OuterRef("as_of"),
        )
        return self.exclude(models.Exists(newer))


class ActorRelation(models.Model):
    """The state of one actor pair as of a date. New dates add rows, so the map keeps its
    history; the pair is stored in a fixed order (lower actor id first)."""

    ConflictStatus = RelationConflictStatus
    DialogueStatus = RelationDialogueStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="actor_relations"
    )
    actor_a = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    actor_b = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(_("as of"))
    conflict_status = models.CharField(
        _("conflict status"), max_length=12, choices=RelationConflictStatus.choices
    )
    dialogue_status = models.CharField(
        _("dialogue status"), max_length=14, choices=RelationDialogueStatus.choices
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ActorRelationQuerySet.as_manager()

    class Meta:
        ordering = ["actor_a__name", "actor_b__name", "-as_of"]
        verbose_name = _("actor relation")
        verbose_name_plural = _("actor relations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor_a__lt=models.F("actor_b")),
                name="dialogues_actorrelation_ordered_pair",
            ),
            models.UniqueConstraint(
                fields=["actor_a", "actor_b", "as_of"], name="dialogues_actorrelation_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(conflict_status__in=RelationConflictStatus.values),
                name="dialogues_actorrelation_conflict_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(dialogue_status__in=RelationDialogueStatus.values),
                name="dialogues_actorrelation_dialogue_status_valid",
            ),
        ]
        indexes = [
            # The map's "current" query: latest row per pair within a programme.
            models.Index(
                fields=["programme", "actor_a", "actor_b", "-as_of"],
                name="dialogues_actorrel_current",
            ),
        ]

    def __str__(self):
        return f"{self.actor_a} – {self.actor_b} ({self.as_of})"
