"""A participant's records on request: everything held about them as a JSON download, and
the erasure of their identity.

Both are for someone who leads the programme's dialogues (a facilitator) and may see
identities: the export holds the identity, and the erasure destroys it. A stranger to the
programme gets 404, a team member without both rights 403."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dialogues import permissions
from dialogues.models import Participant
from dialogues.services import participant_records as services


def _participant_for_records(user, programme_id, participant_id):
    """(programme, participant) if `user` leads the programme's dialogues and may see
    identities. Raises Http404 for strangers and unknown participants, PermissionDenied for
    team members without both rights."""
    programme = permissions.get_programme_for_user(
        user, programme_id, permissions.LEAD_DIALOGUES, visible_with=permissions.VIEW_DIALOGUES
    )
    if not permissions.may_see_identity(user, programme):
        raise PermissionDenied
    try:
        participant = programme.participants.get(public_id=participant_id)
    except Participant.DoesNotExist as missing:
        raise Http404 from missing
    return programme, participant


@login_required
@require_GET
def participant_export(request, programme_id, participant_id):
    """Everything held about the participant, as a JSON file."""
    _programme, participant = _participant_for_records(request.user, programme_id, participant_id)
    record = services.participant_export(participant=participant)
    response = HttpResponse(
        json.dumps(record, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    # The file name carries the code, never the name.
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="participant-{participant.code}-{stamp}.json"'
    )
    return response


class ErasureForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Type the participant's code to confirm"), max_length=12
    )

    def __init__(self, *args, participant, **kwargs):
        super().__init__(*args, **kwargs)
        self.participant = participant

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code.casefold() != self.participant.code.casefold():
            raise forms.ValidationError(
                _("This is not %(code)s's code.") % {"code": self.participant.code}
            )
        return code


@login_required
@require_http_methods(["GET", "POST"])
def participant_erase(request, programme_id, participant_id):
    """Confirm, then erase the participant's identity everywhere."""
    programme, participant = _participant_for_records(request.user, programme_id, participant_id)
    erasure = services.identity_erasure(participant)
    form = ErasureForm(request.POST or None, participant=participant)
    if request.method == "POST" and erasure is None and form.is_valid():
        changed = services.participant_erase(participant=participant, actor=request.user)
        messages.success(
            request,
            _(
                "The identity of %(code)s was erased; %(count)s texts that named them now "
                "say %(code)s."
            )
            % {"code": participant.code, "count": changed},
        )
        return redirect("dialogues:participant_detail", programme.public_id, participant.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dialogues/participant_records/erase.html",
        {"programme": programme, "participant": participant, "form": form, "erasure": erasure},
        status=status,
    )
