"""Output metrics of a programme (non-papers delivered, pilots agreed, language adopted in
communiqués) and the record of a communiqué adoption.

The first two are counted from the uptake chain, never typed in; the third counts the
CommuniqueAdoption records officers and facilitators make here. Callers check access first
(monitoring.permissions); these functions trust the programme they are given.

Definitions (the outputs page repeats them in plain words):

- *Non-papers delivered*: the non-paper versions (uptake Document, kind non-paper) of the
  programme's dialogues whose status is delivered, each dated by the day of its delivery
  (`delivered_at`) on the programme's calendar (uptake.services.ladder.programme_zone).
  Every delivered version counts once: version 2, delivered after Track I feedback, is a
  delivery of its own. Delivered is final (Document.TRANSITIONS), so the figure for a past
  period never falls. A delivered version without a delivery time (only a row written
  outside the services) has no date: it counts when no period is set, never in a period.
- *Pilots agreed*: the micro-pilots proposed from the programme's non-papers that reached
  agreement. Pilot.TRANSITIONS reaches agreed, running and completed only through agreement,
  so those three statuses count. A stopped pilot counts only when it has a proof-point:
  proof-points are recorded only while a pilot runs or after it completes
  (uptake.services.pilots.proof_point_add), so such a pilot was agreed. Nothing records
  whether a pilot stopped without proof-points was stopped before or after its agreement
  (no agreement date, no status history), so it is left out: the figure may be low, never
  high. A pilot counts on the day it is known to have been agreed by: the agreement itself
  has no recorded date, so that is the day of its do-no-harm check (`do_no_harm_at`, on the
  programme's calendar), which is recorded while the pilot is proposed, is required before
  it is agreed (constraint uptake_pilot_agreed_after_do_no_harm) and never changes
  afterwards; or, for a pilot that ran (running, completed, or stopped with a proof-point),
  its start day (`starts_on`) when that is earlier: it was agreed before it started, so a
  check logged after the fact (a pilot recorded once under way) does not move it into a
  later period.
- *Communiqué adoptions*: CommuniqueAdoption records of the programme, each counted once
  however many steps it echoes, dated by the day the communiqué or statement was issued
  (`issued_on`, a calendar date).

A *period* keeps what is dated between its first and last day, both included; an open side
keeps everything on that side.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dialogues.models import Programme
from dialogues.services.attribution import name_refusals
from monitoring.models import CommuniqueAdoption
from monitoring.services.activity import Period, period_bounds
from uptake import content as document_content
from uptake.models import Document, Pilot, ProofPoint, Revision
from uptake.services.ladder import programme_today, programme_zone

PilotStatus = Pilot.Status

# Statuses a pilot reaches only through agreement (Pilot.TRANSITIONS).
AGREED_STATUSES = (PilotStatus.AGREED, PilotStatus.RUNNING, PilotStatus.COMPLETED)
# Statuses of a counted pilot that ran (a stopped one counts only with a proof-point).
RAN_STATUSES = (PilotStatus.RUNNING, PilotStatus.COMPLETED, PilotStatus.STOPPED)
ADOPTION_TEXT_FIELDS = ("title", "issuer", "reference", "adopted_wording")


@dataclass(frozen=True)
class OutputMetrics:
    non_papers_delivered: int
    pilots_agreed: int
    communique_adoptions: int


@dataclass(frozen=True)
class DeliveredNonPaper:
    """A delivered non-paper version behind the "non-papers delivered" figure."""

    public_id: object
    title: str
    version: int
    dialogue_title: str
    delivered_on: datetime.date | None


@dataclass(frozen=True)
class AgreedPilot:
    """A pilot behind the "pilots agreed" figure; `step_number` is 1-based (None: the
    non-paper as a whole)."""

    public_id: object
    title: str
    status: str
    status_label: str
    counted_on: datetime.date | None
    step_number: int | None
    non_paper_public_id: object
    non_paper_title: str
    non_paper_version: int
    dialogue_title: str


@dataclass(frozen=True)
class AdoptionRow:
    """A communiqué adoption behind the "communiqué adoptions" figure."""

    public_id: object
    title: str
    issuer: str
    issued_on: datetime.date
    echoed_steps: tuple[int, ...]
    non_paper_public_id: object
    non_paper_title: str
    non_paper_version: int
    dialogue_title: str


@dataclass(frozen=True)
class OutputRecords:
    """The records behind each output figure, newest first."""

    non_papers: tuple[DeliveredNonPaper, ...]
    pilots: tuple[AgreedPilot, ...]
    adoptions: tuple[AdoptionRow, ...]


# --- What each figure counts ------------------------------------------------------------


def _in_period(queryset, field, bounds):
    since, until = bounds
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{field}__lt": until})
    return queryset


def _delivered_non_papers(programme_filter, bounds):
    documents = Document.objects.non_papers().filter(
        status=Document.Status.DELIVERED, dialogue__programme=programme_filter
    )
    return _in_period(documents, "delivered_at", bounds)


def _agreed_pilots(programme_filter, period, zone):
    """The pilots counted as agreed, with `counted_on`: the day each counts on (see the
    module docstring), computed in the database on the programme's calendar."""
    checked_on = TruncDate("do_no_harm_at", tzinfo=zone)
    pilots = (
        Pilot.objects.alias(has_proof=Exists(ProofPoint.objects.filter(pilot=OuterRef("pk"))))
        .filter(
            Q(status__in=AGREED_STATUSES) | Q(has_proof=True, status=PilotStatus.STOPPED),
            document__kind=Document.Kind.NON_PAPER,
            document__dialogue__programme=programme_filter,
        )
        .annotate(
            counted_on=Case(
                # Every pilot left in these statuses ran, and was agreed before its start.
                When(
                    status__in=RAN_STATUSES,
                    starts_on__lt=checked_on,
                    then=F("starts_on"),
                ),
                default=checked_on,
                output_field=models.DateField(),
            )
        )
    )
    if period.start is not None:
        pilots = pilots.filter(counted_on__gte=period.start)
    if period.end is not None:
        pilots = pilots.filter(counted_on__lte=period.end)
    return pilots


