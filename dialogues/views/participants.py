"""Participants: the programme register, the dialogue roster with consent and the mix, and
the ground rules with each participant's acknowledgement.

Names, aliases, affiliations and contacts reach only users who may see identities
(permissions.may_see_identity); everyone else sees the participant's code, in pages and
fragments alike. Flash messages name participants by code only, whoever reads them: a message
outlives the page it was meant for (it sits in the session until shown), so it carries no more
than it needs.

A closed or abandoned dialogue's roster and ground rules no longer change: the services refuse,
and the pages show no write controls for it."""

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues import permissions
from dialogues.forms import add_service_errors
from dialogues.forms.participants import (
    AcknowledgementsForm,
    ConsentForm,
    GroundRuleForm,
    InviteForm,
    ParticipantForm,
    StatusForm,
)
from dialogues.models import DialogueParticipant, GroundRule, Participant, RuleAcknowledgement
from dialogues.services import participants as services
from dialogues.services.attribution import programme_redactor


def _may_design(user, programme):
    checker = permissions.programme_permission_checker(user, [programme])
    return checker.has_perm(permissions.DESIGN_DIALOGUES, programme)


def _participant_in(programme, participant_id):
    try:
        return programme.participants.get(public_id=participant_id)
    except Participant.DoesNotExist as missing:
        raise Http404 from missing


def _entry_in(dialogue, entry_id):
    try:
        return dialogue.roster.select_related("participant").get(public_id=entry_id)
    except DialogueParticipant.DoesNotExist as missing:
        raise Http404 from missing


def _rule_in(dialogue, rule_id):
    try:
        return dialogue.ground_rules.get(public_id=rule_id)
    except GroundRule.DoesNotExist as missing:
        raise Http404 from missing


def _may_change(user, dialogue):
    """Whether the page offers `user` its write controls: they may design dialogues and the
    dialogue's record still changes (the services refuse the rest anyway)."""
    return _may_design(user, dialogue.programme) and not dialogue.is_frozen


def _refused_on_a_frozen_page(request, dialogue, error, url):
    """A closed or abandoned dialogue's pages show no forms, so a refused write (from a page
    left open, another tab) is told in a message rather than on a form no one would see."""
    if not dialogue.is_frozen:
        return None
    messages.error(request, " ".join(error.messages))
    return redirect(url)


# --- The programme's register --------------------------------------------------------------


# A page the eye can scan and a server can render in well under 100 ms under load
# (docs/performance.md, R4); the columns the register shows.
REGISTER_PAGE_SIZE = 50
REGISTER_COLUMNS = (
    "public_id",
    "code",
    "full_name",
    "affiliation",
    "category",
    "gender",
    "region",
    "languages",
    "is_authoritative_proxy",
)


