"""The outputs page's period filter and the form recording a communiqué adoption."""

import re

from django import forms
from django.utils.translation import gettext_lazy

from monitoring.forms.indicators import link_label
from monitoring.models import CommuniqueAdoption

_STEP_SEPARATORS = re.compile(r"[\s,;]+")
STEP_NUMBER_DIGITS = 4


class _DateInput(forms.DateInput):
    input_type = "date"


class _NonPaperField(forms.ModelChoiceField):
    """A delivered non-paper chosen by public id, labelled through the reader's redactor."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=None, to_field_name="public_id", **kwargs)
        self.labeller = str

    def label_from_instance(self, obj):
        return self.labeller(obj)


class StepNumbersField(forms.CharField):
    """Step numbers typed as "1, 3" (commas, semicolons or spaces between them), cleaned to
    a list of ints. Which numbers the version has is the service's check."""

    default_error_messages = {
        "invalid": gettext_lazy("Give step numbers separated by commas, such as 1, 3."),
    }

    def to_python(self, value):
        text = super().to_python(value)
        pieces = [piece for piece in _STEP_SEPARATORS.split(text) if piece]
        # The length cap comes before int(): Python refuses to read thousands of digits
        # (ValueError), and no non-paper has a step numbered past STEP_NUMBER_DIGITS digits.
        if not all(
            piece.isascii() and piece.isdigit() and len(piece) <= STEP_NUMBER_DIGITS
            for piece in pieces
        ):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return [int(piece) for piece in pieces]


class CommuniqueAdoptionForm(forms.ModelForm):
    """Record language a communiqué adopted from a delivered non-paper of the programme;
    monitoring.services.outputs.communique_adoption_create enforces the rules."""

    non_paper = _NonPaperField(
        label=gettext_lazy("Non-paper version"),
        empty_label=gettext_lazy("Choose a delivered non-paper"),
        help_text=gettext_lazy("Only delivered versions: their text no longer changes."),
    )
    echoed_steps = StepNumbersField(
        label=gettext_lazy("Steps echoed"),
        max_length=100,
        help_text=gettext_lazy(
            "The numbers of the non-paper's steps the wording takes up, such as 1, 3. "
            "The steps of each delivered non-paper are listed beside this form."
        ),
    )

    field_order = [
        "title",
        "issuer",
        "issued_on",
        "reference",
        "non_paper",
        "echoed_steps",
        "adopted_wording",
    ]

    class Meta:
        model = CommuniqueAdoption
        fields = ["title", "issuer", "issued_on", "reference", "adopted_wording"]
        widgets = {
            "issued_on": _DateInput,
            "adopted_wording": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "adopted_wording": gettext_lazy(
                "As the communiqué puts it. Refer to people by their role, never by name."
            ),
        }

    def __init__(self, *args, non_papers, redact, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["non_paper"]
        field.queryset = non_papers
        field.labeller = lambda obj: link_label(obj, redact)

    def keep_typed_text(self):
        """Show a refused date as the text it was: a date input would blank it out."""
        if "issued_on" in self.errors:
            self.fields["issued_on"].widget.input_type = "text"

    def service_arguments(self):
        """The cleaned values, as keyword arguments of communique_adoption_create."""
        return {
            name: self.cleaned_data[name]
            for name in (
                "title",
                "issuer",
                "issued_on",
                "reference",
                "adopted_wording",
                "non_paper",
                "echoed_steps",
            )
        }
