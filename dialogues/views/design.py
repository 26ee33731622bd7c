"""Designing a dialogue: its scope and timing, its status, and the five rounds with their
outputs. Every object is reached through the dialogue (or programme) chokepoint."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues import permissions
from dialogues.forms import add_service_errors
from dialogues.forms.design import (
    AgendaItemForm,
    ConsequenceTestForm,
    DialogueForm,
    OptionForm,
    PartyInterestForm,
    RoundForm,
)
from dialogues.models import (
    AgendaItem,
    ConsequenceTest,
    Dialogue,
    Option,
    PartyInterest,
    Round,
)
from dialogues.services import design as services
from dialogues.services.attribution import checked_redactor

Kind = Round.Kind


def _reader(user, dialogue):
    """(whether `user` may edit the design, the Redactor for what they may see), from one
    load of their permissions on the programme."""
    checker = permissions.programme_permission_checker(user, [dialogue.programme])
    can_edit = checker.has_perm(permissions.DESIGN_DIALOGUES, dialogue.programme)
    return can_edit, checked_redactor(checker, [dialogue.programme])


def _withheld(redact, *texts):
    """Whether one of `texts` names someone the reader may not see: then its form, which
    would show the name, is not offered to them (the service refuses the change too)."""
    return any(redact(text) != text for text in texts if text)


def _round_url(dialogue, kind):
    return redirect("dialogues:round_detail", dialogue_id=dialogue.public_id, kind=kind)


# --- The dialogue -------------------------------------------------------------------------


@login_required
def dialogue_create(request, programme_id):
    programme = permissions.get_programme_for_user(
        request.user,
        programme_id,
        permissions.DESIGN_DIALOGUES,
        visible_with=permissions.VIEW_DIALOGUES,
    )
    form = DialogueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dialogue = services.dialogue_create(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Dialogue created, with its ground rules and rounds."))
            return redirect("dialogues:dialogue_detail", dialogue_id=dialogue.public_id)
    return render(
        request, "dialogues/design/dialogue_form.html", {"programme": programme, "form": form}
    )


@login_required
@require_GET
def dialogue_detail(request, dialogue_id):
    """Queries: session and user, the dialogue, permissions, the rounds, the counts."""
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    counts = Dialogue.objects.filter(pk=dialogue.pk).aggregate(
        roster=Count("roster", distinct=True),
        sessions=Count("sessions", distinct=True),
        evidence=Count("evidence", distinct=True),
        options=Count("options", distinct=True),
        package=Count("package", distinct=True),
    )
    transitions = [
        (value, label, value in Dialogue.FINAL_STATUSES)
        for value, label in Dialogue.Status.choices
        if dialogue.can_transition_to(value)
    ]
    can_edit, redact = _reader(request.user, dialogue)
    return render(
        request,
        "dialogues/design/dialogue_detail.html",
        {
            "dialogue": dialogue,
            "rounds": dialogue.rounds.annotate(agenda_minutes=Sum("agenda_items__minutes")),
            "counts": counts,
            "transitions": transitions,
            "can_edit": can_edit,
            "redact": redact,
        },
    )


@login_required
def dialogue_edit(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    _can_edit, redact = _reader(request.user, dialogue)
    withheld = _withheld(redact, *(getattr(dialogue, f) for f in services.DIALOGUE_TEXT_FIELDS))
    form = DialogueForm(request.POST or None, instance=dialogue)
    if request.method == "POST" and form.is_valid():
        try:
            services.dialogue_update(dialogue=dialogue, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Dialogue saved."))
            return redirect("dialogues:dialogue_detail", dialogue_id=dialogue.public_id)
    return render(
        request,
        "dialogues/design/dialogue_form.html",
        {
            "programme": dialogue.programme,
            "dialogue": dialogue,
            "form": form,
            "redact": redact,
            "withheld": withheld,
        },
    )


@require_POST
@login_required
def dialogue_transition(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    status = request.POST.get("status", "")
    if status in Dialogue.FINAL_STATUSES and request.POST.get("confirm") != "final":
        messages.error(
            request, _("Tick the box to confirm: a closed or abandoned dialogue cannot reopen.")
        )
        return redirect("dialogues:dialogue_detail", dialogue_id=dialogue.public_id)
    try:
        dialogue = services.dialogue_transition(
            dialogue=dialogue, status=status, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The dialogue is now “%(status)s”.") % {"status": dialogue.get_status_display()},
        )
    return redirect("dialogues:dialogue_detail", dialogue_id=dialogue.public_id)


# --- The rounds ---------------------------------------------------------------------------


def _get_round(dialogue, kind):
    try:
        return dialogue.rounds.get(kind=kind)
    except Round.DoesNotExist as missing:
        raise Http404 from missing


def _render_round(request, dialogue, dialogue_round, **forms):
    """The round page with its outputs and the outputs of the round that feeds it. Forms not
    given are fresh; a form given bound re-renders with the user's input and its errors."""
    can_edit, redact = _reader(request.user, dialogue)
    kind = dialogue_round.kind
    context = {
        "dialogue": dialogue,
        "redact": redact,
        "goals_withheld": _withheld(redact, dialogue_round.goals),
        "round": dialogue_round,
        "rounds": dialogue.rounds.all(),
        "can_edit": can_edit and not dialogue.is_frozen,
        "agenda": dialogue_round.agenda_items.all(),
        "agenda_minutes": dialogue_round.agenda_items.aggregate(total=Sum("minutes"))["total"],
        "round_form": forms.get("round_form") or RoundForm(instance=dialogue_round),
        "agenda_form": forms.get("agenda_form") or AgendaItemForm(),
    }
    if kind in (Kind.INTERESTS, Kind.OPTIONS):
        context["interests"] = dialogue.interests.select_related("party")
    if kind == Kind.INTERESTS:
        context["interest_form"] = forms.get("interest_form") or PartyInterestForm(
            dialogue=dialogue
        )
    if kind in (Kind.OPTIONS, Kind.CONSEQUENCES):
        context["options"] = dialogue.options.select_related("consequence_test")
    if kind == Kind.OPTIONS:
        context["option_form"] = forms.get("option_form") or OptionForm()
    if kind == Kind.PACKAGING:
        context["package"] = dialogue.package.select_related("option__consequence_test")
        context["candidates"] = dialogue.options.filter(
            consequence_test__verdict=ConsequenceTest.Verdict.CARRY_FORWARD,
            package_item__isnull=True,
        )
    status = 400 if any(form.errors for form in forms.values()) else 200
    return render(request, "dialogues/design/round_detail.html", context, status=status)


