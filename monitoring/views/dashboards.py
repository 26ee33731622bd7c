"""Dashboards: the officers' view of every metric, and the donors' results (aggregates only,
suppressed) with the same results as a PDF report. Programmes come through
monitoring.permissions only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from dialogues.services.attribution import actor_sees_identity, reader_redactor
from monitoring.forms.indicators import ActivityFilterForm
from monitoring.permissions import get_programme_for_monitoring, get_programme_for_results
from monitoring.services import dashboard as dashboard_services
from monitoring.services import results_snapshots


@login_required
@require_GET
def results(request, programme_id):
    """The programme's results as its donors see them: activity and output counts (people
    counted with small-cell suppression), indicators against targets with charts, outcome
    records and the expectations the programme set. Always the programme to date: letting a
    donor choose periods would let them subtract one from another and find the small groups
    suppression hides. Served from the kept page while the data behind it is unchanged
    (monitoring.services.results_snapshots). Queries: session, user, programme, permission
    checks, the snapshot (those of donor_results when it is out of date), the menu's."""
    programme = get_programme_for_results(request.user, programme_id)
    context = {"programme": programme, "page": results_snapshots.results_page(programme)}
    return render(request, "monitoring/results/page.html", context)


@login_required
@require_GET
def results_pdf(request, programme_id):
    """The results page as an A4 PDF report: the same page, so both say the same."""
    programme = get_programme_for_results(request.user, programme_id)
    from monitoring.pdf import render_donor_report  # WeasyPrint is slow to import
    from uptake.render_processes import PdfRenderFailed

    try:
        report = render_donor_report(programme.name, results_snapshots.results_page(programme))
    except PdfRenderFailed as failed:
        messages.error(request, failed.message)
        return redirect("monitoring:results", programme_id=programme.public_id)
    response = HttpResponse(report.content, content_type="application/pdf")
    filename = (
        f"{slugify(programme.name) or 'programme'}-results-{timezone.localdate():%Y-%m-%d}.pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def dashboard(request, programme_id):
    """Every metric of the programme for its team, narrowed by dialogue and period:
    activity, outputs, indicators against targets with charts, outcomes and learning, the
    uptake chain by stage with overdue commitments, and the risk register's checks. An
    invalid filter shows the form with its errors, status 400, no figures.

    Opened with no filter, the page is served from its kept copy for the reader's class
    (names shown or withheld) while the data behind it is unchanged
    (monitoring.services.results_snapshots). Queries: session, user, programme, permission
    checks, the kept page (those of officer_dashboard when it is out of date), the
    menu's. Filtered: the dialogues, [the participants, when names are withheld], those of
    officer_dashboard."""
    programme = get_programme_for_monitoring(request.user, programme_id)
    if not request.GET:
        page = results_snapshots.dashboard_page(
            programme, show_identity=actor_sees_identity(request.user, programme)
        )
        return render(request, "monitoring/dashboard.html", {"programme": programme, "page": page})
    dialogues = list(programme.dialogues.in_workflow_order().only("pk", "public_id", "title"))
    redact = reader_redactor(request.user, programme)
    form = ActivityFilterForm(request.GET, dialogues=dialogues, redact=redact)
    context = {"programme": programme, "form": form, "board": None, "query": ""}
    if not form.is_valid():
        form.keep_typed_text()
        return render(request, "monitoring/dashboard.html", context, status=400)
    context["query"] = request.GET.urlencode()
    context["board"] = dashboard_services.officer_dashboard(
        programme,
        redact=redact,
        dialogue=form.selected_dialogue(),
        period=form.period(),
        dialogues=dialogues,
    )
    return render(request, "monitoring/dashboard.html", context)