def _adoptions(programme_filter, period):
    adoptions = CommuniqueAdoption.objects.filter(programme=programme_filter)
    if period.start is not None:
        adoptions = adoptions.filter(issued_on__gte=period.start)
    if period.end is not None:
        adoptions = adoptions.filter(issued_on__lte=period.end)
    return adoptions


def _count(queryset, group):
    """The number of rows of `queryset` (filtered on the outer programme) as a subquery."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
            output_field=models.IntegerField(),
        ),
        0,
    )


def programme_outputs(programme, *, period=None):
    """The output figures of `programme` for `period` (a monitoring.services.activity.Period,
    None or open for all time), as defined in this module's docstring. One query, whatever
    the number of documents, pilots and records. Caller: someone who may read the
    programme's monitoring (monitoring.permissions) or a dashboard that aggregates it."""
    period = period or Period()
    bounds = period_bounds(programme, period)
    zone = programme_zone(programme)
    outer = OuterRef("pk")
    row = (
        Programme.objects.filter(pk=programme.pk)
        .annotate(
            # Named apart from the reverse relation `communique_adoptions`.
            n_non_papers=_count(_delivered_non_papers(outer, bounds), "dialogue__programme"),
            n_pilots=_count(_agreed_pilots(outer, period, zone), "document__dialogue__programme"),
            n_adoptions=_count(_adoptions(outer, period), "programme"),
        )
        .values_list("n_non_papers", "n_pilots", "n_adoptions")
        .get()
    )
    return OutputMetrics(*row)


def _unchanged(text):
    return text


def _local_day(moment, zone):
    return timezone.localtime(moment, zone).date() if moment else None


