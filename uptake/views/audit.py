"""A document's audit trail (dialogues.audit): who created and changed it, each revision
made, every vetting verdict given and withdrawn, the clearance, and for an aide-mémoire who
was named a reader and removed.

Read by facilitators and officers who read the document (DocumentAction.READ_AUDIT). For a
reader without view_identity the texts shown pass the name guard of the document pages, with
every participant of the programme: a name may have been written when its bearer was on the
dialogue's roster, and stay in the history after they left it."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dialogues import permissions as programme_perms
from dialogues.audit import history_entries, merged
from dialogues.services.attribution import programme_redactor
from uptake.models import Document, DocumentUserObjectPermission, Revision, Vetting
from uptake.models.chain import VettingClearance
from uptake.permissions import DocumentAction, get_document_for_user

READER_KINDS = {
    "+": gettext_lazy("Named a reader"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Removed a reader"),
}

DOCUMENT_FIELDS = ("title", "status", "version", "shareable", "head", "delivered_at")
REVISION_FIELDS = ("title", "note", "restored_from", "merged_from_base", "author")
VETTING_FIELDS = ("verdict", "notes", "reviewer_name", "decided_at")


def _verdict_subject(record):
    framework = Vetting.Framework(record.framework).label
    if record.step_index is None:
        return _("Vetting: %(framework)s") % {"framework": framework}
    return _("Vetting: %(framework)s, step %(step)s") % {
        "framework": framework,
        "step": record.step_index + 1,
    }


@login_required
@require_GET
def document_history(request, document_id):
    """Queries: the document, permissions, the identity check, and one per kind of history,
    however long (the name guard's names once, if any text is shown)."""
    document, _allowed = get_document_for_user(request.user, document_id, DocumentAction.READ_AUDIT)
    programme = document.dialogue.programme
    show_identity = programme_perms.may_see_identity(request.user, programme)
    redact = programme_redactor(programme, show_identity=show_identity)
    own = {"document_id": document.pk}
    changes = history_entries(
        Document.history.filter(id=document.pk).select_related("history_user"),
        fields=DOCUMENT_FIELDS,
        subject=lambda r: _("The document"),
        redact=redact,
    )
    revisions = history_entries(
        Revision.history.filter(**own).select_related("history_user", "author"),
        fields=REVISION_FIELDS,
        subject=lambda r: _("Revision %(number)s") % {"number": r.number},
        redact=redact,
    )
    vetting = history_entries(
        Vetting.history.filter(**own).select_related("history_user"),
        fields=VETTING_FIELDS,
        subject=_verdict_subject,
        redact=redact,
    )
    clearance = history_entries(
        VettingClearance.history.filter(**own).select_related("history_user"),
        fields=("cleared_at",),
        subject=lambda r: _("Vetting clearance"),
    )
    readers = history_entries(
        DocumentUserObjectPermission.history.filter(content_object_id=document.pk).select_related(
            "history_user", "user"
        ),
        fields=(),
        subject=lambda r: (
            (r.user.get_full_name() or r.user.get_username()) if r.user else _("a deleted account")
        ),
        kind_labels=READER_KINDS,
    )
    return render(
        request,
        "uptake/document_history.html",
        {
            "document": document,
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "shown_title": redact(document.title),
            "entries": merged(changes, revisions),
            "vetting": merged(vetting, clearance),
            "readers": readers,
        },
    )
