"""The state of the whole database, for checks that something changed nothing (a failed
service) or that something came back exactly (a restored backup).

Every table of every model, auto-created many-to-many tables and history tables included,
read through the ORM: its row count and a checksum of all its rows ordered by primary key,
every column's value written out in a canonical form.
"""

import datetime
import decimal
import hashlib
import json
import uuid

from django.apps import apps


def tabled_models():
    """Every model with a table of its own, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _canonical(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def table_state(model):
    """(row count, sha256 of its rows ordered by pk) for `model`'s table."""
    columns = [field.attname for field in model._meta.concrete_fields]
    digest = hashlib.sha256()
    count = 0
    for row in model._base_manager.order_by("pk").values_list(*columns).iterator():
        digest.update(
            json.dumps([_canonical(value) for value in row], sort_keys=True, default=str).encode()
        )
        digest.update(b"\n")
        count += 1
    return count, digest.hexdigest()


def database_state():
    """{table: (rows, checksum)} for every table."""
    return {model._meta.db_table: table_state(model) for model in tabled_models()}


def differences(before, after):
    """The tables whose row count or content differ, as readable lines."""
    lines = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table), after.get(table)
        if old == new:
            continue
        if old is None or new is None or old[0] != new[0]:
            lines.append(f"{table}: {old and old[0]} rows → {new and new[0]} rows")
        else:
            lines.append(f"{table}: same {old[0]} rows, content changed")
    return lines
