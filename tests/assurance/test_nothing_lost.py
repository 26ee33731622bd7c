"""Nothing lost: two people editing the same text from the same base never silently overwrite
each other, and a service that writes several objects writes all of them or none.

Concurrent edits are checked two ways:

- **Randomised interleavings**, simulated deterministically in one thread: several writers
  each open the document (read its head) and later save their text built on what they read,
  their steps shuffled by a seeded random generator (the seed is printed, and
  PARLEY_INTERLEAVING_SEED replays a run). A save from a base someone saved over must get a
  conflict; the writer then merges (reads again, adds their line) and saves again. At the end
  every writer's line is in the current text and the history is a chain with no gaps.
- **Two real connections** in two threads, saving from the same base at the same moment,
  the first holding its transaction open: the second must wait for it and then get a
  conflict. On PostgreSQL the wait is the document row's lock (SELECT ... FOR UPDATE); on
  SQLite, which has no row locks, it is the database's one writer at a time (transactions
  begin IMMEDIATE), and the test checks that setting too.
"""

import datetime
import os
import random
import sqlite3
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from dialogues.models import (
    Attendance,
    DialogueParticipant,
    GroundRule,
    Membership,
    PackageItem,
    Participant,
    Programme,
    RuleAcknowledgement,
)
from dialogues.services.actor_map import actor_map_csv_read, actor_map_import, csv_header
from dialogues.services.design import dialogue_create
from dialogues.services.participant_records import participant_erase
from dialogues.services.participants import rule_acknowledgements_set
from dialogues.services.sessions import session_record_attendance
from dialogues.services.teams import membership_add
from monitoring.models import Risk
from monitoring.services.risks import risk_create, risk_update
from tests.assurance import figures
from tests.assurance.database_state import database_state, differences
from tests.dialogues.factories import (
    ActorFactory,
    DialogueParticipantFactory,
    OptionFactory,
    SessionFactory,
)
from tests.uptake.chain_factories_a import (
    clear,
    delivered_non_paper,
    feedback,
    ready_non_paper,
    relayed,
    vet,
)
from tests.uptake.factories import non_paper
from uptake.models import Document, DocumentBundle, Feedback, VettingFramework
from uptake.services import documents as document_services
from uptake.services.documents import EditConflict, document_save, head_revision
from uptake.services.exports import bundle_open
from uptake.services.feedback import feedback_iterate

SEED = int(os.environ.get("PARLEY_INTERLEAVING_SEED") or random.SystemRandom().randrange(2**32))
INTERLEAVINGS = 30
MAX_WRITERS = 5


class _Writer:
    """One person editing: what they read when they opened the text, and the line they add."""

    def __init__(self, name):
        self.name = name
        self.line = f"Line by {name}."
        self.base = None
        self.read_text = None
        self.saved = False
        self.conflicts = 0


def _schedule(rng, writers):
    """A random interleaving of each writer's open-then-save, as a list of (step, writer)."""
    pending = {writer: ["open", "save"] for writer in writers}
    steps = []
    while pending:
        writer = rng.choice(sorted(pending, key=lambda w: w.name))
        steps.append((pending[writer].pop(0), writer))
        if not pending[writer]:
            del pending[writer]
    return steps


def _run_interleavings(rng, *, open_text, save_text, current_text):
    """Play INTERLEAVINGS random schedules against one editable thing. `open_text()` returns
    (base, text) as an editor sees it on opening; `save_text(base, text)` saves or raises the
    conflict (returning True when it did); `current_text()` reads the text as stored.
    Returns (saves, conflicts)."""
    saves = conflicts = 0
    for _round in range(INTERLEAVINGS):
        writers = [_Writer(f"w{_round}-{i}") for i in range(rng.randint(2, MAX_WRITERS))]
        steps = _schedule(rng, writers)
        while steps:
            step, writer = steps.pop(0)
            if step == "open":
                writer.base, writer.read_text = open_text()
                continue
            stored_base, _text = open_text()
            expected_to_pass = stored_base == writer.base
            passed = save_text(writer.base, f"{writer.read_text}\n{writer.line}".strip())
            assert passed == expected_to_pass, (
                f"seed {SEED}: {writer.name} saving from base {writer.base} when the stored "
                f"base was {stored_base}: {'saved' if passed else 'refused'}"
            )
            if passed:
                saves += 1
                writer.saved = True
            else:
                # The conflict page: they read the current text, merge, and save again at a
                # random later moment.
                conflicts += 1
                writer.conflicts += 1
                steps.insert(rng.randint(0, len(steps)), ("open", writer))
                position = next(i for i, (s, w) in enumerate(steps) if w is writer) + 1
                steps.insert(rng.randint(position, len(steps)), ("save", writer))
        text = current_text()
        for writer in writers:
            assert writer.saved
            assert text.count(writer.line) == 1, (
                f"seed {SEED}: {writer.name}'s line was lost or doubled: {text!r}"
            )
    return saves, conflicts


