"""Filters of the monitoring pages."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring.models import Indicator, LearningEntry, OutcomeRecord, TargetChange
from monitoring.services import activity as activity_metrics
from monitoring.services.outcomes import LINK_FIELDS

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2999, 12, 31)


class PeriodFilterForm(forms.Form):
    """Narrow a page to a period (both days included, on the programme's calendar); either
    side may stay open."""

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

    def period(self):
        """The validated period; open on both sides for an unbound form."""
        if not self.is_bound:
            return activity_metrics.Period()
        return activity_metrics.Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"])


class ActivityFilterForm(PeriodFilterForm):
    """Narrow a page to one dialogue and a period."""

    dialogue = forms.ChoiceField(label=gettext_lazy("Dialogue"), required=False)
    field_order = ["dialogue", "date_from", "date_to"]

    def __init__(self, *args, dialogues, redact, **kwargs):
        """`redact`: a dialogues.services.attribution.Redactor for the reader's titles."""
        super().__init__(*args, **kwargs)
        self.dialogues = {str(each.public_id): each for each in dialogues}
        self.fields["dialogue"].choices = [("", _("All dialogues"))] + [
            (key, redact(each.title)) for key, each in self.dialogues.items()
        ]

    def selected_dialogue(self):
        return self.dialogues.get(self.cleaned_data.get("dialogue") or "")


class _DateInput(forms.DateInput):
    input_type = "date"


class IndicatorForm(forms.ModelForm):
    """Define an indicator; the service enforces the rules."""

    class Meta:
        model = Indicator
        fields = [
            "name",
            "definition",
            "unit",
            "direction",
            "category",
            "counts_people",
            "baseline_value",
            "baseline_date",
        ]
        widgets = {"baseline_date": _DateInput, "definition": forms.Textarea(attrs={"rows": 3})}


class _PeriodForm(forms.Form):
    # The target and value forms share a page: each needs its own element ids, or a label
    # would point at the other form's field.
    id_prefix = "id_%s"

    period_start = forms.DateField(label=gettext_lazy("Period start"), widget=_DateInput)
    period_end = forms.DateField(label=gettext_lazy("Period end"), widget=_DateInput)
    value = forms.DecimalField(label=gettext_lazy("Value"), max_digits=14, decimal_places=2)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.id_prefix)
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return cleaned

    def keep_typed_text(self):
        """Show a refused date as the text it was: a date input would blank it out."""
        for name in ("period_start", "period_end"):
            if name in self.errors:
                self.fields[name].widget.input_type = "text"


class TargetForm(_PeriodForm):
    """Set a period's target. Changing an existing target needs a reason and explanation
    (enforced by monitoring.services.indicators.target_set)."""

    id_prefix = "target-%s"

    reason = forms.ChoiceField(
        label=gettext_lazy("Reason for a change"),
        required=False,
        help_text=gettext_lazy("Needed only when changing a target already set."),
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *TargetChange.Reason.choices]


class ValueForm(_PeriodForm):
    """Record a value with its evidence."""

    id_prefix = "value-%s"

    evidence = forms.CharField(
        label=gettext_lazy("Evidence"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Where the figure comes from: a report, a log, a count."),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    disaggregation = forms.CharField(
        label=gettext_lazy("Disaggregation"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("Optional group, e.g. a region. Leave blank for the total."),
    )


class _LinkField(forms.ModelMultipleChoiceField):
    """Links chosen by public id, labelled by a callable (which redacts names)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("to_field_name", "public_id")
        super().__init__(*args, queryset=None, **kwargs)
        self.labeller = str

    def label_from_instance(self, obj):
        return self.labeller(obj)


def link_label(obj, redact):
    """How a linked object is named on the forms and pages: titles pass through `redact`
    (a dialogues.services.attribution.Redactor) so a reader who may not see identities
    never reads a name. Documents need their dialogue loaded, pilots their document's."""
    if isinstance(obj, Indicator):
        return obj.name
    kind = type(obj).__name__
    if kind == "Document":
        return _("Non-paper v%(version)s: %(title)s (%(dialogue)s)") % {
            "version": obj.version,
            "title": redact(obj.title),
            "dialogue": redact(obj.dialogue.title),
        }
    if kind == "Pilot":
        return _("Pilot: %(title)s") % {"title": redact(obj.title)}
    return redact(obj.title)


class _LinksForm(forms.ModelForm):
    """Link choices limited to the programme's indicators, dialogues, non-papers and
    pilots (monitoring.services.outcomes.linkable_objects); the service checks again."""

    indicators = _LinkField(label=gettext_lazy("Indicators"))
    dialogues = _LinkField(label=gettext_lazy("Dialogues"))
    documents = _LinkField(label=gettext_lazy("Non-papers"))
    pilots = _LinkField(label=gettext_lazy("Pilots"))

    def __init__(self, *args, linkable, redact, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in linkable.items():
            field = self.fields[name]
            # A non-paper's label names its dialogue: fetched in the same query.
            if name == "documents":
                queryset = queryset.select_related("dialogue")
            field.queryset = queryset
            field.labeller = lambda obj, redact=redact: link_label(obj, redact)

    def links(self):
        """The chosen links, as keyword arguments of the outcomes services."""
        return {name: list(self.cleaned_data.get(name) or []) for name in LINK_FIELDS}


class OutcomeRecordForm(_LinksForm):
    """Record an outcome in the Outcome Harvesting form; the service enforces the rules."""

    class Meta:
        model = OutcomeRecord
        fields = [
            "change",
            "social_actor",
            "observed_on",
            "place",
            "significance",
            "contribution",
            "sources",
            "confidence",
        ]
        widgets = {
            "observed_on": _DateInput,
            "change": forms.Textarea(attrs={"rows": 3}),
            "significance": forms.Textarea(attrs={"rows": 2}),
            "contribution": forms.Textarea(attrs={"rows": 3}),
            "sources": forms.Textarea(attrs={"rows": 2}),
        }

    def keep_typed_text(self):
        """Show a refused date as the text it was: a date input would blank it out."""
        if "observed_on" in self.errors:
            self.fields["observed_on"].widget.input_type = "text"


class LearningEntryForm(_LinksForm):
    """Log what failed, the assumption updated and the decision taken."""

    class Meta:
        model = LearningEntry
        fields = ["failure", "assumption", "decision"]
        widgets = {
            "failure": forms.Textarea(attrs={"rows": 3}),
            "assumption": forms.Textarea(attrs={"rows": 2}),
            "decision": forms.Textarea(attrs={"rows": 2}),
        }
