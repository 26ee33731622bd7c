"""The conflict-and-dialogue map of a programme: actors, the table of actor-pair relations as
they stand, each pair's history, and the table as CSV in both directions. Team members who
see dialogues read it; those who design dialogues change it."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from dialogues import permissions
from dialogues.forms import add_service_errors
from dialogues.forms.actor_map import (
    ActorForm,
    ActorMapImportForm,
    MapFilterForm,
    RelationForm,
)
from dialogues.models import Actor, ActorRelation
from dialogues.services import actor_map as services


def _programme(request, programme_id, perm=permissions.VIEW_DIALOGUES):
    return permissions.get_programme_for_user(
        request.user, programme_id, perm, visible_with=permissions.VIEW_DIALOGUES
    )


def _may_design(user, programme):
    checker = permissions.programme_permission_checker(user, [programme])
    return checker.has_perm(permissions.DESIGN_DIALOGUES, programme)


def _actor_in(programme, actor_id):
    try:
        return programme.actors.get(public_id=actor_id)
    except Actor.DoesNotExist as missing:
        raise Http404 from missing


def _with_alliances(relations):
    """Relations with both actors and their alliances loaded, for names like
    "Sarn Liberation Front (Northern Alliance)" without a query per row."""
    return relations.select_related("actor_a", "actor_b").prefetch_related(
        "actor_a__alliances", "actor_b__alliances"
    )


@login_required
@require_GET
def actor_list(request, programme_id):
    """Every actor on the map. Queries: programme, permissions, actors, their alliances,
    alliances' members."""
    programme = _programme(request, programme_id)
    actors = programme.actors.prefetch_related("alliances", "members")
    return render(
        request,
        "dialogues/actor_map/actor_list.html",
        {
            "programme": programme,
            "actors": actors,
            "may_design": _may_design(request.user, programme),
        },
    )


