"""The output metrics page and communiqué adoptions. Programmes and adoptions come through
monitoring.permissions only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dialogues.services.attribution import reader_redactor
from monitoring.forms.indicators import PeriodFilterForm, link_label
from monitoring.forms.outputs import CommuniqueAdoptionForm
from monitoring.models import CommuniqueAdoption
from monitoring.permissions import (
    RECORD_INDICATORS,
    get_communique_adoption_for_user,
    get_programme_for_indicators,
    may_record_indicators,
)
from monitoring.services import outputs as services


def _step_lists(non_papers, redact):
    """For the recording form: each delivered non-paper's label and its numbered steps."""
    non_papers = list(non_papers)
    steps = services.non_paper_steps(non_papers)
    return [
        {
            "label": link_label(document, redact),
            "steps": [
                (number, redact(step["text"]))
                for number, step in enumerate(steps.get(document.pk, []), start=1)
            ],
        }
        for document in non_papers
    ]


def _add_service_errors(form, error):
    """Put a service's ValidationError on the form's fields it names, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _outputs_page(request, programme, *, filter_form, adoption_form=None, status=200):
    redact = reader_redactor(request.user, programme)
    context = {
        "programme": programme,
        "filter_form": filter_form,
        "metrics": None,
        "records": None,
        "may_record": may_record_indicators(request.user, programme),
    }
    if not (filter_form.is_bound and filter_form.errors):
        period = filter_form.period()
        context.update(
            period=period,
            metrics=services.programme_outputs(programme, period=period),
            records=services.programme_output_records(programme, period=period, redact=redact),
        )
    if context["may_record"]:
        non_papers = services.delivered_non_papers(programme)
        context.update(
            adoption_form=adoption_form
            or CommuniqueAdoptionForm(non_papers=non_papers, redact=redact),
            step_lists=_step_lists(non_papers, redact),
        )
    return render(request, "monitoring/outputs.html", context, status=status)


@login_required
@require_GET
def outputs(request, programme_id):
    """Non-papers delivered, pilots agreed and communiqué adoptions for a period, each with
    the records behind it; the form recording an adoption for recorders. A filter that does
    not validate shows the typed values and their errors, status 400, no figures.
    Queries: session, user, programme, permission checks (four), identity check (two, and
    the participants when names are withheld), the recorder check (two), the figures (one),
    the records behind them (three), for recorders the delivered non-papers, their steps and
    the form's choices, the menu's (two): 21 for an officer, 18 for a legal reviewer."""
    programme = get_programme_for_indicators(request.user, programme_id)
    filter_form = PeriodFilterForm(request.GET or None)
    if filter_form.is_bound and not filter_form.is_valid():
        filter_form.keep_typed_text()
        return _outputs_page(request, programme, filter_form=filter_form, status=400)
    return _outputs_page(request, programme, filter_form=filter_form)


@login_required
@require_POST
def communique_create(request, programme_id):
    """Record language a communiqué adopted from a delivered non-paper. Invalid input shows
    the outputs page again with everything typed kept, status 400."""
    programme = get_programme_for_indicators(request.user, programme_id, RECORD_INDICATORS)
    redact = reader_redactor(request.user, programme)
    form = CommuniqueAdoptionForm(
        request.POST, non_papers=services.delivered_non_papers(programme), redact=redact
    )
    if form.is_valid():
        try:
            created = services.communique_adoption_create(
                programme=programme, actor=request.user, **form.service_arguments()
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Communiqué adoption recorded."))
            return redirect("monitoring:communique_detail", created.public_id)
    form.keep_typed_text()
    return _outputs_page(
        request,
        programme,
        filter_form=PeriodFilterForm(),
        adoption_form=form,
        status=400,
    )


@login_required
@require_GET
def communique_detail(request, adoption_id):
    """One communiqué adoption: the communiqué, the adopted wording and the text of the
    steps it echoes, from the delivered version it points at. Queries: session, user,
    the adoption (access), permission checks, the adoption with its programme, non-paper,
    dialogue and recorder, identity check [participants], the version's head revision, the
    menu's."""
    adoption = get_communique_adoption_for_user(request.user, adoption_id)
    adoption = CommuniqueAdoption.objects.select_related(
        "programme", "non_paper__dialogue", "recorded_by"
    ).get(pk=adoption.pk)
    programme = adoption.programme
    redact = reader_redactor(request.user, programme)
    non_paper = adoption.non_paper
    steps = services.non_paper_steps([non_paper]).get(non_paper.pk, [])
    echoed = [
        {
            "number": number,
            "text": redact(steps[number - 1]["text"]),
            "who": redact(steps[number - 1]["who"]),
            "when": redact(steps[number - 1]["when"]),
            "how": redact(steps[number - 1]["how"]),
        }
        for number in adoption.echoed_steps
        if 1 <= number <= len(steps)
    ]
    context = {
        "programme": programme,
        "adoption": adoption,
        "shown": {
            "title": redact(adoption.title),
            "issuer": redact(adoption.issuer),
            "reference": redact(adoption.reference),
            "adopted_wording": redact(adoption.adopted_wording),
        },
        "non_paper": non_paper,
        "non_paper_label": link_label(non_paper, redact),
        "echoed": echoed,
        "recorded_by": adoption.recorded_by,
    }
    return render(request, "monitoring/communique_detail.html", context)
