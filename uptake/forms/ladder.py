"""The form to update a ladder commitment. uptake.services.ladder.commitment_update
enforces the rules (who may follow it up, evidence before done)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uptake.forms.pilots import DateInput
from uptake.models import Commitment


class CommitmentForm(forms.Form):
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    owner = forms.CharField(
        label=_("Owner"),
        max_length=300,
        help_text=_("Who carries it, as the non-paper says."),
    )
    responsible = forms.TypedChoiceField(
        label=_("Followed up by"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("The team member who gets its reminders. Nobody: the whole team."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Commitment.Status.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required to mark it done: a record, a date, a source."),
    )

    def __init__(self, *args, followers, **kwargs):
        super().__init__(*args, **kwargs)
        self.followers = {user.pk: user for user in followers}
        self.fields["responsible"].choices = [
            ("", _("The whole team")),
            *[(user.pk, user.get_full_name() or user.username) for user in self.followers.values()],
        ]

    def responsible_user(self):
        return self.followers.get(self.cleaned_data.get("responsible"))
