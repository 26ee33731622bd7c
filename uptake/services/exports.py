"""Documents leaving Parley: one PDF, or every document of a dialogue as a ZIP.

Every export passes the non-attribution guard first. A PDF is rendered for its reader (an
aide-mémoire's footer names them, so a leak can be traced) from a plain dict, never model
instances; names are withheld for a reader who may not see identities even where a
facilitator let them stay."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from dialogues.permissions import may_see_identity
from dialogues.services.attribution import dialogue_redactor
from uptake import content as document_content
from uptake.models import Document, DocumentBundle, DocumentEvent, PdfExport
from uptake.permissions import DocumentAction, document_access
from uptake.services.documents import GuardBlocked, check_guard, head_revision
from uptake.services.events import actor_label, log_event

NON_PAPER_PAGE_LIMIT = 2
# Why a document was left out of a ZIP although the guard let it through.
RENDER_TOO_LARGE = "too_large"
RENDER_FAILED = "render_failed"


def pdf_context(document, revision, *, reader, redact):
    """The plain-dict context uptake.pdf renders: the revision's text passed through
    `redact` (an attribution.Redactor for the reader)."""
    content = document_content.normalise(document.kind, revision.content)
    context = {
        "kind": "non_paper" if document.is_non_paper else "aide_memoire",
        "title": redact(revision.title),
        "programme_name": document.dialogue.programme.name,
        "dialogue_title": redact(document.dialogue.title),
        "date": timezone.localdate(revision.created_at),
        "version": document.version,
        "revision": revision.number,
        "status_label": document.get_status_display(),
        "language_code": get_language() or "en",
    }
    if document.is_aide_memoire:
        context.update(
            classification=_("Confidential"),
            reader_name=actor_label(reader),
            sections=[
                {"title": redact(s["title"]), "body": redact(s["body"])}
                for s in content["sections"]
            ],
        )
        return context
    steps = [
        {
            "number": number,
            "text": redact(step["text"]),
            "who": redact(step["who"]),
            "when": redact(step["when"]),
            "how": redact(step["how"]),
            "ladder_label": str(document_content.ladder_label(step["ladder"]))
            if step["ladder"]
            else "",
            "ladder": step["ladder"],
        }
        for number, step in enumerate(content["steps"], start=1)
    ]
    context.update(
        classification=_("Non-paper · not for attribution"),
        problem=redact(content["problem"]),
        steps=steps,
        ladder=[
            {
                "label": _("Within %(days)s days") % {"days": days},
                "steps": [
                    _("Step %(number)s: %(text)s") % {"number": s["number"], "text": s["text"]}
                    for s in steps
                    if s["ladder"] == days
                ],
            }
            for days in document_content.LADDER_DAYS
        ],
        legal_notes=redact(content["legal_notes"]),
        operational_notes=redact(content["operational_notes"]),
    )
    return context


def _file_name(document, revision, redact):
    stem = slugify(redact(revision.title, " ")) or "document"
    return f"{stem[:80]}-v{document.version}-r{revision.number}.pdf"


def _render(document, reader):
    """(file name, RenderedPdf) of the current revision for `reader`. Raises GuardBlocked."""
    # WeasyPrint takes a while to import: only the processes that render pay for it.
    from uptake.pdf import render_pdf

    revision = head_revision(document)
    check_guard(document, revision)
    redact = dialogue_redactor(
        document.dialogue, show_identity=may_see_identity(reader, document.dialogue.programme)
    )
    rendered = render_pdf(pdf_context(document, revision, reader=reader, redact=redact))
    return _file_name(document, revision, redact), rendered, revision


@transaction.atomic
def document_export_pdf(*, document, actor):
    """Render the current revision as a PDF for `actor` and keep it until they download it
    (their previous export of this document is replaced). Returns the PdfExport, whose
    `page_count` tells whether a non-paper kept to two pages.
    Raises GuardBlocked when the text names a participant without an override, and
    uptake.render_processes.PdfTooLarge or PdfRenderFailed when the render passes its limits
    or fails (the previous export is then kept).
    Caller: someone who may read the document (uptake.permissions)."""
    file_name, rendered, revision = _render(document, actor)
    for old in PdfExport.objects.filter(document=document, requested_by=actor):
        old.file.delete(save=False)
        old.delete()
    export = PdfExport(
        document=document,
        revision_number=revision.number,
        requested_by=actor,
        page_count=rendered.page_count,
        file_name=file_name,
    )
    export.file.save("pdf", ContentFile(rendered.content), save=False)
    export.save()
    log_event(
        document=document,
        actor=actor,
        kind=DocumentEvent.Kind.EXPORTED,
        revision_number=revision.number,
        detail=ngettext("PDF, %(pages)s page", "PDF, %(pages)s pages", rendered.page_count)
        % {"pages": rendered.page_count},
    )
    return export


def pdf_export_open(*, export, actor):
    """Open a PDF export for download (a binary file handle) and record the download in the
    document's log. Raises FileNotFoundError when the file is gone.
    Caller: the user the export was made for."""
    handle = export.file.open("rb")
    log_event(
        document=export.document,
        actor=actor,
        kind=DocumentEvent.Kind.DOWNLOADED,
        revision_number=export.revision_number,
        detail=export.file_name,
    )
    return handle


def bundle_request(*, dialogue, actor):
    """Queue a ZIP of every document of `dialogue` that `actor` may read. The Celery task
    reports progress on the DocumentBundle. Caller: a team member with view_dialogues."""
    from uptake.tasks import build_document_bundle

    bundle = DocumentBundle.objects.create(dialogue=dialogue, requested_by=actor)
    build_document_bundle.delay_on_commit(bundle.pk)
    return bundle


def bundle_build(bundle):
    """Render every document the requester may read into one ZIP, updating the bundle's
    progress after each. Left out and listed in `skipped` instead (titles with names
    withheld): documents the guard holds back, as a plain title, and documents too large to
    render within the limits or whose render failed, as {"title": ..., "reason": ...} with
    RENDER_TOO_LARGE or RENDER_FAILED. Called by the Celery task."""
    from uptake.render_processes import PdfRenderFailed, PdfTooLarge

    reader = bundle.requested_by
    dialogue = bundle.dialogue
    documents = [
        document
        for document in Document.objects.filter(dialogue=dialogue)
        .select_related("dialogue__programme")
        .order_by("kind", "title", "version")
        if DocumentAction.READ in document_access(reader, document)
    ]
    redact = dialogue_redactor(dialogue, show_identity=may_see_identity(reader, dialogue.programme))
    DocumentBundle.objects.filter(pk=bundle.pk).update(
        status=DocumentBundle.Status.RUNNING, total=len(documents), done=0
    )
    buffer, skipped, included, names = io.BytesIO(), [], [], set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, document in enumerate(documents, start=1):
            try:
                file_name, rendered, revision = _render(document, reader)
            except GuardBlocked:
                skipped.append(redact(document.title))
            except PdfRenderFailed as failed:
                reason = RENDER_TOO_LARGE if isinstance(failed, PdfTooLarge) else RENDER_FAILED
                skipped.append({"title": redact(document.title), "reason": reason})
            else:
                while file_name in names:
                    file_name = f"{document.public_id.hex[:6]}-{file_name}"
                names.add(file_name)
                archive.writestr(file_name, rendered.content)
                log_event(
                    document=document,
                    actor=reader,
                    kind=DocumentEvent.Kind.EXPORTED,
                    revision_number=revision.number,
                    detail=_("In a ZIP of the dialogue's documents"),
                )
                included.append(document.pk)
            DocumentBundle.objects.filter(pk=bundle.pk).update(done=done)
    bundle.refresh_from_db()
    bundle.skipped = skipped
    bundle.included = included
    bundle.file_name = f"{slugify(redact(dialogue.title, ' ')) or 'dialogue'}-documents.zip"
    bundle.file.save("zip", ContentFile(buffer.getvalue()), save=False)
    bundle.status = DocumentBundle.Status.DONE
    bundle.finished_at = timezone.now()
    bundle.save()
    return bundle


# Atomic: the download is logged on every document it holds, or on none.
@transaction.atomic
def bundle_open(*, bundle, actor):
    """Open a finished ZIP for download (a binary file handle) and record the download in
    the log of each document it holds. Raises FileNotFoundError when the file is gone.
    Caller: the user the bundle was made for."""
    handle = bundle.file.open("rb")
    for document in Document.objects.filter(pk__in=bundle.included):
        log_event(
            document=document,
            actor=actor,
            kind=DocumentEvent.Kind.DOWNLOADED,
            detail=bundle.file_name,
        )
    return handle
