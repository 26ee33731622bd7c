"""The log scan: everything Parley logs during the whole test run must be free of participants'
names, passwords and session ids.

A pytest plugin (registered by tests/conftest.py). At the start of the run it attaches a
handler to the root logger and to every logger of settings.LOGGING that does not propagate,
lowers Parley's loggers to DEBUG, and formats every record as the configured formatter would
(tracebacks included). Meanwhile it collects the secrets the run creates: every participant's
full name (post_save), every password set (User.set_password) besides the demo's and the
factories', every session key made (SessionBase), and the leak sweep's canaries
(`watch`). At the end it scans the captured text; anything found fails the run (exit status
1) with a report, and the figure is printed with the assurance figures.
"""

import logging
import logging.config
import re
from dataclasses import dataclass, field

import pytest

from tests.assurance import figures

FIGURE = "Log scan"
# Shorter names ("Ann Li") would match ordinary words; longer ones are distinctive.
MIN_NAME_LENGTH = 8
SESSION_KEY = re.compile(r"[a-z0-9]{32}")
# Loggers Parley writes to; they inherit the root's level, lowered to DEBUG for the run.
PARLEY_LOGGERS = ("config", "dialogues", "uptake", "monitoring")


@dataclass
class Secrets:
    names: set = field(default_factory=set)
    passwords: set = field(default_factory=set)
    session_keys: set = field(default_factory=set)
    canaries: set = field(default_factory=set)

    def count(self):
        return sum(map(len, (self.names, self.passwords, self.session_keys, self.canaries)))


SECRETS = Secrets()


def watch(text):
    """Look for `text` in the logs too (the leak sweep's canaries)."""
    SECRETS.canaries.add(text)


class CapturingHandler(logging.Handler):
    """Keeps every record, formatted when emitted (what a log file would have held)."""

    def __init__(self, formatter):
        super().__init__(logging.DEBUG)
        self.setFormatter(formatter)
        self.lines = []
        self.records = 0

    def emit(self, record):
        self.records += 1
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot be formatted is not a leak; keep its message
            self.lines.append(str(record.msg))


def _configured_formatter():
    """The formatter settings.LOGGING gives its handlers (the first one it defines)."""
    from django.conf import settings

    formatters = settings.LOGGING.get("formatters", {})
    if not formatters:
        return logging.Formatter()
    spec = dict(next(iter(formatters.values())))
    return logging.Formatter(spec.get("format"), spec.get("datefmt"), spec.get("style", "%"))


def _target_loggers():
    """The root logger and every configured logger that does not propagate to it."""
    from django.conf import settings

    loggers = [logging.getLogger()]
    for name, spec in settings.LOGGING.get("loggers", {}).items():
        if not spec.get("propagate", True):
            loggers.append(logging.getLogger(name))
    return loggers


class LogScan:
    def __init__(self):
        self.handler = None
        self.findings = []
        self.scanned = False

    # --- Capture -------------------------------------------------------------------------

    def attach(self):
        """Attach the handler where it is missing (a test that reconfigures logging drops
        it from the root logger: it is put back before the next test)."""
        if self.handler is None:
            self.handler = CapturingHandler(_configured_formatter())
        for logger in _target_loggers():
            if self.handler not in logger.handlers:
                logger.addHandler(self.handler)
        for name in PARLEY_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session):
        from django.contrib.auth.base_user import AbstractBaseUser
        from django.contrib.sessions.backends.base import SessionBase
        from django.db.models.signals import post_save

        from dialogues.demo.programme import DEMO_PASSWORD
        from dialogues.models import Participant
        from tests.dialogues.factories import UserFactory

        self.attach()
        SECRETS.passwords.add(DEMO_PASSWORD)
        SECRETS.passwords.add(UserFactory._meta.declarations["password"].default)

        set_password = AbstractBaseUser.set_password

        def collecting_set_password(user, raw_password):
            # Only a password Parley's validators accept can be someone's password. Others
            # reach set_password too (ModelBackend hashes every wrong log-in attempt for
            # timing, fuzzed forms try "0000000000"), and would match ids in URLs by chance.
            if isinstance(raw_password, str) and _acceptable_password(raw_password, user):
                SECRETS.passwords.add(raw_password)
            return set_password(user, raw_password)

        AbstractBaseUser.set_password = collecting_set_password

        new_session_key = SessionBase._get_new_session_key

        def collecting_new_session_key(store):
            key = new_session_key(store)
            SECRETS.session_keys.add(key)
            return key

        SessionBase._get_new_session_key = collecting_new_session_key

        def collect_name(sender, instance, **kwargs):
            if len(instance.full_name.strip()) >= MIN_NAME_LENGTH:
                SECRETS.names.add(instance.full_name.strip())

        post_save.connect(collect_name, sender=Participant, weak=False)

    def pytest_runtest_setup(self, item):
        self.attach()

    # --- Scan ----------------------------------------------------------------------------

    def scan(self):
        text = "\n".join(self.handler.lines)
        folded = text.casefold()
        findings = []
        for kind, values in (
            ("participant name", SECRETS.names),
            ("canary", SECRETS.canaries),
            ("password", SECRETS.passwords),
        ):
            for value in sorted(values):
                position = folded.find(value.casefold())
                if position >= 0:
                    findings.append((kind, value, _context(text, position, value, kind)))
        for key in sorted(set(SESSION_KEY.findall(text)) & SECRETS.session_keys):
            findings.append(("session id", key, _context(text, text.find(key), key, "session id")))
        return findings

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session):
        # Only a run that ran tests has logs to speak of (not --collect-only, not a run
        # stopped before any test).
        if self.handler is None or session.testscollected == 0 or session.config.option.collectonly:
            return
        self.scanned = True
        self.findings = self.scan()
        figures.record(
            FIGURE,
            f"{self.handler.records} log records scanned for {SECRETS.count()} secrets "
            f"({len(SECRETS.names)} participant names, {len(SECRETS.canaries)} canaries, "
            f"{len(SECRETS.passwords)} passwords, {len(SECRETS.session_keys)} session ids): "
            f"{len(self.findings)} found",
        )
        if self.findings:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if not self.scanned:
            return
        if self.findings:
            terminalreporter.section("log scan: secrets in the logs", red=True)
            for kind, value, context in self.findings:
                shown = value if kind in ("participant name", "canary") else _masked(value)
                terminalreporter.write_line(f"{kind} {shown} in: {context}")
        if not _assurance_figures_printed(terminalreporter.config):
            terminalreporter.write_line(f"{FIGURE}: {figures.RECORDED[FIGURE]}")


def _acceptable_password(raw_password, user):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(raw_password, user)
    except ValidationError:
        return False
    return True


def _context(text, position, value, kind):
    """The passage around a finding, with every password and session id in it (this one
    and any other) shown by its first characters only: the report is printed where CI logs
    are kept."""
    start, end = max(0, position - 60), position + len(value) + 60
    snippet = text[start:end]
    for secret in sorted(SECRETS.passwords | SECRETS.session_keys, key=len, reverse=True):
        snippet = re.sub(re.escape(secret), _masked(secret), snippet, flags=re.IGNORECASE)
    return " ".join(snippet.split())


def _masked(secret):
    return f"{secret[:3]}…"


def _assurance_figures_printed(config):
    """Whether tests/assurance/conftest.py, which prints every figure, is part of this run."""
    return any(
        getattr(plugin, "__name__", "") == "tests.assurance.conftest"
        for plugin in config.pluginmanager.get_plugins()
    )


def pytest_configure(config):
    config.pluginmanager.register(LogScan(), "parley-log-scan")
