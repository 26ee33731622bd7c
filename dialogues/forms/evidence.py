from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from dialogues.models import EvidenceItem

# A hint for the browser's file picker only: the service checks the content.
ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,.csv,application/pdf,image/png,image/jpeg,text/plain,text/csv"


class EvidenceForm(forms.ModelForm):
    """An item of the evidence brief. The attachment is a plain file field: the service checks
    and stores it."""

    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    remove_attachment = forms.BooleanField(label=_("Remove the attachment"), required=False)

    class Meta:
        model = EvidenceItem
        fields = ["kind", "title", "source", "dated", "summary"]
        widgets = {
            "dated": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "source": _("Who produced it, and where it can be found."),
            "dated": _("The date of the information, not of this entry."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _(
            "Optional. A PDF, a PNG or JPEG image, or plain UTF-8 text or CSV, at most "
            "%(limit)s. Files are checked by their content, not their name."
        ) % {"limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        if not (self.instance.pk and self.instance.attachment):
            del self.fields["remove_attachment"]
        else:
            self.fields["attachment"].label = _("Replace the attachment")
