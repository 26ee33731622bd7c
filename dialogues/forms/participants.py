from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogues.models import DialogueParticipant, GroundRule, Participant


def _date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class ParticipantForm(forms.ModelForm):
    """Identity, contacts and profile: only for users who may see identities."""

    class Meta:
        model = Participant
        fields = [
            "full_name",
            "aliases",
            "affiliation",
            "email",
            "phone",
            "contact_notes",
            "category",
            "gender",
            "region",
            "languages",
            "is_authoritative_proxy",
        ]
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 3}),
            "contact_notes": forms.Textarea(attrs={"rows": 3}),
        }


class InviteForm(forms.Form):
    participant = forms.ModelChoiceField(
        label=_("Participant"),
        queryset=Participant.objects.none(),
        to_field_name="public_id",
        empty_label=_("Choose someone from the register"),
        error_messages={
            "invalid_choice": _("Choose someone from the register who is not yet invited.")
        },
    )

    def __init__(self, *args, participants, show_identity, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        field.queryset = participants
        # Without identity permission the list shows codes only, never names.
        field.label_from_instance = lambda person: person.label(show_identity=show_identity)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=DialogueParticipant.Status.choices)


class ConsentForm(forms.Form):
    given_on = forms.DateField(
        label=_("Consent given on"), widget=_date_input(), initial=timezone.localdate
    )
    scope = forms.CharField(
        label=_("Scope of consent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the person agreed to: taking part, being recorded, being contacted."),
    )


class GroundRuleForm(forms.ModelForm):
    class Meta:
        model = GroundRule
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class AcknowledgementsForm(forms.Form):
    """One participant's row of the acknowledgement matrix: the rules ticked and the date
    for those ticked now. Its inputs sit in the row's cells, tied to the form by its id."""

    rules = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    acknowledged_on = forms.DateField(
        label=_("Acknowledged on"), widget=_date_input(), initial=timezone.localdate
    )

    def __init__(self, *args, rules, form_id, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices from the rules already loaded: a queryset here would cost a query per row.
        self.fields["rules"].choices = [(str(rule.public_id), rule.title) for rule in rules]
        self.fields["rules"].widget.attrs["form"] = form_id
