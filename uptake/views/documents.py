"""Drafting pages: a dialogue's documents, a document's page, the editor with its conflict
page, the workflow, the guard's override, iterations, sharing and comments.

Every document comes through uptake.permissions.get_document_for_user; every dialogue through
dialogues.permissions.get_dialogue_for_user. Text is passed through a Redactor for readers
who may not see identities."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues import permissions as programme_perms
from dialogues.forms import add_service_errors
from dialogues.services.attribution import dialogue_redactor
from uptake import content as document_content
from uptake.forms.documents import (
    AideMemoireCreateForm,
    CommentForm,
    DocumentEditor,
    OverrideForm,
)
from uptake.models import Document, PdfExport, Revision
from uptake.permissions import (
    ChainAction,
    DocumentAction,
    chain_access,
    documents_for_user,
    get_document_for_user,
)
from uptake.services import documents as services
from uptake.services import guard
from uptake.services.diffs import revision_diff
from uptake.services.events import record_access
from uptake.services.feedback import feedback_for_version
from uptake.services.readers import readers_of

Action = DocumentAction


def redactor_for(user, document):
    show_identity = programme_perms.may_see_identity(user, document.dialogue.programme)
    return show_identity, dialogue_redactor(document.dialogue, show_identity=show_identity)


def shown_content(document, revision, redact):
    """The revision's title and content as this reader may see them."""
    content = document_content.normalise(document.kind, revision.content)
    if document.is_non_paper:
        shown = {
            "problem": redact(content["problem"]),
            "legal_notes": redact(content["legal_notes"]),
            "operational_notes": redact(content["operational_notes"]),
            "steps": [
                {
                    **{name: redact(step[name]) for name in document_content.STEP_FIELDS},
                    "ladder": step["ladder"],
                    "ladder_label": document_content.ladder_label(step["ladder"])
                    if step["ladder"]
                    else "",
                }
                for step in content["steps"]
            ],
        }
    else:
        shown = {
            "sections": [
                {"title": redact(s["title"]), "body": redact(s["body"])}
                for s in content["sections"]
            ]
        }
    return redact(revision.title), shown


@login_required
@require_GET
def document_list(request, dialogue_id):
    """The dialogue's non-papers and aide-mémoires. Queries: dialogue, permission checks,
    documents, the user's named aide-mémoires (when there are some and they do not lead),
    the roster (to withhold names), the package size."""
    dialogue = programme_perms.get_dialogue_for_user(request.user, dialogue_id)
    checker = programme_perms.programme_permission_checker(request.user, [dialogue.programme])
    show_identity = checker.has_perm(programme_perms.VIEW_IDENTITY, dialogue.programme)
    redact = dialogue_redactor(dialogue, show_identity=show_identity)
    documents = documents_for_user(request.user, dialogue)
    for document in documents:
        document.shown_title = redact(document.title)
    can_draft = checker.has_perm(programme_perms.DESIGN_DIALOGUES, dialogue.programme)
    return render(
        request,
        "uptake/document_list.html",
        {
            "dialogue": dialogue,
            "dialogue_title": redact(dialogue.title),
            "non_papers": [d for d in documents if d.is_non_paper],
            "aide_memoires": [d for d in documents if d.is_aide_memoire],
            "can_draft": can_draft,
            "can_lead": checker.has_perm(programme_perms.LEAD_DIALOGUES, dialogue.programme),
            "package_size": dialogue.package.count(),
            "aide_form": _aide_memoire_form(None, dialogue, redact) if can_draft else None,
        },
    )


