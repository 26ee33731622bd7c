"""Monitoring pages. Programmes come through monitoring.permissions only."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues.services.attribution import reader_redactor
from monitoring.forms.indicators import (
    ActivityFilterForm,
    IndicatorForm,
    LearningEntryForm,
    OutcomeRecordForm,
    TargetForm,
    ValueForm,
    link_label,
)
from monitoring.permissions import (
    RECORD_INDICATORS,
    get_indicator_for_user,
    get_outcome_for_user,
    get_programme_for_indicators,
    get_programme_for_monitoring,
    may_record_indicators,
)
from monitoring.services import activity as activity_metrics
from monitoring.services import indicators as indicator_services
from monitoring.services import outcomes as outcome_services
from uptake.models import Document
from uptake.services.ladder import programme_today


def _breakdown_tables(report):
    """The four balance tables: a programme total row, then a row per dialogue."""
    tables = [
        (
            "participant-gender",
            _("Gender of participants"),
            "participant_gender",
            _("Confirmed participants by gender"),
        ),
        (
            "participant-category",
            _("Category of participants"),
            "participant_category",
            _("Confirmed participants by category"),
        ),
        (
            "attendance-gender",
            _("Gender of attendance"),
            "attendance_gender",
            _("Attendance at held sessions by gender"),
        ),
        (
            "attendance-category",
            _("Category of attendance"),
            "attendance_category",
            _("Attendance at held sessions by category"),
        ),
    ]
    return [
        {
            "id": table_id,
            "heading": heading,
            "caption": caption,
            "is_attendance": attribute.startswith("attendance"),
            "total": getattr(report.total, attribute),
            "rows": [(row.title, getattr(row.metrics, attribute)) for row in report.dialogues],
        }
        for table_id, heading, attribute, caption in tables
    ]


@login_required
@require_GET
def activity(request, programme_id):
    """Activity metrics computed from sessions, rosters and attendance, for the programme
    and per dialogue, narrowed by a GET filter (dialogue, period). A filter that does not
    validate shows the form with the typed values and its errors, status 400, no figures.
    Queries: session, user, programme, permission check (two), the dialogues for the filter,
    the identity check (two) and, without identity, the participants whose names to
    withhold from the titles, the seven of monitoring.services.activity.programme_activity,
    the menu's roles and unread notifications."""
    programme = get_programme_for_monitoring(request.user, programme_id)
    dialogues = list(programme.dialogues.in_workflow_order().only("pk", "public_id", "title"))
    redact = reader_redactor(request.user, programme)
    form = ActivityFilterForm(request.GET or None, dialogues=dialogues, redact=redact)
    context = {"programme": programme, "form": form, "report": None, "redact": redact}
    if form.is_bound and not form.is_valid():
        form.keep_typed_text()
        return render(request, "monitoring/activity.html", context, status=400)
    selected, period = (
        (form.selected_dialogue(), form.period())
        if form.is_bound
        else (None, activity_metrics.Period())
    )
    report = activity_metrics.programme_activity(programme, dialogue=selected, period=period)
    report = dataclasses.replace(
        report,
        dialogues=tuple(
            dataclasses.replace(row, title=redact(row.title)) for row in report.dialogues
        ),
    )
    context.update(
        report=report,
        selected_dialogue=selected,
        breakdown_tables=_breakdown_tables(report),
    )
    return render(request, "monitoring/activity.html", context)


# --- Outcome indicators ------------------------------------------------------------------------


def _indicator_list_page(request, programme, *, form=None, status=200):
    context = {
        "programme": programme,
        "summaries": indicator_services.programme_indicator_summaries(
            programme, programme_today(programme)
        ),
        "may_record": may_record_indicators(request.user, programme),
        "form": form or IndicatorForm(),
    }
    return render(request, "monitoring/indicator_list.html", context, status=status)


