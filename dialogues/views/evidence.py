"""The evidence brief of a dialogue: list, add, edit, delete, and the permission-checked
download that is the only way to an attachment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues import permissions
from dialogues.forms import add_service_errors
from dialogues.forms.evidence import EvidenceForm
from dialogues.models import EvidenceItem
from dialogues.services import evidence as services
from dialogues.services.attribution import programme_redactor

# The brief reads in the order of the kinds' choices, newest information first in each.
KIND_RANK = Case(
    *[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(EvidenceItem.Kind.values)],
    output_field=IntegerField(),
)


def _item_in(dialogue, item_id):
    try:
        return dialogue.evidence.get(public_id=item_id)
    except EvidenceItem.DoesNotExist as missing:
        raise Http404 from missing


def _redactor(user, dialogue):
    """The dialogue's texts and its brief's as `user` may see them: with the names of every
    participant of the programme withheld unless they may see identities."""
    show_identity = permissions.may_see_identity(user, dialogue.programme)
    return programme_redactor(dialogue.programme, show_identity=show_identity)


def _show(item, redact):
    """What the reader may see of the item's free texts, as item.shown_*."""
    item.shown_title = redact(item.title)
    item.shown_source = redact(item.source)
    item.shown_summary = redact(item.summary)
    item.shown_attachment_name = redact(item.attachment_name)
    return item


def _withheld(item):
    """Whether names are withheld from the reader in what the edit form would show."""
    return (item.shown_title, item.shown_source, item.shown_summary) != (
        item.title,
        item.source,
        item.summary,
    )


@login_required
@require_GET
def evidence_list(request, dialogue_id):
    """The brief. Queries: dialogue, permission checks, the identity check, for those without
    identity the programme's participants, the items."""
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    redact = _redactor(request.user, dialogue)
    items = [
        _show(item, redact)
        for item in dialogue.evidence.alias(kind_rank=KIND_RANK).order_by(
            "kind_rank", F("dated").desc(nulls_last=True), "title"
        )
    ]
    checker = permissions.programme_permission_checker(request.user, [dialogue.programme])
    context = {
        "dialogue": dialogue,
        "redact": redact,
        "items": items,
        # A closed or abandoned dialogue's brief no longer changes: the services refuse it.
        "can_change": not dialogue.is_frozen
        and checker.has_perm(permissions.DESIGN_DIALOGUES, dialogue.programme),
    }
    return render(request, "dialogues/evidence/evidence_list.html", context)


def _render_form(request, dialogue, form, redact, item=None, *, withheld=False):
    context = {
        "dialogue": dialogue,
        "redact": redact,
        "item": item,
        "form": form,
        "withheld": withheld,
        # A browser never shows a chosen file again: say so when the form comes back.
        "file_not_kept": form.is_bound and bool(request.FILES) and bool(form.errors),
    }
    return render(request, "dialogues/evidence/evidence_form.html", context)


@login_required
def evidence_create(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.evidence_add(dialogue=dialogue, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("“%(title)s” added to the evidence brief.") % {"title": item}
            )
            return redirect("dialogues:evidence_list", dialogue_id=dialogue.public_id)
    return _render_form(request, dialogue, form, _redactor(request.user, dialogue))


@login_required
def evidence_edit(request, dialogue_id, item_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    redact = _redactor(request.user, dialogue)
    item = _show(_item_in(dialogue, item_id), redact)
    # Without identity, an item whose texts name a participant is not theirs to edit: the
    # form would show the names. The service refuses the change too.
    withheld = _withheld(item)
    form = EvidenceForm(request.POST or None, request.FILES or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.evidence_update(item=item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": item})
            return redirect("dialogues:evidence_list", dialogue_id=dialogue.public_id)
    # A bound form has written the typed values onto `item`: the heading shows the stored ones.
    shown = _show(_item_in(dialogue, item_id), redact) if form.is_bound else item
    return _render_form(request, dialogue, form, redact, shown, withheld=withheld)


@require_POST
@login_required
def evidence_delete(request, dialogue_id, item_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    item = _show(_item_in(dialogue, item_id), _redactor(request.user, dialogue))
    try:
        services.evidence_remove(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” removed from the evidence brief.") % {"title": item.shown_title},
        )
    return redirect("dialogues:evidence_list", dialogue_id=dialogue.public_id)


@login_required
@require_GET
def evidence_download(request, dialogue_id, item_id):
    """The attachment, always as a download with the type recorded when it was checked, never
    rendered by the browser, under a name that withholds participants' names from those who
    may not see identities."""
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    item = _item_in(dialogue, item_id)
    if not item.attachment:
        raise Http404
    filename = services.attachment_download_name(item, _redactor(request.user, dialogue))
    try:
        handle = item.attachment.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=item.attachment_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
