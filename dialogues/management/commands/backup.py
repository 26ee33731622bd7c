"""Write the whole database and the private files (evidence attachments, PDFs, ZIPs) into one
ZIP archive, the same on SQLite and PostgreSQL and without their client tools.

The archive holds:
- manifest.json: the format, when it was made, the database vendor, the migrations applied
  (a restore refuses an archive from another schema) and the row count of every model;
- database/<app_label>.<model>.json: every row of every model, primary keys as stored,
  content types and permissions included, so django-guardian's and the audit trail's
  references to them by id stay true (no natural keys needed: ids are restored as they were);
- files/...: everything under PRIVATE_MEDIA_ROOT.

It holds participants' identities and password hashes: it is written readable by its owner
only, and must be kept as carefully as the database.
"""

import datetime
import decimal
import json
import os
import uuid
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "parley-backup-1"
MANIFEST = "manifest.json"
DATABASE_FOLDER = "database/"
FILES_FOLDER = "files/"


class FullPrecisionEncoder(json.JSONEncoder):
    """JSON for serialised rows, keeping microseconds (Django's encoder cuts them to
    milliseconds, and a restored row must be the row that was saved)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.date | datetime.time):
            return o.isoformat()
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        if isinstance(o, bytes | memoryview):
            return bytes(o).hex()
        return super().default(o)


def backed_up_models():
    """Every model with a table of its own, the many-to-many tables Django creates included:
    they are written as tables of their own so their rows keep their ids."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def serialised_rows(model):
    """Every row of `model` ordered by pk, as the python serialiser gives them: its concrete
    columns only (many-to-many links are in their own tables' files)."""
    columns = [field.name for field in model._meta.concrete_fields if not field.primary_key]
    return serializers.serialize(
        "python", model._base_manager.order_by("pk").iterator(), fields=columns
    )


def model_file(model):
    return f"{DATABASE_FOLDER}{model._meta.label_lower}.json"


def applied_migrations():
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def private_files():
    """(path on disk, name in the archive) of every private file."""
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    if not root.exists():
        return []
    return [
        (path, FILES_FOLDER + path.relative_to(root).as_posix())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]


class Command(BaseCommand):
    help = "Back up the database and the private files into one ZIP archive."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the archive (e.g. backup.zip).")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace the file if it exists."
        )

    def handle(self, *args, path, overwrite, **options):
        target = Path(path)
        if target.exists() and not overwrite:
            raise CommandError(f"{target} exists already. Pass --overwrite to replace it.")
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        partial = target.with_name(target.name + ".partial")
        # Readable by its owner only, from the first byte written.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                rows, files = self._write(handle)
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"Backed up {sum(rows.values())} rows of {len(rows)} models and {files} files "
            f"to {target}."
        )

    def _write(self, handle):
        rows = {}
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            # One snapshot: every model read in the same transaction (REPEATABLE READ on
            # PostgreSQL, which must be asked for before the transaction's first query, so
            # not inside a caller's; SQLite's transaction sees one state of the file).
            snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
            with transaction.atomic():
                if snapshot:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                migrations = applied_migrations()
                for model in backed_up_models():
                    objects = serialised_rows(model)
                    rows[model._meta.label_lower] = len(objects)
                    archive.writestr(
                        model_file(model), json.dumps(objects, cls=FullPrecisionEncoder)
                    )
            files = private_files()
            for path, name in files:
                archive.write(path, name)
            manifest = {
                "format": FORMAT,
                "made_at": timezone.now().isoformat(),
                "vendor": connection.vendor,
                "migrations": migrations,
                "rows": rows,
                "files": [name for _path, name in files],
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        return rows, len(files)
