"""An aide-mémoire's named readers and its access log, managed by the programme's
facilitators (who read the document itself only if they are named too)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dialogues.forms import add_service_errors
from uptake.forms.documents import ReaderForm
from uptake.permissions import DocumentAction, get_document_for_user
from uptake.services import readers as services
from uptake.views.documents import redactor_for

# The access log page shows the newest entries; older ones stay in the database.
LOG_PAGE_SIZE = 200


def _page(request, document, form, status=200):
    _show_identity, redact = redactor_for(request.user, document)
    return render(
        request,
        "uptake/readers.html",
        {
            "document": document,
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "shown_title": redact(document.title),
            "readers": services.readers_of(document),
            "form": form,
            "events": document.events.order_by("-at", "-id")[:LOG_PAGE_SIZE],
        },
        status=status,
    )


@login_required
def reader_list(request, document_id):
    """Who is named, a form to name someone else, and the access log."""
    document, _allowed = get_document_for_user(
        request.user, document_id, DocumentAction.MANAGE_READERS
    )
    form = ReaderForm(candidates=services.eligible_readers(document))
    if request.method == "POST":
        form = ReaderForm(request.POST, candidates=services.eligible_readers(document))
        if form.is_valid():
            user = get_user_model().objects.get(pk=form.cleaned_data["user"])
            try:
                services.reader_add(document=document, actor=request.user, user=user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s can now read this aide-mémoire.")
                    % {"name": user.get_full_name() or user.username},
                )
                return redirect("uptake:reader_list", document.public_id)
        return _page(request, document, form, status=400)
    return _page(request, document, form)


@login_required
@require_POST
def reader_remove(request, document_id):
    document, _allowed = get_document_for_user(
        request.user, document_id, DocumentAction.MANAGE_READERS
    )
    try:
        user = get_user_model().objects.get(pk=int(request.POST.get("user", "")))
    except (ValueError, get_user_model().DoesNotExist) as missing:
        raise Http404 from missing
    try:
        services.reader_remove(document=document, actor=request.user, user=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s can no longer read this aide-mémoire.")
            % {"name": user.get_full_name() or user.username},
        )
    return redirect("uptake:reader_list", document.public_id)