@login_required
@require_GET
def participant_register(request, programme_id):
    """Everyone in the programme's register, by code, REGISTER_PAGE_SIZE a page. Queries:
    programme, permissions (identity and design), the count, one page of participants with
    their dialogue counts."""
    programme = permissions.get_programme_for_user(
        request.user,
        programme_id,
        permissions.VIEW_DIALOGUES,
        visible_with=permissions.VIEW_DIALOGUES,
    )
    show_identity = permissions.may_see_identity(request.user, programme)
    # Counted in a subquery rather than a join: the paginator's COUNT then reads the
    # register alone, and the dialogues are counted for the page's rows only.
    active_places = (
        DialogueParticipant.objects.filter(
            participant=OuterRef("pk"), status__in=services.ACTIVE_STATUSES
        )
        .order_by()
        .values("participant")
        .annotate(places=Count("pk"))
        .values("places")
    )
    participants = (
        programme.participants.only(*REGISTER_COLUMNS)
        .annotate(dialogue_count=Coalesce(Subquery(active_places), 0))
        .order_by("code")
    )
    page = Paginator(participants, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    _add_detail_urls(programme, page.object_list)
    return render(
        request,
        "dialogues/participants/register.html",
        {
            "programme": programme,
            "page": page,
            "show_identity": show_identity,
            "may_add": show_identity and _may_design(request.user, programme),
        },
    )


# No participant has this public id (a random UUID is never all zeros): it marks where each
# row's id goes in the one URL reversed for the page.
_ID_SLOT = str(uuid.UUID(int=0))


def _add_detail_urls(programme, participants):
    """Give each participant of a register page its detail URL from one reverse() for the
    page: fifty reversals were about a tenth of the register's time."""
    url = reverse("dialogues:participant_detail", args=[programme.public_id, _ID_SLOT])
    for participant in participants:
        participant.detail_url = url.replace(_ID_SLOT, str(participant.public_id))


def _programme_for_identity_writes(user, programme_id):
    """The programme, if `user` may design dialogues there and see identities: who cannot
    read names cannot write them (403)."""
    programme = permissions.get_programme_for_user(
        user, programme_id, permissions.DESIGN_DIALOGUES, visible_with=permissions.VIEW_DIALOGUES
    )
    if not permissions.may_see_identity(user, programme):
        raise PermissionDenied
    return programme


@login_required
def participant_create(request, programme_id):
    programme = _programme_for_identity_writes(request.user, programme_id)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_create(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(code)s was added to the register.") % {"code": participant.code}
            )
            return redirect(
                "dialogues:participant_detail", programme.public_id, participant.public_id
            )
    return render(
        request,
        "dialogues/participants/participant_form.html",
        {"programme": programme, "form": form, "participant": None},
    )


@login_required
@require_GET
def participant_detail(request, programme_id, participant_id):
    """A participant's profile, their identity and contacts for those who may see them, and
    the dialogues they are in. Queries: programme, permissions, participant, their places."""
    programme = permissions.get_programme_for_user(
        request.user,
        programme_id,
        permissions.VIEW_DIALOGUES,
        visible_with=permissions.VIEW_DIALOGUES,
    )
    participant = _participant_in(programme, participant_id)
    show_identity = permissions.may_see_identity(request.user, programme)
    checker = permissions.programme_permission_checker(request.user, [programme])
    may_design = checker.has_perm(permissions.DESIGN_DIALOGUES, programme)
    places = participant.dialogue_places.select_related("dialogue").order_by("dialogue__title")
    return render(
        request,
        "dialogues/participants/participant_detail.html",
        {
            "programme": programme,
            "participant": participant,
            "places": places,
            "show_identity": show_identity,
            "redact": programme_redactor(programme, show_identity=show_identity),
            "may_edit": show_identity and may_design,
            # The audit trail: facilitators and officers (dialogues.views.audit).
            "may_read_history": may_design,
            # A participant's records, export and erasure: facilitators who see identities
            # (dialogues.views.participant_records).
            "may_manage_records": show_identity
            and checker.has_perm(permissions.LEAD_DIALOGUES, programme),
        },
    )


@login_required
def participant_edit(request, programme_id, participant_id):
    programme = _programme_for_identity_writes(request.user, programme_id)
    participant = _participant_in(programme, participant_id)
    form = ParticipantForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=participant, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(code)s was updated.") % {"code": participant.code})
            return redirect(
                "dialogues:participant_detail", programme.public_id, participant.public_id
            )
    return render(
        request,
        "dialogues/participants/participant_form.html",
        {"programme": programme, "form": form, "participant": participant},
    )


# --- A dialogue's roster, consent and the mix ----------------------------------------------


def _invitable(dialogue):
    return dialogue.programme.participants.exclude(dialogue_places__dialogue=dialogue).order_by(
        "code"
    )


def _render_roster(request, dialogue, *, invite_form=None, failed_entry=None, failed_form=None):
    """The roster page; a form that failed is shown again as typed, with its errors.
    Queries: permissions (identity and design), the roster with acknowledgement counts, the
    number of ground rules, the participants who can still be invited and, for a viewer who
    may not see identities, the names to withhold from the title and consent scopes."""
    programme = dialogue.programme
    show_identity = permissions.may_see_identity(request.user, programme)
    may_change = _may_change(request.user, dialogue)
    redact = programme_redactor(programme, show_identity=show_identity)
    entries = list(
        dialogue.roster.select_related("participant")
        .annotate(acknowledged=Count("acknowledgements"))
        # Meta.ordering does not apply to grouped queries.
        .order_by("participant__code")
    )
    for entry in entries:
        entry.scope_shown = redact(entry.consent_scope)
        # Withheld names are not put back in the correction form either; prefilling the
        # redacted text would write "[name withheld]" over them on saving.
        entry.scope_withheld = entry.scope_shown != entry.consent_scope
        entry.status_form = StatusForm(
            initial={"status": entry.status}, prefix=f"status-{entry.public_id}"
        )
        entry.consent_form = ConsentForm(
            initial={
                "scope": "" if entry.scope_withheld else entry.consent_scope,
                "given_on": entry.consent_given_on,
            }
            if entry.has_consent
            else None,
            prefix=f"consent-{entry.public_id}",
        )
        if failed_entry is not None and entry.pk == failed_entry.pk:
            if isinstance(failed_form, StatusForm):
                entry.status_form = failed_form
            else:
                entry.consent_form = failed_form
    if invite_form is None and may_change:
        invite_form = InviteForm(participants=_invitable(dialogue), show_identity=show_identity)
    return render(
        request,
        "dialogues/participants/roster.html",
        {
            "dialogue": dialogue,
            "programme": programme,
            "entries": entries,
            "mix": services.roster_mix(entries),
            "rule_total": dialogue.ground_rules.count(),
            "invite_form": invite_form,
            "show_identity": show_identity,
            "redact": redact,
            "may_change": may_change,
        },
    )


def _roster_url(dialogue):
    return reverse("dialogues:roster", args=[dialogue.public_id])


def _roster_row_url(dialogue, entry):
    return f"{_roster_url(dialogue)}#entry-{entry.public_id}"


@login_required
@require_GET
def roster(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.VIEW_DIALOGUES
    )
    return _render_roster(request, dialogue)


@require_POST
@login_required
def roster_invite(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    show_identity = permissions.may_see_identity(request.user, dialogue.programme)
    form = InviteForm(request.POST, participants=_invitable(dialogue), show_identity=show_identity)
    if form.is_valid():
        participant = form.cleaned_data["participant"]
        try:
            entry = services.dialogue_invite_participant(
                dialogue=dialogue, participant=participant, actor=request.user
            )
        except ValidationError as error:
            if refused := _refused_on_a_frozen_page(
                request, dialogue, error, _roster_url(dialogue)
            ):
                return refused
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(code)s was invited.") % {"code": participant.code})
            return redirect(_roster_row_url(dialogue, entry))
    return _render_roster(request, dialogue, invite_form=form)


@require_POST
@login_required
def roster_set_status(request, dialogue_id, entry_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    entry = _entry_in(dialogue, entry_id)
    form = StatusForm(request.POST, prefix=f"status-{entry.public_id}")
    if form.is_valid():
        try:
            entry = services.dialogue_participant_set_status(
                entry=entry, status=form.cleaned_data["status"], actor=request.user
            )
        except ValidationError as error:
            url = _roster_row_url(dialogue, entry)
            if refused := _refused_on_a_frozen_page(request, dialogue, error, url):
                return refused
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(code)s: %(status)s.")
                % {"code": entry.participant.code, "status": entry.get_status_display()},
            )
            return redirect(_roster_row_url(dialogue, entry))
    return _render_roster(request, dialogue, failed_entry=entry, failed_form=form)


@require_POST
@login_required
def roster_record_consent(request, dialogue_id, entry_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    entry = _entry_in(dialogue, entry_id)
    form = ConsentForm(request.POST, prefix=f"consent-{entry.public_id}")
    if form.is_valid():
        try:
            services.dialogue_participant_record_consent(
                entry=entry,
                given_on=form.cleaned_data["given_on"],
                scope=form.cleaned_data["scope"],
                actor=request.user,
            )
        except ValidationError as error:
            url = _roster_row_url(dialogue, entry)
            if refused := _refused_on_a_frozen_page(request, dialogue, error, url):
                return refused
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Consent recorded for %(code)s.") % {"code": entry.participant.code},
            )
            return redirect(_roster_row_url(dialogue, entry))
    return _render_roster(request, dialogue, failed_entry=entry, failed_form=form)


# --- Ground rules and acknowledgements -----------------------------------------------------


def _rules_url(dialogue):
    return reverse("dialogues:ground_rules", args=[dialogue.public_id])


@dataclass
class AcknowledgementRow:
    """One participant's row of the matrix: per rule, its acknowledgement (or None) and the
    checkbox that ticks it."""

    entry: DialogueParticipant
    form: AcknowledgementsForm
    cells: list


def _acknowledgement_rows(dialogue, rules, entries, *, failed_entry=None, failed_form=None):
    acknowledgements = {
        (ack.dialogue_participant_id, ack.rule_id): ack
        for ack in RuleAcknowledgement.objects.filter(
            rule__dialogue=dialogue, dialogue_participant__in=entries
        )
    }
    rows = []
    for entry in entries:
        held = [acknowledgements.get((entry.pk, rule.pk)) for rule in rules]
        if failed_entry is not None and entry.pk == failed_entry.pk:
            form = failed_form
        else:
            ticked = [str(rule.public_id) for rule, ack in zip(rules, held, strict=True) if ack]
            form = _acknowledgements_form(entry, rules, initial={"rules": ticked})
        cells = list(zip(rules, held, form["rules"].subwidgets, strict=True))
        rows.append(AcknowledgementRow(entry=entry, form=form, cells=cells))
    return rows


def _acknowledgements_form(entry, rules, data=None, initial=None):
    return AcknowledgementsForm(
        data,
        initial=initial,
        rules=rules,
        form_id=f"ack-{entry.public_id}",
        prefix=str(entry.public_id),
    )


def _taking_part(dialogue):
    return list(
        dialogue.roster.filter(status__in=services.ACTIVE_STATUSES)
        .select_related("participant")
        .order_by("participant__code")
    )


def _render_ground_rules(
    request,
    dialogue,
    *,
    add_form=None,
    failed_rule=None,
    failed_rule_form=None,
    failed_entry=None,
    failed_form=None,
):
    """The ground rules page; a form that failed is shown again as typed, with its errors.
    Queries: permissions (identity and design), the rules, the people taking part, their
    acknowledgements."""
    programme = dialogue.programme
    show_identity = permissions.may_see_identity(request.user, programme)
    redact = programme_redactor(programme, show_identity=show_identity)
    rules = list(dialogue.ground_rules.all())
    for rule in rules:
        if failed_rule is not None and rule.pk == failed_rule.pk:
            rule.edit_form = failed_rule_form
        elif redact(rule.title) != rule.title or redact(rule.text) != rule.text:
            # The form would show a name withheld from the reader: not theirs to edit.
            rule.edit_form = None
        else:
            rule.edit_form = GroundRuleForm(
                initial={"title": rule.title, "text": rule.text}, prefix=str(rule.public_id)
            )
    entries = _taking_part(dialogue)
    # Someone who has just declined still gets their row back, with the reason it failed.
    if failed_entry is not None and failed_entry not in entries:
        entries.append(failed_entry)
    rows = _acknowledgement_rows(
        dialogue, rules, entries, failed_entry=failed_entry, failed_form=failed_form
    )
    return render(
        request,
        "dialogues/participants/ground_rules.html",
        {
            "dialogue": dialogue,
            "programme": programme,
            "rules": rules,
            "rows": rows,
            "add_form": add_form or GroundRuleForm(prefix="new-rule"),
            "show_identity": show_identity,
            "redact": redact,
            "may_change": _may_change(request.user, dialogue),
        },
    )


@login_required
@require_GET
def ground_rules(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.VIEW_DIALOGUES
    )
    return _render_ground_rules(request, dialogue)


@require_POST
@login_required
def ground_rule_add(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    form = GroundRuleForm(request.POST, prefix="new-rule")
    if form.is_valid():
        try:
            rule = services.ground_rule_add(
                dialogue=dialogue,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                actor=request.user,
            )
        except ValidationError as error:
            url = _rules_url(dialogue)
            if refused := _refused_on_a_frozen_page(request, dialogue, error, url):
                return refused
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule “%(title)s” added.") % {"title": rule.title})
            return redirect(_rules_url(dialogue))
    return _render_ground_rules(request, dialogue, add_form=form)


@require_POST
@login_required
def ground_rule_edit(request, dialogue_id, rule_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    rule = _rule_in(dialogue, rule_id)
    form = GroundRuleForm(request.POST, prefix=str(rule.public_id))
    if form.is_valid():
        try:
            rule = services.ground_rule_update(
                rule=rule,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                actor=request.user,
            )
        except ValidationError as error:
            url = f"{_rules_url(dialogue)}#rule-{rule.public_id}"
            if refused := _refused_on_a_frozen_page(request, dialogue, error, url):
                return refused
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule “%(title)s” saved.") % {"title": rule.title})
            return redirect(_rules_url(dialogue))
    return _render_ground_rules(request, dialogue, failed_rule=rule, failed_rule_form=form)


@require_POST
@login_required
def acknowledgements_save(request, dialogue_id, entry_id):
    """Save one participant's row of the matrix. With htmx, answers with that row only."""
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    entry = _entry_in(dialogue, entry_id)
    rules = list(dialogue.ground_rules.all())
    form = _acknowledgements_form(entry, rules, data=request.POST)
    outcome = None
    if form.is_valid():
        by_public_id = {str(rule.public_id): rule for rule in rules}
        try:
            services.rule_acknowledgements_set(
                entry=entry,
                rules=[by_public_id[public_id] for public_id in form.cleaned_data["rules"]],
                acknowledged_on=form.cleaned_data["acknowledged_on"],
                actor=request.user,
            )
        except ValidationError as error:
            if not request.htmx:
                url = f"{_rules_url(dialogue)}#ack-row-{entry.public_id}"
                if refused := _refused_on_a_frozen_page(request, dialogue, error, url):
                    return refused
            add_service_errors(form, error)
        else:
            outcome = _("Acknowledgements saved for %(code)s.") % {"code": entry.participant.code}

    if request.htmx:
        failed = {} if outcome else {"failed_entry": entry, "failed_form": form}
        (row,) = _acknowledgement_rows(dialogue, rules, [entry], **failed)
        show_identity = permissions.may_see_identity(request.user, dialogue.programme)
        context = {
            "dialogue": dialogue,
            "row": row,
            "show_identity": show_identity,
            "redact": programme_redactor(dialogue.programme, show_identity=show_identity),
            # The row replaces one that had its controls: keep them, so a refusal (a closed
            # dialogue included) shows in the row's own error cell.
            "may_change": True,
            "row_message": outcome,
        }
        return render(request, "dialogues/participants/ground_rules.html#ack-row", context)
    if outcome:
        messages.success(request, outcome)
        return redirect(f"{_rules_url(dialogue)}#ack-row-{entry.public_id}")
    return _render_ground_rules(request, dialogue, failed_entry=entry, failed_form=form)
