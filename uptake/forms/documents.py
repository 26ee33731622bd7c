"""Forms for drafting documents. They check input; the services enforce the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from uptake import content as document_content
from uptake.content import MAX_SECTIONS, MAX_STEP_ROWS, TEXT_MAX_LENGTHS
from uptake.models import Comment, Document

LADDER_CHOICES = [("", _("Not placed yet"))] + [
    (str(days), document_content.ladder_label(days)) for days in document_content.LADDER_DAYS
]
# Rows a step or section list offers beyond those filled in, so a writer can add one.
SPARE_ROWS = 1


class DocumentHeaderForm(forms.Form):
    """The parts of a save besides the sections: title, the revision note, and the revision
    the writer started from (to catch a concurrent save)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    note = forms.CharField(
        label=_("What changed (optional)"),
        max_length=300,
        required=False,
        help_text=_("Kept with the revision, so others can follow the drafting."),
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    merged_from = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class NonPaperTextForm(forms.Form):
    problem = forms.CharField(
        label=_("The problem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX_LENGTHS["problem"],
        required=False,
        help_text=_("The one solvable problem the steps address, in plain words."),
    )
    legal_notes = forms.CharField(
        label=_("Legal notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_LENGTHS["legal_notes"],
        required=False,
        help_text=_("The minimum a reader must know: IHL, sanctions, domestic law."),
    )
    operational_notes = forms.CharField(
        label=_("Operational notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX_LENGTHS["operational_notes"],
        required=False,
        help_text=_("Logistics, sequencing, who must be told."),
    )


class StepForm(forms.Form):
    text = forms.CharField(
        label=_("Step"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTHS["text"],
        required=False,
    )
    who = forms.CharField(label=_("Who"), max_length=TEXT_MAX_LENGTHS["who"], required=False)
    when = forms.CharField(label=_("When"), max_length=TEXT_MAX_LENGTHS["when"], required=False)
    how = forms.CharField(
        label=_("How"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTHS["how"],
        required=False,
    )
    ladder = forms.ChoiceField(label=_("On the ladder"), choices=LADDER_CHOICES, required=False)


class SectionForm(forms.Form):
    title = forms.CharField(
        label=_("Section title"), max_length=TEXT_MAX_LENGTHS["section_title"], required=False
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=TEXT_MAX_LENGTHS["body"],
        required=False,
    )


# More rows than these are refused with a message (validate_max), not silently dropped.
StepFormSet = forms.formset_factory(
    StepForm, extra=0, can_delete=True, max_num=MAX_STEP_ROWS, validate_max=True
)
SectionFormSet = forms.formset_factory(
    SectionForm, extra=0, can_delete=True, max_num=MAX_SECTIONS, validate_max=True
)


class DocumentEditor:
    """The whole editing form of a document: header, text fields and the step or section
    rows, bound together. `content()` is the structured content for the services."""

    def __init__(self, document, *, data=None, title="", content=None, base_revision=0):
        self.document = document
        is_non_paper = document.is_non_paper
        content = content or document_content.empty(document.kind)
        if data is None:
            rows = content["steps"] if is_non_paper else content["sections"]
            spare = (
                max(document_content.MAX_STEPS - len(rows), SPARE_ROWS)
                if is_non_paper
                else SPARE_ROWS
            )
            initial_rows = [
                {**row, "ladder": str(row["ladder"] or "")} if is_non_paper else row for row in rows
            ] + [{}] * spare
            self.header = DocumentHeaderForm(
                initial={"title": title, "base_revision": base_revision}
            )
            self.text = NonPaperTextForm(initial=content) if is_non_paper else None
            self.rows = (StepFormSet if is_non_paper else SectionFormSet)(
                initial=initial_rows, prefix="rows"
            )
        else:
            self.header = DocumentHeaderForm(data)
            self.text = NonPaperTextForm(data) if is_non_paper else None
            self.rows = (StepFormSet if is_non_paper else SectionFormSet)(data, prefix="rows")

    def is_valid(self):
        forms_valid = [self.header.is_valid(), self.rows.is_valid()]
        if self.text is not None:
            forms_valid.append(self.text.is_valid())
        return all(forms_valid)

    def content(self):
        rows = [
            form.cleaned_data
            for form in self.rows.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if self.text is None:
            return document_content.normalise(self.document.kind, {"sections": rows})
        return document_content.normalise(
            self.document.kind, {**self.text.cleaned_data, "steps": rows}
        )


class AideMemoireCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    non_paper = forms.ModelChoiceField(
        label=_("Accompanies the non-paper"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("None"),
        to_field_name="public_id",
    )

    def __init__(self, *args, dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["non_paper"].queryset = Document.objects.non_papers().filter(dialogue=dialogue)


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why may these names stay?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Logged with your name. The override holds for this revision only."),
    )


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class ReaderForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Team member"), coerce=int)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (user.pk, user.get_full_name() or user.username) for user in candidates
        ]
