"""The risk register: risks, the consent and confidentiality checks, expectation statements
and, for facilitators and programme officers only, the red lines. Programmes and risks come
through monitoring.permissions only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues.forms import add_service_errors
from dialogues.services.attribution import reader_redactor
from monitoring.forms.risks import ExpectationStatementForm, RedLineForm, RiskForm
from monitoring.permissions import (
    RECORD_RISKS,
    get_programme_for_red_lines,
    get_programme_for_risks,
    get_risk_for_user,
    may_read_red_lines,
    may_record_indicators,
)
from monitoring.services import risks as services
from uptake.services.ladder import programme_today


def _register_page(
    request,
    programme,
    *,
    risk_form=None,
    red_line_form=None,
    expectation_form=None,
    status=200,
):
    may_record = may_record_indicators(request.user, programme)
    shows_red_lines = may_read_red_lines(request.user, programme)
    # Texts were checked for names when saved, but a participant registered later can make
    # an old text name someone: withhold them from readers without identity rights.
    redact = reader_redactor(request.user, programme)
    risks = services.register_risks(programme)
    for risk in risks:
        risk.shown_title, risk.shown_mitigation = redact(risk.title), redact(risk.mitigation)
    expectations = list(programme.expectation_statements.all())
    for expectation in expectations:
        expectation.shown_audience = redact(expectation.audience)
        expectation.shown_statement = redact(expectation.statement)
    context = {
        "programme": programme,
        "risks": risks,
        "today": programme_today(programme),
        "checks": services.confidentiality_checks(programme, viewer=request.user, redact=redact),
        "expectations": expectations,
        "may_record": may_record,
        "shows_red_lines": shows_red_lines,
        "red_lines": list(programme.red_lines.all()) if shows_red_lines else [],
    }
    if may_record:
        context.update(
            risk_form=risk_form or RiskForm(owners=services.risk_owners(programme)),
            expectation_form=expectation_form or ExpectationStatementForm(),
        )
    if shows_red_lines:
        context["red_line_form"] = red_line_form or RedLineForm()
    return render(request, "monitoring/risk_register.html", context, status=status)


@login_required
@require_GET
def risk_register(request, programme_id):
    """The register: risks by score then review date, the computed checks, expectation
    statements, the red lines for facilitators and programme officers, and the forms for
    those who record.

    Queries: session, user, programme, permission checks, the risks with their owners, the
    checks' (monitoring.services.risks.confidentiality_checks: the identity check, the
    consent counts, [the places without consent], the unclassified documents, the crowded
    aide-mémoires, [the viewer's named aide-mémoires], [the participants, to withhold
    names]), the expectation statements, the recorder and red-line checks, [the red lines],
    [the owners for the form], the menu's. None grows with the data."""
    programme = get_programme_for_risks(request.user, programme_id)
    return _register_page(request, programme)


@login_required
@require_POST
def risk_create(request, programme_id):
    programme = get_programme_for_risks(request.user, programme_id, RECORD_RISKS)
    form = RiskForm(request.POST, owners=services.risk_owners(programme))
    if form.is_valid():
        try:
            risk = services.risk_create(
                programme=programme, actor=request.user, **form.risk_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk “%(title)s” added.") % {"title": risk.title})
            return redirect(_risk_anchor(risk))
    form.keep_typed_text()
    return _register_page(request, programme, risk_form=form, status=400)


def _risk_anchor(risk):
    url = reverse("monitoring:risk_register", args=[risk.programme.public_id])
    return f"{url}#risk-{risk.public_id}"


def _detail_page(request, risk, *, form=None, status=200):
    may_record = may_record_indicators(request.user, risk.programme)
    redact = reader_redactor(request.user, risk.programme)
    risk.shown_title = redact(risk.title)
    risk.shown_description = redact(risk.description)
    risk.shown_mitigation = redact(risk.mitigation)
    context = {
        "programme": risk.programme,
        "risk": risk,
        "today": programme_today(risk.programme),
        "reviews": list(risk.review_reminders.order_by("-due_on", "-pk")),
        "may_record": may_record and risk.status == risk.Status.OPEN,
    }
    # Filled in, the form would show the names withheld above; a form sent back holds only
    # what was typed.
    context["withheld"] = (risk.shown_title, risk.shown_description, risk.shown_mitigation) != (
        risk.title,
        risk.description,
        risk.mitigation,
    )
    if context["may_record"] and (form is not None or not context["withheld"]):
        context["form"] = form or RiskForm.for_risk(
            risk, owners=services.risk_owners(risk.programme)
        )
    return render(request, "monitoring/risk_detail.html", context, status=status)


@login_required
@require_GET
def risk_detail(request, risk_id):
    """One risk in full, its past review reminders, and the edit and close forms for
    recorders while it is open."""
    risk = get_risk_for_user(request.user, risk_id)
    return _detail_page(request, risk)


@login_required
@require_POST
def risk_update(request, risk_id):
    risk = get_risk_for_user(request.user, risk_id, RECORD_RISKS)
    if risk.status != risk.Status.OPEN:
        messages.error(request, _("This risk is closed. Record a new risk if it has come back."))
        return _detail_page(request, risk, status=400)
    form = RiskForm(request.POST, owners=services.risk_owners(risk.programme))
    if form.is_valid():
        try:
            risk = services.risk_update(
                risk=risk,
                actor=request.user,
                expected_updated_at=form.cleaned_data["version"],
                **form.risk_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk “%(title)s” saved.") % {"title": risk.title})
            return redirect(_risk_anchor(risk))
    form.keep_typed_text()
    return _detail_page(request, risk, form=form, status=400)


@login_required
@require_POST
def risk_close(request, risk_id):
    risk = get_risk_for_user(request.user, risk_id, RECORD_RISKS)
    try:
        risk = services.risk_close(risk=risk, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail_page(request, risk, status=400)
    messages.success(request, _("Risk “%(title)s” closed.") % {"title": risk.title})
    return redirect(_risk_anchor(risk))


@login_required
@require_POST
def red_line_create(request, programme_id):
    """Record a red line: facilitators and programme officers only, everyone else a 404."""
    programme = get_programme_for_red_lines(request.user, programme_id)
    form = RedLineForm(request.POST)
    if form.is_valid():
        try:
            services.red_line_create(programme=programme, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Never the red line's text: messages are stored in the session.
            messages.success(request, _("Red line recorded."))
            url = reverse("monitoring:risk_register", args=[programme.public_id])
            return redirect(f"{url}#red-lines")
    return _register_page(request, programme, red_line_form=form, status=400)


@login_required
@require_POST
def expectation_statement_create(request, programme_id):
    programme = get_programme_for_risks(request.user, programme_id, RECORD_RISKS)
    form = ExpectationStatementForm(request.POST)
    if form.is_valid():
        try:
            services.expectation_statement_create(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Expectation statement recorded."))
            url = reverse("monitoring:risk_register", args=[programme.public_id])
            return redirect(f"{url}#expectations")
    form.keep_typed_text()
    return _register_page(request, programme, expectation_form=form, status=400)
