"""Settings come from the environment and fail loudly. Each start-up runs in a fresh
interpreter, because settings are read once per process."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "parley.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://parley.example.org",
    "DATABASE_URL": "postgres://parley:secret@db.internal:5432/parley",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "EMAIL_HOST": "smtp.example.org",
    "PARLEY_BASE_URL": "https://parley.example.org",
}
VARIABLES_WE_CONTROL = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "SECURE_SSL_REDIRECT",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PARLEY_BASE_URL",
}


def start(env, code="import django; django.setup()", args=None, tmp_path=None):
    """Run Python with exactly `env` for our variables; returns the finished process."""
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES_WE_CONTROL}
    environ.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    if tmp_path is not None:
        environ["PARLEY_VAR_DIR"] = str(tmp_path)
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def settings_in(env, tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
        "'db_name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
        "'backend': s.CELERY_RESULT_BACKEND, 'debug': s.DEBUG}))"
    )
    process = start(env, code, tmp_path=tmp_path)
    assert process.returncode == 0, process.stderr
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_missing_secret_key_stops_start_up_when_debug_is_off(tmp_path):
    process = start({"DEBUG": "0"}, tmp_path=tmp_path)
    assert process.returncode != 0
    assert "SECRET_KEY is not set" in process.stderr


def test_production_start_up_requires_the_base_url_for_mailed_links(tmp_path):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "PARLEY_BASE_URL"}
    process = start(env, tmp_path=tmp_path)
    assert process.returncode != 0
    assert "Set the environment variable PARLEY_BASE_URL" in process.stderr


def test_debug_start_up_without_secret_key_uses_a_random_key_kept_under_var(tmp_path):
    code = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.SECRET_KEY)"
    )
    first = start({"DEBUG": "1"}, code, tmp_path=tmp_path)
    second = start({"DEBUG": "1"}, code, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    assert (tmp_path / "dev-secret-key").read_text().strip() == key


def test_a_misspelt_boolean_names_the_variable(tmp_path):
    process = start({"DEBUG": "maybe", "SECRET_KEY": "x" * 50}, tmp_path=tmp_path)
    assert process.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in process.stderr


def test_a_database_url_that_is_not_postgres_is_refused(tmp_path):
    env = {"DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/parley"}
    process = start(env, tmp_path=tmp_path)
    assert process.returncode != 0
    assert "DATABASE_URL must be a postgres:// URL" in process.stderr


def test_a_broker_url_that_is_not_redis_is_refused(tmp_path):
    env = {"DEBUG": "1", "CELERY_BROKER_URL": "amqp://guest@localhost//"}
    process = start(env, tmp_path=tmp_path)
    assert process.returncode != 0
    assert "CELERY_BROKER_URL must be a redis:// URL" in process.stderr


def test_with_nothing_set_parley_embeds_sqlite_and_a_filesystem_broker_under_var(tmp_path):
    found = settings_in({"DEBUG": "1"}, tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["db_name"] == str(tmp_path / "parley.sqlite3")
    assert found["broker"] == "filesystem://"
    assert found["backend"] == f"file://{tmp_path / 'results'}"
    assert (tmp_path / "broker" / "queue").is_dir()


def test_database_and_broker_urls_select_postgresql_and_redis(tmp_path):
    found = settings_in(PRODUCTION_ENV, tmp_path)
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["db_name"] == "parley"
    assert found["broker"] == "redis://redis.internal:6379/0"
    assert found["backend"] == "redis://redis.internal:6379/0"
    assert found["debug"] is False


def test_deploy_check_reports_nothing_for_the_documented_production_environment(tmp_path):
    process = start(
        PRODUCTION_ENV,
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path=tmp_path,
    )
    assert process.returncode == 0, process.stderr + process.stdout
    assert "no issues" in process.stdout


def test_env_helpers_parse_and_reject(monkeypatch):
    monkeypatch.setenv("PARLEY_T_BOOL", "Yes")
    monkeypatch.setenv("PARLEY_T_INT", "12")
    monkeypatch.setenv("PARLEY_T_LIST", " a.example, ,b.example ")
    assert env_bool("PARLEY_T_BOOL", False) is True
    assert env_bool("PARLEY_T_UNSET", True) is True
    assert env_int("PARLEY_T_INT", 1) == 12
    assert env_list("PARLEY_T_LIST") == ["a.example", "b.example"]
    assert env_str("PARLEY_T_UNSET", "fallback") == "fallback"
    monkeypatch.setenv("PARLEY_T_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="PARLEY_T_INT='twelve' is not a whole number"):
        env_int("PARLEY_T_INT", 1)
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable PARLEY_T_UNSET"):
        env_str("PARLEY_T_UNSET")


def test_every_response_carries_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
