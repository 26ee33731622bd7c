"""Everything Parley holds about one participant: exported on request, and their identity
erased on request, everywhere, the audit trail's history included.

Free text is found generically, so a text field added later is covered without anyone
remembering to: every character, text and JSON column of every model (history models
included) whose rows belong to the participant's programme, reached through foreign keys.
Users and sessions belong to no programme and are not searched: they never hold a
participant's name.

Erasing keeps the participant's row, its pseudonymous code and its profile (category,
gender, region, languages, proxy), their dialogue places, consent dates, attendance and
acknowledgements: every count, mix and metric stays as it was. What goes is who they are:
the identity fields, and every mention of their name, aliases, e-mail or phone in any text,
replaced by their code.
"""

from collections import deque
from types import SimpleNamespace

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from dialogues.audit import REASON_LENGTH
from dialogues.models import (
    Attendance,
    DialogueParticipant,
    Participant,
    Programme,
    RuleAcknowledgement,
)
from dialogues.services.attribution import MentionFinder

# The reason on the historical row an erasure writes: it says what happened, never to whom.
ERASURE_REASON = "Identity erased"
MAX_PATH_DEPTH = 5
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _programme_lookup(model):
    """The ORM lookup from `model` to its programme ("dialogue__programme"), following
    foreign keys (the shortest path), or None when its rows belong to no programme."""
    if model is Programme:
        return "pk"
    queue, seen = deque([(model, [])]), {model}
    while queue:
        current, path = queue.popleft()
        if len(path) >= MAX_PATH_DEPTH:
            continue
        for field in current._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            target = field.related_model
            if target is Programme:
                return "__".join([*path, field.name])
            if target not in seen:
                seen.add(target)
                queue.append((target, [*path, field.name]))
    return None


def _text_columns(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, TEXT_FIELDS) and not field.choices and not field.primary_key
    ]


def programme_texts():
    """(model, programme lookup, text fields) for every model holding free text that
    belongs to a programme."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        columns = _text_columns(model)
        lookup = _programme_lookup(model)
        if columns and lookup is not None:
            found.append((model, lookup, columns))
    return found


def participant_finder(participant):
    """A MentionFinder for the participant's name, aliases, e-mail and phone."""
    terms = [participant.email, participant.phone]
    return MentionFinder(
        [
            SimpleNamespace(
                full_name=participant.full_name,
                alias_list=[*participant.alias_list, *(term for term in terms if term)],
                code=participant.code,
            )
        ]
    )


