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
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from dialogues import permissions as programme_perms
from uptake.models import (
    Briefing,
    Carrier,
    Commitment,
    Document,
    Feedback,
    Notification,
    Pilot,
)

READ_DOCUMENT = "read_document"

# What a notification says once the names it was written with are withheld from its reader.
_WITHHELD_TITLE = _("A reminder (details withheld)")
_WITHHELD_BODY = _(
    "It was written when you could see participants' names, which you no longer may. "
    "Open it to see what it is about."
)


class DocumentAction(enum.Enum):
    READ = "read"  # see the current text; download the PDF
    READ_HISTORY = "history"  # see the revisions and comments: the team only, never donors
    READ_AUDIT = "audit"  # see who changed what (the audit trail): facilitators and officers
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
    checker = checker or programme_perms.permission_checker(user)
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
            actions.update({DocumentAction.EDIT, DocumentAction.READ_AUDIT})
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
    leads = programme_perms.permission_checker(user).has_perm(
        programme_perms.LEAD_DIALOGUES, dialogue.programme
    )
    listed = []
    for document in documents:
        document.readable = document.is_non_paper or document.pk in named
        if document.readable or leads:
            listed.append(document)
    return listed


class ChainAction(enum.Enum):
    """What a team member may do along the uptake chain of a programme's non-papers."""

    VIEW = "view"  # carriers (without trust notes), briefings, vetting, feedback, pilots, ladder
    MANAGE = "manage"  # record carriers, briefings, feedback, pilots, commitments; iterate
    VET = "vet"  # record legal and operational vetting verdicts
    VIEW_TRUST_NOTES = "trust"  # read what the team noted about a carrier's trust


def chain_access(user, programme, checker=None):
    """The set of ChainAction `user` may take on `programme`'s uptake chain (empty: they may
    not know it exists, as for donors, who see the chain only in M&E aggregates).
    Officers and facilitators manage it and read trust notes; legal reviewers vet and read."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    checker = checker or programme_perms.permission_checker(user)

    def holds(perm):
        return checker.has_perm(perm, programme)

    if not holds(programme_perms.VIEW_DIALOGUES):
        return frozenset()
    actions = {ChainAction.VIEW}
    if holds(programme_perms.CARRY_UPTAKE) or holds(programme_perms.LEAD_DIALOGUES):
        actions.update({ChainAction.MANAGE, ChainAction.VIEW_TRUST_NOTES})
    if holds(programme_perms.VET_OUTPUTS):
        actions.add(ChainAction.VET)
    return frozenset(actions)


def _authorize_chain(user, programme, action):
    allowed = chain_access(user, programme)
    if not allowed:
        raise Http404
    if action not in allowed:
        raise PermissionDenied
    return allowed


def _get_or_404(queryset, public_id):
    try:
        return queryset.get(public_id=public_id)
    # A malformed id makes the UUID field raise ValidationError, not ValueError.
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as missing:
        raise Http404 from missing


def get_programme_chain_for_user(user, public_id, action=ChainAction.VIEW):
    """Return the programme `public_id` and the user's ChainActions on it, if they may take
    `action` on its uptake chain. Raises Http404 for strangers and donors,
    PermissionDenied for a team member lacking `action` (a legal reviewer adding a carrier)."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    programme = _get_or_404(programme_perms.Programme.objects.all(), public_id)
    return programme, _authorize_chain(user, programme, action)


def get_non_paper_chain_for_user(user, public_id, action=ChainAction.VIEW):
    """Return the non-paper version `public_id` (with dialogue and programme) and the user's
    ChainActions, if they may take `action` on its chain. An aide-mémoire has no chain:
    Http404, like a stranger or a donor; PermissionDenied for a team member lacking
    `action`."""
    if not (user.is_authenticated and user.is_active):
        raise Http404
    document = _get_or_404(
        Document.objects.non_papers().select_related("dialogue__programme"), public_id
    )
    return document, _authorize_chain(user, document.dialogue.programme, action)


def _get_chain_object(user, queryset, public_id, programme_path, action):
    if not (user.is_authenticated and user.is_active):
        raise Http404
    obj = _get_or_404(queryset.select_related(programme_path), public_id)
    programme = obj
    for name in programme_path.split("__"):
        programme = getattr(programme, name)
    return obj, _authorize_chain(user, programme, action)


def get_carrier_for_user(user, public_id, action=ChainAction.VIEW):
    """The carrier `public_id` and the user's ChainActions; 404/403 as for the programme."""
    return _get_chain_object(user, Carrier.objects.all(), public_id, "programme", action)


def get_briefing_for_user(user, public_id, action=ChainAction.VIEW):
    """The briefing `public_id` (with its carrier, non-paper, dialogue and programme) and the
    user's ChainActions; 404/403 as for the programme."""
    return _get_chain_object(
        user,
        Briefing.objects.select_related("carrier"),
        public_id,
        "document__dialogue__programme",
        action,
    )


def get_feedback_for_user(user, public_id, action=ChainAction.VIEW):
    """The feedback `public_id` (with its briefing, non-paper, dialogue and programme)."""
    return _get_chain_object(
        user,
        Feedback.objects.select_related("briefing__carrier"),
        public_id,
        "briefing__document__dialogue__programme",
        action,
    )


def get_pilot_for_user(user, public_id, action=ChainAction.VIEW):
    """The pilot `public_id` (with its non-paper, dialogue and programme)."""
    return _get_chain_object(
        user, Pilot.objects.all(), public_id, "document__dialogue__programme", action
    )


def get_commitment_for_user(user, public_id, action=ChainAction.VIEW):
    """The ladder commitment `public_id` (with its non-paper, dialogue and programme)."""
    return _get_chain_object(
        user, Commitment.objects.all(), public_id, "document__dialogue__programme", action
    )


def notifications_for_user(user):
    """The notifications `user` may read: their own, about programmes whose team they are
    still on (one query, with their grants on the programmes as subqueries). Views never fetch a
    notification any other way, so someone else's, or one about a programme they left, is
    a 404."""
    if not user.is_authenticated:  # an anonymous user cannot be compared with a recipient
        return Notification.objects.none()
    return programme_perms.filter_by_programme_permission(
        Notification.objects.filter(recipient=user), user, programme_perms.VIEW_DIALOGUES
    )


def withhold_stale_identity(user, notifications):
    """Replace the text of each notification written with participants' names for `user`
    on a programme where they may no longer see identities (one query)."""
    notifications = list(notifications)
    if not any(n.written_with_identity for n in notifications):
        return notifications
    allowed = set(
        programme_perms.programmes_for_user(user, programme_perms.VIEW_IDENTITY).values_list(
            "pk", flat=True
        )
    )
    for notification in notifications:
        if notification.written_with_identity and notification.programme_id not in allowed:
            notification.title = _WITHHELD_TITLE
            notification.body = _WITHHELD_BODY
    return notifications
