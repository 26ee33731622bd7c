"""Filters of the monitoring pages."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.services import activity as activity_metrics

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)


class ActivityFilterForm(forms.Form):
    """Narrow the activity page to one dialogue and a period (both days included).
    Kept beside its only view until the monitoring app grows a forms module."""

    dialogue = forms.ChoiceField(label=gettext_lazy("Dialogue"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("First day, included."),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Last day, included."),
    )

    def __init__(self, *args, dialogues, **kwargs):
        super().__init__(*args, **kwargs)
        self.dialogues = {str(each.public_id): each for each in dialogues}
        self.fields["dialogue"].choices = [("", _("All dialogues"))] + [
            (key, each.title) for key, each in self.dialogues.items()
        ]

    def _clean_in_range(self, name):
        day = self.cleaned_data.get(name)
        if day and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s."),
                params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                code="out_of_range",
            )
        return day

    def clean_date_from(self):
        return self._clean_in_range("date_from")

    def clean_date_to(self):
        return self._clean_in_range("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The “From” date is after the “To” date."), code="period_reversed"
            )
        return cleaned

    def keep_typed_text(self):
        """Show a refused date as the text it was: a date input would blank it out."""
        for name in ("date_from", "date_to"):
            if name in self.errors:
                self.fields[name].widget.input_type = "text"

    def selected_dialogue(self):
        return self.dialogues.get(self.cleaned_data.get("dialogue") or "")

    def period(self):
        return activity_metrics.Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"])
