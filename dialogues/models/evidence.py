import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from dialogues.models.dialogues import Dialogue


class PrivateEvidenceStorage(FileSystemStorage):
    """Attachments live under PRIVATE_MEDIA_ROOT (var/), outside the web root, with no URL at
    all: they are served only by the permission-checked download view. The location is read
    from the settings at each use, not frozen when the model is imported, so moving
    PRIVATE_MEDIA_ROOT (a deployment, a test's temporary folder) moves the files with it."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT / "evidence"

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def evidence_storage():
    return PrivateEvidenceStorage()


def evidence_upload_to(item, filename):
    # Never the uploaded name on disk: it may carry a person's name and is user-controlled.
    return f"{item.dialogue.public_id}/{uuid.uuid4().hex}"


class EvidenceKind(models.TextChoices):
    MAP = "map", _("Map")
    TIMELINE = "timeline", _("Timeline")
    LEGAL_CONSTRAINT = "legal", _("Legal constraint")
    HUMANITARIAN_DATA = "humanitarian", _("Humanitarian data")
    OTHER = "other", _("Other")


class EvidenceItem(models.Model):
    """An item of the neutral evidence brief that anchors the discussion in facts."""

    Kind = EvidenceKind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=300)
    dated = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(_("summary"))
    attachment = models.FileField(
        _("attachment"), storage=evidence_storage, upload_to=evidence_upload_to, blank=True
    )
    attachment_name = models.CharField(max_length=200, blank=True, editable=False)
    attachment_type = models.CharField(max_length=100, blank=True, editable=False)
    attachment_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-dated", "title"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence brief")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EvidenceKind.values),
                name="dialogues_evidenceitem_kind_valid",
            ),
        ]

    def __str__(self):
        return self.title
