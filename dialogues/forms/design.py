from django import forms
from django.utils.translation import gettext_lazy as _

from dialogues.models import (
    AgendaItem,
    ConsequenceTest,
    Dialogue,
    Option,
    PartyInterest,
    Round,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DialogueForm(forms.ModelForm):
    class Meta:
        model = Dialogue
        fields = [
            "title",
            "problem",
            "scope_notes",
            "track_level",
            "aim",
            "hurting_stalemate",
            "way_out_perceived",
            "credible_people_willing",
            "timing_notes",
            "starts_on",
            "horizon_days",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "scope_notes": forms.Textarea(attrs={"rows": 3}),
            "timing_notes": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DATE_INPUT,
        }


# The round page shows several forms at once: each has its own prefix so that no two
# inputs share an id (a label must point at exactly one field).


class RoundForm(forms.ModelForm):
    prefix = "round"

    class Meta:
        model = Round
        fields = ["goals", "status"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 3})}


class AgendaItemForm(forms.ModelForm):
    prefix = "agenda"

    class Meta:
        model = AgendaItem
        fields = ["title", "minutes"]


class PartyInterestForm(forms.ModelForm):
    prefix = "interest"

    class Meta:
        model = PartyInterest
        fields = ["party", "interests", "constraints"]
        widgets = {
            "interests": forms.Textarea(attrs={"rows": 3}),
            "constraints": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        # Parties come from the programme's own actor map, not yet mapped in this dialogue.
        mapped = dialogue.interests.exclude(pk=self.instance.pk).values("party")
        self.fields["party"].queryset = dialogue.programme.actors.exclude(pk__in=mapped)
        self.fields["party"].help_text = _("An actor from the programme's conflict map.")


class OptionForm(forms.ModelForm):
    prefix = "option"

    class Meta:
        model = Option
        fields = ["title", "description", "who", "when", "how"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "how": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "who": _("Who acts: the office, body or role, never a participant."),
            "when": _("By when, or on what trigger."),
            "how": _("Through which channel or mechanism."),
        }


class ConsequenceTestForm(forms.ModelForm):
    class Meta:
        model = ConsequenceTest
        fields = [
            "gains",
            "losses",
            "risks",
            "do_no_harm",
            "legal_flags",
            "feasibility",
            "political_weight",
            "verdict",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("gains", "losses", "risks", "do_no_harm", "legal_flags")
        }
        widgets["feasibility"] = forms.NumberInput(attrs={"min": 1, "max": 5})
        widgets["political_weight"] = forms.NumberInput(attrs={"min": 1, "max": 5})
