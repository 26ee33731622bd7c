"""The recipient's notification settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uptake.models import ReminderKind


class NotificationSettingsForm(forms.Form):
    muted = forms.MultipleChoiceField(
        label=_("Do not send me these reminders"),
        choices=ReminderKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Ticked kinds reach you neither by e-mail nor in Parley. The rest of the team "
            "still gets them."
        ),
    )
