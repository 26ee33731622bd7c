"""Forms of the risk register. They validate input; monitoring.services.risks enforces the
rules (owners on the team, no participant named, no future statement)."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.forms.indicators import EARLIEST, LATEST
from monitoring.models import Risk


class _DateInput(forms.DateInput):
    input_type = "date"


def _in_range(day):
    if day and not EARLIEST <= day <= LATEST:
        raise forms.ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="out_of_range",
        )
    return day


class _KeepsTypedDates:
    DATE_FIELDS = ()

    def keep_typed_text(self):
        """Show a refused date as the text it was: a date input would blank it out."""
        for name in self.DATE_FIELDS:
            if name in self.errors:
                self.fields[name].widget.input_type = "text"


class RiskForm(_KeepsTypedDates, forms.Form):
    """Add or change a risk. `owners` are the team members who may own it
    (monitoring.services.risks.risk_owners)."""

    DATE_FIELDS = ("review_on",)

    title = forms.CharField(
        label=gettext_lazy("Risk"),
        max_length=Risk._meta.get_field("title").max_length,
        help_text=gettext_lazy("What could go wrong, in a line. Never a participant's name."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    likelihood = forms.TypedChoiceField(
        label=gettext_lazy("Likelihood"), coerce=int, choices=Risk.Level.choices
    )
    impact = forms.TypedChoiceField(
        label=gettext_lazy("Impact"), coerce=int, choices=Risk.Level.choices
    )
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"),
        coerce=int,
        help_text=gettext_lazy("The team member who reviews it; they get its review reminder."),
    )
    mitigation = forms.CharField(
        label=gettext_lazy("Mitigation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    review_on = forms.DateField(
        label=gettext_lazy("Next review"),
        widget=_DateInput,
        help_text=gettext_lazy(
            "The owner and the programme officers are reminded at 09:00 on this day, on the "
            "programme's calendar."
        ),
    )
    # When the risk was last saved as the editor saw it: a save made since is not overwritten.
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {user.pk: user for user in owners}
        self.fields["owner"].choices = [
            ("", "—"),
            *[(user.pk, user.get_full_name() or user.username) for user in owners],
        ]

    @classmethod
    def for_risk(cls, risk, *, owners):
        """The form filled with `risk` as it is now."""
        return cls(
            owners=owners,
            initial={
                "title": risk.title,
                "description": risk.description,
                "likelihood": risk.likelihood,
                "impact": risk.impact,
                "owner": risk.owner_id,
                "mitigation": risk.mitigation,
                "review_on": risk.review_on,
                "version": risk.updated_at.isoformat(),
            },
        )

    def clean_review_on(self):
        return _in_range(self.cleaned_data.get("review_on"))

    def clean_version(self):
        text = self.cleaned_data.get("version") or ""
        if not text:
            return None
        try:
            return datetime.datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                _("Reload the page: the form is out of date."), code="bad_version"
            ) from None

    def risk_fields(self):
        """The cleaned values as keyword arguments of risk_create and risk_update."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "likelihood": data["likelihood"],
            "impact": data["impact"],
            "owner": self.owners[data["owner"]],
            "mitigation": data["mitigation"],
            "review_on": data["review_on"],
        }


class RedLineForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Red line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "A proposal or disclosure the programme will not make because it could endanger "
            "communities if it leaked. Read by facilitators and programme officers only."
        ),
    )
    harm = forms.CharField(
        label=gettext_lazy("Who could be harmed, and how"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("By role or community, never by name."),
    )


class ExpectationStatementForm(_KeepsTypedDates, forms.Form):
    DATE_FIELDS = ("made_on",)

    audience = forms.CharField(
        label=gettext_lazy("Said to"),
        max_length=200,
        help_text=gettext_lazy(
            "A group or institution, e.g. “the negotiating delegations”, never a name."
        ),
    )
    statement = forms.CharField(
        label=gettext_lazy("What was said"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "What the programme can and cannot do: options, not promises. Donors read this "
            "beside the results."
        ),
    )
    made_on = forms.DateField(label=gettext_lazy("Date"), widget=_DateInput)

    def clean_made_on(self):
        return _in_range(self.cleaned_data.get("made_on"))