def programme_output_records(programme, *, period=None, redact=None):
    """The records behind each figure of programme_outputs for the same `period`, newest
    first, as plain rows. Titles, issuers and dialogue titles pass through `redact` (a
    dialogues.services.attribution.Redactor built for the reader; unchanged when None).
    Three queries, whatever the number of records. Caller: as programme_outputs, for a
    reader who may see the programme's dialogues (never a donor)."""
    period = period or Period()
    redact = redact or _unchanged
    bounds = period_bounds(programme, period)
    zone = programme_zone(programme)
    documents = (
        _delivered_non_papers(programme, bounds)
        .select_related("dialogue")
        .order_by(F("delivered_at").desc(nulls_last=True), "-pk")
    )
    pilots = (
        _agreed_pilots(programme, period, zone)
        .select_related("document__dialogue")
        .order_by(F("counted_on").desc(nulls_last=True), "-pk")
    )
    adoptions = (
        _adoptions(programme, period)
        .select_related("non_paper__dialogue")
        .order_by("-issued_on", "-pk")
    )
    return OutputRecords(
        non_papers=tuple(
            DeliveredNonPaper(
                public_id=document.public_id,
                title=redact(document.title),
                version=document.version,
                dialogue_title=redact(document.dialogue.title),
                delivered_on=_local_day(document.delivered_at, zone),
            )
            for document in documents
        ),
        pilots=tuple(
            AgreedPilot(
                public_id=pilot.public_id,
                title=redact(pilot.title),
                status=pilot.status,
                status_label=str(pilot.get_status_display()),
                counted_on=pilot.counted_on,
                step_number=None if pilot.step_index is None else pilot.step_index + 1,
                non_paper_public_id=pilot.document.public_id,
                non_paper_title=redact(pilot.document.title),
                non_paper_version=pilot.document.version,
                dialogue_title=redact(pilot.document.dialogue.title),
            )
            for pilot in pilots
        ),
        adoptions=tuple(
            AdoptionRow(
                public_id=adoption.public_id,
                title=redact(adoption.title),
                issuer=redact(adoption.issuer),
                issued_on=adoption.issued_on,
                echoed_steps=tuple(adoption.echoed_steps),
                non_paper_public_id=adoption.non_paper.public_id,
                non_paper_title=redact(adoption.non_paper.title),
                non_paper_version=adoption.non_paper.version,
                dialogue_title=redact(adoption.non_paper.dialogue.title),
            )
            for adoption in adoptions
        ),
    )


# --- Steps of delivered non-papers ------------------------------------------------------


def delivered_non_papers(programme):
    """The programme's delivered non-paper versions (with their dialogues), the ones a
    communiqué adoption may point at, in the order a form offers them."""
    return (
        Document.objects.non_papers()
        .filter(dialogue__programme=programme, status=Document.Status.DELIVERED)
        .select_related("dialogue")
        .order_by("dialogue__title", "title", "version", "pk")
    )


def non_paper_steps(documents):
    """{document pk: [step, ...]} from the current text (head revision) of each of
    `documents`, each step a dict with text, who, when, how and ladder (uptake.content).
    One query. The caller redacts the texts for its reader."""
    revisions = Revision.objects.filter(document__in=documents, number=F("document__head")).only(
        "document_id", "content"
    )
    return {
        revision.document_id: document_content.normalise(Document.Kind.NON_PAPER, revision.content)[
            "steps"
        ]
        for revision in revisions
    }


# --- Recording a communiqué adoption ---------------------------------------------------


def _check_non_paper(programme, non_paper):
    """The non-paper version (with its dialogue), or a message saying why it cannot be the
    one a communiqué echoes."""
    document = (
        Document.objects.select_related("dialogue").filter(pk=non_paper.pk).first()
        if non_paper is not None and non_paper.pk
        else None
    )
    if document is None:
        return None, _("Choose the delivered non-paper whose steps the wording echoes.")
    if document.dialogue.programme_id != programme.pk:
        return None, _("Choose a non-paper of this programme.")
    if not document.is_non_paper:
        return None, _(
            "An aide-mémoire is confidential and carries no steps: choose a delivered non-paper."
        )
    if document.status != Document.Status.DELIVERED:
        return None, _(
            "This version is %(status)s: a communiqué echoes a delivered version, whose text "
            "no longer changes."
        ) % {"status": document.get_status_display().lower()}
    return document, None


