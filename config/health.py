"""GET /healthz: can Parley reach its database and its broker? For load balancers and
compose health checks, so it says only "ok" or "unavailable" and never why."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import OperationalError as BrokerError

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("health: the database did not answer", exc_info=True)
        return False


def _broker_answers():
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
            broker.default_channel  # noqa: B018 - opening a channel proves the broker is usable
        return True
    except (BrokerError, OSError):
        logger.warning("health: the broker did not answer", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_answers(), "broker": _broker_answers()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)
