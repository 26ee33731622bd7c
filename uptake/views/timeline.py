"""The uptake timeline of a non-paper, and the programme's overview of its uptake chain.

Versions come through uptake.permissions.get_non_paper_chain_for_user, programmes through
get_programme_chain_for_user. Free text (titles, step texts, notes) passes through the
viewer's Redactor; carriers and principals are not participants and are shown as they are."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dialogues.services.attribution import reader_redactor
from uptake.permissions import (
    ChainAction,
    get_non_paper_chain_for_user,
    get_programme_chain_for_user,
)
from uptake.services import ladder as ladder_services
from uptake.services import timeline as services
from uptake.views.documents import redactor_for

# Non-papers a page of the chain overview: a long programme's list stays readable, and the
# page's time does not grow with it.
CHAIN_PAGE_SIZE = 50


@login_required
@require_GET
def non_paper_timeline(request, document_id):
    """The whole story of a non-paper, every version, in time order: any version of the
    lineage shows all of it. Queries: session, user, version with dialogue and programme,
    permission check (two), identity check (two), [roster], the versions, their events,
    verdicts, briefings, feedback, pilots, proof-points and ladder counts, the menu's roles."""
    document, _allowed = get_non_paper_chain_for_user(request.user, document_id)
    _show_identity, redact = redactor_for(request.user, document)
    timeline = services.non_paper_timeline(document, redact=redact)
    latest = timeline.versions[-1]
    return render(
        request,
        "uptake/timeline/timeline.html",
        {
            "dialogue": document.dialogue,
            "dialogue_title": redact(document.dialogue.title),
            "document": latest,
            "shown_title": redact(latest.title),
            "timeline": timeline,
            "stage_labels": services.ChainStage,
        },
    )


@login_required
@require_GET
def chain_overview(request, programme_id):
    """Every non-paper of the programme with its current link in the chain
    (services.chain_stage), CHAIN_PAGE_SIZE a page by dialogue then title, and every
    overdue commitment. Queries: session, user, programme, permission check (two),
    identity check (two), [participants], the non-papers with their facts, the overdue
    commitments, the menu's roles."""
    programme, allowed = get_programme_chain_for_user(request.user, programme_id)
    redact = reader_redactor(request.user, programme)
    today = ladder_services.programme_today(programme)
    rows = services.programme_chain(programme, redact=redact, today=today)
    overdue = ladder_services.overdue_commitments(programme, today=today)
    for commitment in overdue:
        commitment.shown_what = redact(commitment.what)
        commitment.shown_owner = redact(commitment.owner)
        commitment.shown_title = redact(commitment.document.title)
    return render(
        request,
        "uptake/timeline/overview.html",
        {
            "programme": programme,
            "page": Paginator(rows, CHAIN_PAGE_SIZE).get_page(request.GET.get("page")),
            "overdue": overdue,
            "today": today,
            "can_manage": ChainAction.MANAGE in allowed,
        },
    )
