"""The access chokepoint for non-papers and aide-mémoires.

A document inherits access from its dialogue's programme (dialogues.permissions), with two
differences:
- an aide-mémoire is read only by the users named on it (a guardian object permission,
  `uptake.read_document`), whatever their role; the programme's facilitators manage who is
  named and read its access log, and see nothing else of it unless named;
- a donor, who never sees dialogues, reads a non-paper once it is delivered and shareable.
Views never fetch a document any other way.
"""

import enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from dialogues import permissions as programme_perms
from uptake.models import Document

READ_DOCUMENT = "read_document"


class DocumentAction(enum.Enum):
    READ = "read"  # see the current text; download the PDF
    READ_HISTORY = "history"  # see the revisions and comments: the team only, never donors
    EDIT = "edit"  # save, restore, move along the workflow, iterate
    COMMENT = "comment"  # remark on a non-paper
    MANAGE_READERS = "manage_readers"  # name an aide-mémoire's readers, read its access log
    OVERRIDE_GUARD = "override_guard"  # let a flagged name stay, with a written reason


def _load(public_id):
    try:
        return Document.objects.select_related("dialogue__programme").get(public_id=public_id)
    # A malformed id makes the UUID field raise ValidationError, not ValueError.
    except (Document.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def document_access(user, document, checker=None):
    """The set of DocumentAction `user` may take on `document` (empty: they may not know it
    exists). `checker` is a guardian ObjectPermissionChecker for `user`, prefetched for lists."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    checker = checker or ObjectPermissionChecker(user)
    programme = document.dialogue.programme

    def holds(perm):
        return checker.has_perm(perm, programme)

    if not holds(programme_perms.VIEW_DIALOGUES):
        donor_may_read = (
            holds(programme_perms.VIEW_RESULTS)
            and document.is_non_paper
            and document.status == Document.Status.DELIVERED
            and document.shareable
        )
        return frozenset({DocumentAction.READ}) if donor_may_read else frozenset()

    actions = set()
    named = document.is_non_paper or checker.has_perm(f"uptake.{READ_DOCUMENT}", document)
    leads = holds(programme_perms.LEAD_DIALOGUES)
    if named:
        actions.update({DocumentAction.READ, DocumentAction.READ_HISTORY})
        if holds(programme_perms.DESIGN_DIALOGUES):
            actions.add(DocumentAction.EDIT)
    if document.is_non_paper and (
        holds(programme_perms.VET_OUTPUTS) or holds(programme_perms.DESIGN_DIALOGUES)
    ):
        actions.add(DocumentAction.COMMENT)
    if leads:
        if named:  # the hits are in the text: only someone who reads it may let them stay
            actions.add(DocumentAction.OVERRIDE_GUARD)
        if document.is_aide_memoire:
            actions.add(DocumentAction.MANAGE_READERS)
    return frozenset(actions)


def get_document_for_user(user, public_id, action=DocumentAction.READ):
    """Return the document `public_id` (with its dialogue and programme) if `user` may take
    `action` on it, and the set of actions they may take.

    Raises Http404 when it does not exist or the user may not know it does (strangers; donors
    unless it is a delivered, shareable non-paper; anyone not named on an aide-mémoire unless
    they lead the programme's dialogues), PermissionDenied when they may see it but not do
    `action` (a legal reviewer editing, a facilitator not named reading an aide-mémoire)."""
    document = _load(public_id)
    allowed = document_access(user, document)
    if not allowed:
        raise Http404
    if action not in allowed:
        raise PermissionDenied
    return document, allowed


def documents_for_user(user, dialogue):
    """The documents of `dialogue` `user` may know exist, for lists, each with `readable`
    set: every non-paper; the aide-mémoires naming them; for a facilitator every
    aide-mémoire, readable or not (they manage its readers). A fixed number of queries:
    the documents, the user's named aide-mémoires, the permission check.
    Caller: someone with view_dialogues on the programme."""
    documents = list(
        Document.objects.filter(dialogue=dialogue).order_by("kind", "title", "version")
    )
    named = set()
    if any(document.is_aide_memoire for document in documents):
        named = set(
            get_objects_for_user(
                user, f"uptake.{READ_DOCUMENT}", Document.objects.filter(dialogue=dialogue)
            ).values_list("pk", flat=True)
        )
    leads = ObjectPermissionChecker(user).has_perm(
        programme_perms.LEAD_DIALOGUES, dialogue.programme
    )
    listed = []
    for document in documents:
        document.readable = document.is_non_paper or document.pk in named
        if document.readable or leads:
            listed.append(document)
    return listed
