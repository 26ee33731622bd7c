"""The uptake timeline: the whole story of a non-paper, across its versions, in time order;
and where each non-paper of a programme stands in the chain (its current link).

Both read a bounded number of queries whatever the number of versions, verdicts,
briefings, pilots or commitments. Free text that could name a participant (titles, step
texts, scopes, notes) goes through the `redact` callable the caller builds for its reader
(dialogues.services.attribution); carrier names and principals are not participants."""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from uptake.models import (
    Briefing,
    Commitment,
    Document,
    DocumentEvent,
    Feedback,
    Pilot,
    Revision,
    Vetting,
    VettingClearance,
)
from uptake.services.events import actor_label
from uptake.services.ladder import programme_today, programme_zone

CommitmentStatus = Commitment.Status
LIVE_COMMITMENT = [CommitmentStatus.OPEN, CommitmentStatus.SLIPPED]
ACTIVE_PILOT = [Pilot.Status.AGREED, Pilot.Status.RUNNING]


def _unchanged(text):
    return text


def _count(queryset):
    """The number of rows of `queryset` (filtered on OuterRef("pk") through `document`) as a
    subquery: counts beside Exists annotations without a GROUP BY on the outer query."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("document").annotate(n=Count("pk")).values("n")[:1],
            output_field=models.IntegerField(),
        ),
        0,
    )


# --- Where a non-paper stands ------------------------------------------------------------


class ChainStage(models.TextChoices):
    """The links of the uptake chain, in the order a non-paper normally meets them."""

    DRAFTING = "drafting", gettext_lazy("Drafting")
    IN_VETTING = "vetting", gettext_lazy("In vetting")
    CLEARED = "cleared", gettext_lazy("Cleared, not yet relayed")
    RELAYED = "relayed", gettext_lazy("Relayed, awaiting feedback")
    FEEDBACK = "feedback", gettext_lazy("Feedback received")
    ITERATING = "iterating", gettext_lazy("Iterating")
    PILOTING = "piloting", gettext_lazy("Piloting")
    LADDER = "ladder", gettext_lazy("Ladder in progress")


def chain_stage(*, status, version, cleared, briefed, reaction, pilot_active, commitments_open):
    """The current link in the chain of a non-paper, from the facts about its latest version
    (`status`, `version`; `cleared`: its VettingClearance exists; `briefed`: a briefing of it
    was recorded as briefed; `reaction`: the reaction of its most recent feedback, or None)
    and about its whole lineage (`pilot_active`: a pilot is agreed or running;
    `commitments_open`: its latest delivered version has open or slipped commitments).

    The first rule that holds decides:
    1. the latest version is in draft or review: DRAFTING, or ITERATING from version 2 on
       (a new version after feedback is being written);
    2. it is not cleared by vetting: IN_VETTING (nothing yet, some blocked, or in progress);
    3. no briefing of it has been given: CLEARED;
    4. no feedback has come back: RELAYED (awaiting feedback);
    5. the last feedback asked for changes or rejected it: FEEDBACK (the team decides
       whether to iterate);
    6. a pilot is agreed or running: PILOTING;
    7. commitments are still open or slipped: LADDER;
    8. otherwise FEEDBACK: relayed and answered, nothing running.
    Pilots and the ladder run beside the relay, so they come last: a non-paper waiting for
    its clearance or its feedback shows that, not the ladder that started at delivery.
    Pure: no database access."""
    if status in (Document.Status.DRAFT, Document.Status.IN_REVIEW):
        return ChainStage.ITERATING if version > 1 else ChainStage.DRAFTING
    if not cleared:
        return ChainStage.IN_VETTING
    if not briefed:
        return ChainStage.CLEARED
    if reaction is None:
        return ChainStage.RELAYED
    if reaction in (Feedback.Reaction.CHANGES_REQUESTED, Feedback.Reaction.REJECTED):
        return ChainStage.FEEDBACK
    if pilot_active:
        return ChainStage.PILOTING
    if commitments_open:
        return ChainStage.LADDER
    return ChainStage.FEEDBACK


def _lineages(documents):
    """Group non-paper versions into lineages (oldest first), from previous_version links."""
    by_pk = {document.pk: document for document in documents}
    continued = {document.previous_version_id for document in documents}
    lineages = []
    for latest in documents:
        if latest.pk in continued:
            continue
        lineage, current = [], latest
        while current is not None:
            lineage.append(current)
            current = by_pk.get(current.previous_version_id)
        lineages.append(lineage[::-1])
    return lineages


@dataclass
class ChainRow:
    """One non-paper of the programme overview: its latest version and where it stands."""

    latest: Document
    versions: int
    stage: ChainStage
    title: str
    dialogue_title: str
    # The ladder of its latest delivered version (None before any delivery).
    ladder: dict | None
    blocked: bool
    pilots_active: int


def _ladder_counts(commitments, today):
    """`commitments` counted per document by status, in one GROUP BY: rows with `document`
    (its pk), total, done, open, live (open or slipped), slipped, dropped and overdue (live,
    due before `today`)."""
    live = Q(status__in=LIVE_COMMITMENT)
    return (
        commitments.order_by()
        .values("document")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=CommitmentStatus.DONE)),
            open=Count("pk", filter=Q(status=CommitmentStatus.OPEN)),
            live=Count("pk", filter=live),
            slipped=Count("pk", filter=Q(status=CommitmentStatus.SLIPPED)),
            dropped=Count("pk", filter=Q(status=CommitmentStatus.DROPPED)),
            overdue=Count("pk", filter=live & Q(due_on__lt=today)),
        )
    )


def _commitment_counts(programme, today):
    """Per non-paper of `programme`, its _ladder_counts, by pk. One query over the
    programme's commitments: as correlated subqueries per document, the planner walked the
    index of the reminder scan (every overdue commitment of every programme) for each
    document, seconds at portfolio scale (docs/performance.md)."""
    commitments = Commitment.objects.filter(document__dialogue__programme=programme)
    return {row["document"]: row for row in _ladder_counts(commitments, today)}


def programme_chain(programme, *, redact=_unchanged, today=None):
    """Every non-paper lineage of `programme` as a ChainRow, by dialogue then title.
    Two queries (every version with its facts as annotations, and the commitment counts),
    whatever the count."""
    today = today or programme_today(programme)
    documents = list(
        Document.objects.non_papers()
        .filter(dialogue__programme=programme)
        .select_related("dialogue")
        .annotate(
            cleared=Exists(VettingClearance.objects.filter(document=OuterRef("pk"))),
            blocked=Exists(
                Vetting.objects.filter(document=OuterRef("pk"), verdict=Vetting.Verdict.BLOCKED)
            ),
            briefed=Exists(
                Briefing.objects.filter(document=OuterRef("pk"), outcome=Briefing.Outcome.BRIEFED)
            ),
            reaction=Subquery(
                Feedback.objects.filter(briefing__document=OuterRef("pk"))
                .order_by("-received_on", "-id")
                .values("reaction")[:1]
            ),
            pilots_active=_count(
                Pilot.objects.filter(document=OuterRef("pk"), status__in=ACTIVE_PILOT)
            ),
        )
        .order_by("pk")
    )
    commitment_counts = _commitment_counts(programme, today)
    rows = []
    for lineage in _lineages(documents):
        latest = lineage[-1]
        delivered = [v for v in lineage if v.status == Document.Status.DELIVERED]
        ladder = None
        counts = commitment_counts.get(delivered[-1].pk) if delivered else None
        if counts:
            source = delivered[-1]
            ladder = {
                "document": source,
                "version": source.version,
                "total": counts["total"],
                "done": counts["done"],
                "open": counts["live"],
                "slipped": counts["slipped"],
                "overdue": counts["overdue"],
            }
        pilots_active = sum(v.pilots_active or 0 for v in lineage)
        rows.append(
            ChainRow(
                latest=latest,
                versions=len(lineage),
                stage=chain_stage(
                    status=latest.status,
                    version=latest.version,
                    cleared=latest.cleared,
                    briefed=latest.briefed,
                    reaction=latest.reaction,
                    pilot_active=pilots_active > 0,
                    commitments_open=bool(ladder and ladder["open"]),
                ),
                title=redact(latest.title),
                dialogue_title=redact(latest.dialogue.title),
                ladder=ladder,
                blocked=latest.blocked and not latest.cleared,
                pilots_active=pilots_active,
            )
        )
    rows.sort(key=lambda row: (row.latest.dialogue.title, row.latest.title, row.latest.pk))
    return rows


# --- The story of one non-paper ----------------------------------------------------------


class EntryKind(models.TextChoices):
    DRAFTED = "drafted", gettext_lazy("Drafted")
    ITERATED = "iterated", gettext_lazy("Iteration")
    STATUS = "status", gettext_lazy("Status")
    VETTED = "vetted", gettext_lazy("Vetting")
    CLEARED = "cleared", gettext_lazy("Cleared")
    RELAYED = "relayed", gettext_lazy("Relay")
    FEEDBACK = "feedback", gettext_lazy("Feedback")
    PILOT = "pilot", gettext_lazy("Pilot")
    DO_NO_HARM = "do_no_harm", gettext_lazy("Do-no-harm check")
    PILOT_STARTED = "pilot_started", gettext_lazy("Pilot started")
    PROOF_POINT = "proof_point", gettext_lazy("Proof-point")
    PILOT_ENDED = "pilot_ended", gettext_lazy("Pilot completed")
    LADDER = "ladder", gettext_lazy("Ladder")


# On the same day at the same moment (entries known by their date only, recorded together),
# the order the chain meets them in.
_KIND_ORDER = {kind: position for position, kind in enumerate(EntryKind.values)}


@dataclass
class TimelineEntry:
    """One thing that happened to a non-paper. `on` is the day on the programme's calendar;
    `at` the moment, in the programme's time zone, when it is known (verdicts and status
    changes carry a time; briefings, feedback and proof-points a date only). `lines` are
    details, already redacted for the reader."""

    kind: EntryKind
    heading: str
    version: int
    on: datetime.date
    at: datetime.datetime | None = None
    actor: str = ""
    lines: list = field(default_factory=list)
    document: Document | None = None
    pilot: Pilot | None = None
    # Ties on the same day are broken by when the row was recorded.
    recorded_at: datetime.datetime | None = None


@dataclass
class NonPaperTimeline:
    versions: list  # the lineage, oldest first
    entries: list  # TimelineEntry, in time order
    zone: datetime.tzinfo


def lineage_versions(document):
    """Every version of `document`'s non-paper (linked by previous_version), oldest first,
    each with `revision_count` and its clearance loaded. One query."""
    documents = list(
        Document.objects.non_papers()
        .filter(dialogue_id=document.dialogue_id)
        .select_related("clearance")
        .annotate(revision_count=_count(Revision.objects.filter(document=OuterRef("pk"))))
        .order_by("version", "pk")
    )
    for lineage in _lineages(documents):
        if any(version.pk == document.pk for version in lineage):
            return lineage
    return []


def _counted(singular, plural, count):
    return ngettext(singular, plural, count) % {"count": count}


class _Story:
    """Builds the entries of one lineage's timeline, one method per part of the chain."""

    def __init__(self, versions, *, zone, redact):
        self.by_pk = {version.pk: version for version in versions}
        self.zone = zone
        self.redact = redact
        self.entries = []

    def add(self, kind, heading, version, *, at=None, on=None, recorded_at=None, **extra):
        """An entry that happened at the moment `at`, or on the day `on` (recorded at
        `recorded_at`, which orders entries of the same day)."""
        if at is not None:
            local = timezone.localtime(at, self.zone)
            on, recorded_at = local.date(), at
            at = local
        self.entries.append(
            TimelineEntry(
                kind=kind,
                heading=heading,
                version=version.version,
                document=version,
                on=on,
                at=at,
                recorded_at=recorded_at,
                **extra,
            )
        )

    def drafting(self, events, feedback):
        created = {}
        for event in events:
            version = self.by_pk[event.document_id]
            if event.kind == DocumentEvent.Kind.CREATED:
                created.setdefault(event.document_id, event)
                continue
            self.add(
                EntryKind.STATUS,
                _("Version %(version)s: %(change)s")
                % {"version": version.version, "change": event.detail},
                version,
                at=event.at,
                actor=event.actor_name,
            )
        answered_by = {}
        for item in feedback:
            answered_by.setdefault(item.iteration_id, []).append(item)
        for version in self.by_pk.values():
            event = created.get(version.pk)
            lines = [
                f"“{self.redact(version.title)}”",
                _counted("%(count)s revision", "%(count)s revisions", version.revision_count),
            ]
            if version.previous_version_id in self.by_pk:
                kind = EntryKind.ITERATED
                heading = _("Version %(version)s started from version %(previous)s") % {
                    "version": version.version,
                    "previous": self.by_pk[version.previous_version_id].version,
                }
                lines += [
                    _("In answer to the feedback of %(date)s through %(carrier)s: %(reaction)s")
                    % {
                        "date": date_format(item.received_on, "j M Y"),
                        "carrier": item.briefing.carrier.name,
                        "reaction": item.get_reaction_display().lower(),
                    }
                    for item in answered_by.get(version.pk, [])
                ]
            else:
                kind = EntryKind.DRAFTED
                heading = _("Version %(version)s drafted") % {"version": version.version}
            self.add(
                kind,
                heading,
                version,
                at=event.at if event else version.created_at,
                actor=event.actor_name if event else "",
                lines=lines,
            )

    def vetting(self, verdicts):
        for verdict in verdicts:
            version = self.by_pk[verdict.document_id]
            where = (
                _("step %(number)s") % {"number": verdict.step_index + 1}
                if verdict.step_index is not None
                else _("whole text")
            )
            lines = [f"{verdict.get_verdict_display()} · {where}"]
            if verdict.notes:
                lines.append(self.redact(verdict.notes))
            self.add(
                EntryKind.VETTED,
                _("Version %(version)s vetted: %(framework)s")
                % {"version": version.version, "framework": verdict.get_framework_display()},
                version,
                at=verdict.decided_at,
                actor=verdict.reviewer_name,
                lines=lines,
            )
        for version in self.by_pk.values():
            clearance = getattr(version, "clearance", None)
            if clearance is not None:
                self.add(
                    EntryKind.CLEARED,
                    _("Version %(version)s cleared for relay") % {"version": version.version},
                    version,
                    at=clearance.cleared_at,
                    lines=[
                        _("Every framework is cleared, cleared with conditions or not applicable.")
                    ],
                )

    def relay(self, briefings, feedback):
        for briefing in briefings:
            version = self.by_pk[briefing.document_id]
            carrier = briefing.carrier
            lines = [
                _("Outcome: %(outcome)s") % {"outcome": briefing.get_outcome_display().lower()},
                f"{carrier.get_kind_display()}, {carrier.institution}",
            ]
            if briefing.notes:
                lines.append(self.redact(briefing.notes))
            self.add(
                EntryKind.RELAYED,
                _("Version %(version)s relayed through %(carrier)s to %(principal)s")
                % {
                    "version": version.version,
                    "carrier": carrier.name,
                    "principal": self.redact(briefing.principal),
                },
                version,
                on=briefing.briefed_on,
                recorded_at=briefing.created_at,
                lines=lines,
            )
        for item in feedback:
            version = self.by_pk[item.briefing.document_id]
            lines = []
            if item.language_adjustments:
                lines.append(
                    _("Language asked for: %(text)s")
                    % {"text": self.redact(item.language_adjustments)}
                )
            if item.notes:
                lines.append(self.redact(item.notes))
            if item.iteration_id in self.by_pk:
                lines.append(
                    _("Led to version %(version)s")
                    % {"version": self.by_pk[item.iteration_id].version}
                )
            self.add(
                EntryKind.FEEDBACK,
                _("Feedback on version %(version)s from %(principal)s: %(reaction)s")
                % {
                    "version": version.version,
                    "principal": self.redact(item.briefing.principal),
                    "reaction": item.get_reaction_display().lower(),
                },
                version,
                on=item.received_on,
                recorded_at=item.created_at,
                lines=lines,
            )

    def pilots(self, pilots, now):
        for pilot in pilots:
            version = self.by_pk[pilot.document_id]
            title = self.redact(pilot.title)
            if pilot.step_index is not None:
                source = _("From step %(number)s of version %(version)s") % {
                    "number": pilot.step_index + 1,
                    "version": version.version,
                }
            else:
                source = _("From version %(version)s as a whole") % {"version": version.version}
            lines = [
                source,
                _("Scope: %(scope)s") % {"scope": self.redact(pilot.scope)},
                _("Parties: %(parties)s") % {"parties": self.redact(pilot.parties)},
                _("Now: %(status)s") % {"status": pilot.get_status_display().lower()},
            ]
            if pilot.status == Pilot.Status.STOPPED and pilot.stop_reason:
                lines.append(
                    _("Why it stopped: %(reason)s") % {"reason": self.redact(pilot.stop_reason)}
                )
            self.add(
                EntryKind.PILOT,
                _("Pilot proposed: %(title)s") % {"title": title},
                version,
                at=pilot.created_at,
                lines=lines,
                pilot=pilot,
            )
            if pilot.do_no_harm_at:
                self.add(
                    EntryKind.DO_NO_HARM,
                    _("Do-no-harm check of the pilot %(title)s") % {"title": title},
                    version,
                    at=pilot.do_no_harm_at,
                    actor=actor_label(pilot.do_no_harm_by) if pilot.do_no_harm_by else "",
                    lines=[self.redact(pilot.do_no_harm_notes)],
                    pilot=pilot,
                )
            ran = pilot.status in (Pilot.Status.RUNNING, Pilot.Status.COMPLETED)
            if ran and pilot.starts_on:
                self.add(
                    EntryKind.PILOT_STARTED,
                    _("Pilot started: %(title)s") % {"title": title},
                    version,
                    on=pilot.starts_on,
                    recorded_at=pilot.do_no_harm_at or pilot.created_at,
                    pilot=pilot,
                )
            for point in pilot.proof_points.all():
                self.add(
                    EntryKind.PROOF_POINT,
                    _("Proof-point of the pilot %(title)s") % {"title": title},
                    version,
                    on=point.observed_on,
                    recorded_at=point.created_at,
                    lines=[
                        self.redact(point.happened),
                        _("Evidence: %(evidence)s") % {"evidence": self.redact(point.evidence)},
                    ],
                    pilot=pilot,
                )
            if pilot.status == Pilot.Status.COMPLETED and pilot.ends_on:
                self.add(
                    EntryKind.PILOT_ENDED,
                    _("Pilot completed: %(title)s") % {"title": title},
                    version,
                    on=pilot.ends_on,
                    recorded_at=now,
                    pilot=pilot,
                )

    def ladders(self, ladders, *, today, now):
        for counts in sorted(ladders, key=lambda c: self.by_pk[c["document"]].version):
            version = self.by_pk[counts["document"]]
            summary = ", ".join(
                [
                    _counted("%(count)s done", "%(count)s done", counts["done"]),
                    _counted("%(count)s open", "%(count)s open", counts["open"]),
                    _counted("%(count)s slipped", "%(count)s slipped", counts["slipped"]),
                    _counted("%(count)s dropped", "%(count)s dropped", counts["dropped"]),
                ]
            )
            lines = [
                ngettext(
                    "%(count)s commitment: %(summary)s",
                    "%(count)s commitments: %(summary)s",
                    counts["total"],
                )
                % {"count": counts["total"], "summary": summary}
            ]
            if counts["overdue"]:
                lines.append(
                    _counted("%(count)s is overdue.", "%(count)s are overdue.", counts["overdue"])
                )
            self.add(
                EntryKind.LADDER,
                _("Ladder of version %(version)s, as of today") % {"version": version.version},
                version,
                on=today,
                recorded_at=now,
                lines=lines,
            )

    def in_order(self):
        return sorted(
            self.entries,
            key=lambda entry: (entry.on, entry.recorded_at, _KIND_ORDER[entry.kind], entry.version),
        )


