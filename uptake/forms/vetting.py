"""The legal reviewer's verdict form, one per framework on the vetting page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uptake.models import VettingFramework, VettingVerdict
from uptake.services.vetting import NOTES_MAX_LENGTH


class VettingForm(forms.Form):
    """A verdict against one framework. Every framework's form posts the same field names;
    `auto_id` keeps the element ids apart on the page."""

    framework = forms.ChoiceField(choices=VettingFramework.choices, widget=forms.HiddenInput)
    step_index = forms.TypedChoiceField(
        label=_("What it covers"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=VettingVerdict.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=NOTES_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when blocked or cleared with conditions: say why, or which."),
    )

    def __init__(self, *args, framework, step_labels, **kwargs):
        kwargs.setdefault("auto_id", f"id_{framework}_%s")
        kwargs.setdefault("initial", {"framework": framework})
        super().__init__(*args, **kwargs)
        self.framework = VettingFramework(framework)
        self.fields["step_index"].choices = [("", _("The whole text"))] + [
            (str(index), label) for index, label in enumerate(step_labels)
        ]
