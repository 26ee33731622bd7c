"""Settings for the gunicorn server R4 loads: Parley's own, plus bench.urls (a trivial view
to compare with) and plain HTTP on loopback."""

from config.settings import *  # noqa: F403
from config.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "127.0.0.1"]
# The load comes over plain HTTP from the same machine.
SECURE_SSL_REDIRECT = False
# The session's last-seen time is written once, not once a minute in the middle of a run.
SESSION_SEEN_RESOLUTION = 10**9
