from unittest import mock

import pytest
from django.db import OperationalError

from config import health
from config.celery import app as celery_app


@pytest.mark.django_db
def test_health_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client):
    # The outage is simulated at the connection: the database server is outside our process.
    with mock.patch.object(health.connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "broker": "ok"}


@pytest.mark.django_db
def test_health_is_503_when_the_broker_does_not_answer(client):
    # Celery publishes through broker_write_url, which it copies from broker_url.
    names = ("broker_url", "broker_write_url")
    configured = {name: celery_app.conf[name] for name in names}
    celery_app.conf.update(dict.fromkeys(names, "redis://127.0.0.1:1/0"))  # nothing on port 1
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.update(configured)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


def test_health_answers_only_get(client):
    assert client.post("/healthz").status_code == 405
