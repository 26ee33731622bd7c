"""PDF exports of one document and ZIPs of a dialogue's documents. Files are served only to
the person they were made for, as attachments."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from dialogues import permissions as programme_perms
from uptake.models import DocumentBundle, PdfExport
from uptake.permissions import get_document_for_user
from uptake.services import documents as document_services
from uptake.services import exports as services
from uptake.views.documents import render_document_page


def _attachment(handle, file_name, content_type):
    response = FileResponse(
        handle, as_attachment=True, filename=file_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def pdf_export(request, document_id):
    """Render the PDF, then come back to the document page, which says how many pages it
    took and offers the download. Names in the text refuse the export, listed on the page."""
    # WeasyPrint is slow to import: only the processes that render pay for it.
    from uptake.render_processes import PdfRenderFailed

    document, allowed = get_document_for_user(request.user, document_id)
    try:
        export = services.document_export_pdf(document=document, actor=request.user)
    except document_services.GuardBlocked as blocked:
        return render_document_page(
            request, document, allowed, status=409, refusal=blocked.messages
        )
    except PdfRenderFailed as failed:
        messages.error(request, failed.message)
        return redirect("uptake:document_detail", document.public_id)
    if document.is_non_paper and export.page_count > services.NON_PAPER_PAGE_LIMIT:
        messages.warning(
            request,
            _(
                "The PDF is ready but took %(pages)s pages: a non-paper should fit on "
                "%(limit)s. Consider tightening the text."
            )
            % {"pages": export.page_count, "limit": services.NON_PAPER_PAGE_LIMIT},
        )
    else:
        messages.success(
            request,
            ngettext(
                "The PDF is ready: %(pages)s page.",
                "The PDF is ready: %(pages)s pages.",
                export.page_count,
            )
            % {"pages": export.page_count},
        )
    return redirect("uptake:document_detail", document.public_id)


@login_required
@require_GET
def pdf_download(request, document_id, export_id):
    """Download a PDF made for the requesting user; the download is logged."""
    document, _allowed = get_document_for_user(request.user, document_id)
    try:
        export = PdfExport.objects.get(
            public_id=export_id, document=document, requested_by=request.user
        )
    except (PdfExport.DoesNotExist, ValueError) as missing:
        raise Http404 from missing
    try:
        handle = services.pdf_export_open(export=export, actor=request.user)
    except FileNotFoundError as missing:
        raise Http404 from missing
    return _attachment(handle, export.file_name, "application/pdf")


@login_required
@require_POST
def bundle_request(request, dialogue_id):
    dialogue = programme_perms.get_dialogue_for_user(request.user, dialogue_id)
    bundle = services.bundle_request(dialogue=dialogue, actor=request.user)
    return redirect("uptake:bundle_detail", bundle.public_id)


def _bundle_for(user, bundle_id):
    """A bundle the user asked for, while they still see its dialogue; 404 otherwise."""
    try:
        bundle = DocumentBundle.objects.select_related("dialogue").get(
            public_id=bundle_id, requested_by=user
        )
    except (DocumentBundle.DoesNotExist, ValueError) as missing:
        raise Http404 from missing
    programme_perms.get_dialogue_for_user(user, bundle.dialogue.public_id)
    return bundle


@login_required
@require_GET
def bundle_detail(request, bundle_id):
    """The ZIP's progress; htmx polls the same URL for the progress fragment until done."""
    bundle = _bundle_for(request.user, bundle_id)
    template = "uptake/bundle_detail.html"
    if request.htmx:
        template += "#progress"
    # `skipped` holds a plain title for a document the guard held back, and a dict with the
    # reason for one that could not be rendered (services.bundle_build).
    held_back = [entry for entry in bundle.skipped if isinstance(entry, str)]
    unrendered = [entry for entry in bundle.skipped if isinstance(entry, dict)]
    context = {
        "bundle": bundle,
        "dialogue": bundle.dialogue,
        "held_back": held_back,
        "too_large": [e["title"] for e in unrendered if e["reason"] == services.RENDER_TOO_LARGE],
        "render_failed": [
            e["title"] for e in unrendered if e["reason"] != services.RENDER_TOO_LARGE
        ],
        "limits": {
            "seconds": settings.PDF_RENDER_TIMEOUT_SECONDS,
            "megabytes": settings.PDF_RENDER_MEMORY_MB,
        },
    }
    return render(request, template, context)


@login_required
@require_GET
def bundle_download(request, bundle_id):
    bundle = _bundle_for(request.user, bundle_id)
    if bundle.status != DocumentBundle.Status.DONE:
        raise Http404
    try:
        handle = services.bundle_open(bundle=bundle, actor=request.user)
    except FileNotFoundError as missing:
        raise Http404 from missing
    return _attachment(handle, bundle.file_name, "application/zip")
