"""Forms for policy carriers and a programme's uptake settings. Plain forms, not model
forms: the services validate and write (a model form would change the instance it edits
even when the input is refused)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uptake.models import CarrierKind
from uptake.services.carriers import TEXT_LIMITS


class CarrierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CarrierKind.choices)
    institution = forms.CharField(label=_("Institution"), max_length=200)
    principals = forms.CharField(
        label=_("Principals they reach"),
        max_length=TEXT_LIMITS["principals"],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the foreign minister's office."),
    )
    trust_notes = forms.CharField(
        label=_("Notes on trust"),
        max_length=TEXT_LIMITS["trust_notes"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible to the facilitator and programme officers only."),
    )

    def __init__(self, *args, with_trust_notes, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_trust_notes:
            # Whoever may not read them may not overwrite them either.
            del self.fields["trust_notes"]


class UptakeSettingsForm(forms.Form):
    feedback_reminder_days = forms.IntegerField(
        label=_("Chase feedback after (days)"),
        min_value=1,
        max_value=365,
        help_text=_("Remind the team when a briefing has had no feedback for this many days."),
    )
