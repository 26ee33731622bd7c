"""Restore an archive written by `manage.py backup`: every row as it was (primary keys,
content types and permissions included) and the private files, on SQLite or PostgreSQL.

It refuses an archive of another schema (run the same migrations first) and, unless told
--force, a database that holds anything beyond what `migrate` creates. The rows are replaced
in one transaction: a failure leaves the database as it was. The files are unpacked beside
the private folder first and swapped in only once the database is committed.
"""

import json
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction

from dialogues.management.commands.backup import (
    FILES_FOLDER,
    FORMAT,
    MANIFEST,
    applied_migrations,
    backed_up_models,
    model_file,
)

# What `migrate` writes into an empty database: a database holding only these is empty.
CREATED_BY_MIGRATE = (ContentType, Permission)


def rows_beyond_migrate():
    """{model label: rows} for the models holding data `migrate` did not create."""
    held = {}
    for model in backed_up_models():
        if model in CREATED_BY_MIGRATE:
            continue
        count = model._base_manager.count()
        if count:
            held[model._meta.label] = count
    return held


def _safe_member(name):
    """The relative path a files/ member unpacks to, refusing anything that would land
    outside the private folder."""
    relative = PurePosixPath(name[len(FILES_FOLDER) :])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise CommandError(f"The archive holds a file outside its folder: {name}")
    return Path(*relative.parts)


class Command(BaseCommand):
    help = "Restore the database and the private files from an archive made by `backup`."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace whatever the database and the private folder hold now.",
        )

    def handle(self, *args, path, force, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"There is no file {source}.")
        try:
            archive = zipfile.ZipFile(source)
        except zipfile.BadZipFile as bad:
            raise CommandError(f"{source} is not a Parley backup (not a ZIP archive).") from bad
        with archive:
            manifest = self._manifest(archive, source)
            held = rows_beyond_migrate()
            if held and not force:
                largest = sorted(held.items(), key=lambda item: -item[1])[:5]
                tables = ", ".join(f"{label} ({rows})" for label, rows in largest)
                if len(held) > len(largest):
                    tables += f" and {len(held) - len(largest)} more tables"
                raise CommandError(
                    "The database is not empty: restoring would replace everything in it. "
                    f"It holds {sum(held.values())} rows: {tables}. Back it up if it matters, "
                    "then run restore again with --force."
                )
            staging = self._unpack_files(archive)
            try:
                rows = self._restore_rows(archive)
            except (DeserializationError, DatabaseError) as broken:
                shutil.rmtree(staging, ignore_errors=True)
                raise CommandError(
                    f"The archive's rows could not be restored, so nothing was changed: {broken}"
                ) from broken
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        self._swap_in(staging)
        self.stdout.write(
            f"Restored {rows} rows of {len(manifest['rows'])} models and "
            f"{len(manifest['files'])} files from {source} (made {manifest['made_at']})."
        )

    def _manifest(self, archive, source):
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except (KeyError, ValueError) as missing:
            raise CommandError(f"{source} is not a Parley backup (no manifest).") from missing
        if manifest.get("format") != FORMAT:
            raise CommandError(
                f"{source} is in format {manifest.get('format')!r}; this Parley reads {FORMAT}."
            )
        ours = applied_migrations()
        theirs = sorted(list(pair) for pair in manifest["migrations"])
        if theirs != ours:
            only_theirs = [f"{app}.{name}" for app, name in theirs if [app, name] not in ours]
            only_ours = [f"{app}.{name}" for app, name in ours if [app, name] not in theirs]
            raise CommandError(
                "The archive was made with other migrations applied: migrate this database "
                "to the same state first (the archive only: "
                f"{', '.join(only_theirs) or 'none'}; this database only: "
                f"{', '.join(only_ours) or 'none'})."
            )
        return manifest

    def _unpack_files(self, archive):
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        staging = root.with_name(root.name + ".restoring")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for member in archive.infolist():
            if member.is_dir() or not member.filename.startswith(FILES_FOLDER):
                continue
            target = staging / _safe_member(member.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, open(target, "wb") as destination:
                shutil.copyfileobj(source, destination)
        return staging

    @transaction.atomic
    def _restore_rows(self, archive):
        every_table = [model._meta.db_table for model in backed_up_models()]
        # Foreign keys are checked at commit (Django creates them deferrable), so rows go in
        # model by model whatever points at what.
        if connection.vendor == "postgresql":
            # PostgreSQL refuses to TRUNCATE a table with deferred checks pending in this
            # transaction (an enclosing one may have written): run them now.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), every_table, allow_cascade=True)
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        restored = 0
        for model in backed_up_models():
            name = model_file(model)
            try:
                objects = json.loads(archive.read(name))
            except KeyError as missing:
                raise CommandError(f"The archive lacks {name}.") from missing
            restored += self._insert(objects)
        # Every reference must hold now, with a clear error, not at commit.
        connection.check_constraints()
        # PostgreSQL's sequences would hand out ids already taken (SQLite needs nothing).
        statements = connection.ops.sequence_reset_sql(no_style(), backed_up_models())
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        ContentType.objects.clear_cache()
        return restored

    def _insert(self, objects):
        """Insert serialised rows as they were, timestamps included, as loaddata does: a
        raw save, which the audit trail and every other receiver leave alone (a restore is
        not a change: no history row, no e-mail)."""
        count = 0
        for restored in serializers.deserialize("python", objects):
            restored.save(force_insert=True)
            count += 1
        return count

    def _swap_in(self, staging):
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        previous = root.with_name(root.name + ".before-restore")
        shutil.rmtree(previous, ignore_errors=True)
        if root.exists():
            root.rename(previous)
        staging.rename(root)
        shutil.rmtree(previous, ignore_errors=True)
