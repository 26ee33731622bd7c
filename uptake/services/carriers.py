"""Policy carriers (who can brief principals) and a programme's uptake settings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uptake.models import Carrier, UptakeSettings

CARRIER_FIELDS = ("name", "kind", "institution", "principals", "trust_notes")
# A TextField's max_length is not enforced by full_clean(): these are.
TEXT_LIMITS = {"principals": 2000, "trust_notes": 4000}


def _clean_text(fields):
    cleaned = {}
    for name, value in fields.items():
        value = str(value or "").strip()
        limit = TEXT_LIMITS.get(name)
        if limit and len(value) > limit:
            raise ValidationError({name: _("Keep this under %(max)s characters.") % {"max": limit}})
        cleaned[name] = value
    return cleaned


@transaction.atomic
def carrier_create(*, programme, name, kind, institution, principals, trust_notes="", actor):
    """Record a policy carrier of `programme`. Raises ValidationError for a missing name,
    institution or principals, or an unknown kind.
    Caller: someone who manages the programme's chain (ChainAction.MANAGE)."""
    fields = _clean_text(
        {
            "name": name,
            "kind": kind,
            "institution": institution,
            "principals": principals,
            "trust_notes": trust_notes,
        }
    )
    carrier = Carrier(programme=programme, **fields)
    carrier.full_clean()
    carrier.save()
    return carrier


@transaction.atomic
def carrier_update(*, carrier, actor, **fields):
    """Change a carrier's `fields` (any of name, kind, institution, principals,
    trust_notes; a field not given keeps its value, so a form without the trust notes leaves
    them as they were). Raises ValidationError as carrier_create does, and for an unknown
    field. Caller: someone who manages the programme's chain (ChainAction.MANAGE)."""
    unknown = set(fields) - set(CARRIER_FIELDS)
    if unknown:
        raise ValueError(f"Unknown carrier fields: {sorted(unknown)}")
    carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
    for name, value in _clean_text(fields).items():
        setattr(carrier, name, value)
    carrier.full_clean()
    carrier.save()
    return carrier


def uptake_settings_for(programme):
    """The programme's uptake settings, created with the defaults on first use."""
    settings, _created = UptakeSettings.objects.get_or_create(programme=programme)
    return settings


def uptake_settings_read(programme):
    """The programme's uptake settings to show: the saved row, or an unsaved one holding the
    defaults. Reading never writes (a GET must not change data)."""
    return UptakeSettings.objects.filter(programme=programme).first() or UptakeSettings(
        programme=programme
    )


@transaction.atomic
def uptake_settings_update(*, programme, feedback_reminder_days, actor):
    """Set after how many days a briefing without feedback is chased (1 to 365). Raises
    ValidationError outside that range.
    Caller: someone who manages the programme's chain (ChainAction.MANAGE)."""
    settings = uptake_settings_for(programme)
    settings = UptakeSettings.objects.select_for_update().get(pk=settings.pk)
    try:
        days = int(feedback_reminder_days)
    except (TypeError, ValueError) as bad:
        raise ValidationError(
            {"feedback_reminder_days": _("Give a whole number of days.")}
        ) from bad
    if not 1 <= days <= 365:
        raise ValidationError({"feedback_reminder_days": _("Choose between 1 and 365 days.")})
    settings.feedback_reminder_days = days
    settings.full_clean()
    settings.save(update_fields=["feedback_reminder_days"])
    return settings
