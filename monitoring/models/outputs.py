"""Records behind the output metrics that cannot be computed from the chain: language a
communiqué or statement adopted from a non-paper."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CommuniqueAdoption(models.Model):
    """Wording a communiqué or official statement adopted, and the non-paper steps it echoes.

    Reaches donors as a count only; its texts never name a participant (enforced by
    monitoring.services.outputs)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "dialogues.Programme", on_delete=models.CASCADE, related_name="communique_adoptions"
    )
    title = models.CharField(_("communiqué or statement"), max_length=200)
    issuer = models.CharField(
        _("issued by"),
        max_length=200,
        help_text=_("The institution or meeting that issued it, e.g. a ministerial council."),
    )
    issued_on = models.DateField(_("date issued"))
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("Document symbol, paragraph number or web address, if any."),
    )
    adopted_wording = models.TextField(_("adopted wording"))
    # The non-paper version whose steps the wording echoes (one of the programme's delivered
    # non-papers) and the 1-based numbers of those steps.
    non_paper = models.ForeignKey(
        "uptake.Document",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("non-paper"),
    )
    echoed_steps = models.JSONField(_("echoed steps"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("communiqué adoption")
        verbose_name_plural = _("communiqué adoptions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(adopted_wording=""),
                name="monitoring_communiqueadoption_wording_required",
            ),
        ]
        indexes = [
            # Output metrics and the drill-down: a programme's adoptions by date.
            models.Index(fields=["programme", "issued_on"], name="monitoring_adoption_prog_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.issued_on})"
