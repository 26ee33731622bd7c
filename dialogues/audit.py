"""The audit trail: who created, changed or deleted a sensitive row, when, and what changed.

Built on django-simple-history. Each sensitive model carries `history = AuditedRecords()`
(third-party models are registered in dialogues.models.history), so every save and delete,
through Parley's services, Django admin, a management command or a cascade, writes a
historical row in the same transaction. The actor is, in this order: one set on the instance
(`_history_user`), the signed-in user of the request (simple-history's middleware), or the one
an operator named for a management command (`audit_context`). The reason says where a change
came from when no one is signed in: the command, or the process.

Historical rows of participants hold their identity: they are read only through
`history_entries` with the identity fields withheld from readers without view_identity, and
must be scrubbed when a participant is erased (see the historical models listed in
docs/assurance.md).
"""

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

REASON_LENGTH = 100  # simple-history's history_change_reason column

KIND_LABELS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


def _process_name():
    """`manage.py createsuperuser`, `celery`: what wrote a row outside any request."""
    program = Path(sys.argv[0]).name if sys.argv else ""
    if program == "manage.py" and len(sys.argv) > 1:
        return f"{program} {sys.argv[1]}"
    return program or "python"


class AuditedRecords(HistoricalRecords):
    """HistoricalRecords that also know the actor and reason an operator gave a management
    command, and skip saves that touch only fields the history does not keep (a sign-in
    stamping `last_login` is not a change to the account)."""

    def get_history_user(self, instance):
        user = super().get_history_user(instance)
        if user is None:
            user = getattr(self.context, "audit_actor", None)
        return user

    def get_change_reason_for_object(self, instance, history_type, using):
        reason = super().get_change_reason_for_object(instance, history_type, using)
        if not reason:
            reason = getattr(self.context, "audit_reason", "")
        if not reason and getattr(self.context, "request", None) is None:
            reason = _process_name()
        return (reason or "")[:REASON_LENGTH]

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields:
            kept = {f.name for f in self.fields_included(instance)} | {
                f.attname for f in self.fields_included(instance)
            }
            if not set(update_fields) & kept:
                return
        super().post_save(instance, created, using=using, **kwargs)


@contextmanager
def audit_context(*, actor=None, reason=""):
    """Record `actor` and `reason` on every historical row written inside the block that has
    no signed-in request user or reason of its own. For management commands and scripts."""
    context = HistoricalRecords.context
    previous = (getattr(context, "audit_actor", None), getattr(context, "audit_reason", ""))
    context.audit_actor, context.audit_reason = actor, (reason or "")[:REASON_LENGTH]
    try:
        yield
    finally:
        context.audit_actor, context.audit_reason = previous


class AuditedCommand(BaseCommand):
    """A management command whose changes the audit trail gives the reason
    "manage.py <command>" and, when the operator names themselves with --actor (a username
    or e-mail of an active account), that account as the actor."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--actor",
            help="Your Parley username or e-mail: the audit trail records you as the one who "
            "made the changes this command makes.",
        )
        return parser

    def execute(self, *args, **options):
        actor = _operator(options.get("actor"))
        command = self.__module__.rsplit(".", 1)[-1]
        with audit_context(actor=actor, reason=f"manage.py {command}"):
            return super().execute(*args, **options)


def _operator(name):
    if not name:
        return None
    User = get_user_model()
    users = list(User.objects.filter(Q(username=name) | Q(email__iexact=name), is_active=True)[:2])
    if len(users) != 1:
        raise CommandError(
            f"--actor {name!r} names no active account, or several: give your username."
        )
    return users[0]


# --- Reading the trail ------------------------------------------------------------------------


WITHHELD = _("withheld")


@dataclass
class Change:
    label: str
    old: object
    new: object
    withheld: bool = False


@dataclass
class Entry:
    """One line of an object's history, as a page shows it."""

    at: object
    kind: str
    kind_label: str
    actor: str
    reason: str
    subject: str
    changes: list = field(default_factory=list)


def _display(record, model_field):
    """A historical value as a reader sees it: a choice's label, a related object's name
    (only if it was loaded with the record: never a query per row), else the value."""
    if model_field.is_relation:
        raw = getattr(record, model_field.attname)
        if raw is None:
            return None
        if model_field.is_cached(record):
            related = getattr(record, model_field.name)
            if related is not None:
                return str(related)
        return f"#{raw}"
    value = getattr(record, model_field.attname)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if model_field.choices and value not in (None, ""):
        return dict(model_field.flatchoices).get(value, value)
    return value


def _empty(value):
    return value is None or value == "" or value == [] or value == {}


def _changes(record, previous, fields, withheld, redact):
    def shown(source, model_field):
        value = _display(source, model_field)
        return redact(value) if isinstance(value, str) else value

    changes = []
    for name in fields:
        model_field = record._meta.get_field(name)
        new = getattr(record, model_field.attname)
        if previous is None:
            if _empty(new) or new is False:
                continue
            old_shown = None
        else:
            old = getattr(previous, model_field.attname)
            if old == new:
                continue
            old_shown = shown(previous, model_field)
        label = str(model_field.verbose_name)
        if name in withheld:
            changes.append(Change(label, WITHHELD, WITHHELD, withheld=True))
        else:
            changes.append(Change(label, old_shown, shown(record, model_field)))
    return changes


def history_entries(
    records, *, fields, subject=str, withheld=frozenset(), redact=str, kind_labels=KIND_LABELS
):
    """The entries, newest first, for historical `records` of one model (one or several
    objects, any order, already fetched with whatever they display).

    `fields` are the field names shown and diffed, in order; the values of those in `withheld`
    are replaced by "withheld" (the entry still says the field changed); `subject(record)`
    names the object the entry is about; `redact` is applied to every text shown (the
    document pages' name guard); `kind_labels` say what creating and deleting a row means
    (granting and revoking, for a permission). Diffs compare each record with the previous one of
    the same object, in memory: no query, however long the history."""
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    latest_of = {}  # each object's record before the one at hand
    entries = []
    for record in records:
        object_id = getattr(record, record.instance_type._meta.pk.attname)
        previous = latest_of.get(object_id)
        latest_of[object_id] = record
        # A deletion changes no field; a creation (or the first record kept) shows its values.
        changes = (
            []
            if record.history_type == "-"
            else _changes(record, previous, fields, withheld, redact)
        )
        entries.append(
            Entry(
                at=record.history_date,
                kind=record.history_type,
                kind_label=kind_labels[record.history_type],
                actor=_actor_name(record),
                reason=record.history_change_reason or "",
                subject=subject(record),
                changes=changes,
            )
        )
    entries.reverse()
    return entries


def _actor_name(record):
    user = record.history_user if record.history_user_id else None
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def merged(*entry_lists):
    """Several models' entries as one timeline, newest first."""
    return sorted(
        (entry for entries in entry_lists for entry in entries),
        key=lambda entry: entry.at,
        reverse=True,
    )
