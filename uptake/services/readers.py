"""Who reads an aide-mémoire: the users named on it (guardian object permissions)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from dialogues.models import Membership
from uptake.models import Document, DocumentEvent
from uptake.permissions import READ_DOCUMENT
from uptake.services.events import actor_label, log_event

PERM = f"uptake.{READ_DOCUMENT}"


def readers_of(document):
    """The users named on an aide-mémoire, by name. One query."""
    return list(
        get_user_model()
        .objects.filter(documentuserobjectpermission__content_object=document)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def eligible_readers(document):
    """Team members who could be named: anyone on the programme but donors (who never see a
    confidential document), not named already."""
    named = {user.pk for user in readers_of(document)}
    members = (
        Membership.objects.filter(programme=document.dialogue.programme, user__is_active=True)
        .exclude(role=Membership.Role.DONOR)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return [m.user for m in members if m.user.pk not in named]


def _refuse_unless_aide_memoire(document):
    if not document.is_aide_memoire:
        raise ValidationError(_("Only an aide-mémoire has named readers."))


@transaction.atomic
def reader_add(*, document, actor, user):
    """Name `user` as a reader of an aide-mémoire. Raises ValidationError unless they are an
    active member of the programme's team other than a donor.
    Caller: someone who leads the programme's dialogues."""
    _refuse_unless_aide_memoire(document)
    if user not in eligible_readers(document):
        raise ValidationError(
            {"user": _("Choose a member of this programme's team who is not named yet.")}
        )
    assign_perm(PERM, user, document)
    log_event(
        document=document,
        actor=actor,
        kind=DocumentEvent.Kind.READER_ADDED,
        detail=actor_label(user),
    )


@transaction.atomic
def reader_remove(*, document, actor, user):
    """Stop `user` reading an aide-mémoire. The last reader cannot be removed (nobody could
    read it any more). Caller: someone who leads the programme's dialogues."""
    _refuse_unless_aide_memoire(document)
    document = Document.objects.select_for_update().get(pk=document.pk)
    readers = readers_of(document)
    if user not in readers:
        raise ValidationError(_("That person is not named on this document."))
    if len(readers) == 1:
        raise ValidationError(_("Name another reader first: an aide-mémoire needs one."))
    remove_perm(PERM, user, document)
    log_event(
        document=document,
        actor=actor,
        kind=DocumentEvent.Kind.READER_REMOVED,
        detail=actor_label(user),
    )


def copy_readers(*, source, target):
    """Name on `target` everyone named on `source` (a new iteration of an aide-mémoire)."""
    for user in get_users_with_perms(source, only_with_perms_in=[READ_DOCUMENT]):
        assign_perm(PERM, user, target)
