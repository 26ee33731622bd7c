"""Outcome records (the Outcome Harvesting form) and the learning log.

Callers check access first (monitoring.permissions.get_programme_for_indicators with
RECORD_INDICATORS); these services trust the programme and actor they are given, but never
the links: each linked indicator, dialogue, non-paper and pilot must belong to the programme.

Outcome records and learning entries reach donors later, so their texts are refused when
they name a participant of the programme (full name or alias, as
dialogues.services.attribution finds them), whoever writes them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dialogues.models import Dialogue
from dialogues.services.attribution import name_refusals
from monitoring.models import Indicator, LearningEntry, OutcomeRecord
from uptake.models import Document, Pilot

OUTCOME_TEXT_FIELDS = (
    "change",
    "social_actor",
    "place",
    "significance",
    "contribution",
    "sources",
)
LEARNING_TEXT_FIELDS = ("failure", "assumption", "decision")
LINK_FIELDS = ("indicators", "dialogues", "documents", "pilots")


def _linkable(programme):
    """Per link field, the objects of `programme` it may point to."""
    return {
        "indicators": Indicator.objects.filter(programme=programme),
        "dialogues": Dialogue.objects.filter(programme=programme),
        "documents": Document.objects.non_papers().filter(dialogue__programme=programme),
        "pilots": Pilot.objects.filter(
            document__dialogue__programme=programme, document__kind=Document.Kind.NON_PAPER
        ),
    }


def _refusals_for_links(programme, links):
    """A message per link field holding something outside `programme` (or, for documents,
    an aide-mémoire). One query per non-empty field."""
    messages = {
        "indicators": _("Link only indicators of this programme."),
        "dialogues": _("Link only dialogues of this programme."),
        "documents": _("Link only non-papers of this programme."),
        "pilots": _("Link only pilots of this programme."),
    }
    allowed = _linkable(programme)
    errors = {}
    for field in LINK_FIELDS:
        wanted = {each.pk for each in links.get(field) or ()}
        if wanted and allowed[field].filter(pk__in=wanted).count() != len(wanted):
            errors[field] = messages[field]
    return errors


def _refusals_for_names(programme, texts):
    return name_refusals(
        programme,
        texts,
        _(
            "This text names a participant: refer to people by their role, never by name. "
            "Outcome records reach donors."
        ),
    )


def _clean_texts(fields, names):
    return {name: (fields.get(name) or "").strip() for name in names}


def _save_with_links(record, programme, texts, links):
    errors = _refusals_for_links(programme, links)
    errors.update(_refusals_for_names(programme, texts))
    try:
        record.full_clean()
    except ValidationError as invalid:
        errors = {**invalid.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    record.save()
    for field in LINK_FIELDS:
        if links.get(field):
            getattr(record, field).set(links[field])
    return record


@transaction.atomic
def outcome_record_create(
    *,
    programme,
    actor,
    observed_on,
    confidence,
    indicators=(),
    dialogues=(),
    documents=(),
    pilots=(),
    **texts,
):
    """Record an outcome of `programme`. `texts` are OUTCOME_TEXT_FIELDS (all required);
    links are model instances of the same programme (documents: non-papers only).

    Raises ValidationError, keyed by field, for a missing or invalid value, a link to
    another programme's object (or to an aide-mémoire), or a text naming a participant."""
    unknown = set(texts) - set(OUTCOME_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown outcome fields: {sorted(unknown)}")
    texts = _clean_texts(texts, OUTCOME_TEXT_FIELDS)
    record = OutcomeRecord(
        programme=programme,
        observed_on=observed_on,
        confidence=confidence,
        recorded_by=actor,
        **texts,
    )
    links = {
        "indicators": indicators,
        "dialogues": dialogues,
        "documents": documents,
        "pilots": pilots,
    }
    return _save_with_links(record, programme, texts, links)


@transaction.atomic
def learning_entry_create(
    *,
    programme,
    actor,
    failure,
    assumption,
    decision,
    indicators=(),
    dialogues=(),
    documents=(),
    pilots=(),
):
    """Log what failed and why, the assumption updated and the decision taken (all
    required), with optional links to objects of `programme` (documents: non-papers only).

    Raises ValidationError, keyed by field, for a missing text, a link to another
    programme's object (or to an aide-mémoire), or a text naming a participant."""
    texts = _clean_texts(
        {"failure": failure, "assumption": assumption, "decision": decision},
        LEARNING_TEXT_FIELDS,
    )
    entry = LearningEntry(programme=programme, recorded_by=actor, **texts)
    links = {
        "indicators": indicators,
        "dialogues": dialogues,
        "documents": documents,
        "pilots": pilots,
    }
    return _save_with_links(entry, programme, texts, links)


def linkable_objects(programme):
    """The querysets a form offers as links (see _linkable), for monitoring.forms."""
    return _linkable(programme)
