"""`manage.py backup` and `manage.py restore` (make backup, make restore FILE=...) round-trip
the whole database and the private files, on SQLite and PostgreSQL alike.

A rich world (two programmes with an object of every kind a URL names, the audit trail's
history rows, guardian permissions, sessions) is backed up; the database is flushed and the
private files removed; the archive is restored. Every table of every model, many-to-many
and history tables included, must come back with the same row count and the same checksum
of its rows ordered by primary key, and every file with the same checksum.
"""

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dialogues.models import Membership, Participant
from dialogues.services.teams import membership_add
from tests.assurance import figures
from tests.assurance.database_state import database_state, differences
from tests.assurance.world import programme_world
from tests.dialogues.factories import ProgrammeFactory, UserFactory
from uptake.models import DocumentBundle, PdfExport


def _member(programme, role, username):
    user = UserFactory(username=username)
    membership_add(programme=programme, email=user.email, role=role, is_admin=True, actor=None)
    return user


def _file_checksums():
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def private_root(settings, tmp_path, monkeypatch):
    """A private folder of the test's own. The documents' storage fixes its folder when the
    models are imported, so it is moved here by hand."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    for model in (PdfExport, DocumentBundle):
        storage = model._meta.get_field("file").storage
        folder = settings.PRIVATE_MEDIA_ROOT / "documents"
        monkeypatch.setattr(storage, "base_location", folder, raising=False)
        monkeypatch.setattr(storage, "location", str(folder), raising=False)
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def rich_world(db, private_root, client):
    for label in ("own", "other"):
        programme = ProgrammeFactory(name=f"Programme {label}")
        facilitator = _member(programme, Membership.Role.FACILITATOR, f"facilitator-{label}")
        reader = _member(programme, Membership.Role.PROGRAMME_OFFICER, f"officer-{label}")
        programme_world(programme, facilitator, reader, label=label)
    client.force_login(facilitator)  # a session row
    return programme


# Committed rows, as in real use: PostgreSQL cannot TRUNCATE under the test's own
# transaction while its deferred checks are pending.
@pytest.mark.django_db(transaction=True)
def test_backup_flush_restore_gives_back_every_row_and_file(rich_world, tmp_path, private_root):
    before, files_before = database_state(), _file_checksums()
    assert files_before, "the world holds evidence attachments, PDFs and a ZIP"
    archive = tmp_path / "parley-backup.zip"
    call_command("backup", str(archive), verbosity=0)
    assert archive.stat().st_mode & 0o077 == 0, "the archive is readable by its owner only"

    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(private_root)
    assert not Participant.objects.exists()

    call_command("restore", str(archive), verbosity=0)
    after, files_after = database_state(), _file_checksums()
    assert differences(before, after) == []
    assert files_after == files_before
    # New rows get fresh ids, not ones the restored rows hold (PostgreSQL's sequences).
    programme = ProgrammeFactory(name="After the restore")
    participant = Participant.objects.create(
        programme=programme, code="P-900", full_name="New Person", category="other", gender="man"
    )
    assert participant.pk > max(p.pk for p in Participant.objects.exclude(pk=participant.pk))

    rows = sum(count for count, _digest in before.values())
    filled = sum(1 for count, _digest in before.values() if count)
    figures.record(
        "Backup and restore",
        f"{connection.vendor}: {len(before)} tables ({filled} with rows), {rows} rows, "
        f"{len(files_before)} files: row counts and checksums equal after restore",
    )


# Committed rows, as in real use: PostgreSQL cannot TRUNCATE under the test's own
# transaction while its deferred checks are pending.
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_unless_forced(rich_world, tmp_path):
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), verbosity=0)
    Participant.objects.filter(code="P-001").update(full_name="Changed after the backup")
    before = database_state()
    with pytest.raises(CommandError, match=r"not empty.*--force"):
        call_command("restore", str(archive), verbosity=0)
    assert differences(before, database_state()) == []

    call_command("restore", str(archive), force=True, verbosity=0)
    assert not Participant.objects.filter(full_name="Changed after the backup").exists()


@pytest.mark.django_db
def test_a_failed_restore_changes_nothing(rich_world, tmp_path, private_root):
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), verbosity=0)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(broken, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "database/uptake.revision.json":
                data = data.replace(b'"number": 2', b'"number": "two"')
            target.writestr(member, data)
    before, files_before = database_state(), _file_checksums()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("restore", str(broken), force=True, verbosity=0)
    assert differences(before, database_state()) == []
    assert _file_checksums() == files_before


@pytest.mark.django_db
def test_restore_refuses_an_archive_of_other_migrations_or_no_archive(tmp_path, private_root):
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), verbosity=0)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(other, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "manifest.json":
                data = data.replace(b'"monitoring"', b'"elsewhere"', 1)
            target.writestr(member, data)
    with pytest.raises(CommandError, match="other migrations"):
        call_command("restore", str(other), verbosity=0)
    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello")
    with pytest.raises(CommandError, match="not a Parley backup"):
        call_command("restore", str(not_zip), verbosity=0)
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(archive), verbosity=0)
