"""Non-papers and aide-mémoires: the documents a dialogue produces, their revisions and the
log of what happened to them. Built on `dialogues`; the uptake chain builds on these."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from dialogues.audit import AuditedRecords
from dialogues.models import Dialogue


class PrivateDocumentStorage(FileSystemStorage):
    """Rendered PDFs and ZIPs, outside the web root: served only by permission-checked views."""

    def __init__(self):
        super().__init__(location=settings.PRIVATE_MEDIA_ROOT / "documents")

    @property
    def base_url(self):
        return None


def document_storage():
    return PrivateDocumentStorage()


def export_upload_to(instance, filename):
    # Never the document's title on disk: it is free text and could name someone.
    return f"{instance.public_id}/{uuid.uuid4().hex}"


class DocumentKind(models.TextChoices):
    NON_PAPER = "nonpaper", _("Non-paper")
    AIDE_MEMOIRE = "aide", _("Aide-mémoire")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "review", _("In review")
    READY = "ready", _("Ready")
    DELIVERED = "delivered", _("Delivered")


class DocumentQuerySet(models.QuerySet):
    def non_papers(self):
        return self.filter(kind=DocumentKind.NON_PAPER)

    def aide_memoires(self):
        return self.filter(kind=DocumentKind.AIDE_MEMOIRE)

    def shared_with_donors(self):
        """Non-papers a donor of the programme may read."""
        return self.non_papers().filter(status=DocumentStatus.DELIVERED, shareable=True)


class Document(models.Model):
    """One version of a non-paper or an aide-mémoire. Its text lives in its revisions; the
    newest (number `head`) is the current text. A delivered version is frozen; the next
    iteration is a new Document whose `previous_version` is this one."""

    Kind = DocumentKind
    Status = DocumentStatus

    # Where a document may go from each status. Delivered is final: iterate instead.
    TRANSITIONS = {
        DocumentStatus.DRAFT: {DocumentStatus.IN_REVIEW},
        DocumentStatus.IN_REVIEW: {DocumentStatus.DRAFT, DocumentStatus.READY},
        DocumentStatus.READY: {
            DocumentStatus.DRAFT,
            DocumentStatus.IN_REVIEW,
            DocumentStatus.DELIVERED,
        },
        DocumentStatus.DELIVERED: set(),
    }
    EDITABLE_STATUSES = frozenset({DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous_version = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    non_paper = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aide_memoires",
        verbose_name=_("non-paper"),
        help_text=_("The non-paper this aide-mémoire accompanies, if any."),
    )
    shareable = models.BooleanField(
        _("shareable with donors"),
        default=False,
        help_text=_("Donors of the programme may read it once it is delivered."),
    )
    head = models.PositiveIntegerField(_("current revision"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()
    history = AuditedRecords()

    class Meta:
        ordering = ["kind", "title", "version"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # Object permission for aide-mémoire readers (a DocumentUserObjectPermission row each).
        permissions = [("read_document", _("Read this confidential document"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentKind.values), name="uptake_document_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DocumentStatus.values),
                name="uptake_document_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="uptake_document_version_positive"
            ),
            # Only a delivered non-paper reaches donors.
            models.CheckConstraint(
                condition=models.Q(shareable=False)
                | models.Q(kind=DocumentKind.NON_PAPER, status=DocumentStatus.DELIVERED),
                name="uptake_document_shareable_when_delivered",
            ),
        ]
        indexes = [
            # A dialogue's documents (dialogue page, exports).
            models.Index(fields=["dialogue", "kind"], name="uptake_document_by_dialogue"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_non_paper(self):
        return self.kind == DocumentKind.NON_PAPER

    @property
    def is_aide_memoire(self):
        return self.kind == DocumentKind.AIDE_MEMOIRE

    @property
    def is_frozen(self):
        return self.status == DocumentStatus.DELIVERED

    @property
    def is_editable(self):
        return self.status in self.EDITABLE_STATUSES

    def allowed_transitions(self):
        return [status for status in DocumentStatus if status in self.TRANSITIONS[self.status]]

    def check_transition(self, to_status):
        """Raise ValidationError saying why the document may not move to `to_status`."""
        if to_status not in DocumentStatus.values:
            raise ValidationError(_("Unknown status."), code="unknown_status")
        if to_status not in self.TRANSITIONS[DocumentStatus(self.status)]:
            raise ValidationError(
                _("A document that is %(current)s cannot move to %(target)s.")
                % {
                    "current": self.get_status_display().lower(),
                    "target": DocumentStatus(to_status).label.lower(),
                },
                code="transition_not_allowed",
            )


class DocumentUserObjectPermission(UserObjectPermissionBase):
    """The readers named on an aide-mémoire (direct foreign key, so lists join instead of
    casting object ids)."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)

    # Who named or removed a reader: a row is created when one is named, deleted when removed.
    history = AuditedRecords()


