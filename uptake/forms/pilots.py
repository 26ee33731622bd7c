"""Forms for micro-pilots. They check the shape of the input; uptake.services.pilots
enforces the rules (delivered versions only, do-no-harm before agreeing ...)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uptake.models import Pilot


class DateInput(forms.DateInput):
    input_type = "date"


class PilotForm(forms.Form):
    """What a pilot is: proposing it, and changing it while it is not finished."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: one crossing open for 72 hours."),
    )
    scope = forms.CharField(
        label=_("Scope"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is tried, where, for how long: small enough to carry little risk."),
    )
    parties = forms.CharField(
        label=_("Parties involved"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Institutions and offices, not participants."),
    )
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DateInput)


class PilotProposeForm(PilotForm):
    """A new pilot, from one of the delivered text's steps or from the text as a whole.
    `steps` are (index, text) pairs, the text already redacted for the reader."""

    WHOLE_TEXT = ""

    step_index = forms.TypedChoiceField(
        label=_("From step"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    field_order = ["step_index", "title", "scope", "parties", "starts_on", "ends_on"]

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step_index"].choices = [
            (self.WHOLE_TEXT, _("The non-paper as a whole")),
            *[
                (index, _("Step %(number)s: %(text)s") % {"number": index + 1, "text": text})
                for index, text in steps
            ],
        ]


class DoNoHarmForm(forms.Form):
    notes = forms.CharField(
        label=_("Do-no-harm check"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Who could be hurt if this goes wrong, how that is avoided, who was consulted. "
            "The pilot cannot be agreed without it."
        ),
    )


class PilotMoveForm(forms.Form):
    """A move along the pilot's lifecycle; stopping it takes a reason."""

    to = forms.ChoiceField(choices=Pilot.Status.choices, widget=forms.HiddenInput)
    stop_reason = forms.CharField(
        label=_("Why is it stopping?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Kept with the pilot: what went wrong or what changed."),
    )


class ProofPointForm(forms.Form):
    happened = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A record, a count, a witness: what shows it happened."),
    )
    observed_on = forms.DateField(label=_("Date"), widget=DateInput)
