"""A document's history: the list of revisions, one old revision, a comparison of two, and
restoring an old text (as a new revision)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from uptake.models import Revision
from uptake.permissions import DocumentAction, get_document_for_user
from uptake.services import documents as services
from uptake.services.diffs import revision_diff
from uptake.views.documents import redactor_for, shown_content


def _document_history(user, document_id, action=DocumentAction.READ_HISTORY):
    """The document for a history page, through the chokepoint. The drafting history is the
    team's: a donor reading a shared non-paper gets 404 here, as on every dialogue page,
    never learning there is more to see."""
    document, allowed = get_document_for_user(user, document_id, DocumentAction.READ)
    if DocumentAction.READ_HISTORY not in allowed:
        raise Http404
    if action not in allowed:
        raise PermissionDenied
    return document, allowed


def _revision(document, number):
    try:
        return document.revisions.select_related("author").get(number=number)
    except (Revision.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


@login_required
@require_GET
def revision_list(request, document_id):
    """Every revision, newest first, with a form to compare two. Queries: the document,
    permission checks, the roster (to withhold names), the revisions with their authors."""
    document, allowed = _document_history(request.user, document_id)
    _show_identity, redact = redactor_for(request.user, document)
    revisions = list(document.revisions.select_related("author").order_by("-number"))
    for revision in revisions:
        revision.shown_title = redact(revision.title)
        revision.shown_note = redact(revision.note)
    return render(
        request,
        "uptake/revision_list.html",
        {
            "document": document,
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "shown_title": redact(document.title),
            "revisions": revisions,
            "can_restore": DocumentAction.EDIT in allowed and document.is_editable,
        },
    )


@login_required
@require_GET
def revision_detail(request, document_id, number):
    document, allowed = _document_history(request.user, document_id)
    revision = _revision(document, number)
    _show_identity, redact = redactor_for(request.user, document)
    title, shown = shown_content(document, revision, redact)
    return render(
        request,
        "uptake/revision_detail.html",
        {
            "document": document,
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "revision": revision,
            "shown_title": title,
            "shown": shown,
            "shown_note": redact(revision.note),
            "can_restore": DocumentAction.EDIT in allowed
            and document.is_editable
            and revision.number != document.head,
        },
    )


@login_required
@require_GET
def revision_compare(request, document_id):
    """The differences between revisions `from` and `to` (query string), passage by passage.
    Names are withheld in both texts for a reader who may not see identities."""
    document, _allowed = _document_history(request.user, document_id)
    old = _revision(document, request.GET.get("from"))
    new = _revision(document, request.GET.get("to"))
    _show_identity, redact = redactor_for(request.user, document)
    shown_old, shown_new = (
        Revision(number=r.number, title=redact(r.title), content=_redacted(document, r, redact))
        for r in (old, new)
    )
    diff = revision_diff(document.kind, shown_old, shown_new)
    return render(
        request,
        "uptake/revision_compare.html",
        {
            "document": document,
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "shown_title": redact(document.title),
            "old": old,
            "new": new,
            "diff": diff,
            "changed": any(passage.changed for passage in diff),
        },
    )


def _redacted(document, revision, redact):
    _title, shown = shown_content(document, revision, redact)
    return shown


@login_required
@require_POST
def revision_restore(request, document_id, number):
    document, _allowed = _document_history(request.user, document_id, DocumentAction.EDIT)
    revision = _revision(document, number)
    try:
        restored = services.document_restore(
            document=document, actor=request.user, number=revision.number
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("uptake:revision_detail", document.public_id, revision.number)
    messages.success(
        request,
        _("Revision %(old)s is the current text again, as revision %(new)s.")
        % {"old": revision.number, "new": restored.number},
    )
    return redirect("uptake:document_detail", document.public_id)
