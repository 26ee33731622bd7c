from django import forms
from django.utils.translation import gettext_lazy as _

from dialogues.models import Membership, Programme
from dialogues.services.sessions import canonical_time_zone


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("Someone without an account gets an invitation to choose a password."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    is_admin = forms.BooleanField(
        label=_("Programme admin"),
        required=False,
        help_text=_("May add, change and remove team members."),
    )


class MemberChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    is_admin = forms.BooleanField(label=_("Programme admin"), required=False)
    identity_granted = forms.BooleanField(
        label=_("Sees participant identities"),
        required=False,
        help_text=_("Legal reviewers only."),
    )


class ProgrammeSettingsForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "name",
            "country",
            "summary",
            "funders",
            "starts_on",
            "ends_on",
            "time_zone",
            "officers_see_identity",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_time_zone(self):
        # Accept any spelling of a known zone ("asia/yangon"); the model validator names
        # the unknown ones.
        typed = self.cleaned_data["time_zone"]
        return canonical_time_zone(typed) or typed
