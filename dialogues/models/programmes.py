import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.audit import AuditedRecords


def validate_time_zone(name):
    if name not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(name)s” is not a time zone Parley knows. Use a name like Asia/Yangon."),
            params={"name": name},
            code="unknown_time_zone",
        )


class Programme(models.Model):
    """The permission boundary: team members hold roles on a programme, and everything a
    programme runs inherits access from it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country or context"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    funders = models.CharField(
        _("funders"), max_length=300, blank=True, help_text=_("Shown to donors on their home page.")
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    officers_see_identity = models.BooleanField(
        _("programme officers may see participant identities"),
        default=False,
        help_text=_(
            "Facilitators always see who takes part. Tick this only where programme officers "
            "need names and contacts to do their work."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_(
            "Where the programme works, for example Asia/Yangon. Deadlines and reminders "
            "fall on this calendar."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Who changed the settings that grant permissions (officers_see_identity).
    history = AuditedRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        # Object permissions granted per role; see dialogues.permissions.ROLE_PERMISSIONS.
        permissions = [
            ("manage_team", _("Manage the programme team")),
            ("view_dialogues", _("See dialogues, participants and the actor map")),
            ("view_identity", _("See participant identities")),
            ("design_dialogues", _("Design and run dialogues")),
            # The facilitator's calls: who reads a confidential document, when a flagged
            # name may stay in one.
            ("lead_dialogues", _("Lead dialogues")),
            ("vet_outputs", _("Vet options and documents")),
            ("carry_uptake", _("Carry outputs to policy and log results")),
            ("view_results", _("See monitoring and evaluation results")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="dialogues_programme_ends_after_start",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date must not be before the start.")})


# Choices live at module level so the models' Meta constraints can name them; the models
# expose them as nested names (Membership.Role, Dialogue.Status, ...).
class MembershipRole(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    PROGRAMME_OFFICER = "officer", _("Programme officer")
    LEGAL_REVIEWER = "legal", _("Legal reviewer")
    DONOR = "donor", _("Donor")


class Membership(models.Model):
    """A user's place on a programme team: one role per programme, and optionally the right
    to manage the team."""

    Role = MembershipRole

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    identity_granted = models.BooleanField(
        _("may see participant identities"),
        default=False,
        help_text=_(
            "For legal reviewers who need names to vet a document. Facilitators always see "
            "identities, officers where the programme allows it, donors never."
        ),
    )
    is_admin = models.BooleanField(
        _("programme admin"), default=False, help_text=_("May add, change and remove team members.")
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = AuditedRecords()

    class Meta:
        ordering = ["role", "user__username"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user"], name="dialogues_membership_one_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values),
                name="dialogues_membership_role_valid",
            ),
            # An admin can grant any role, identity access included: never a donor.
            models.CheckConstraint(
                condition=~models.Q(role=MembershipRole.DONOR, is_admin=True),
                name="dialogues_membership_donor_never_admin",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=MembershipRole.DONOR, identity_granted=True),
                name="dialogues_membership_donor_never_identity",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.programme}"
