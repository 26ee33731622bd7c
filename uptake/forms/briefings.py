"""Forms for briefings and the Track I feedback that comes back after them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uptake.models import BriefingOutcome, Carrier, FeedbackReaction
from uptake.services.briefings import NOTES_MAX_LENGTH
from uptake.services.feedback import TEXT_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"


class BriefingForm(forms.Form):
    carrier = forms.ModelChoiceField(
        label=_("Carrier"),
        queryset=Carrier.objects.none(),
        to_field_name="public_id",
        empty_label=_("Choose a carrier"),
    )
    principal = forms.CharField(label=_("Principal briefed"), max_length=200)
    briefed_on = forms.DateField(label=_("Date"), widget=DateInput)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=BriefingOutcome.choices,
        initial=BriefingOutcome.PENDING,
        help_text=_("Briefed only once every vetting framework has cleared this version."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        carrier = self.fields["carrier"]
        carrier.queryset = Carrier.objects.filter(programme=programme).order_by("name")
        carrier.label_from_instance = lambda c: f"{c.name} · {c.institution}"


class BriefingOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=BriefingOutcome.choices)


class FeedbackForm(forms.Form):
    reaction = forms.ChoiceField(
        label=_("Reaction"), choices=FeedbackReaction.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    language_adjustments = forms.CharField(
        label=_("Language adjustments asked for"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wording the principal's side asked to change, as they put it."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
