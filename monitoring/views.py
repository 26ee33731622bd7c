"""Monitoring pages. Programmes come through monitoring.permissions only."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from monitoring.forms import ActivityFilterForm
from monitoring.permissions import get_programme_for_monitoring
from monitoring.services import activity as activity_metrics


# Dates outside these years cannot be placed on a programme's calendar reliably.
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
    the seven of monitoring.services.activity.programme_activity, the menu's roles and
    unread notifications."""
    programme = get_programme_for_monitoring(request.user, programme_id)
    dialogues = list(programme.dialogues.in_workflow_order().only("pk", "public_id", "title"))
    form = ActivityFilterForm(request.GET or None, dialogues=dialogues)
    context = {"programme": programme, "form": form, "report": None}
    if form.is_bound and not form.is_valid():
        form.keep_typed_text()
        return render(request, "monitoring/activity.html", context, status=400)
    selected, period = (
        (form.selected_dialogue(), form.period())
        if form.is_bound
        else (None, activity_metrics.Period())
    )
    report = activity_metrics.programme_activity(programme, dialogue=selected, period=period)
    context.update(
        report=report,
        selected_dialogue=selected,
        breakdown_tables=_breakdown_tables(report),
    )
    return render(request, "monitoring/activity.html", context)