@login_required
def actor_create(request, programme_id):
    programme = _programme(request, programme_id, permissions.DESIGN_DIALOGUES)
    form = ActorForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.actor_create(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is on the map.") % {"name": created.name})
            return redirect("dialogues:actor_list", programme_id=programme.public_id)
    return render(
        request, "dialogues/actor_map/actor_form.html", {"programme": programme, "form": form}
    )


@login_required
def actor_edit(request, programme_id, actor_id):
    programme = _programme(request, programme_id, permissions.DESIGN_DIALOGUES)
    subject = _actor_in(programme, actor_id)
    form = ActorForm(request.POST or None, programme=programme, subject=subject)
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.actor_update(
                map_actor=subject, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": updated.name})
            return redirect("dialogues:actor_list", programme_id=programme.public_id)
    return render(
        request,
        "dialogues/actor_map/actor_form.html",
        {"programme": programme, "form": form, "subject": subject},
    )


def _current_map(programme, filters):
    relations = ActorRelation.objects.filter(programme=programme).current()
    if "actor" in filters:
        relations = relations.filter(Q(actor_a=filters["actor"]) | Q(actor_b=filters["actor"]))
    if "conflict_status" in filters:
        relations = relations.filter(conflict_status=filters["conflict_status"])
    if "dialogue_status" in filters:
        relations = relations.filter(dialogue_status=filters["dialogue_status"])
    return relations


@login_required
@require_GET
def actor_map(request, programme_id):
    """The map as it stands: the current state of each actor pair, filtered by GET
    parameters. With htmx, answers with the results only. Queries: programme, permissions,
    the filter's actor (when one is chosen), relations, both sides' alliances, the actor
    choices."""
    programme = _programme(request, programme_id)
    filter_form = MapFilterForm(request.GET, programme=programme)
    filters = filter_form.filters()
    relations = list(_with_alliances(_current_map(programme, filters)))
    context = {
        "programme": programme,
        "filter_form": filter_form,
        "filtered": bool(filters),
        "relations": relations,
        "query": request.GET.urlencode(),
        "may_design": _may_design(request.user, programme),
    }
    # A history restore wants the whole page back, not the fragment.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "dialogues/actor_map/map.html#map-view", context)
    else:
        response = render(request, "dialogues/actor_map/map.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def actor_map_export(request, programme_id):
    """The map table as CSV, with the same filters as the page. Queries: programme,
    permissions, the filter's actor (when one is chosen), relations."""
    programme = _programme(request, programme_id)
    filters = MapFilterForm(request.GET, programme=programme).filters()
    relations = _current_map(programme, filters).select_related("actor_a", "actor_b")
    filename = f"actor-map-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte order mark tells spreadsheets the file is UTF-8.
    response.write("\ufeff")
    csv.writer(response).writerows(services.actor_map_csv_rows(relations))
    return response


@login_required
def actor_map_import(request, programme_id):
    """A page explaining the CSV format, and the upload. A file with any bad row is refused
    whole, with each bad line listed; a good one is recorded in one transaction."""
    programme = _programme(request, programme_id, permissions.DESIGN_DIALOGUES)
    if request.method == "POST":
        form = ActorMapImportForm(request.POST, request.FILES, programme=programme)
    else:
        form = ActorMapImportForm(programme=programme)
    if form.is_bound and form.is_valid():
        try:
            recorded, replaced = services.actor_map_import(
                programme=programme, rows=form.cleaned_data["csv_file"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = ngettext(
                "%(count)s state recorded.", "%(count)s states recorded.", recorded
            ) % {"count": recorded}
            if replaced:
                message += " " + ngettext(
                    "%(count)s of them corrected the state already recorded for that day.",
                    "%(count)s of them corrected the states already recorded for those days.",
                    replaced,
                ) % {"count": replaced}
            messages.success(request, message)
            return redirect("dialogues:actor_map", programme_id=programme.public_id)
    return render(
        request,
        "dialogues/actor_map/import.html",
        {
            "programme": programme,
            "form": form,
            "header": services.csv_header(),
            "conflict_statuses": ActorRelation.ConflictStatus.choices,
            "dialogue_statuses": ActorRelation.DialogueStatus.choices,
        },
    )


@login_required
def relation_record(request, programme_id):
    """Record the state of an actor pair as of a date. GET parameters actor_one and
    actor_two (public ids) preselect the pair, as the history page links do."""
    programme = _programme(request, programme_id, permissions.DESIGN_DIALOGUES)
    initial = {name: request.GET.get(name) for name in ("actor_one", "actor_two")}
    form = RelationForm(request.POST or None, programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            relation, created = services.actor_relation_record(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            pair = {"one": relation.actor_a.name, "two": relation.actor_b.name}
            date = relation.as_of.isoformat()
            if created:
                message = _("State of %(one)s and %(two)s as of %(date)s recorded.")
            else:
                message = _("State of %(one)s and %(two)s as of %(date)s corrected.")
            messages.success(request, message % {**pair, "date": date})
            return redirect(
                "dialogues:relation_history",
                programme_id=programme.public_id,
                actor_one_id=relation.actor_a.public_id,
                actor_two_id=relation.actor_b.public_id,
            )
    return render(
        request, "dialogues/actor_map/relation_form.html", {"programme": programme, "form": form}
    )


@login_required
@require_GET
def relation_history(request, programme_id, actor_one_id, actor_two_id):
    """Every dated state of one actor pair, newest first. Queries: programme, permissions,
    the two actors, their alliances, the states with who recorded them."""
    programme = _programme(request, programme_id)
    pair = list(
        programme.actors.filter(public_id__in=[actor_one_id, actor_two_id]).prefetch_related(
            "alliances"
        )
    )
    if len(pair) != 2:
        raise Http404
    first, second = sorted(pair, key=lambda member: member.pk)
    states = (
        ActorRelation.objects.filter(actor_a=first, actor_b=second)
        .select_related("recorded_by")
        .order_by("-as_of")
    )
    return render(
        request,
        "dialogues/actor_map/relation_history.html",
        {
            "programme": programme,
            "actor_a": first,
            "actor_b": second,
            "states": states,
            "may_design": _may_design(request.user, programme),
        },
    )