@pytest.mark.django_db
def test_same_base_document_edits_always_conflict_never_overwrite(facilitator, dialogue):
    print(f"interleaving seed: {SEED} (replay with PARLEY_INTERLEAVING_SEED={SEED})")
    rng = random.Random(SEED)
    document = non_paper(dialogue, facilitator, operational_notes="")
    first_head = document.head

    def open_text():
        document.refresh_from_db()
        return document.head, head_revision(document).content["operational_notes"]

    def save_text(base, text):
        content = {**head_revision(document).content, "operational_notes": text}
        try:
            document_save(
                document=document,
                actor=facilitator,
                base_revision=base,
                title=document.title,
                content=content,
            )
        except EditConflict as conflict:
            assert conflict.current.number == Document.objects.get(pk=document.pk).head
            return False
        return True

    saves, conflicts = _run_interleavings(
        rng,
        open_text=open_text,
        save_text=save_text,
        current_text=lambda: open_text()[1],
    )
    document.refresh_from_db()
    # A chain: one revision per successful save, numbered without gaps, none rewritten.
    assert document.head == first_head + saves
    assert sorted(document.revisions.values_list("number", flat=True)) == list(
        range(1, document.head + 1)
    )
    assert conflicts > 0
    figures.record(
        "Concurrent document edits",
        f"{INTERLEAVINGS} random interleavings (seed {SEED}), {saves} saves, "
        f"{conflicts} conflicts, 0 silent overwrites",
    )


@pytest.mark.django_db
def test_same_base_risk_edits_always_conflict_never_overwrite(facilitator, programme):
    """The risk register is the other edit form that carries the version its editor saw."""
    rng = random.Random(SEED + 1)
    risk = risk_create(
        programme=programme,
        actor=facilitator,
        title="Talks become known",
        description="",
        likelihood=Risk.Level.MEDIUM,
        impact=Risk.Level.HIGH,
        owner=facilitator,
        mitigation="Venues outside the valley.",
        review_on=datetime.date.today() + datetime.timedelta(days=30),
    )

    def open_text():
        risk.refresh_from_db()
        return risk.updated_at, risk.description

    def save_text(base, text):
        try:
            risk_update(risk=risk, actor=facilitator, expected_updated_at=base, description=text)
        except ValidationError as error:
            assert error.code == "conflict"
            return False
        return True

    saves, conflicts = _run_interleavings(
        rng, open_text=open_text, save_text=save_text, current_text=lambda: open_text()[1]
    )
    assert conflicts > 0
    figures.record(
        "Concurrent risk edits",
        f"{INTERLEAVINGS} random interleavings (seed {SEED + 1}), {saves} saves, "
        f"{conflicts} conflicts, 0 silent overwrites",
    )


# --- Two real connections ---------------------------------------------------------------------

HOLD_SECONDS = 0.6


def _database_opener(tmp_path):
    """A function a thread calls to get its own connection to the database, opened the way
    Parley opens it in production.

    On PostgreSQL that is the test database itself (each thread gets its own connection).
    SQLite's test database lives in memory with a shared cache, where one connection's write
    makes the other fail at once ("table is locked") instead of waiting as a file database
    does; so the test database is copied to a file, and each thread opens that file with
    the settings' own OPTIONS (busy timeout, BEGIN IMMEDIATE)."""
    if connection.vendor != "sqlite":
        return lambda: None
    path = tmp_path / "concurrency.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    file_settings = {**connection.settings_dict, "NAME": str(path)}
    wrapper_class = type(connections["default"])

    def open_file_database():
        connections["default"] = wrapper_class(file_settings, "default")

    return open_file_database


