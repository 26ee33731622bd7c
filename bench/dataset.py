"""The benchmark's data: the issue's 1x portfolio (ten years of a large organisation) times a
scale and a fraction, generated with a fixed seed by bulk inserts in large batches.

Everything is fictional: programmes in invented places, people called "Bench Person 123",
addresses under bench.parley.example. Rows are coherent the way Parley's own services leave
them (a dialogue has its five rounds, a confirmed roster place has consent, a delivered
non-paper has one commitment per step and reminders for them, every programme has a team with
a facilitator and a donor whose guardian permissions mirror their role), so every page renders
as it would on real data. History rows (django-simple-history) are not written: services write
them, bulk inserts do not, and no page measured here reads them at scale.

`plan()` is pure arithmetic: it says how many rows of each kind a (scale, fraction) asks for,
so the smoke test can compare the database with it.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from guardian.models import UserObjectPermission

from dialogues.models import (
    Attendance,
    Dialogue,
    DialogueParticipant,
    Membership,
    Participant,
    Programme,
    Round,
    Session,
)
from dialogues.models.rounds import ROUND_ORDER
from dialogues.permissions import permissions_for_membership
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, OutcomeRecord
from uptake.models import Commitment, Document, Reminder, Revision

Role = Membership.Role

# The 1x set of issue 8: a large organisation's portfolio over ten years.
BASE_COUNTS = {
    "programmes": 150,
    "dialogues": 600,
    "sessions": 25_000,
    "participants": 20_000,
    "attendance": 400_000,
    "documents": 50_000,
    "revisions": 150_000,
    "commitments": 75_000,
    "reminders": 225_000,
    "outcomes": 15_000,
    "indicators": 3_000,
    "indicator_values": 1_000_000,
}
# Each kind needs a few rows however small the fraction, or the pages have nothing to show.
MINIMUM_COUNTS = {"programmes": 2, "dialogues": 2, "indicators": 2}
# R8 exports this many indicator values from one programme (part of the total above).
EXPORT_VALUES = 100_000
# Pending reminders whose moment has come when the sweep runs: one scan's batch
# (uptake.tasks.REMINDER_BATCH), whatever the size of the history.
DUE_REMINDERS = 50
BENCH_DOMAIN = "bench.parley.example"
BENCH_PASSWORD = "bench-only-password-0123"  # noqa: S105 (fictional bench accounts)
BATCH = 5000
# Bench users sit on the focus programme, the export programme and one programme in ten, so
# pages that list a user's programmes grow with the portfolio too.
BENCH_TEAM_EVERY = 10
DIALOGUE_STATUSES = ["rounds", "packaging", "closed", "convening", "design"]
ATTENDANCE_STATUSES = ["present", "present", "present", "partial", "absent"]
CATEGORIES = [choice for choice, _ in Participant.Category.choices]
GENDERS = [choice for choice, _ in Participant.Gender.choices]
PLACES = ["Veloria", "Marrowind", "Oskaria", "Tessaly Reach", "Brannock Isles", "Kavaran"]
TODAY = datetime.date(2026, 11, 30)
# The titles of generated documents ("Bench nonpaper 000012"), told apart from the PDF
# figures' own.
GENERATED_DOCUMENT_TITLE = r"^Bench (nonpaper|aide) [0-9]+$"


def _share(total, parts, index):
    """How many of `total` rows fall to part `index` of `parts` (as even as possible)."""
    return total // parts + (1 if index < total % parts else 0)


@dataclass
class Plan:
    scale: float
    fraction: float
    counts: dict = field(default_factory=dict)
    wanted_attendance: int = 0
    export_values: int = 0
    due_reminders: int = 0

    def per_dialogue_roster(self):
        """Roster size of each dialogue: participant k is placed in one dialogue of its own
        programme (programme k % P, then its dialogues in turn)."""
        programmes, dialogues = self.counts["programmes"], self.counts["dialogues"]
        sizes = [0] * dialogues
        for p in range(programmes):
            own = list(range(p, dialogues, programmes))
            for position in range(_share(self.counts["participants"], programmes, p)):
                sizes[own[position % len(own)]] += 1
        return sizes

    def attendance_per_session(self):
        """Attendees of session i (of dialogue i % D): an even share, at most the roster."""
        sizes = self.per_dialogue_roster()
        sessions, dialogues = self.counts["sessions"], self.counts["dialogues"]
        wanted = self.wanted_attendance
        return [min(_share(wanted, sessions, i), sizes[i % dialogues]) for i in range(sessions)]


def plan(scale=1, fraction=1.0):
    """The rows a (scale, fraction) asks for: each 1x count times both, rounded, with the
    few minimums above. Attendance is capped by roster sizes (only at tiny fractions)."""
    counts = {
        name: max(MINIMUM_COUNTS.get(name, 0), round(base * scale * fraction))
        for name, base in BASE_COUNTS.items()
    }
    counts["dialogues"] = max(counts["dialogues"], counts["programmes"])
    counts["indicators"] = max(counts["indicators"], counts["programmes"])
    result = Plan(scale=scale, fraction=fraction, counts=counts)
    result.wanted_attendance = counts["attendance"]
    counts["attendance"] = sum(result.attendance_per_session())
    non_papers = (counts["documents"] + 1) // 2
    counts["commitments"] = min(counts["commitments"], non_papers * 4)
    counts["reminders"] = min(counts["reminders"], counts["commitments"] * 3)
    # The export programme holds EXPORT_VALUES of the values, leaving most to the others.
    result.export_values = min(round(EXPORT_VALUES * fraction), counts["indicator_values"] // 2)
    result.due_reminders = min(DUE_REMINDERS, counts["commitments"])
    return result


class Progress:
    """Prints each stage as it goes: rows written and rows per second."""

    def __init__(self, write):
        self.write = write
        self.totals = {}

    def stage(self, name, rows_iter, model, *, need_ids=True):
        """Insert `rows_iter` (unsaved instances) in batches; returns their ids in order, or
        nothing when `need_ids` is false (then by executemany, faster than bulk_create,
        which SQLite's 999-parameter limit cuts into batches of a hundred rows)."""
        started = time.perf_counter()
        written = 0
        batch = []
        last_report = started
        created = []
        insert = (
            (lambda rows: created.extend(obj.pk for obj in model.objects.bulk_create(rows)))
            if need_ids
            else _raw_inserter(model)
        )
        for row in rows_iter:
            batch.append(row)
            if len(batch) >= BATCH:
                insert(batch)
                written += len(batch)
                batch = []
                now = time.perf_counter()
                if now - last_report > 2:
                    self.write(f"  {name}: {written:,} rows, {written / (now - started):,.0f}/s")
                    last_report = now
        if batch:
            insert(batch)
            written += len(batch)
        seconds = max(time.perf_counter() - started, 1e-9)
        self.write(f"  {name}: {written:,} rows in {seconds:.1f} s ({written / seconds:,.0f}/s)")
        self.totals[name] = written
        return created


def _raw_inserter(model):
    """A function inserting unsaved instances of `model` with one executemany: each value
    prepared as bulk_create prepares it (pre_save, get_db_prep_save), no ids returned."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )

    def insert(objects):
        rows = [
            [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
            for obj in objects
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    return insert


# Kept by wipe(): what migrations write and every process caches by id (Django's and
# guardian's content types, the permissions that point at them).
KEPT_TABLES = {"django_content_type", "auth_permission", "django_migrations"}


def wipe():
    """Empty the benchmark database, as `manage.py flush` does but keeping KEPT_TABLES: their
    ids stay valid in every cache (and in a test's, whose transaction rolls all this back)."""
    if connection.in_atomic_block:
        # Inside a test's transaction PostgreSQL refuses to TRUNCATE a table with deferred
        # foreign-key checks still pending: run them now.
        connection.check_constraints()
    tables = sorted(set(connection.introspection.django_table_names()) - KEPT_TABLES)
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    connection.ops.execute_sql_flush(statements)


@dataclass
class Generated:
    """What the figures need to find in the generated data."""

    plan: Plan
    focus_programme: Programme
    export_programme: Programme
    users: dict
    seconds: float


def _text(rng, words, length):
    return " ".join(rng.choice(words) for _ in range(length))


WORDS = [
    "access",
    "corridor",
    "convoy",
    "notification",
    "trigger",
    "market",
    "window",
    "river",
    "crossing",
    "council",
    "detainee",
    "release",
    "sequencing",
    "cohort",
    "ceasefire",
    "monitoring",
    "committee",
    "humanitarian",
    "route",
    "checkpoint",
    "liaison",
    "mechanism",
    "verification",
    "schedule",
    "pause",
    "review",
    "local",
    "authority",
    "delegation",
    "communique",
    "option",
    "package",
    "ladder",
    "commitment",
    "pilot",
    "evidence",
]


def generate(plan_, *, seed=8, write=print):
    """Write the plan's rows into the (empty) database. Returns Generated. One transaction:
    SQLite would otherwise sync the file after every batch."""
    with transaction.atomic():
        generated = _generate(plan_, seed=seed, write=write)
    _gather_statistics(write)
    return generated


def _gather_statistics(write):
    """Planner statistics for the new rows. A real database gathers them as it grows
    (autovacuum); measured straight after a bulk load, the planner would plan for the
    nearly empty tables it last saw (a sequential scan of every revision, where an index
    finds a programme's few hundred)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    write(f"Planner statistics gathered (ANALYZE) in {time.perf_counter() - started:.1f} s")


def _generate(plan_, *, seed, write):
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    progress = Progress(write)
    counts = plan_.counts
    now = timezone.now()
    User = get_user_model()
    P, D = counts["programmes"], counts["dialogues"]

    write(f"Generating scale {plan_.scale}× at fraction {plan_.fraction} (seed {seed})")
    programme_ids = progress.stage(
        "programmes",
        (
            Programme(
                name=f"Bench Programme {p:05d} ({rng.choice(PLACES)})",
                country=f"{rng.choice(PLACES)} (fictional)",
                summary=_text(rng, WORDS, 40),
                funders="Bench Peace Fund (fictional)",
                starts_on=datetime.date(2017, 1, 1) + datetime.timedelta(days=p % 3000),
                time_zone="Africa/Nairobi",
            )
            for p in range(P)
        ),
        Programme,
    )

    # Users: each programme's own facilitator and donor, and the bench's three team members.
    user_rows = [
        User(
            username=f"bench-{role}-{p}",
            email=f"bench-{role}-{p}@{BENCH_DOMAIN}",
            first_name="Bench",
            last_name=f"{role.title()} {p}",
        )
        for p in range(P)
        for role in ("facilitator", "donor")
    ]
    bench_roles = {
        "facilitator": Role.FACILITATOR,
        "officer": Role.PROGRAMME_OFFICER,
        "donor": Role.DONOR,
    }
    user_rows += [
        User(
            username=f"bench-{name}",
            email=f"bench-{name}@{BENCH_DOMAIN}",
            first_name="Bench",
            last_name=name.title(),
        )
        for name in bench_roles
    ]
    for user in user_rows:
        user.set_unusable_password()
    user_ids = progress.stage("users", iter(user_rows), User)
    bench_users = dict(zip(bench_roles, user_ids[-len(bench_roles) :], strict=True))

    memberships = []
    for p, programme_id in enumerate(programme_ids):
        memberships.append((programme_id, user_ids[2 * p], Role.FACILITATOR, True))
        memberships.append((programme_id, user_ids[2 * p + 1], Role.DONOR, False))
        if p % BENCH_TEAM_EVERY == 0 or p == 1:
            for name, role in bench_roles.items():
                # The facilitator administers the team, as on the demo programme.
                memberships.append(
                    (programme_id, bench_users[name], role, role == Role.FACILITATOR)
                )
    membership_objects = [
        Membership(programme_id=programme_id, user_id=user_id, role=role, is_admin=is_admin)
        for programme_id, user_id, role, is_admin in memberships
    ]
    progress.stage("memberships", iter(membership_objects), Membership)
    programme_type = ContentType.objects.get_for_model(Programme)
    permission_ids = dict(
        Permission.objects.filter(content_type=programme_type).values_list("codename", "pk")
    )
    programmes_by_id = {p.pk: p for p in Programme.objects.all()}

    def guardian_rows():
        for membership in membership_objects:
            membership.programme = programmes_by_id[membership.programme_id]
            for codename in sorted(permissions_for_membership(membership)):
                yield UserObjectPermission(
                    content_type=programme_type,
                    object_pk=str(membership.programme_id),
                    permission_id=permission_ids[codename],
                    user_id=membership.user_id,
                )

    progress.stage("permissions", guardian_rows(), UserObjectPermission)

    dialogue_starts = [
        datetime.date(2017, 1, 1) + datetime.timedelta(days=(j * 7) % 3300) for j in range(D)
    ]
    dialogue_ids = progress.stage(
        "dialogues",
        (
            Dialogue(
                programme_id=programme_ids[j % P],
                title=f"Bench dialogue {j:05d}: {_text(rng, WORDS, 4)}",
                problem=_text(rng, WORDS, 30),
                scope_notes=_text(rng, WORDS, 20),
                status=DIALOGUE_STATUSES[j % len(DIALOGUE_STATUSES)],
                starts_on=dialogue_starts[j],
            )
            for j in range(D)
        ),
        Dialogue,
    )
    progress.stage(
        "rounds",
        (
            Round(dialogue_id=dialogue_id, kind=kind, position=position)
            for dialogue_id in dialogue_ids
            for position, kind in enumerate(ROUND_ORDER, start=1)
        ),
        Round,
    )

    # Participants: number k belongs to programme k % P, with the next code there, and takes
    # a place in one of its programme's dialogues in turn (see Plan.per_dialogue_roster).
    participant_programme = []
    participant_dialogue = []
    next_code = [0] * P
    own_dialogues = [list(range(p, D, P)) for p in range(P)]

    def participant_rows():
        for p in range(P):
            for position in range(_share(counts["participants"], P, p)):
                next_code[p] += 1
                participant_programme.append(p)
                own = own_dialogues[p]
                participant_dialogue.append(own[position % len(own)])
                yield Participant(
                    programme_id=programme_ids[p],
                    code=f"P-{next_code[p]:03d}",
                    full_name=f"Bench Person {p}-{next_code[p]}",
                    affiliation=f"{rng.choice(PLACES)} civic forum (fictional)",
                    email=f"person-{p}-{next_code[p]}@{BENCH_DOMAIN}",
                    category=rng.choice(CATEGORIES),
                    gender=rng.choice(GENDERS),
                    region=rng.choice(PLACES),
                    languages="en",
                )

    participant_ids = progress.stage("participants", participant_rows(), Participant)
    place_ids = progress.stage(
        "roster places",
        (
            DialogueParticipant(
                dialogue_id=dialogue_ids[participant_dialogue[k]],
                participant_id=participant_id,
                status="confirmed",
                consent_given_on=dialogue_starts[participant_dialogue[k]],
                consent_scope="Taking part; not being recorded.",
            )
            for k, participant_id in enumerate(participant_ids)
        ),
        DialogueParticipant,
    )
    roster = [[] for _ in range(D)]
    for k, place_id in enumerate(place_ids):
        roster[participant_dialogue[k]].append(place_id)

    def session_rows():
        for i in range(counts["sessions"]):
            j = i % D
            starts = datetime.datetime.combine(
                dialogue_starts[j] + datetime.timedelta(days=7 * (i // D) % 3300),
                datetime.time(7, 0),
                tzinfo=datetime.UTC,
            )
            yield Session(
                dialogue_id=dialogue_ids[j],
                title=f"Session {i // D + 1}",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=6),
                time_zone="Africa/Nairobi",
                location="Bench guesthouse (fictional)",
                agenda=_text(rng, WORDS, 12),
                notes=_text(rng, WORDS, 40),
            )

    session_ids = progress.stage("sessions", session_rows(), Session)
    per_session = plan_.attendance_per_session()

    def attendance_rows():
        for i, session_id in enumerate(session_ids):
            places = roster[i % D]
            offset = (i // D) % max(len(places), 1)
            for n in range(per_session[i]):
                yield Attendance(
                    session_id=session_id,
                    dialogue_participant_id=places[(offset + n) % len(places)],
                    status=ATTENDANCE_STATUSES[(i + n) % len(ATTENDANCE_STATUSES)],
                )

    progress.stage("attendance", attendance_rows(), Attendance, need_ids=False)

    # Documents go round the dialogues (document i to dialogue i % D); within each dialogue
    # they alternate: non-papers (delivered while commitments remain to give them, drafts
    # after) and aide-mémoires in every status but delivered. Kind and status follow the
    # document's turn in its dialogue (i // D), not i itself: with D even, i's parity would
    # give some dialogues only non-papers, and which ones would change with the scale.
    M = counts["documents"]

    def is_aide_memoire(i):
        return (i // D) % 2 == 1

    revisions_of = [_share(counts["revisions"], M, i) for i in range(M)]
    steps_budget = counts["commitments"]
    document_steps = []
    facilitator_of = {programme_ids[p]: user_ids[2 * p] for p in range(P)}

    def document_rows():
        nonlocal steps_budget
        for i in range(M):
            j = i % D
            turn = i // D
            kind = Document.Kind.AIDE_MEMOIRE if is_aide_memoire(i) else Document.Kind.NON_PAPER
            steps = 0
            if kind == Document.Kind.NON_PAPER and steps_budget > 0:
                # Three steps each, four for the first ones while the budget allows.
                non_papers_left = (M - i + 1) // 2
                steps = min(4, max(3, -(-steps_budget // non_papers_left)), steps_budget)
                steps_budget -= steps
            status = (
                Document.Status.DELIVERED
                if steps
                else [Document.Status.DRAFT, Document.Status.IN_REVIEW, Document.Status.READY][
                    turn % 3
                ]
            )
            document_steps.append(steps)
            yield Document(
                dialogue_id=dialogue_ids[j],
                kind=kind,
                title=f"Bench {kind} {i:06d}",  # see GENERATED_DOCUMENT_TITLE
                status=status,
                shareable=bool(steps) and turn % 4 == 0,
                head=revisions_of[i],
                created_by_id=facilitator_of[programme_ids[j % P]],
                delivered_at=now if steps else None,
            )

    document_ids = progress.stage("documents", document_rows(), Document)

    def content(i, number):
        if is_aide_memoire(i):
            return {
                "sections": [
                    {"title": "Context", "body": _text(rng, WORDS, 40)},
                    {"title": "Suggested handling", "body": _text(rng, WORDS, 30)},
                ]
            }
        return {
            "problem": _text(rng, WORDS, 30),
            "steps": [
                {
                    "text": _text(rng, WORDS, 12),
                    "who": "The corridor committee",
                    "when": "Within a month",
                    "how": _text(rng, WORDS, 10),
                    "ladder": (30, 60, 90)[step % 3],
                }
                for step in range(max(document_steps[i], 3))
            ],
            "legal_notes": _text(rng, WORDS, 15),
            "operational_notes": _text(rng, WORDS, 15),
        }

    progress.stage(
        "revisions",
        (
            Revision(
                document_id=document_id,
                number=number,
                title=f"Bench document {i:06d}",
                content=content(i, number),
                author_id=facilitator_of[programme_ids[(i % D) % P]],
            )
            for i, document_id in enumerate(document_ids)
            for number in range(1, revisions_of[i] + 1)
        ),
        Revision,
        need_ids=False,
    )

    # Commitments due over the years before TODAY; the first DUE_REMINDERS are open and
    # overdue, with a pending reminder whose moment has come (the sweep's batch).
    commitment_due = []

    def commitment_rows():
        n = 0
        for i, document_id in enumerate(document_ids):
            for step in range(document_steps[i]):
                rung = (30, 60, 90)[step % 3]
                due = TODAY - datetime.timedelta(days=5 + (n * 3) % 3000)
                status = (
                    "open"
                    if n < plan_.due_reminders
                    else ["done", "done", "slipped", "open"][n % 4]
                )
                commitment_due.append(due)
                n += 1
                yield Commitment(
                    document_id=document_id,
                    step_index=step,
                    what=_text(rng, WORDS, 10),
                    rung=rung,
                    due_on=due,
                    owner="The corridor committee",
                    status=status,
                )

    commitment_ids = progress.stage("commitments", commitment_rows(), Commitment)

    def reminder_rows():
        kinds = [
            (Reminder.Kind.COMMITMENT_DUE_SOON, 0),
            (Reminder.Kind.COMMITMENT_OVERDUE, 0),
            (Reminder.Kind.COMMITMENT_OVERDUE, 30),  # the due date moved once
        ]
        written = 0
        for n, commitment_id in enumerate(commitment_ids):
            for position, (kind, moved) in enumerate(kinds):
                if written >= counts["reminders"]:
                    return
                written += 1
                due = commitment_due[n] + datetime.timedelta(days=moved)
                fire_at = datetime.datetime.combine(due, datetime.time(6, 0), tzinfo=datetime.UTC)
                pending = n < plan_.due_reminders and position == 1
                yield Reminder(
                    kind=kind,
                    commitment_id=commitment_id,
                    due_on=due,
                    fire_at=now - datetime.timedelta(hours=1) if pending else fire_at,
                    state=Reminder.State.PENDING if pending else Reminder.State.SENT,
                    sent_at=None if pending else fire_at,
                )

    progress.stage("reminders", reminder_rows(), Reminder, need_ids=False)

    progress.stage(
        "outcomes",
        (
            OutcomeRecord(
                programme_id=programme_ids[i % P],
                change=_text(rng, WORDS, 25),
                social_actor="The corridor committee",
                observed_on=TODAY - datetime.timedelta(days=(i * 11) % 3300),
                place=rng.choice(PLACES),
                significance=_text(rng, WORDS, 20),
                contribution=_text(rng, WORDS, 20),
                sources="Committee minutes (by role)",
            )
            for i in range(counts["outcomes"])
        ),
        OutcomeRecord,
    )
    indicator_programme = [i % P for i in range(counts["indicators"])]
    indicator_ids = progress.stage(
        "indicators",
        (
            Indicator(
                programme_id=programme_ids[p],
                name=f"Bench indicator {i:05d}",
                definition=_text(rng, WORDS, 15),
                unit="events",
                baseline_value=10,
                baseline_date=datetime.date(2017, 1, 1),
            )
            for i, p in enumerate(indicator_programme)
        ),
        Indicator,
    )
    progress.stage(
        "indicator targets",
        (
            IndicatorTarget(
                indicator_id=indicator_id,
                period_start=datetime.date(2026, 1, 1),
                period_end=datetime.date(2026, 12, 31),
                value=50,
            )
            for indicator_id in indicator_ids
        ),
        IndicatorTarget,
    )

    # The export programme (index 1) holds export_values; the rest spread over the others.
    export_indicators = [n for n, p in enumerate(indicator_programme) if p == 1]
    other_indicators = [n for n, p in enumerate(indicator_programme) if p != 1]
    rest = counts["indicator_values"] - plan_.export_values

    def value_rows():
        for group, total in ((export_indicators, plan_.export_values), (other_indicators, rest)):
            for position, n in enumerate(group):
                for v in range(_share(total, len(group), position)):
                    start = datetime.date(2017 + (v // 12) % 10, v % 12 + 1, 1)
                    yield IndicatorValue(
                        indicator_id=indicator_ids[n],
                        period_start=start,
                        period_end=start + datetime.timedelta(days=27),
                        value=rng.randint(0, 200),
                        evidence="Committee minutes",
                        disaggregation=("", "North", "South")[v % 3],
                    )

    progress.stage("indicator values", value_rows(), IndicatorValue, need_ids=False)

    seconds = time.perf_counter() - started
    write(f"Generated in {seconds:.1f} s")
    users = {name: User.objects.get(pk=pk) for name, pk in bench_users.items()}
    return Generated(
        plan=plan_,
        focus_programme=Programme.objects.get(pk=programme_ids[0]),
        export_programme=Programme.objects.get(pk=programme_ids[1]),
        users=users,
        seconds=seconds,
    )


def counts_in_database():
    """The generated rows the database holds, named as in BASE_COUNTS (documents the PDF
    figures add for themselves left out)."""
    documents = Document.objects.filter(title__regex=GENERATED_DOCUMENT_TITLE)
    return {
        "programmes": Programme.objects.count(),
        "dialogues": Dialogue.objects.count(),
        "sessions": Session.objects.count(),
        "participants": Participant.objects.count(),
        "attendance": Attendance.objects.count(),
        "documents": documents.count(),
        "revisions": Revision.objects.filter(document__in=documents).count(),
        "commitments": Commitment.objects.count(),
        "reminders": Reminder.objects.count(),
        "outcomes": OutcomeRecord.objects.count(),
        "indicators": Indicator.objects.count(),
        "indicator_values": IndicatorValue.objects.count(),
    }