@login_required
@require_POST
def non_paper_create(request, dialogue_id):
    dialogue = programme_perms.get_dialogue_for_user(
        request.user, dialogue_id, programme_perms.DESIGN_DIALOGUES
    )
    try:
        document = services.non_paper_create_from_package(dialogue=dialogue, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("uptake:document_list", dialogue.public_id)
    messages.success(request, _("The non-paper was drafted from the package."))
    return redirect("uptake:document_edit", document.public_id)


def _aide_memoire_form(data, dialogue, redact):
    """The form to start an aide-mémoire, offering the dialogue's non-papers by their titles
    as this reader may see them (a title may name a participant)."""
    form = AideMemoireCreateForm(data, dialogue=dialogue)
    form.fields["non_paper"].label_from_instance = lambda non_paper: redact(non_paper.title)
    return form


@login_required
def aide_memoire_create(request, dialogue_id):
    dialogue = programme_perms.get_dialogue_for_user(
        request.user, dialogue_id, programme_perms.DESIGN_DIALOGUES
    )
    redact = dialogue_redactor(
        dialogue,
        show_identity=programme_perms.may_see_identity(request.user, dialogue.programme),
    )
    form = _aide_memoire_form(request.POST or None, dialogue, redact)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.aide_memoire_create(
                dialogue=dialogue, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The aide-mémoire was started. Only the people named on it read it.")
            )
            return redirect("uptake:document_edit", document.public_id)
    return render(
        request,
        "uptake/aide_memoire_create.html",
        {"dialogue": dialogue, "dialogue_title": redact(dialogue.title), "form": form},
    )


def _workflow_context(request, document, allowed, redact, show_identity):
    """What the document page shows beside the text: gaps, guard hits and override, the
    moves the user may make, the versions, the user's latest PDF."""
    head = services.head_revision(document)
    content = document_content.normalise(document.kind, head.content)
    hits = guard.revision_hits(document, head)
    override = guard.override_for(document, head.number, hits) if hits else None
    can_edit = Action.EDIT in allowed
    gaps = (
        document_content.non_paper_gaps(content)
        if document.is_non_paper and document.status in Document.EDITABLE_STATUSES
        else []
    )
    # The whole lineage in one query: earlier versions by walking previous_version links.
    relatives = {
        d.pk: d for d in Document.objects.filter(dialogue=document.dialogue, kind=document.kind)
    }
    versions, previous_id = [], document.previous_version_id
    while previous_id in relatives:
        versions.append(relatives[previous_id])
        previous_id = relatives[previous_id].previous_version_id
    following = next((d for d in relatives.values() if d.previous_version_id == document.pk), None)
    return {
        "head": head,
        "gaps": gaps,
        "hits": [
            {"passage": hit.passage, "context": hit.context_for(show_identity), "hit": hit}
            for hit in hits
        ],
        "override": override,
        "override_form": OverrideForm()
        if hits and not override and Action.OVERRIDE_GUARD in allowed
        else None,
        # The text names someone this user may not see: they read it redacted, so they may
        # not edit it (the service refuses too).
        "edit_withheld": bool(hits) and not show_identity,
        "moves": document.allowed_transitions() if can_edit else [],
        "can_edit": can_edit,
        "can_iterate": can_edit and document.is_frozen and following is None,
        "can_share": can_edit and document.is_non_paper and document.is_frozen,
        "older_versions": [(v, redact(v.title)) for v in versions],
        "next_version": following,
        "latest_pdf": PdfExport.objects.filter(document=document, requested_by=request.user)
        .order_by("-created_at")
        .first(),
    }


def render_document_page(request, document, allowed, *, status=200, **extra):
    show_identity, redact = redactor_for(request.user, document)
    head_title, shown = shown_content(document, services.head_revision(document), redact)
    comments = []
    if document.is_non_paper and Action.COMMENT in allowed:
        comments = list(document.comments.select_related("author"))
        for comment in comments:
            comment.shown_body = redact(comment.body)
    workflow = _workflow_context(request, document, allowed, redact, show_identity)
    override = workflow["override"]
    programme = document.dialogue.programme
    checker = programme_perms.programme_permission_checker(request.user, [programme])
    # The uptake chain is the team's (never a donor's), and only a non-paper has one.
    chain_actions = (
        chain_access(request.user, programme, checker) if document.is_non_paper else frozenset()
    )
    context = {
        "document": document,
        "dialogue": document.dialogue,
        "dialogue_title": redact(document.dialogue.title),
        "allowed": allowed,
        "shown_title": head_title,
        "shown": shown,
        "show_identity": show_identity,
        "on_team": checker.has_perm(programme_perms.VIEW_DIALOGUES, programme),
        "can_comment": Action.COMMENT in allowed,
        "comments": comments,
        "comment_form": CommentForm() if Action.COMMENT in allowed else None,
        "can_manage_readers": Action.MANAGE_READERS in allowed,
        "can_read_audit": Action.READ_AUDIT in allowed,
        "readers": readers_of(document) if document.is_aide_memoire else [],
        "override_reason": redact(override.detail) if override else "",
        "chain_actions": chain_actions,
        "can_manage_chain": ChainAction.MANAGE in chain_actions,
        "feedback_addressed": (
            feedback_for_version(document, redact=redact) if chain_actions else []
        ),
        **workflow,
        **extra,
    }
    return render(request, "uptake/document_detail.html", context, status=status)


@login_required
@require_GET
def document_detail(request, document_id):
    """A document's current text with its workflow. Viewing an aide-mémoire is logged."""
    document, allowed = get_document_for_user(request.user, document_id, Action.READ)
    record_access(document=document, actor=request.user, kind="viewed")
    return render_document_page(request, document, allowed)


def _editor_context(document, editor, *, content, **extra):
    """`content` is the text the gaps are computed from: the saved one, or what was typed."""
    return {
        "document": document,
        "dialogue": document.dialogue,
        "editor": editor,
        "gaps": document_content.non_paper_gaps(content) if document.is_non_paper else [],
        **extra,
    }


def _names_withheld_from(user, document, revision):
    """Whether the current text names someone `user` may not see: they may not edit it."""
    show_identity = programme_perms.may_see_identity(user, document.dialogue.programme)
    return not show_identity and bool(guard.revision_hits(document, revision))


@login_required
def document_edit(request, document_id):
    """The editor. A save based on an older revision than the current one is not applied:
    the conflict page shows the writer's text beside the current one to merge."""
    document, _allowed = get_document_for_user(request.user, document_id, Action.EDIT)
    head = services.head_revision(document)
    if not document.is_editable:
        messages.info(
            request,
            _("This version was delivered: its text is frozen. Start a new iteration to change it.")
            if document.is_frozen
            else _("Move the document back to draft or review to change its text."),
        )
        return redirect("uptake:document_detail", document.public_id)
    if request.method != "POST" and _names_withheld_from(request.user, document, head):
        # Refused before they type; a save that meets such a text (someone added a name
        # meanwhile) is refused by the service, and the editor keeps what they typed.
        messages.error(
            request,
            _(
                "The text names a participant, which is withheld from you: only a team "
                "member who may see identities can change it."
            ),
        )
        return redirect("uptake:document_detail", document.public_id)
    # The dialogue's title and the saved document title may name a participant.
    redact = redactor_for(request.user, document)[1]
    titles = {
        "dialogue_title": redact(document.dialogue.title),
        "shown_title": redact(document.title),
    }
    saved = document_content.normalise(document.kind, head.content)
    if request.method != "POST":
        editor = DocumentEditor(
            document, title=head.title, content=saved, base_revision=head.number
        )
        return render(
            request,
            "uptake/document_edit.html",
            _editor_context(document, editor, content=saved, head=head, **titles),
        )

    editor = DocumentEditor(document, data=request.POST)
    if not editor.is_valid():
        return render(
            request,
            "uptake/document_edit.html",
            _editor_context(document, editor, content=saved, head=head, **titles),
            status=400,
        )
    header = editor.header.cleaned_data
    try:
        services.document_save(
            document=document,
            actor=request.user,
            base_revision=header["base_revision"],
            title=header["title"],
            content=editor.content(),
            note=header["note"],
            merged_from=header["merged_from"],
        )
    except services.EditConflict as conflict:
        return _conflict_page(request, document, editor, conflict.current)
    except ValidationError as error:
        add_service_errors(editor.header, error)
        return render(
            request,
            "uptake/document_edit.html",
            _editor_context(document, editor, content=editor.content(), head=head, **titles),
            status=400,
        )
    messages.success(request, _("Saved."))
    return redirect("uptake:document_detail", document.public_id)


def _conflict_page(request, document, editor, current):
    """Both texts side by side: the writer's (an editor based on the current revision, so
    saving it again merges) and what was saved meanwhile, with the differences."""
    header = editor.header.cleaned_data
    data = request.POST.copy()
    data["base_revision"] = str(current.number)
    data["merged_from"] = str(header["merged_from"] or header["base_revision"])
    merge_editor = DocumentEditor(document, data=data)
    merge_editor.is_valid()
    mine = Revision(title=header["title"], content=editor.content())
    redact = redactor_for(request.user, document)[1]
    current_title, current_shown = shown_content(document, current, redact)
    return render(
        request,
        "uptake/document_conflict.html",
        {
            "document": document,
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "shown_title": redact(document.title),
            "editor": merge_editor,
            "current": current,
            "current_title": current_title,
            "current_shown": current_shown,
            # Compared with the current text as this writer may see it: never a withheld name.
            "diff": [
                p
                for p in revision_diff(
                    document.kind, Revision(title=current_title, content=current_shown), mine
                )
                if p.changed
            ],
        },
        status=409,
    )


@login_required
@require_POST
def document_move(request, document_id):
    """Move the document along its workflow. A refusal comes back on the document's page,
    with the gaps or the names found."""
    document, allowed = get_document_for_user(request.user, document_id, Action.EDIT)
    to_status = request.POST.get("to", "")
    try:
        services.document_transition(document=document, actor=request.user, to_status=to_status)
    except services.GuardBlocked as blocked:
        return render_document_page(
            request, document, allowed, status=409, refusal=blocked.messages
        )
    except ValidationError as error:
        return render_document_page(request, document, allowed, status=409, refusal=error.messages)
    document.refresh_from_db()
    messages.success(
        request,
        _("The document is now %(status)s.") % {"status": document.get_status_display().lower()},
    )
    return redirect("uptake:document_detail", document.public_id)


@login_required
@require_POST
def guard_override(request, document_id):
    document, allowed = get_document_for_user(request.user, document_id, Action.OVERRIDE_GUARD)
    if Action.READ not in allowed:
        raise PermissionDenied  # an aide-mémoire they are not named on: they cannot see the hits
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.guard_override(
                document=document, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The names may stay in this revision. Your reason was logged.")
            )
            return redirect("uptake:document_detail", document.public_id)
    return render_document_page(request, document, allowed, status=400, override_form=form)


@login_required
@require_POST
def document_iterate(request, document_id):
    document, _allowed = get_document_for_user(request.user, document_id, Action.EDIT)
    try:
        following = services.document_new_iteration(document=document, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("uptake:document_detail", document.public_id)
    messages.success(
        request,
        _("Version %(version)s was started from the delivered text.")
        % {"version": following.version},
    )
    return redirect("uptake:document_edit", following.public_id)


@login_required
@require_POST
def document_share(request, document_id):
    document, _allowed = get_document_for_user(request.user, document_id, Action.EDIT)
    shareable = request.POST.get("shareable") == "1"
    try:
        services.document_set_shareable(document=document, actor=request.user, shareable=shareable)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Donors of the programme can now read this non-paper.")
            if shareable
            else _("Donors can no longer read this non-paper."),
        )
    return redirect("uptake:document_detail", document.public_id)


@login_required
@require_POST
def comment_add(request, document_id):
    document, allowed = get_document_for_user(request.user, document_id, Action.COMMENT)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                document=document, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect("uptake:document_detail", document.public_id)
    return render_document_page(request, document, allowed, status=400, comment_form=form)


@login_required
@require_GET
def shared_documents(request, programme_id):
    """The delivered non-papers shared with the programme's donors (and its team). Queries:
    programme, permission check, the documents with their dialogues, the rosters (to
    withhold names: donors never see them)."""
    programme = programme_perms.get_programme_for_user(
        request.user, programme_id, programme_perms.VIEW_RESULTS
    )
    show_identity = programme_perms.may_see_identity(request.user, programme)
    documents = list(
        Document.objects.shared_with_donors()
        .filter(dialogue__programme=programme)
        .select_related("dialogue")
        .order_by("-delivered_at")
    )
    redactors = {}
    for document in documents:
        dialogue = document.dialogue
        if dialogue.pk not in redactors:
            redactors[dialogue.pk] = dialogue_redactor(dialogue, show_identity=show_identity)
        document.shown_title = redactors[dialogue.pk](document.title)
    return render(
        request,
        "uptake/shared_documents.html",
        {"programme": programme, "documents": documents},
    )
