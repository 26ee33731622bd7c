"""The vetting page of a non-paper version: every verdict per framework and step for the
team, and a form per framework for the legal reviewer.

Every version comes through uptake.permissions.get_non_paper_chain_for_user. The title,
step texts and notes are passed through the viewer's Redactor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dialogues.forms import add_service_errors
from uptake.forms.vetting import VettingForm
from uptake.models import VettingFramework
from uptake.permissions import ChainAction, get_non_paper_chain_for_user
from uptake.services import vetting as services
from uptake.views.documents import redactor_for

STEP_LABEL_LENGTH = 80


def _step_label(index, text):
    return _("Step %(number)s: %(text)s") % {
        "number": index + 1,
        "text": Truncator(text).chars(STEP_LABEL_LENGTH),
    }


def _render(request, document, allowed, *, bound=None, status=200, page_error=""):
    """The page; `bound` is the form a refused POST came from, shown with what was typed."""
    _show_identity, redact = redactor_for(request.user, document)
    steps = [redact(step["text"]) for step in services.version_steps(document)]
    step_labels = [_step_label(index, text) for index, text in enumerate(steps)]
    summary = services.vetting_summary(document)
    can_vet = ChainAction.VET in allowed
    vettable = document.status in services.VETTABLE_STATUSES
    rows = []
    for entry in summary.frameworks:
        form = None
        if can_vet and vettable:
            if bound is not None and bound.framework == entry.framework:
                form = bound
            else:
                form = VettingForm(framework=entry.framework, step_labels=step_labels)
        for verdict in entry.verdicts:
            verdict.shown_notes = redact(verdict.notes)
            verdict.step_label = (
                step_labels[verdict.step_index]
                if verdict.step_index is not None and verdict.step_index < len(step_labels)
                else ""
            )
        rows.append({"entry": entry, "form": form})
    return render(
        request,
        "uptake/vetting/page.html",
        {
            "document": document,
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "shown_title": redact(document.title),
            "steps": steps,
            "summary": summary,
            "rows": rows,
            "can_vet": can_vet,
            "vettable": vettable,
            "page_error": page_error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vetting_page(request, document_id):
    """GET: the verdicts, for everyone on the team. POST: a legal reviewer records one."""
    action = ChainAction.VET if request.method == "POST" else ChainAction.VIEW
    document, allowed = get_non_paper_chain_for_user(request.user, document_id, action)
    if request.method != "POST":
        return _render(request, document, allowed)

    framework = request.POST.get("framework", "")
    if framework not in VettingFramework.values:
        return _render(
            request,
            document,
            allowed,
            status=400,
            page_error=_("Choose one of the five frameworks."),
        )
    redact = redactor_for(request.user, document)[1]
    step_labels = [
        _step_label(index, redact(step["text"]))
        for index, step in enumerate(services.version_steps(document))
    ]
    form = VettingForm(request.POST, framework=framework, step_labels=step_labels)
    if form.is_valid():
        data = form.cleaned_data
        try:
            verdict = services.vetting_record(
                document=document,
                framework=data["framework"],
                step_index=data["step_index"],
                verdict=data["verdict"],
                notes=data["notes"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your verdict on %(framework)s was recorded.")
                % {"framework": verdict.get_framework_display()},
            )
            if services.vetting_summary(document).cleared:
                messages.info(request, _("The version is cleared for relay."))
            else:
                messages.info(request, _("The version is not cleared for relay yet."))
            return redirect("uptake:vetting", document.public_id)
    return _render(request, document, allowed, bound=form, status=400)
