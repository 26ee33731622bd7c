"""Filters of the dashboards."""

from monitoring.forms.indicators import ActivityFilterForm


class ResultsPeriodForm(ActivityFilterForm):
    """The period of the donor results (no dialogue: donors see the programme as a whole)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, dialogues=[], **kwargs)
        del self.fields["dialogue"]

    def selected_dialogue(self):
        return None