class Revision(models.Model):
    """The whole text of a document as one save left it. Never changed after it is made.

    `content` holds the structured sections (see uptake.content for each kind's shape)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    content = models.JSONField(_("content"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    restored_from = models.PositiveIntegerField(_("restored from revision"), null=True, blank=True)
    # Set when the writer merged their edit with changes saved meanwhile: the revision
    # they had started from.
    merged_from_base = models.PositiveIntegerField(null=True, blank=True)

    # Revisions are never changed: the trail records who made (or deleted) each one. The
    # text stays in the revision itself, not copied into the history.
    history = AuditedRecords(excluded_fields=["content"])

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="uptake_revision_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="uptake_revision_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.document} · {self.number}"


class Comment(models.Model):
    """A remark on a non-paper, from a legal reviewer or the drafting team."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    revision_number = models.PositiveIntegerField(_("on revision"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.document} · {self.created_at:%Y-%m-%d}"


class DocumentEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    VIEWED = "viewed", _("Viewed")
    DOWNLOADED = "downloaded", _("Downloaded the PDF")
    EXPORTED = "exported", _("Exported")
    STATUS_CHANGED = "status", _("Changed the status")
    GUARD_OVERRIDDEN = "override", _("Overrode the non-attribution guard")
    READER_ADDED = "reader+", _("Named a reader")
    READER_REMOVED = "reader-", _("Removed a reader")


class DocumentEvent(models.Model):
    """The document's log: who did what, when. For an aide-mémoire it is the access log its
    facilitator reads. `detail` never holds a participant's name (codes only)."""

    Kind = DocumentEventKind

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as written so the log still says who it was after the account is gone.
    actor_name = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    revision_number = models.PositiveIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    # For an override: the codes of the participants named in the text it let stand.
    participant_codes = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentEventKind.values),
                name="uptake_documentevent_kind_valid",
            ),
        ]
        indexes = [
            # The access log page: a document's events, newest first.
            models.Index(fields=["document", "-at"], name="uptake_event_by_document"),
        ]

    def __str__(self):
        return f"{self.actor_name} · {self.get_kind_display()}"


class PdfExport(models.Model):
    """A PDF rendered for one reader (an aide-mémoire's footer names them), kept under the
    private media root until they download it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pdf_exports")
    revision_number = models.PositiveIntegerField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    page_count = models.PositiveSmallIntegerField()
    file_name = models.CharField(max_length=200)
    file = models.FileField(storage=document_storage, upload_to=export_upload_to)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PDF export")
        verbose_name_plural = _("PDF exports")

    def __str__(self):
        return self.file_name


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DocumentBundle(models.Model):
    """Every document of a dialogue a reader may read, as PDFs in one ZIP, built by a Celery
    task that reports its progress here."""

    Status = BundleStatus

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveSmallIntegerField(default=0)
    done = models.PositiveSmallIntegerField(default=0)
    # Documents left out because the non-attribution guard holds them back (titles only).
    skipped = models.JSONField(default=list, blank=True)
    # Primary keys of the documents in the ZIP, whose logs record its download.
    included = models.JSONField(default=list, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file = models.FileField(storage=document_storage, upload_to=export_upload_to, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document bundle")
        verbose_name_plural = _("document bundles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BundleStatus.values),
                name="uptake_documentbundle_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")),
                name="uptake_documentbundle_done_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.dialogue} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self):
        return self.status in (BundleStatus.DONE, BundleStatus.FAILED)