def non_paper_timeline(document, *, redact=_unchanged, now=None):
    """The whole story of `document`'s non-paper, every version from the first, in time
    order: each version drafted (or iterated from the previous one, with the feedback it
    answers) with its revision count; status changes; vetting verdicts per framework with
    the reviewer; clearance; briefings (carrier, principal, outcome); feedback (reaction,
    language adjustments); pilots with their do-no-harm check, start, proof-points and end;
    and, as of today, each delivered version's ladder (done, open, slipped, overdue).

    Eight queries whatever the size of the story: the versions, their events, verdicts,
    briefings, feedback, pilots, proof-points and commitment counts. `redact` is applied to
    every free text (titles, scopes, notes, evidence, language adjustments).
    Caller: someone with ChainAction.VIEW on the programme."""
    programme = document.dialogue.programme
    zone = programme_zone(programme)
    now = now or timezone.now()
    today = programme_today(programme, now)
    versions = lineage_versions(document)
    story = _Story(versions, zone=zone, redact=redact)
    feedback = list(
        Feedback.objects.filter(briefing__document__in=versions)
        .select_related("briefing__carrier")
        .order_by("received_on", "id")
    )
    story.drafting(
        DocumentEvent.objects.filter(
            document__in=versions,
            kind__in=[DocumentEvent.Kind.CREATED, DocumentEvent.Kind.STATUS_CHANGED],
        ).order_by("at", "id"),
        feedback,
    )
    story.vetting(Vetting.objects.filter(document__in=versions).order_by("decided_at", "id"))
    story.relay(
        Briefing.objects.filter(document__in=versions)
        .select_related("carrier")
        .order_by("briefed_on", "id"),
        feedback,
    )
    story.pilots(
        Pilot.objects.filter(document__in=versions)
        .select_related("do_no_harm_by")
        .prefetch_related("proof_points")
        .order_by("created_at", "id"),
        now,
    )
    story.ladders(
        _ladder_counts(Commitment.objects.filter(document__in=versions), today),
        today=today,
        now=now,
    )
    return NonPaperTimeline(versions=versions, entries=story.in_order(), zone=zone)
