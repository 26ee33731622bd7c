"""Parley's one settings module. Every value that differs between machines comes from the
environment (see .env.example); with nothing set, Parley runs on SQLite and a filesystem
broker under var/, so `make run` needs no server."""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = (BASE_DIR / env_str("PARLEY_VAR_DIR", "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key():
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Parley has no built-in secret key: set SECRET_KEY to a "
            "long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set DEBUG=1 on a development machine."
        )
    # Development only: a random key kept under var/ so logins survive restarts.
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Used in links inside e-mails sent outside a request (invitations from Celery). Required in
# production: a wrong default would mail links that point nowhere.
PARLEY_BASE_URL = env_str("PARLEY_BASE_URL", "http://127.0.0.1:8000" if DEBUG else None).rstrip("/")

INSTALLED_APPS = [
    # Django admin, with every page behind the second factor (dialogues.admin_site).
    "config.apps.ParleyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "django_htmx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dialogues",
    "uptake",
    "monitoring",
    # `manage.py bench`, the performance harness (issue 8); no models.
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Loads each user's object permissions once per request, however many checks a page
    # makes (dialogues.permissions.permission_checker).
    "dialogues.permissions.PermissionChecksPerRequestMiddleware",
    # After authentication: verifies the second factor on request.user and records the
    # actor of every change in the audit trail.
    "django_otp.middleware.OTPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dialogues.session_limits.SessionLimitsMiddleware",
    # After OTPMiddleware and the session limits: a session that owes a code, or a staff
    # account without a device, reaches only the page that settles it (and logging out).
    "dialogues.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Before anything reads the body: refuses one larger than REQUEST_MAX_BYTES unread.
    "config.request_limits.RequestBodyLimitMiddleware",
    # Last, as django-axes requires, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dialogues.context_processors.navigation",
                "uptake.context_processors.notifications",
            ],
        },
    },
]

# --- Database: DATABASE_URL (postgres://...) selects PostgreSQL through psycopg 3. ---
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    if not _database_url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres:// URL (or unset for the embedded SQLite)."
        )
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "parley.sqlite3",
            # The worker, beat and web server share the file: wait for locks, don't fail.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "dialogues.backends.EmailOrUsernameBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dialogues:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
INVITATION_TIMEOUT = 60 * 60 * 24 * 7  # see dialogues.invitations
# The second factor (dialogues.second_factor): the name authenticator apps show, and no
# secret or QR code in Django admin.
OTP_TOTP_ISSUER = "Parley"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-guardian: no anonymous user row; anonymous visitors hold no object permissions.
ANONYMOUS_USER_NAME = None

# django-axes: lock by account and by address separately, so rotating addresses does not
# reset the count for an account. X-Forwarded-For is forgeable: only the entries our own
# TRUSTED_PROXY_COUNT reverse proxies append are read (none by default: the connecting
# address), so behind a proxy each client is counted, not the proxy's one address for all.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "dialogues.backends.login_name_for_throttling"
AXES_CLIENT_IP_CALLABLE = "dialogues.backends.client_address_for_throttling"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Flash messages live in the session, not in a cookie: a message may name a person, and
# cookies are signed but readable (and often logged by proxies).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# A sign-in ends after SESSION_IDLE_MINUTES without a request and SESSION_LIFETIME_HOURS after
# signing in, however busy: dialogues/session_limits.py checks both on every request.
SESSION_IDLE_TIMEOUT = 60 * env_int("SESSION_IDLE_MINUTES", 60)
SESSION_COOKIE_AGE = 60 * 60 * env_int("SESSION_LIFETIME_HOURS", 12)
# The last request's time is written at most this often (seconds), so browsing does not rewrite
# the session on every page; the idle limit may end a session up to this much early.
SESSION_SEEN_RESOLUTION = 60
if SESSION_IDLE_TIMEOUT <= 0 or SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES and SESSION_LIFETIME_HOURS must be above 0.")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- Security headers ---
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The health check is probed over plain HTTP from inside the container network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a TLS-terminating proxy that overwrites this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation: every string is marked, layouts use logical CSS properties. ---
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("my", _("Burmese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files: served by WhiteNoise in production (collected in the image). ---
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (evidence attachments) live outside the web root and have no public URL: they are
# served only by permission-checked views.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body read at all, files included (Django's own limits leave uploaded
# files out): a larger one gets a 413 page before any of it is read. Room for the largest
# attachment and the form around it.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", EVIDENCE_MAX_BYTES + 1024 * 1024)

# --- PDF rendering: each render runs in a render process killed past these limits. ---
# Under gunicorn's 30-second worker timeout, so a page waiting for a PDF gets an answer.
PDF_RENDER_TIMEOUT_SECONDS = env_int("PDF_RENDER_TIMEOUT_SECONDS", 20)
# Memory one render may add to its render process (address space, in MB).
PDF_RENDER_MEMORY_MB = env_int("PDF_RENDER_MEMORY_MB", 768)

# --- E-mail: the console in development; SMTP from the environment in production. ---
_mail_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_mail_options = {}
if _mail_backend == "django.core.mail.backends.smtp.EmailBackend":
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 20,
    }
elif _mail_backend == "django.core.mail.backends.filebased.EmailBackend":
    # One file per connection, for machines without a relay (and the killed-worker test).
    # Not a setting of its own: Django refuses EMAIL_FILE_PATH beside MAILERS.
    _mail_file_path = (BASE_DIR / env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))).resolve()
    _mail_options = {"file_path": str(_mail_file_path)}
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Parley <parley@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery: CELERY_BROKER_URL (redis://...) selects Redis; unset, a filesystem queue. ---
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL:
    if not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(
            "CELERY_BROKER_URL must be a redis:// URL (or unset for the filesystem broker)."
        )
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
    for _folder in (_broker_dir / "queue", _broker_dir / "control", VAR_DIR / "results"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", f"file://{VAR_DIR / 'results'}")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# A task whose worker dies mid-way is redelivered rather than lost; tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

# --- Logging: to the console, never request bodies or participant data. ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools report every step of a render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