def _clean_steps(echoed_steps, step_count):
    """The step numbers, unique and in order, or a message saying what is wrong."""
    if not isinstance(echoed_steps, list | tuple) or not echoed_steps:
        return None, _("Say which of the non-paper's steps the wording echoes.")
    numbers = []
    for number in echoed_steps:
        if isinstance(number, bool) or not isinstance(number, int):
            return None, _("Give step numbers, such as 1 or 3.")
        numbers.append(number)
    wrong = sorted({number for number in numbers if not 1 <= number <= step_count})
    if wrong:
        return None, _("This version has steps 1 to %(count)s: %(wrong)s is not one of them.") % {
            "count": step_count,
            "wrong": ", ".join(str(number) for number in wrong),
        }
    return sorted(set(numbers)), None


def _refusals_for_names(programme, texts):
    return name_refusals(
        programme,
        texts,
        _(
            "This text names a participant: refer to people by their role, never by name. "
            "Communiqué records are counted in donor reports."
        ),
    )


@transaction.atomic
def communique_adoption_create(
    *,
    programme,
    actor,
    non_paper,
    echoed_steps,
    title,
    issuer,
    issued_on,
    reference,
    adopted_wording,
):
    """Record that a communiqué or official statement (`title`, `issuer`, `issued_on`,
    optional `reference`) adopted `adopted_wording` echoing steps `echoed_steps` (1-based
    numbers) of `non_paper`, a delivered non-paper version of `programme`.

    Raises ValidationError, keyed by field, when `non_paper` is missing, of another
    programme, an aide-mémoire or not delivered; when `echoed_steps` is empty or holds a
    number that is not a step of that version's text (its head revision); when `issued_on`
    is in the future on the programme's calendar or before the version was delivered (the
    wording cannot echo a text not yet delivered); when a text is missing or too long; and
    when a text names a participant of the programme (full name or alias, ignoring case and
    accents). Caller: a recorder of the programme
    (monitoring.permissions.get_programme_for_indicators with RECORD_INDICATORS)."""
    texts = {
        "title": (title or "").strip(),
        "issuer": (issuer or "").strip(),
        "reference": (reference or "").strip(),
        "adopted_wording": (adopted_wording or "").strip(),
    }
    errors = {}
    document, problem = _check_non_paper(programme, non_paper)
    steps = None
    if problem:
        errors["non_paper"] = [problem]
    else:
        step_count = len(non_paper_steps([document]).get(document.pk, []))
        steps, problem = _clean_steps(echoed_steps, step_count)
        if problem:
            errors["echoed_steps"] = [problem]
    if issued_on is not None:
        if issued_on > programme_today(programme):
            errors["issued_on"] = [_("A communiqué cannot be dated in the future.")]
        elif document is not None and document.delivered_at is not None:
            delivered_on = _local_day(document.delivered_at, programme_zone(programme))
            if issued_on < delivered_on:
                errors["issued_on"] = [
                    _(
                        "This version was delivered on %(date)s: wording issued before that "
                        "cannot echo it."
                    )
                    % {"date": date_format(delivered_on, "j M Y")}
                ]
    for field, message in _refusals_for_names(programme, texts).items():
        errors[field] = [message]
    adoption = CommuniqueAdoption(
        programme=programme,
        non_paper=document,
        echoed_steps=steps or [],
        issued_on=issued_on,
        recorded_by=actor,
        **texts,
    )
    try:
        # Steps are judged against a usable non-paper only: nothing to add without one.
        adoption.full_clean(exclude=["non_paper", "echoed_steps"] if document is None else None)
    except ValidationError as invalid:
        errors = {**invalid.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    adoption.save()
    return adoption
