"""Legal and operational vetting of non-paper versions: the gate before relay."""

from uptake.models import Vetting, VettingClearance


def vetting_reset(*, document):
    """Forget the verdicts on `document` and its clearance: its text is about to change
    (a ready version moved back to review or draft), so it must be vetted afresh.
    Caller: document_transition, inside its transaction. A version with briefings is
    delivered and never moves back, so no briefing points at the clearance removed here."""
    Vetting.objects.filter(document=document).delete()
    VettingClearance.objects.filter(document=document).delete()