@login_required
@require_GET
def indicator_list(request, programme_id):
    """The programme's indicators with baseline, latest value, current target and on-track
    flag. Queries: session, user, programme, permission checks, the three of
    programme_indicator_summaries, the recorder check, the menu's."""
    programme = get_programme_for_indicators(request.user, programme_id)
    return _indicator_list_page(request, programme)


@login_required
@require_POST
def indicator_create(request, programme_id):
    programme = get_programme_for_indicators(request.user, programme_id, RECORD_INDICATORS)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            created = indicator_services.indicator_create(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Indicator “%(name)s” added.") % {"name": created.name})
            return redirect("monitoring:indicator_detail", created.public_id)
    return _indicator_list_page(request, programme, form=form, status=400)


# The texts of an indicator's values, shown on its page with names withheld.
VALUE_TEXT_FIELDS = ("evidence", "comment", "disaggregation")


def _indicator_detail_page(request, indicator, *, target_form=None, value_form=None, status=200):
    redact = reader_redactor(request.user, indicator.programme)
    progress = indicator_services.indicator_progress(indicator)
    changes = {}
    for change in indicator.target_changes.select_related("changed_by"):
        changes.setdefault(change.target_id, []).append(change)
    context = {
        "programme": indicator.programme,
        "indicator": indicator,
        "progress": [(row, changes.get(row.target.pk, [])) for row in progress],
        "values": [
            _withhold_names(value, VALUE_TEXT_FIELDS, redact) for value in indicator.values.all()
        ],
        "may_record": may_record_indicators(request.user, indicator.programme),
        "target_form": target_form or TargetForm(),
        "value_form": value_form or ValueForm(),
    }
    return render(request, "monitoring/indicator_detail.html", context, status=status)


@login_required
@require_GET
def indicator_detail(request, indicator_id):
    """Definition, targets with their change history, values, and the recording forms."""
    indicator = get_indicator_for_user(request.user, indicator_id)
    return _indicator_detail_page(request, indicator)


@login_required
@require_POST
def indicator_target_set(request, indicator_id):
    indicator = get_indicator_for_user(request.user, indicator_id, RECORD_INDICATORS)
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            indicator_services.target_set(
                indicator=indicator,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"] or None,
                explanation=form.cleaned_data["explanation"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Target saved."))
            return redirect("monitoring:indicator_detail", indicator.public_id)
    form.keep_typed_text()
    return _indicator_detail_page(request, indicator, target_form=form, status=400)


@login_required
@require_POST
def indicator_value_record(request, indicator_id):
    indicator = get_indicator_for_user(request.user, indicator_id, RECORD_INDICATORS)
    form = ValueForm(request.POST)
    if form.is_valid():
        try:
            indicator_services.indicator_value_record(
                indicator=indicator, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Value recorded."))
            return redirect("monitoring:indicator_detail", indicator.public_id)
    form.keep_typed_text()
    return _indicator_detail_page(request, indicator, value_form=form, status=400)


def _add_service_errors(form, error):
    """Put a service's ValidationError on the form's fields it names, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Outcome records and learning -------------------------------------------------------------


# Prefetches for the links of outcome records and learning entries: one query each.
_LINK_PREFETCHES = (
    "indicators",
    "dialogues",
    Prefetch("documents", queryset=Document.objects.select_related("dialogue")),
    "pilots",
)


def _withhold_names(entry, fields, redact):
    """Pass the entry's `fields` through `redact`, on this instance only (it is never saved).
    The services refuse texts naming a participant, but a person who joins the register after
    a text was written is named in it all the same; the exports withhold them too."""
    for name in fields:
        setattr(entry, name, redact(getattr(entry, name)))
    return entry


def _with_links(entries, redact, text_fields):
    """(entry, [label, ...]) for each entry, from prefetched links, with names withheld from
    its `text_fields` for a reader who may not see identities."""
    return [
        (
            _withhold_names(entry, text_fields, redact),
            [
                link_label(obj, redact)
                for name in outcome_services.LINK_FIELDS
                for obj in getattr(entry, name).all()
            ],
        )
        for entry in entries
    ]


def _outcome_list_page(request, programme, *, form=None, status=200):
    redact = reader_redactor(request.user, programme)
    records = programme.outcome_records.select_related("recorded_by").prefetch_related(
        *_LINK_PREFETCHES
    )
    context = {
        "programme": programme,
        "records": _with_links(records, redact, outcome_services.OUTCOME_TEXT_FIELDS),
        "may_record": may_record_indicators(request.user, programme),
        "form": form
        or OutcomeRecordForm(linkable=outcome_services.linkable_objects(programme), redact=redact),
    }
    return render(request, "monitoring/outcome_list.html", context, status=status)


@login_required
@require_GET
def outcome_list(request, programme_id):
    """The programme's outcome records, newest first, with their links; the add form for
    recorders. Queries: session, user, programme, permission checks, the identity check
    (and the participants when names are withheld), the records with their recorders, one
    per link kind, the recorder check, the form's four link choices, the menu's."""
    programme = get_programme_for_indicators(request.user, programme_id)
    return _outcome_list_page(request, programme)


@login_required
@require_POST
def outcome_create(request, programme_id):
    programme = get_programme_for_indicators(request.user, programme_id, RECORD_INDICATORS)
    redact = reader_redactor(request.user, programme)
    form = OutcomeRecordForm(
        request.POST, linkable=outcome_services.linkable_objects(programme), redact=redact
    )
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            created = outcome_services.outcome_record_create(
                programme=programme, actor=request.user, **fields, **form.links()
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("monitoring:outcome_detail", created.public_id)
    form.keep_typed_text()
    return _outcome_list_page(request, programme, form=form, status=400)


@login_required
@require_GET
def outcome_detail(request, outcome_id):
    """One outcome record in full, with its links."""
    record = get_outcome_for_user(request.user, outcome_id)
    redact = reader_redactor(request.user, record.programme)
    record = (
        type(record)
        .objects.select_related("programme", "recorded_by")
        .prefetch_related(*_LINK_PREFETCHES)
        .get(pk=record.pk)
    )
    [(record, links)] = _with_links([record], redact, outcome_services.OUTCOME_TEXT_FIELDS)
    context = {"programme": record.programme, "record": record, "links": links}
    return render(request, "monitoring/outcome_detail.html", context)


def _learning_list_page(request, programme, *, form=None, status=200):
    redact = reader_redactor(request.user, programme)
    entries = programme.learning_entries.select_related("recorded_by").prefetch_related(
        *_LINK_PREFETCHES
    )
    context = {
        "programme": programme,
        "entries": _with_links(entries, redact, outcome_services.LEARNING_TEXT_FIELDS),
        "may_record": may_record_indicators(request.user, programme),
        "form": form
        or LearningEntryForm(linkable=outcome_services.linkable_objects(programme), redact=redact),
    }
    return render(request, "monitoring/learning_list.html", context, status=status)


@login_required
@require_GET
def learning_list(request, programme_id):
    """The learning log, newest first, with links; the add form for recorders. Queries as
    outcome_list."""
    programme = get_programme_for_indicators(request.user, programme_id)
    return _learning_list_page(request, programme)


@login_required
@require_POST
def learning_create(request, programme_id):
    programme = get_programme_for_indicators(request.user, programme_id, RECORD_INDICATORS)
    redact = reader_redactor(request.user, programme)
    form = LearningEntryForm(
        request.POST, linkable=outcome_services.linkable_objects(programme), redact=redact
    )
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            outcome_services.learning_entry_create(
                programme=programme, actor=request.user, **fields, **form.links()
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Learning entry added."))
            return redirect("monitoring:learning_list", programme.public_id)
    return _learning_list_page(request, programme, form=form, status=400)
