"""The log scan (tests/assurance/log_capture.py) finds each kind of secret in captured log
lines, tracebacks included, and shows passwords and session ids only by their first
characters. The scan of the whole run happens at its end; this checks the scanner."""

import logging
import sys

from tests.assurance import log_capture


def _scan(monkeypatch, lines, **secrets):
    monkeypatch.setattr(log_capture, "SECRETS", log_capture.Secrets(**secrets))
    scan = log_capture.LogScan()
    scan.handler = log_capture.CapturingHandler(logging.Formatter("%(levelname)s %(message)s"))
    for line in lines:
        scan.handler.emit(logging.LogRecord("uptake", logging.INFO, __file__, 1, line, (), None))
    return scan.scan()


def test_the_log_scan_finds_names_canaries_passwords_and_session_ids(monkeypatch):
    key = "k8r2m0q4z7w1n5c3v9b6x0l2j4h8g1f5"
    findings = _scan(
        monkeypatch,
        [
            "Building bundle for AMARA QUILLFEATHER",
            "note: Canary-Aidetext-7f3a",
            f"session {key} expired",
            "login with correct-horse-battery failed",
        ],
        names={"Amara Quillfeather"},
        canaries={"Canary-Aidetext-7f3a"},
        passwords={"correct-horse-battery"},
        session_keys={key},
    )
    assert {kind for kind, _value, _context in findings} == {
        "participant name",
        "canary",
        "session id",
        "password",
    }
    shown = "\n".join(context for _kind, _value, context in findings)
    assert "correct-horse-battery" not in shown and key not in shown
    assert "AMARA QUILLFEATHER" in shown


def test_the_log_scan_finds_a_secret_in_a_formatted_traceback(monkeypatch):
    monkeypatch.setattr(log_capture, "SECRETS", log_capture.Secrets(passwords={"parley-demo"}))
    scan = log_capture.LogScan()
    scan.handler = log_capture.CapturingHandler(logging.Formatter("%(message)s"))
    try:
        raise ValueError("wrong password parley-demo")
    except ValueError:
        record = logging.LogRecord(
            "dialogues", logging.ERROR, __file__, 1, "failed", (), exc_info=sys.exc_info()
        )
    scan.handler.emit(record)
    assert [kind for kind, _value, _context in scan.scan()] == ["password"]


def test_the_log_scan_finds_nothing_in_clean_logs_or_in_an_unknown_session_key(monkeypatch):
    findings = _scan(
        monkeypatch,
        ["GET /programmes/ 200", "session " + "a" * 32],
        names={"Amara Quillfeather"},
        passwords={"parley-demo"},
        session_keys={"b" * 32},
    )
    assert findings == []


def test_only_passwords_parley_would_accept_count_as_secrets(db):
    """Django hashes a failed log-in attempt's password for timing, and fuzzed forms offer
    "0000000000": neither is anyone's password, and such strings match ids in URLs."""
    from django.contrib.auth import get_user_model

    User = get_user_model()

    user = User(username="amara", email="amara@example.org")
    assert not log_capture._acceptable_password("0000000000", user)
    assert not log_capture._acceptable_password("short", user)
    assert not log_capture._acceptable_password("amara@example.org", user)
    assert log_capture._acceptable_password("lantern-orchard-41", user)
