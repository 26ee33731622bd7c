"""Parley's production settings, as config/settings.py makes them from the documented
production environment (DEBUG off, HTTPS enforced, a long random SECRET_KEY, an https base
URL, behind the TLS proxy docker-compose.yml expects). Settings are read once per process, so
each reading runs in a fresh interpreter.

    run(["manage.py", "check", "--deploy"])      # a command, in that environment
    overrides = production_settings()            # {name: value}, for the `settings` fixture
"""

import functools
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "parley.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://parley.example.org",
    "PARLEY_BASE_URL": "https://parley.example.org",
    "TRUST_X_FORWARDED_PROTO": "1",
    "EMAIL_HOST": "smtp.example.org",
}
# Variables of the test run's own environment that must not leak into the production one
# (SQLite stays: a database server is not needed to read settings or run the checks).
_DROPPED = {
    *PRODUCTION_ENV,
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "EMAIL_BACKEND",
    "SECURE_HSTS_SECONDS",
    "SESSION_IDLE_MINUTES",
    "SESSION_LIFETIME_HOURS",
    "TRUSTED_PROXY_COUNT",
    "DJANGO_SETTINGS_MODULE",
    # Set by the browser tests' fixture for Playwright's event loop; never in production.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

# The settings behind the headers and cookies the hardening checks look at.
SECURITY_SETTINGS = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_IDLE_TIMEOUT",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
)


def run(args):
    """Run `python *args` from the project folder with the production environment (and a
    var/ folder of its own); returns the finished process."""
    environ = {key: value for key, value in os.environ.items() if key not in _DROPPED}
    with tempfile.TemporaryDirectory(prefix="parley-production-") as var_dir:
        environ.update(
            PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="config.settings", PARLEY_VAR_DIR=var_dir
        )
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@functools.cache
def production_settings():
    """{name: value} of SECURITY_SETTINGS in production (JSON round-tripped: tuples come back
    as lists, which Django accepts for all of these)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    process = run(["-c", code])
    if process.returncode != 0:
        raise RuntimeError(f"the production settings do not load:\n{process.stderr}")
    return json.loads(process.stdout.strip().splitlines()[-1])
