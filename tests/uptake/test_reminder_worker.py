"""Reminders through real Celery workers.

The beat scan → delivery path runs in an in-process worker on whichever broker the settings
configure (the filesystem queue by default, Redis when CI sets CELERY_BROKER_URL).

The killed worker runs on real Redis and real PostgreSQL in every run, whatever the test
database: the test makes its own PostgreSQL database and uses its own Redis database, and
drives `manage.py` and `celery` as separate processes. It holds a row lock on a reminder in
the middle of a batch, so the worker blocks exactly there with the earlier reminders
delivered; kills the worker with SIGKILL; starts a fresh one and scans again, as beat would;
and shows that every reminder reached every recipient exactly once, by notification and by
e-mail.
"""

import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from psycopg import sql

from config.celery import app as celery_app
from tests.uptake.chain_factories_c import delivered_non_paper, due
from uptake.models import Notification, Reminder
from uptake.tasks import deliver_reminders, scan_reminders

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SETUP_SCRIPT = Path(__file__).with_name("reminder_worker_setup.py")
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
# Its own Redis database, apart from a developer's `make run` (0) and CI's PostgreSQL run's
# broker (15); CI runs its two suites side by side, so the second names another one here.
REDIS_URL = os.environ.get("PARLEY_TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/14")
MESSAGE_ID = re.compile(r"^Message-ID: (.+)$", re.MULTILINE)


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


# --- In process, on the configured broker ------------------------------------------------


def test_beat_scans_for_reminders_every_minute_with_late_acks_and_time_limits():
    entry = celery_app.conf.beat_schedule["scan-reminders"]
    assert entry["task"] == "uptake.tasks.scan_reminders"
    assert entry["schedule"].remaining_estimate(timezone.now()) <= datetime.timedelta(minutes=1)
    # No countdown or ETA anywhere: a stale scan expires, the next one does its work.
    assert set(entry.get("options", {})) <= {"expires"}
    for task in (scan_reminders, deliver_reminders):
        assert task.acks_late is True
        assert 0 < task.soft_time_limit < task.time_limit <= 300


@pytest.mark.django_db(transaction=True)
def test_the_beat_scan_plans_and_a_worker_delivers_on_the_configured_broker(
    dialogue, facilitator, officer, mailoutbox
):
    document = delivered_non_paper(dialogue, facilitator)
    for step_index in range(2):
        due(document, timezone.now().date() + datetime.timedelta(days=3), step_index=step_index)
    # Messages an earlier test left queued (a scan, a batch) would race this one's.
    celery_app.control.purge()
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=20):
        result = scan_reminders.delay()
        assert result.get(timeout=30) == 2
        assert wait_for(lambda: Notification.objects.count() == 4, 30), (
            "the worker delivered no reminders"
        )
        # Scanning again, as beat does every minute, sends nothing more.
        assert scan_reminders.delay().get(timeout=30) == 0
    assert set(Reminder.objects.values_list("state", flat=True)) == {Reminder.State.SENT}
    reminder_mail = [m for m in mailoutbox if m.extra_headers.get("Message-ID", "")]
    assert sorted(m.to[0] for m in reminder_mail) == sorted([officer.email, facilitator.email] * 2)


# --- A real worker, killed mid-batch -----------------------------------------------------


def _environment(tmp_path, database_url):
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "CELERY_", "EMAIL_", "DJANGO_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_RESULT_BACKEND=REDIS_URL,
        PARLEY_VAR_DIR=str(tmp_path / "var"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        SECRET_KEY="killed-worker-test-secret-key-0123456789-abcdefghijklmnop",
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        PARLEY_BASE_URL="http://testserver",
        LOG_LEVEL="WARNING",
    )
    return environ


def _run(command, environ, **options):
    finished = subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, **options
    )
    assert finished.returncode == 0, f"{command[1:3]} failed:\n{finished.stderr[-3000:]}"
    return finished.stdout


def _start_worker(environ, log):
    """A worker in its own process group, so one signal reaches it and its pool child."""
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _scan(environ):
    """Queue the periodic scan, as beat would."""
    _run([str(BIN / "celery"), "-A", "config", "call", "uptake.tasks.scan_reminders"], environ)


