"""Activity metrics of a programme, computed from sessions, rosters and attendance.

Nothing here is typed in: every figure is counted in the database (a handful of grouped
queries, whatever the size of the programme) and folded into plain dataclasses. Callers
check access first (monitoring.permissions.get_programme_for_monitoring); these functions
trust the programme they are given and never return a participant's name or code.

Definitions (the page repeats them in plain words):

- A session is *held* when it has ended: its `ends_at` is before now.
- The *period* keeps the sessions whose start falls between its first and last day,
  both included, on the programme's calendar (uptake.services.ladder.programme_zone).
- *Attendance* is an attendance row marked present or partly present at a held session
  in the period: one person at one session (a person at three sessions counts three times).
- *Attendance continuity*: for each held session of a dialogue except its first held
  session, take the participants present (or partly present) who are confirmed in the
  dialogue, and count how many of them were also present (or partly present) at the
  dialogue's previous held session. Continuity = the sum of those "also at the previous
  session" counts over the sum of "present" counts, per dialogue, and over all dialogues
  for the programme (so it is weighted by attendance, not an average of averages). The
  previous held session may fall before the period: it is the dialogue's previous one.
- *Participants* are the people confirmed in a dialogue today, whatever the period (a
  roster has no dates). The programme total counts a person once even when they take part
  in several dialogues, so dialogue rows can add up to more than the total.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from dialogues.models import Attendance, DialogueParticipant, Participant, Session
from uptake.services.ladder import programme_zone

PRESENT_STATUSES = (Attendance.Status.PRESENT, Attendance.Status.PARTIAL)
CONFIRMED = DialogueParticipant.Status.CONFIRMED


@dataclass(frozen=True)
class Period:
    """First and last day (both included, on the programme's calendar); None is open."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    @property
    def is_open(self):
        return self.start is None and self.end is None


@dataclass(frozen=True)
class Ratio:
    """`numerator` of `denominator`, e.g. 34 of 40; `percent` is None when nothing to count."""

    numerator: int = 0
    denominator: int = 0

    @property
    def percent(self):
        return 100 * self.numerator / self.denominator if self.denominator else None

    def __add__(self, other):
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)


@dataclass(frozen=True)
class Share:
    """One value of a breakdown (e.g. the women among participants) and its share."""

    value: str
    label: str
    count: int
    total: int

    @property
    def percent(self):
        return 100 * self.count / self.total if self.total else None


@dataclass(frozen=True)
class Breakdown:
    """Counts per value of a choices field, every value in the field's order (zeros too)."""

    total: int
    shares: tuple[Share, ...]

    @classmethod
    def from_counts(cls, choices, counts):
        total = sum(counts.values())
        return cls(
            total=total,
            shares=tuple(
                Share(value=value, label=str(label), count=counts.get(value, 0), total=total)
                for value, label in choices
            ),
        )


@dataclass(frozen=True)
class ActivityMetrics:
    sessions_held: int
    continuity: Ratio
    participant_gender: Breakdown
    participant_category: Breakdown
    attendance_gender: Breakdown
    attendance_category: Breakdown


@dataclass(frozen=True)
class DialogueActivity:
    public_id: object
    title: str
    metrics: ActivityMetrics


@dataclass(frozen=True)
class ProgrammeActivity:
    period: Period
    computed_at: datetime.datetime
    total: ActivityMetrics
    dialogues: tuple[DialogueActivity, ...] = field(default_factory=tuple)


