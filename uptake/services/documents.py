"""Drafting non-papers and aide-mémoires: creating them, saving revisions without losing
anyone's work, restoring, moving along the workflow, iterating, commenting."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.shortcuts import assign_perm

from dialogues.models import Dialogue
from dialogues.services.attribution import dialogue_mention_finder, refuse_if_names_withheld
from uptake import content as document_content
from uptake.models import Comment, Document, DocumentEvent, Revision
from uptake.permissions import READ_DOCUMENT
from uptake.services import guard
from uptake.services.events import log_event
from uptake.services.ladder import commitments_create_for_delivery
from uptake.services.readers import copy_readers
from uptake.services.vetting import vetting_reset

TITLE_MAX_LENGTH = Document._meta.get_field("title").max_length


class EditConflict(Exception):
    """Someone saved the document after the writer opened it. Nothing was saved; `current`
    is the revision saved meanwhile, for the conflict page."""

    def __init__(self, current):
        super().__init__("The document changed since it was opened.")
        self.current = current


def _check_title(title):
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": _("Keep the title under %(max)s characters.") % {"max": TITLE_MAX_LENGTH}}
        )
    return title


def _refuse_abandoned(dialogue):
    if dialogue.status == Dialogue.Status.ABANDONED:
        raise ValidationError(
            _("This dialogue was abandoned: it produces no documents."), code="abandoned"
        )


def _add_revision(document, *, actor, title, content, note="", **extra):
    document.head += 1
    document.title = title
    document.save(update_fields=["head", "title", "updated_at"])
    return Revision.objects.create(
        document=document,
        number=document.head,
        title=title,
        content=document_content.normalise(document.kind, content),
        author=actor,
        note=note.strip()[:300],
        **extra,
    )


def head_revision(document):
    """The current revision of `document`."""
    return document.revisions.get(number=document.head)


@transaction.atomic
def non_paper_create_from_package(*, dialogue, actor, title=""):
    """Start a non-paper from the dialogue's package: the dialogue's problem, and one draft
    step per option carried forward, in package order, with its who, when and how. Everything
    stays editable. Raises ValidationError for an abandoned dialogue.
    Caller: someone with design_dialogues on the programme."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    _refuse_abandoned(dialogue)
    steps = []
    for item in dialogue.package.select_related("option").order_by("position", "id"):
        option = item.option
        text = option.title
        if option.description:
            text = f"{option.title}: {option.description}"
        steps.append(
            {
                "text": text,
                "who": option.who,
                "when": option.when,
                "how": option.how,
                "ladder": None,
            }
        )
    if not title:
        # The drafting page asks for no title, so the default must always fit.
        title = _("Non-paper: %(title)s") % {"title": dialogue.title}
        if len(title) > TITLE_MAX_LENGTH:
            title = title[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
    title = _check_title(title)
    document = Document.objects.create(
        dialogue=dialogue, kind=Document.Kind.NON_PAPER, title=title, created_by=actor
    )
    _add_revision(
        document,
        actor=actor,
        title=title,
        content={"problem": dialogue.problem, "steps": steps},
        note=_("Drafted from the package"),
    )
    log_event(document=document, actor=actor, kind=DocumentEvent.Kind.CREATED, revision_number=1)
    return document


@transaction.atomic
def aide_memoire_create(*, dialogue, actor, title, non_paper=None):
    """Start an aide-mémoire of `dialogue` with the usual sections, optionally accompanying
    `non_paper` (a non-paper of the same dialogue). Its writer is its first named reader.
    Raises ValidationError for an abandoned dialogue, a bad title or a non-paper of another
    dialogue. Caller: someone with design_dialogues on the programme."""
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    _refuse_abandoned(dialogue)
    title = _check_title(title)
    if non_paper is not None and (
        non_paper.dialogue_id != dialogue.pk or not non_paper.is_non_paper
    ):
        raise ValidationError({"non_paper": _("Choose a non-paper of this dialogue.")})
    document = Document.objects.create(
        dialogue=dialogue,
        kind=Document.Kind.AIDE_MEMOIRE,
        title=title,
        non_paper=non_paper,
        created_by=actor,
    )
    _add_revision(
        document,
        actor=actor,
        title=title,
        content=document_content.empty(Document.Kind.AIDE_MEMOIRE),
        note=_("Started"),
    )
    assign_perm(f"uptake.{READ_DOCUMENT}", actor, document)
    log_event(document=document, actor=actor, kind=DocumentEvent.Kind.CREATED, revision_number=1)
    return document


def _lock(document):
    return Document.objects.select_for_update().select_related("dialogue").get(pk=document.pk)


def _refuse_unless_editable(document):
    if document.is_frozen:
        raise ValidationError(
            _(
                "This version was delivered: its text is frozen. Start a new iteration to "
                "change it."
            ),
            code="frozen",
        )
    if not document.is_editable:
        raise ValidationError(
            _("This document is ready: move it back to draft or review to change its text."),
            code="not_editable",
        )


@transaction.atomic
def document_save(*, document, actor, base_revision, title, content, note="", merged_from=None):
    """Save a new revision of `document`'s text. `base_revision` is the number of the
    revision the writer started from: if someone saved since, nothing is saved and
    EditConflict carries what they saved, so the writer can merge (then saves again with the
    current number as base and `merged_from` = their original base, which the revision
    records). Raises ValidationError for a bad title, text past the size limits
    (uptake.content.too_long), a delivered or ready document, or when `actor` may not see
    identities and the current text names a participant (it is shown to them with names
    withheld, so they may not overwrite it).
    Caller: someone who may edit the document (uptake.permissions)."""
    document = _lock(document)
    _refuse_unless_editable(document)
    title = _check_title(title)
    if base_revision != document.head:
        raise EditConflict(head_revision(document))
    content = document_content.normalise(document.kind, content)
    too_long = document_content.too_long(document.kind, content)
    if too_long:
        raise ValidationError(too_long, code="too_long")
    head = head_revision(document)
    refuse_if_names_withheld(
        actor=actor,
        dialogue=document.dialogue,
        texts=[
            p.text
            for p in document_content.passages(
                document.kind, head.title, document_content.normalise(document.kind, head.content)
            )
        ],
        message=_(
            "The text names a participant, which is withheld from you: only a team member "
            "who may see identities can change it."
        ),
    )
    if head.title == title and head.content == content:
        return head  # nothing changed: no empty revision
    return _add_revision(
        document,
        actor=actor,
        title=title,
        content=content,
        note=note,
        merged_from_base=merged_from,
    )


@transaction.atomic
def document_restore(*, document, actor, number):
    """Make revision `number`'s text the current one, as a new revision (history is never
    rewritten). Raises ValidationError for a delivered or ready document or an unknown
    revision. Caller: someone who may edit the document."""
    document = _lock(document)
    _refuse_unless_editable(document)
    try:
        old = document.revisions.get(number=number)
    except Revision.DoesNotExist as missing:
        raise ValidationError(_("There is no such revision.")) from missing
    return _add_revision(
        document,
        actor=actor,
        title=old.title,
        content=old.content,
        note=_("Restored revision %(number)s") % {"number": number},
        restored_from=number,
    )


class GuardBlocked(ValidationError):
    """Names of participants in the text hold the document back. `hits` lists them
    (guard.GuardHit); show names only to users who may see identities."""

    def __init__(self, hits):
        super().__init__(
            ngettext(
                "The text names a participant in %(count)s place. Remove the name, or a "
                "facilitator can let it stay with a written reason.",
                "The text names a participant in %(count)s places. Remove the names, or a "
                "facilitator can let them stay with a written reason.",
                len(hits),
            )
            % {"count": len(hits)},
            code="guard_blocked",
        )
        self.hits = hits


def check_guard(document, revision):
    """Raise GuardBlocked when `revision` names a participant and no facilitator let those
    names stay for this very revision (an override given before someone else named in it
    joined the roster does not cover them)."""
    hits = guard.revision_hits(document, revision)
    if hits and guard.override_for(document, revision.number, hits) is None:
        raise GuardBlocked(hits)
    return hits


@transaction.atomic
def document_transition(*, document, actor, to_status):
    """Move `document` along draft → in review → ready → delivered (or back before delivery).

    Raises ValidationError saying why when the move is not allowed, when a non-paper with
    gaps would move forward (fewer than 3 or more than 5 steps, a step without who, when or
    how, an unplaced step), and GuardBlocked when moving to ready or delivered while the text
    names a participant without a facilitator's override. Delivering freezes the text.
    Caller: someone who may edit the document."""
    document = _lock(document)
    document.check_transition(to_status)
    head = head_revision(document)
    # Checked on every forward move, not only out of draft: the text can still change in
    # review, and a gap added there must not reach ready.
    moving_back = to_status == Document.Status.DRAFT or (
        document.status == Document.Status.READY and to_status == Document.Status.IN_REVIEW
    )
    if document.is_non_paper and not moving_back:
        gaps = document_content.non_paper_gaps(
            document_content.normalise(document.kind, head.content)
        )
        if gaps:
            if document.status == Document.Status.DRAFT:
                heading = _("This non-paper cannot leave draft yet:")
            else:
                heading = _("This non-paper cannot move on yet:")
            raise ValidationError([heading, *gaps], code="gaps")
    if to_status in (Document.Status.READY, Document.Status.DELIVERED):
        check_guard(document, head)
    previous = document.get_status_display()
    leaving_ready = document.status == Document.Status.READY and moving_back
    document.status = to_status
    if to_status == Document.Status.DELIVERED:
        document.delivered_at = timezone.now()
    document.save(update_fields=["status", "delivered_at", "updated_at"])
    if leaving_ready and document.is_non_paper:
        # The text can change again: verdicts on it no longer hold.
        vetting_reset(document=document)
    if to_status == Document.Status.DELIVERED and document.is_non_paper:
        commitments_create_for_delivery(document=document, revision=head)
    log_event(
        document=document,
        actor=actor,
        kind=DocumentEvent.Kind.STATUS_CHANGED,
        revision_number=head.number,
        detail=f"{previous} → {document.get_status_display()}",
    )
    return document


@transaction.atomic
def guard_override(*, document, actor, reason):
    """Let the names found in the current revision stay, for this revision only (any later
    save is checked afresh). The reason and the codes of the participants named are logged,
    never the names. Raises ValidationError without a reason, for a reason that names a
    participant, or when nothing is flagged.
    Caller: someone who leads the programme's dialogues (a facilitator)."""
    document = _lock(document)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the names may stay.")})
    head = head_revision(document)
    hits = guard.revision_hits(document, head)
    if not hits:
        raise ValidationError(_("The current text names no participant: nothing to override."))
    # The reason goes into the log, which never holds a name.
    if dialogue_mention_finder(document.dialogue).find(reason):
        raise ValidationError(
            {"reason": _("The reason names a participant: refer to them by their code instead.")}
        )
    codes = sorted({hit.participant.code for hit in hits})
    return log_event(
        document=document,
        actor=actor,
        kind=DocumentEvent.Kind.GUARD_OVERRIDDEN,
        revision_number=head.number,
        detail=_("%(reason)s (participants named: %(codes)s)")
        % {"reason": reason, "codes": ", ".join(codes)},
        participant_codes=codes,
    )


@transaction.atomic
def document_new_iteration(*, document, actor):
    """Start the next version of a delivered document: a new draft linked to it, holding its
    text. A version has at most one next iteration. Raises ValidationError otherwise.
    Caller: someone who may edit the document."""
    document = _lock(document)
    if not document.is_frozen:
        raise ValidationError(_("Only a delivered version can be iterated."))
    if Document.objects.filter(previous_version=document).exists():
        raise ValidationError(_("This version already has a next iteration."))
    head = head_revision(document)
    following = Document.objects.create(
        dialogue=document.dialogue,
        kind=document.kind,
        title=document.title,
        version=document.version + 1,
        previous_version=document,
        non_paper=document.non_paper,
        created_by=actor,
    )
    _add_revision(
        following,
        actor=actor,
        title=head.title,
        content=head.content,
        note=_("Iteration of version %(version)s") % {"version": document.version},
    )
    if document.is_aide_memoire:
        # The same people read the next version of a confidential document.
        copy_readers(source=document, target=following)
    log_event(document=following, actor=actor, kind=DocumentEvent.Kind.CREATED, revision_number=1)
    return following


@transaction.atomic
def document_set_shareable(*, document, actor, shareable):
    """Let the programme's donors read a delivered non-paper, or stop them. Raises
    ValidationError for anything else. Caller: someone who may edit the document."""
    document = _lock(document)
    if shareable and not (document.is_non_paper and document.is_frozen):
        raise ValidationError(_("Only a delivered non-paper can be shared with donors."))
    document.shareable = shareable
    document.full_clean()
    document.save(update_fields=["shareable", "updated_at"])
    return document


@transaction.atomic
def comment_add(*, document, actor, body):
    """Add a comment on the current revision of a non-paper. Raises ValidationError for an
    empty or over-long comment. Caller: someone who may comment (uptake.permissions)."""
    body = (body or "").strip()
    max_length = Comment._meta.get_field("body").max_length
    # full_clean() does not enforce a TextField's max_length.
    if len(body) > max_length:
        raise ValidationError(
            {"body": _("Keep the comment under %(max)s characters.") % {"max": max_length}}
        )
    comment = Comment(document=document, revision_number=document.head, author=actor, body=body)
    comment.full_clean()
    comment.save()
    return comment