def _count(connection, query, *params):
    return connection.execute(query, params).fetchone()[0]


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_a_worker_killed_in_the_middle_of_a_batch_loses_no_reminder_and_sends_none_twice(
    tmp_path,
):
    name = f"parley_reminder_worker_{os.getpid()}"
    database_url = f"{POSTGRES_SERVER}/{name}"
    environ = _environment(tmp_path, database_url)
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    server = psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True)
    server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # A throwaway database need not wait for the disk on each commit: migrating goes faster.
    server.execute(
        sql.SQL("ALTER DATABASE {} SET synchronous_commit TO off").format(sql.Identifier(name))
    )
    workers, connections, logs = [], [], []
    try:
        python = str(BIN / "python")
        _run([python, "manage.py", "migrate", "--noinput"], environ)
        with SETUP_SCRIPT.open() as script:
            output = _run([python, "manage.py", "shell"], environ, stdin=script)
        data = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
        reminder_ids, recipients = data["reminders"], data["recipients"]
        assert len(reminder_ids) == 40
        assert len(recipients) == 2
        blocked = reminder_ids[len(reminder_ids) // 2]
        delivered_before = reminder_ids.index(blocked)

        watcher = psycopg.connect(database_url, autocommit=True)
        locker = psycopg.connect(database_url)  # holds its transaction open
        connections += [watcher, locker]

        def notifications():
            return _count(watcher, "SELECT count(*) FROM uptake_notification")

        def worker_waits_for_the_lock():
            return _count(
                watcher,
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND wait_event_type = 'Lock'",
                name,
            )

        # The worker will block on this row, half-way through the batch.
        locker.execute("SELECT id FROM uptake_reminder WHERE id = %s FOR UPDATE", [blocked])
        logs.append((tmp_path / "worker-1.log").open("w"))
        first = _start_worker(environ, logs[-1])
        workers.append(first)
        _scan(environ)
        assert wait_for(
            lambda: (
                notifications() == delivered_before * len(recipients)
                and worker_waits_for_the_lock()
            ),
            45,
        ), (
            f"the first worker did not deliver the first {delivered_before} reminders and "
            f"block on reminder {blocked} ({notifications()} notifications); its log:\n"
            + (tmp_path / "worker-1.log").read_text()[-3000:]
        )

        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        locker.rollback()  # the killed worker's claim, if it ever runs, is rolled back
        assert notifications() == delivered_before * len(recipients)

        logs.append((tmp_path / "worker-2.log").open("w"))
        second = _start_worker(environ, logs[-1])
        workers.append(second)
        _scan(environ)
        assert wait_for(
            lambda: (
                not _count(watcher, "SELECT count(*) FROM uptake_reminder WHERE state = 'pending'")
                and not _count(
                    watcher, "SELECT count(*) FROM uptake_notification WHERE emailed_at IS NULL"
                )
            ),
            45,
        ), (
            "reminders or e-mails still pending after the restart; the new worker's log:\n"
            + (tmp_path / "worker-2.log").read_text()[-3000:]
        )

        # Every reminder was sent, none cancelled.
        states = dict(watcher.execute("SELECT state, count(*) FROM uptake_reminder GROUP BY state"))
        assert states == {"sent": len(reminder_ids)}
        # Each reached each recipient exactly once.
        pairs = watcher.execute(
            "SELECT reminder_id, recipient_id FROM uptake_notification"
        ).fetchall()
        expected = {(reminder, user) for reminder in reminder_ids for user in recipients}
        assert len(pairs) == len(expected)
        assert set(pairs) == expected
        assert _count(
            watcher, "SELECT count(*) FROM uptake_notification WHERE reminder_id = %s", blocked
        ) == len(recipients)
        # And by e-mail: as many messages as notifications, no two alike.
        mail = "".join(path.read_text() for path in (tmp_path / "mail").iterdir())
        message_ids = MESSAGE_ID.findall(mail)
        assert len(message_ids) == len(expected)
        assert set(message_ids) == {
            f"<reminder-{reminder}-{user}@parley>" for reminder, user in expected
        }
    finally:
        for worker in workers:
            _stop(worker)
        for handle in [*connections, *logs]:
            handle.close()
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        server.close()
        broker.flushdb()
        broker.close()
