from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogues.models import Actor, ActorRelation
from dialogues.services.actor_map import CSV_MAX_BYTES, actor_map_csv_read

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Actor.Kind.choices)
    alliances = forms.ModelMultipleChoiceField(
        label=_("Member of alliances"),
        queryset=Actor.objects.none(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only actors of kind alliance on this map are listed."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, programme, subject=None, **kwargs):
        if subject is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": subject.name,
                    "kind": subject.kind,
                    "alliances": list(subject.alliances.all()),
                    "notes": subject.notes,
                },
            )
        super().__init__(*args, **kwargs)
        alliances = programme.actors.filter(kind=Actor.Kind.ALLIANCE)
        if subject is not None:
            alliances = alliances.exclude(pk=subject.pk)
        self.fields["alliances"].queryset = alliances


class ActorChoiceField(forms.ModelChoiceField):
    """Chooses an actor by its public id, so no integer key reaches the page."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Actor.objects.none(), to_field_name="public_id", **kwargs)


class RelationForm(forms.Form):
    actor_one = ActorChoiceField(label=_("First actor"))
    actor_two = ActorChoiceField(label=_("Second actor"))
    as_of = forms.DateField(
        label=_("As of"),
        initial=timezone.localdate,
        widget=DATE_INPUT,
        help_text=_(
            "The day this state held. Recording the same pair for the same day again "
            "corrects that day's state; a later day adds to the pair's history."
        ),
    )
    conflict_status = forms.ChoiceField(
        label=_("Conflict status"), choices=ActorRelation.ConflictStatus.choices
    )
    dialogue_status = forms.ChoiceField(
        label=_("Dialogue status"), choices=ActorRelation.DialogueStatus.choices
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sources and context. Never attribute a statement to a participant."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actor_one", "actor_two"):
            self.fields[name].queryset = programme.actors.all()


def _any(choices, label):
    return [("", label), *choices]


class MapFilterForm(forms.Form):
    """The map's filters, from GET parameters. A bad value is reported and left out."""

    actor = ActorChoiceField(
        label=_("Actor (either side)"), required=False, empty_label=_("Any actor")
    )
    conflict_status = forms.ChoiceField(
        label=_("Conflict status"),
        required=False,
        choices=_any(ActorRelation.ConflictStatus.choices, _("Any conflict status")),
    )
    dialogue_status = forms.ChoiceField(
        label=_("Dialogue status"),
        required=False,
        choices=_any(ActorRelation.DialogueStatus.choices, _("Any dialogue status")),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = programme.actors.all()

    def filters(self):
        """The filters that hold a valid value, by field name."""
        self.is_valid()
        # Django leaves a field that failed validation out of cleaned_data.
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class ActorMapImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 text, at most 2 MB, with the header line described below."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_csv_file(self):
        """Returns the file's rows, parsed and checked (see actor_map_csv_read)."""
        upload = self.cleaned_data["csv_file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it and import the parts.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(CSV_MAX_BYTES)}
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as not_utf8:
            raise forms.ValidationError(
                _(
                    "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” "
                    "and upload it again."
                )
            ) from not_utf8
        if "\x00" in text:
            # Typical of UTF-16 saved without its byte order mark, or of a binary file.
            raise forms.ValidationError(
                _(
                    "This is not a CSV text file. Line %(line)s holds a NUL character; in your "
                    "spreadsheet, save it as “CSV UTF-8” and upload it again."
                )
                % {"line": text.count("\n", 0, text.index("\x00")) + 1}
            )
        return actor_map_csv_read(programme=self.programme, text=text)
