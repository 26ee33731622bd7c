import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.audit import AuditedRecords
from dialogues.models.dialogues import Dialogue
from dialogues.models.programmes import Programme


class ParticipantCategory(models.TextChoices):
    EX_OFFICIAL = "ex_official", _("Ex-official")
    ADVISOR = "advisor", _("Advisor")
    RETIRED_COMMANDER = "commander", _("Retired commander")
    TECHNICAL_EXPERT = "expert", _("Technical expert")
    COMMUNITY_VOICE = "community", _("Community voice")
    CIVIL_SOCIETY = "civil", _("Civil society")
    POLITICAL_PARTY = "party", _("Political party")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    ANOTHER = "another", _("Another gender")
    UNDISCLOSED = "undisclosed", _("Prefers not to say")


def _choice_label(choices, value):
    """The label of `value` among `choices` (a TextChoices), translated now, or the value
    itself when it is not one of them (as Django's get_FOO_display)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Participant(models.Model):
    """A person in the programme's register. Their identity (name, aliases, affiliation,
    contacts) is shown only to users with the view_identity permission; everyone else sees
    the stable pseudonymous `code`."""

    Category = ParticipantCategory
    Gender = Gender

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="participants")
    code = models.CharField(_("code"), max_length=12, editable=False)
    # Identity: never shown, exported or logged without view_identity.
    full_name = models.CharField(_("full name"), max_length=200)
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_("Other names this person is known by, one per line (checked in notes)."),
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    contact_notes = models.TextField(_("contact notes"), blank=True)
    # Profile: used for the mix, visible with the code.
    category = models.CharField(_("category"), max_length=12, choices=ParticipantCategory.choices)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    region = models.CharField(_("region"), max_length=120, blank=True)
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("Comma-separated.")
    )
    is_authoritative_proxy = models.BooleanField(
        _("authoritative proxy"),
        default=False,
        help_text=_("Someone close to decision-makers: ex-official, advisor, retired commander."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Holds the identity fields too: read only through dialogues.audit.history_entries with
    # them withheld from readers without view_identity; scrubbed when a participant is erased.
    history = AuditedRecords()

    IDENTITY_FIELDS = ("full_name", "aliases", "affiliation", "email", "phone", "contact_notes")

    class Meta:
        ordering = ["code"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"], name="dialogues_participant_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=ParticipantCategory.values),
                name="dialogues_participant_category_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(gender__in=Gender.values),
                name="dialogues_participant_gender_valid",
            ),
        ]

    def __str__(self):
        # Never the name: __str__ ends up in logs, admin actions and error reports.
        return self.code

    def label(self, *, show_identity):
        return f"{self.full_name} ({self.code})" if show_identity else self.code

    # Django's get_FOO_display builds a dict of every choice, translating each label, on
    # every call: a page listing 50 participants spent a third of its time there (R4 in
    # docs/performance.md). These look the one label up.
    def get_category_display(self):
        return _choice_label(ParticipantCategory, self.category)

    def get_gender_display(self):
        return _choice_label(Gender, self.gender)

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.splitlines() if alias.strip()]


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DialogueParticipant(models.Model):
    """A participant's place in one dialogue: the invitation, its answer and their consent."""

    Status = InvitationStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="roster")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="dialogue_places"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default="invited"
    )
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_scope = models.TextField(
        _("consent scope"),
        blank=True,
        help_text=_("What the person agreed to: taking part, being recorded, being contacted."),
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)

    # The invitation's answers and the consent: who recorded what, when.
    history = AuditedRecords()

    class Meta:
        ordering = ["participant__code"]
        verbose_name = _("dialogue participant")
        verbose_name_plural = _("dialogue participants")
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "participant"], name="dialogues_dialogueparticipant_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values),
                name="dialogues_dialogueparticipant_status_valid",
            ),
            # The consent gate, in the database too: no one is confirmed without consent.
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(consent_given_on__isnull=False),
                name="dialogues_dialogueparticipant_confirmed_needs_consent",
            ),
        ]

    def __str__(self):
        return f"{self.participant.code} · {self.dialogue}"

    @property
    def has_consent(self):
        return self.consent_given_on is not None


class GroundRuleKind(models.TextChoices):
    CHATHAM_HOUSE = "chatham", _("Chatham House Rule")
    NON_ATTRIBUTION = "nonattrib", _("Non-attribution")
    PROBLEM_SOLVING = "problem", _("Problem-solving norms")
    CUSTOM = "custom", _("Other rule")


class GroundRule(models.Model):
    Kind = GroundRuleKind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="ground_rules")
    kind = models.CharField(_("kind"), max_length=10, choices=GroundRuleKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("ground rule")
        verbose_name_plural = _("ground rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=GroundRuleKind.values),
                name="dialogues_groundrule_kind_valid",
            ),
        ]

    def __str__(self):
        return self.title


class RuleAcknowledgement(models.Model):
    """A participant acknowledged a ground rule (recorded by a team member)."""

    rule = models.ForeignKey(GroundRule, on_delete=models.CASCADE, related_name="acknowledgements")
    dialogue_participant = models.ForeignKey(
        DialogueParticipant, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    acknowledged_on = models.DateField(_("acknowledged on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = AuditedRecords()

    class Meta:
        verbose_name = _("ground rule acknowledgement")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "dialogue_participant"], name="dialogues_ruleack_once"
            ),
        ]

    def __str__(self):
        return f"{self.dialogue_participant.participant.code} · {self.rule}"