@pytest.mark.django_db(transaction=True)
def test_two_connections_saving_from_one_base_the_second_gets_a_conflict(
    facilitator, dialogue, monkeypatch, tmp_path
):
    document = non_paper(dialogue, facilitator)
    base = document.head
    content = head_revision(document).content
    if connection.vendor == "sqlite":
        # SQLite has no row locks: what keeps two read-then-write transactions apart is that
        # each begins by taking the database's write lock (BEGIN IMMEDIATE). Without it both
        # would read the same head, and the later one would fail on the lock upgrade.
        assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
    else:
        # The head is read under the document row's lock.
        with CaptureQueriesContext(connection) as queries:
            document_save(
                document=document,
                actor=facilitator,
                base_revision=base,
                title=document.title,
                content={**content, "legal_notes": "Read under lock."},
            )
        assert any("FOR UPDATE" in query["sql"] for query in queries.captured_queries)
        document.refresh_from_db()
        base = document.head
        content = head_revision(document).content

    real_lock = document_services._lock
    first_in = threading.Event()
    holder = threading.Lock()

    def lock_and_hold_if_first(doc):
        locked = real_lock(doc)
        with holder:
            first = not first_in.is_set()
            first_in.set()
        if first:
            # Hold the transaction open while the other writer tries to get in.
            time.sleep(HOLD_SECONDS)
        return locked

    monkeypatch.setattr(document_services, "_lock", lock_and_hold_if_first)
    open_database = _database_opener(tmp_path)
    results = {}
    start = threading.Barrier(2)

    def writer(name):
        open_database()
        try:
            start.wait()
            began = time.monotonic()
            try:
                document_save(
                    document=Document.objects.get(pk=document.pk),
                    actor=facilitator,
                    base_revision=base,
                    title=document.title,
                    content={**content, "operational_notes": f"Written by {name}."},
                )
                results[name] = ("saved", time.monotonic() - began)
            except EditConflict:
                results[name] = ("conflict", time.monotonic() - began)
            except Exception as error:  # reported below, with its type
                results[name] = (f"error: {type(error).__name__}: {error}", 0)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("ada", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = sorted(outcome for outcome, _ in results.values())
    assert outcomes == ["conflict", "saved"], results
    waited = next(seconds for outcome, seconds in results.values() if outcome == "conflict")
    # The refused writer was made to wait for the first one's transaction: serialised.
    assert waited >= HOLD_SECONDS * 0.8, results
    saved_by = next(name for name, (outcome, _) in results.items() if outcome == "saved")
    stored = {}

    def read_back():
        open_database()
        try:
            stored["head"] = Document.objects.get(pk=document.pk).head
            stored["text"] = head_revision(Document.objects.get(pk=document.pk)).content
        finally:
            connections.close_all()

    reader = threading.Thread(target=read_back)
    reader.start()
    reader.join(timeout=30)
    assert stored["head"] == base + 1
    assert stored["text"]["operational_notes"] == f"Written by {saved_by}."
    mechanism = "row lock (FOR UPDATE)" if connection.vendor != "sqlite" else "BEGIN IMMEDIATE"
    figures.record(
        "Concurrent saves on two connections",
        f"{connection.vendor}: 1 saved, 1 conflict after waiting {waited:.2f}s ({mechanism})",
    )


# --- Multi-object writes are atomic -----------------------------------------------------------


class InjectedFailure(Exception):
    """Raised in place of a database write, as a crash at that point would. Not a database
    error, so no service's own error handling (retrying a duplicate, say) swallows it."""


WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")
MAX_FAILURE_POINTS = 40


def _write_counter(fail_at=None):
    """An execute wrapper counting the write statements sent to the database, raising
    InjectedFailure instead of sending the `fail_at`-th."""
    counter = {"writes": 0}

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(WRITE_VERBS):
            counter["writes"] += 1
            if counter["writes"] == fail_at:
                raise InjectedFailure(f"write {fail_at}: {sql[:80]}")
        return execute(sql, params, many, context)

    return counter, wrapper


def _writes_of(call):
    """How many write statements `call` sends, run in a transaction rolled back after."""
    counter, wrapper = _write_counter()
    with transaction.atomic():
        with connection.execute_wrapper(wrapper):
            call()
        transaction.set_rollback(True)
    return counter["writes"]


def _a_confirmed_place(dialogue, code="P-101"):
    entry = DialogueParticipantFactory(dialogue=dialogue, participant__code=code)
    entry.consent_given_on = datetime.date(2026, 1, 5)
    entry.consent_scope = "Taking part."
    entry.status = DialogueParticipant.Status.CONFIRMED
    entry.save()
    return entry


def _document_save(world):
    document = non_paper(world.dialogue, world.facilitator)

    def call():
        fresh = Document.objects.get(pk=document.pk)
        document_save(
            document=fresh,
            actor=world.facilitator,
            base_revision=fresh.head,
            title="A new title",
            content={**head_revision(fresh).content, "legal_notes": "Changed."},
        )

    return call


def _non_paper_from_package(world):
    OptionFactory.create_batch(3, dialogue=world.dialogue)
    for position, option in enumerate(world.dialogue.options.all(), start=1):
        PackageItem.objects.create(dialogue=world.dialogue, option=option, position=position)
    return lambda: document_services.non_paper_create_from_package(
        dialogue=world.dialogue, actor=world.facilitator
    )


def _delivery_with_commitments(world):
    document = ready_non_paper(world.dialogue, world.facilitator)
    clear(document, world.legal_reviewer)
    return lambda: document_services.document_transition(
        document=Document.objects.get(pk=document.pk),
        actor=world.facilitator,
        to_status=Document.Status.DELIVERED,
    )


def _vetting_that_clears(world):
    document = ready_non_paper(world.dialogue, world.facilitator)
    frameworks = list(VettingFramework)
    clear(document, world.legal_reviewer, skip=frameworks[-1:])
    # The last verdict clears the version: the verdict, the clearance and the log entries.
    return lambda: vet(Document.objects.get(pk=document.pk), world.legal_reviewer, frameworks[-1])


def _new_iteration(world):
    document = delivered_non_paper(world.dialogue, world.facilitator)
    return lambda: document_services.document_new_iteration(
        document=Document.objects.get(pk=document.pk), actor=world.facilitator
    )


def _feedback_into_next_version(world):
    _document, told = relayed(
        world.dialogue, world.facilitator, world.legal_reviewer, world.officer, world.programme
    )
    answer = feedback(told, world.officer)
    return lambda: feedback_iterate(
        feedback=Feedback.objects.get(pk=answer.pk), actor=world.officer
    )


def _membership_with_permissions(world):
    return lambda: membership_add(
        programme=Programme.objects.get(pk=world.programme.pk),
        email="new.member@example.org",
        role=Membership.Role.PROGRAMME_OFFICER,
        is_admin=True,
        actor=world.facilitator,
    )


def _dialogue_with_rounds_and_rules(world):
    return lambda: dialogue_create(
        programme=world.programme,
        actor=world.facilitator,
        title="Detainee lists",
        problem="Agree how lists of detainees are exchanged.",
    )


def _attendance(world):
    places = [
        _a_confirmed_place(world.dialogue),
        _a_confirmed_place(world.dialogue, code="P-102"),
        _a_confirmed_place(world.dialogue, code="P-103"),
    ]
    session = SessionFactory(dialogue=world.dialogue)
    Attendance.objects.create(
        session=session, dialogue_participant=places[2], status=Attendance.Status.PRESENT
    )

    def call():
        marks = {
            DialogueParticipant.objects.get(pk=places[0].pk): Attendance.Status.PRESENT,
            DialogueParticipant.objects.get(pk=places[1].pk): Attendance.Status.ABSENT,
            DialogueParticipant.objects.get(pk=places[2].pk): None,
        }
        session_record_attendance(session=session, marks=marks, actor=world.facilitator)

    return call


def _acknowledgements(world):
    entry = _a_confirmed_place(world.dialogue)
    rules = [
        GroundRule.objects.create(
            dialogue=world.dialogue, kind=GroundRule.Kind.CUSTOM, title=f"Rule {n}", text="."
        )
        for n in (1, 2, 3)
    ]
    first = rules[0]
    RuleAcknowledgement.objects.create(
        rule=first, dialogue_participant=entry, acknowledged_on=datetime.date(2026, 1, 6)
    )
    return lambda: rule_acknowledgements_set(
        entry=DialogueParticipant.objects.get(pk=entry.pk),
        rules=rules[1:],
        acknowledged_on=datetime.date(2026, 1, 7),
        actor=world.facilitator,
    )


def _actor_map_import(world):
    text = (
        f"{csv_header()}\n"
        "River Council,Ridge Movement,frequent,none,2026-01-01,\n"
        "River Council,Ridge Movement,bilateral,active,2026-02-01,Talks resumed\n"
        "Ridge Movement,Plains Front,allied,active,2026-02-01,\n"
    )
    for name in ("River Council", "Ridge Movement", "Plains Front"):
        ActorFactory(programme=world.programme, name=name)

    def call():
        rows = actor_map_csv_read(programme=world.programme, text=text)
        actor_map_import(programme=world.programme, rows=rows, actor=world.facilitator)

    return call


def _zip_download_log(world):
    documents = [
        non_paper(world.dialogue, world.facilitator, title=f"Paper {n}") for n in (1, 2, 3)
    ]
    bundle = DocumentBundle(
        dialogue=world.dialogue,
        requested_by=world.facilitator,
        status=DocumentBundle.Status.DONE,
        total=3,
        done=3,
        included=[document.pk for document in documents],
        file_name="documents.zip",
    )
    bundle.file.save("documents.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    bundle.save()

    def call():
        bundle_open(bundle=bundle, actor=world.facilitator).close()

    return call


def _identity_erasure(world):
    entry = _a_confirmed_place(world.dialogue)
    person = entry.participant
    entry.consent_scope = f"{person.full_name} agreed to take part."
    entry.save()
    SessionFactory(dialogue=world.dialogue, notes=f"{person.full_name} spoke first.")
    return lambda: participant_erase(
        participant=Participant.objects.get(pk=person.pk), actor=world.facilitator
    )


MULTI_WRITE_SERVICES = {
    "document_save (document head, revision)": _document_save,
    "non_paper_create_from_package (document, revision, log)": _non_paper_from_package,
    "document_transition to delivered (status, commitments, log)": _delivery_with_commitments,
    "vetting_record clearing a version (verdict, clearance, log)": _vetting_that_clears,
    "document_new_iteration (document, revision, log)": _new_iteration,
    "feedback_iterate (next version, feedback)": _feedback_into_next_version,
    "membership_add (account, membership, guardian permissions)": _membership_with_permissions,
    "dialogue_create (dialogue, rounds, ground rules)": _dialogue_with_rounds_and_rules,
    "session_record_attendance (marks added, changed, cleared)": _attendance,
    "rule_acknowledgements_set (recorded and withdrawn)": _acknowledgements,
    "actor_map_import (several relations)": _actor_map_import,
    "bundle_open (a download logged on each document)": _zip_download_log,
    "participant_erase (identity, its history, every text naming them)": _identity_erasure,
}

_atomicity = {}


@pytest.mark.django_db
@pytest.mark.parametrize("service", list(MULTI_WRITE_SERVICES))
def test_a_failure_at_any_write_of_a_service_leaves_nothing_behind(
    service, programme, facilitator, officer, legal_reviewer, dialogue
):
    world = SimpleNamespace(
        programme=programme,
        facilitator=facilitator,
        officer=officer,
        legal_reviewer=legal_reviewer,
        dialogue=dialogue,
    )
    call = MULTI_WRITE_SERVICES[service](world)
    writes = _writes_of(call)
    assert writes >= 2, f"{service} writes {writes} rows: not a multi-object write"
    before = database_state()
    failure_points = range(2, min(writes, MAX_FAILURE_POINTS) + 1)
    for fail_at in failure_points:
        _counter, wrapper = _write_counter(fail_at)
        with pytest.raises(InjectedFailure), connection.execute_wrapper(wrapper):
            call()
        # A service that is not atomic leaves the test's own transaction marked for rollback
        # (by Django's save()), though nothing failed in the database: read what it left.
        connection.needs_rollback = False
        changed = differences(before, database_state())
        assert not changed, f"{service}, failing at write {fail_at} of {writes}: {changed}"
    _atomicity[service] = len(failure_points)
    figures.record(
        "Atomic multi-object writes",
        f"{len(_atomicity)} services, {sum(_atomicity.values())} injected failures "
        "(one at every write after the first): 0 partial writes",
    )
