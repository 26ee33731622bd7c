"""The document log: every change of status, override, reader change, view and download."""

from django.utils.translation import gettext as _

from uptake.models import DocumentEvent


def actor_label(actor):
    """How the log names a user: their full name and username, or the username alone."""
    if actor is None:
        return _("Parley")
    full_name = actor.get_full_name()
    return f"{full_name} ({actor.username})" if full_name else actor.username


def log_event(*, document, actor, kind, revision_number=None, detail="", participant_codes=()):
    """Append an entry to `document`'s log. `detail` must never hold a participant's name."""
    return DocumentEvent.objects.create(
        document=document,
        actor=actor,
        actor_name=actor_label(actor),
        kind=kind,
        revision_number=revision_number,
        detail=detail,
        participant_codes=list(participant_codes),
    )


def record_access(*, document, actor, kind):
    """Log that `actor` viewed or downloaded an aide-mémoire (the access log its facilitator
    reads). Non-papers are not logged per view: they are not confidential to named readers."""
    if document.is_aide_memoire:
        log_event(document=document, actor=actor, kind=kind, revision_number=document.head)