@login_required
@require_GET
def round_detail(request, dialogue_id, kind):
    """Queries: session and user, the dialogue, permissions, the rounds, the agenda and its
    total, and the round's own outputs (one or two queries)."""
    dialogue = permissions.get_dialogue_for_user(request.user, dialogue_id)
    return _render_round(request, dialogue, _get_round(dialogue, kind))


@require_POST
@login_required
def round_update(request, dialogue_id, kind):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    dialogue_round = _get_round(dialogue, kind)
    form = RoundForm(request.POST, instance=dialogue_round)
    if form.is_valid():
        try:
            services.round_update(
                round=dialogue_round,
                actor=request.user,
                goals=form.cleaned_data["goals"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Round saved."))
            return _round_url(dialogue, kind)
    return _render_round(request, dialogue, dialogue_round, round_form=form)


@require_POST
@login_required
def agenda_add(request, dialogue_id, kind):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    dialogue_round = _get_round(dialogue, kind)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(round=dialogue_round, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _round_url(dialogue, kind)
    return _render_round(request, dialogue, dialogue_round, agenda_form=form)


@require_POST
@login_required
def agenda_remove(request, dialogue_id, item_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    try:
        item = AgendaItem.objects.select_related("round__dialogue").get(
            public_id=item_id, round__dialogue=dialogue
        )
    except AgendaItem.DoesNotExist as missing:
        raise Http404 from missing
    try:
        services.agenda_item_remove(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _round_url(dialogue, item.round.kind)


# --- Round (b): interests and constraints per party ---------------------------------------


def _get_child(queryset, public_id):
    try:
        return queryset.get(public_id=public_id)
    except queryset.model.DoesNotExist as missing:
        raise Http404 from missing


@require_POST
@login_required
def interest_add(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    form = PartyInterestForm(
        request.POST, dialogue=dialogue, instance=PartyInterest(dialogue=dialogue)
    )
    if form.is_valid():
        try:
            services.party_interest_save(interest=form.instance, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Interests and constraints recorded."))
            return _round_url(dialogue, Kind.INTERESTS)
    return _render_round(
        request, dialogue, _get_round(dialogue, Kind.INTERESTS), interest_form=form
    )


@login_required
def interest_edit(request, dialogue_id, interest_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    interest = _get_child(dialogue.interests.select_related("party"), interest_id)
    _can_edit, redact = _reader(request.user, dialogue)
    withheld = _withheld(redact, interest.interests, interest.constraints)
    form = PartyInterestForm(request.POST or None, dialogue=dialogue, instance=interest)
    if request.method == "POST" and form.is_valid():
        try:
            services.party_interest_save(interest=form.instance, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Interests and constraints saved."))
            return _round_url(dialogue, Kind.INTERESTS)
    return render(
        request,
        "dialogues/design/output_form.html",
        {
            "dialogue": dialogue,
            "form": form,
            "heading": _("Interests and constraints"),
            "back": Kind.INTERESTS,
            "redact": redact,
            "withheld": withheld,
        },
    )


@require_POST
@login_required
def interest_remove(request, dialogue_id, interest_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    interest = _get_child(dialogue.interests.all(), interest_id)
    try:
        services.party_interest_remove(interest=interest, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _round_url(dialogue, Kind.INTERESTS)


# --- Round (c): options -------------------------------------------------------------------


@require_POST
@login_required
def option_add(request, dialogue_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    form = OptionForm(request.POST, instance=Option(dialogue=dialogue))
    if form.is_valid():
        try:
            services.option_save(option=form.instance, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Option added."))
            return _round_url(dialogue, Kind.OPTIONS)
    return _render_round(request, dialogue, _get_round(dialogue, Kind.OPTIONS), option_form=form)


@login_required
def option_edit(request, dialogue_id, option_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    option = _get_child(dialogue.options.all(), option_id)
    _can_edit, redact = _reader(request.user, dialogue)
    withheld = _withheld(redact, *(getattr(option, f) for f in services.OPTION_TEXT_FIELDS))
    form = OptionForm(request.POST or None, instance=option)
    if request.method == "POST" and form.is_valid():
        try:
            services.option_save(option=form.instance, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Option saved."))
            return _round_url(dialogue, Kind.OPTIONS)
    return render(
        request,
        "dialogues/design/output_form.html",
        {
            "dialogue": dialogue,
            "form": form,
            "heading": _("Option"),
            "back": Kind.OPTIONS,
            "redact": redact,
            "withheld": withheld,
        },
    )


@require_POST
@login_required
def option_remove(request, dialogue_id, option_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    option = _get_child(dialogue.options.all(), option_id)
    try:
        services.option_remove(option=option, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Option removed."))
    return _round_url(dialogue, Kind.OPTIONS)


# --- Round (d): consequence tests ---------------------------------------------------------


@login_required
def consequence_test(request, dialogue_id, option_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    option = _get_child(dialogue.options.select_related("consequence_test"), option_id)
    existing = getattr(option, "consequence_test", None)
    _can_edit, redact = _reader(request.user, dialogue)
    withheld = existing is not None and _withheld(
        redact, *(getattr(existing, f) for f in services.CONSEQUENCE_TEXT_FIELDS)
    )
    form = ConsequenceTestForm(
        request.POST or None, instance=existing or ConsequenceTest(option=option)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.option_record_consequence_test(
                option=option, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Consequence test recorded."))
            return _round_url(dialogue, Kind.CONSEQUENCES)
    return render(
        request,
        "dialogues/design/consequence_test.html",
        {
            "dialogue": dialogue,
            "option": option,
            "form": form,
            "redact": redact,
            "withheld": withheld,
        },
    )


# --- Round (e): the package ---------------------------------------------------------------


@require_POST
@login_required
def package_add(request, dialogue_id, option_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    option = _get_child(dialogue.options.all(), option_id)
    try:
        services.package_add_option(option=option, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _can_edit, redact = _reader(request.user, dialogue)
        messages.success(
            request, _("“%(option)s” is in the package.") % {"option": redact(option.title)}
        )
    return _round_url(dialogue, Kind.PACKAGING)


@require_POST
@login_required
def package_move(request, dialogue_id, item_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    item = _get_child(dialogue.package.select_related("dialogue"), item_id)
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if direction is None:
        messages.error(request, _("Choose up or down."))
    else:
        try:
            services.package_move(item=item, direction=direction, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _round_url(dialogue, Kind.PACKAGING)


@require_POST
@login_required
def package_remove(request, dialogue_id, item_id):
    dialogue = permissions.get_dialogue_for_user(
        request.user, dialogue_id, permissions.DESIGN_DIALOGUES
    )
    item = _get_child(dialogue.package.select_related("dialogue"), item_id)
    try:
        services.package_remove(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _round_url(dialogue, Kind.PACKAGING)