def _walk_json(value, change):
    """`value` with `change` applied to every string inside it."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_walk_json(item, change) for item in value]
    if isinstance(value, dict):
        return {key: _walk_json(item, change) for key, item in value.items()}
    return value


def _rows_with_text(participant):
    """(model, row pk, {field: value}) for every programme row holding text."""
    for model, lookup, columns in programme_texts():
        names = [field.attname for field in columns]
        rows = (
            model._base_manager.filter(**{lookup: participant.programme_id})
            .order_by("pk")
            .values_list("pk", *names)
        )
        for pk, *values in rows.iterator():
            yield model, columns, pk, values


def mentions_of(participant):
    """Every mention of the participant's name, aliases, e-mail or phone in the programme's
    texts, as dicts (table, row, field, what was written, its context)."""
    finder = participant_finder(participant)
    found = []
    for model, columns, pk, values in _rows_with_text(participant):
        for field, value in zip(columns, values, strict=True):
            own_record = model is Participant and pk == participant.pk
            if own_record and field.name in Participant.IDENTITY_FIELDS:
                continue  # exported as their identity
            texts = []
            _walk_json(value, lambda text, texts=texts: texts.append(text) or text)
            for text in texts:
                for mention in finder.find(text):
                    found.append(
                        {
                            "table": model._meta.label,
                            "row": pk,
                            "field": field.name,
                            "written": text[mention.start : mention.end],
                            "context": mention.context,
                        }
                    )
    return found


def _date(value):
    return value.isoformat() if value else None


def participant_export(*, participant):
    """Everything held about `participant`, as a JSON-ready dict: profile, identity, their
    places in dialogues with consent, attendance, ground-rule acknowledgements, mentions in
    the programme's texts and the history of their record.
    Caller: someone who may see identities and leads the programme's dialogues."""
    places = DialogueParticipant.objects.filter(participant=participant).select_related("dialogue")
    attendance = Attendance.objects.filter(dialogue_participant__participant=participant)
    acknowledgements = RuleAcknowledgement.objects.filter(
        dialogue_participant__participant=participant
    ).select_related("rule", "dialogue_participant__dialogue")
    history = participant.history.order_by("history_date", "history_id").select_related(
        "history_user"
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "programme": participant.programme.name,
        "code": participant.code,
        "identity": {name: getattr(participant, name) for name in Participant.IDENTITY_FIELDS},
        "profile": {
            "category": participant.get_category_display(),
            "gender": participant.get_gender_display(),
            "region": participant.region,
            "languages": participant.languages,
            "authoritative_proxy": participant.is_authoritative_proxy,
            "registered_at": participant.created_at.isoformat(),
        },
        "dialogues": [
            {
                "dialogue": place.dialogue.title,
                "status": place.get_status_display(),
                "invited_at": place.invited_at.isoformat(),
                "consent_given_on": _date(place.consent_given_on),
                "consent_scope": place.consent_scope,
            }
            for place in places.order_by("dialogue__title")
        ],
        "attendance": [
            {
                "dialogue": mark.session.dialogue.title,
                "session": mark.session.title,
                "starts_at": mark.session.starts_at.isoformat(),
                "status": mark.get_status_display(),
            }
            for mark in attendance.select_related("session__dialogue").order_by(
                "session__starts_at"
            )
        ],
        "ground_rules_acknowledged": [
            {
                "dialogue": ack.dialogue_participant.dialogue.title,
                "rule": ack.rule.title,
                "acknowledged_on": _date(ack.acknowledged_on),
            }
            for ack in acknowledgements.order_by("acknowledged_on", "pk")
        ],
        "mentions": mentions_of(participant),
        "record_history": [
            {
                "at": entry.history_date.isoformat(),
                "change": entry.get_history_type_display(),
                "by": entry.history_user.username if entry.history_user else None,
                "reason": entry.history_change_reason or "",
            }
            for entry in history
        ],
    }


def _fit(field, value):
    """`value` cut to the column's length (a code may be longer than the alias it replaces)."""
    max_length = getattr(field, "max_length", None)
    if isinstance(value, str) and max_length and len(value) > max_length:
        return value[:max_length]
    return value


@transaction.atomic
def participant_erase(*, participant, actor):
    """Remove `participant`'s identity everywhere: their identity fields (the name becomes
    their code), the same fields in every historical row of their record, and every mention
    of their name, aliases, e-mail or phone in the programme's texts and their history,
    replaced by the code. The code, profile, places, consent dates, attendance and
    acknowledgements stay, so aggregates keep working. The erasure itself is a historical
    row of the record: who and when, never the name. Returns the number of texts changed.
    Caller: someone who may see identities and leads the programme's dialogues."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    finder = participant_finder(participant)
    code = participant.code
    blank = dict.fromkeys(Participant.IDENTITY_FIELDS, "")
    blank["full_name"] = code

    for name, value in blank.items():
        setattr(participant, name, value)
    participant._history_user = actor
    participant._change_reason = ERASURE_REASON[:REASON_LENGTH]
    participant.save()
    Participant.history.model.objects.filter(id=participant.pk).update(**blank)

    def redact(text):
        return finder.redact(text, code)

    changed = 0
    for model, columns, pk, values in _rows_with_text(participant):
        updates = {}
        for field, value in zip(columns, values, strict=True):
            new_value = _walk_json(value, redact)
            if new_value != value:
                updates[field.attname] = _fit(field, new_value)
        if updates:
            # update(): scrubbing is not a change to audit, and writes no history row that
            # would copy the text again.
            model._base_manager.filter(pk=pk).update(**updates)
            changed += 1
    return changed


def identity_erasure(participant):
    """The historical row recording the erasure of `participant`'s identity (who, when),
    or None."""
    return (
        participant.history.filter(history_change_reason=ERASURE_REASON)
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