def period_bounds(programme, period):
    """The instants [since, until) matching `period` on the programme's calendar; either is
    None when that side is open. Callers keep dates within years 1900-2999 (the filter form
    does), so the instants convert to UTC."""
    zone = programme_zone(programme)

    def midnight(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

    since = midnight(period.start) if period.start else None
    until = midnight(period.end + datetime.timedelta(days=1)) if period.end else None
    return since, until


def _held_sessions(programme, *, dialogue, period, now):
    sessions = Session.objects.filter(dialogue__programme=programme, ends_at__lt=now)
    if dialogue is not None:
        sessions = sessions.filter(dialogue=dialogue)
    since, until = period_bounds(programme, period)
    if since is not None:
        sessions = sessions.filter(starts_at__gte=since)
    if until is not None:
        sessions = sessions.filter(starts_at__lt=until)
    return sessions


def _continuity_by_dialogue(held, now):
    """{dialogue id: Ratio}, one query. Each present-and-confirmed attendance row at a held
    session is matched (correlated subqueries) with the dialogue's previous held session,
    ordered by start then id, and with the same person's presence there."""
    previous_held = (
        Session.objects.filter(dialogue_id=OuterRef("session__dialogue_id"), ends_at__lt=now)
        .filter(
            Q(starts_at__lt=OuterRef("session__starts_at"))
            | Q(starts_at=OuterRef("session__starts_at"), pk__lt=OuterRef("session_id"))
        )
        .order_by("-starts_at", "-pk")
        .values("pk")[:1]
    )
    at_previous = Attendance.objects.filter(
        session_id=OuterRef("previous_session_id"),
        dialogue_participant_id=OuterRef("dialogue_participant_id"),
        status__in=PRESENT_STATUSES,
    )
    rows = (
        Attendance.objects.filter(
            session__in=held,
            # The same held sessions, said of the joined session row: PostgreSQL does not
            # carry the condition above across the join, and hashed every session of every
            # programme to read the dialogue and start of each row (250,000 sessions at
            # bench scale: 134 ms, 39 ms with this).
            session__dialogue_id__in=held.values("dialogue_id"),
            status__in=PRESENT_STATUSES,
            dialogue_participant__status=CONFIRMED,
        )
        .alias(previous_session_id=Subquery(previous_held))
        .filter(previous_session_id__isnull=False)
        .alias(was_at_previous=Exists(at_previous))
        .values("session__dialogue_id")
        .annotate(
            present=Count("pk"),
            also_at_previous=Count("pk", filter=Q(was_at_previous=True)),
        )
        .order_by()
    )
    return {
        row["session__dialogue_id"]: Ratio(row["also_at_previous"], row["present"]) for row in rows
    }


def _empty_counts():
    return {"gender": {}, "category": {}}


def _add(counts, gender, category, n):
    counts["gender"][gender] = counts["gender"].get(gender, 0) + n
    counts["category"][category] = counts["category"].get(category, 0) + n


def _metrics(*, sessions_held, continuity, people, attendance):
    gender, category = Participant.Gender.choices, Participant.Category.choices
    return ActivityMetrics(
        sessions_held=sessions_held,
        continuity=continuity,
        participant_gender=Breakdown.from_counts(gender, people["gender"]),
        participant_category=Breakdown.from_counts(category, people["category"]),
        attendance_gender=Breakdown.from_counts(gender, attendance["gender"]),
        attendance_category=Breakdown.from_counts(category, attendance["category"]),
    )


def programme_activity(programme, *, dialogue=None, period=None, now=None, dialogues=None):
    """Activity metrics of `programme` (narrowed to `dialogue` of it when given) over
    `period`, per dialogue and in total, as of `now` (default: the current time).

    Queries, whatever the data size: the dialogues; sessions held per dialogue; continuity
    per dialogue; confirmed roster per dialogue, gender and category; confirmed people per
    gender and category (each person once); attendance per dialogue, gender and category.
    `dialogues`: the programme's dialogues in workflow order (with pk, public_id and title),
    when the caller already has them: one query fewer.
    Callers check access first; raises nothing of its own.
    """
    period = period or Period()
    now = now or timezone.now()
    if dialogues is None:
        dialogues = programme.dialogues.in_workflow_order().only("pk", "public_id", "title")
    dialogues = [each for each in dialogues if dialogue is None or each.pk == dialogue.pk]

    held = _held_sessions(programme, dialogue=dialogue, period=period, now=now)
    sessions_held = dict(
        held.order_by()
        .values("dialogue_id")
        .annotate(n=Count("pk"))
        .values_list("dialogue_id", "n")
    )
    continuity = _continuity_by_dialogue(held, now)

    roster = DialogueParticipant.objects.filter(dialogue__programme=programme, status=CONFIRMED)
    if dialogue is not None:
        roster = roster.filter(dialogue=dialogue)
    roster_counts = {}
    for row in (
        roster.values("dialogue_id", "participant__gender", "participant__category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        _add(
            roster_counts.setdefault(row["dialogue_id"], _empty_counts()),
            row["participant__gender"],
            row["participant__category"],
            row["n"],
        )
    people = _empty_counts()
    for row in (
        roster.values("participant__gender", "participant__category")
        .annotate(n=Count("participant_id", distinct=True))
        .order_by()
    ):
        _add(people, row["participant__gender"], row["participant__category"], row["n"])

    attendance_counts = {}
    attendance_total = _empty_counts()
    for row in (
        Attendance.objects.filter(session__in=held, status__in=PRESENT_STATUSES)
        .values(
            "session__dialogue_id",
            "dialogue_participant__participant__gender",
            "dialogue_participant__participant__category",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        gender = row["dialogue_participant__participant__gender"]
        category = row["dialogue_participant__participant__category"]
        _add(
            attendance_counts.setdefault(row["session__dialogue_id"], _empty_counts()),
            gender,
            category,
            row["n"],
        )
        _add(attendance_total, gender, category, row["n"])

    rows = tuple(
        DialogueActivity(
            public_id=each.public_id,
            title=each.title,
            metrics=_metrics(
                sessions_held=sessions_held.get(each.pk, 0),
                continuity=continuity.get(each.pk, Ratio()),
                people=roster_counts.get(each.pk, _empty_counts()),
                attendance=attendance_counts.get(each.pk, _empty_counts()),
            ),
        )
        for each in dialogues
    )
    total = _metrics(
        sessions_held=sum(sessions_held.values()),
        continuity=sum(continuity.values(), Ratio()),
        people=people,
        attendance=attendance_total,
    )
    return ProgrammeActivity(period=period, computed_at=now, total=total, dialogues=rows)
