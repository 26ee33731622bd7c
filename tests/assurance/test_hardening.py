"""Hardening: the production settings pass Django's deployment checks; every response carries
the security headers, and responses to someone signed in are never stored; cookies are Secure,
HttpOnly and SameSite; a sign-in ends when idle and at the end of its lifetime, and a password
change ends the person's other sessions; CSRF is enforced on every unsafe method; no GET
changes data; log-in throttling holds against rotating X-Forwarded-For.

The sweeps take their URLs from the authorization matrix's enumeration of Django's resolver and
their objects from its world (tests/assurance/world.py), so a new view is swept without anyone
remembering to. Each check records its figure (tests/assurance/figures.py), printed at the end
of the run.
"""

import hashlib
import re
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from dialogues import session_limits
from dialogues.backends import client_address_for_throttling
from monitoring.models import ResultsSnapshot
from tests.assurance import figures, production
from tests.assurance import test_authorization_matrix as matrix
from tests.assurance.test_authorization_matrix import (
    OWN,
    QUERY,
    _close_streaming,
    accepted_methods,
    all_routes,
    load_policy,
    parameter,
)
from tests.assurance.world import DOCUMENT_KINDS
from tests.dialogues.factories import UserFactory
from uptake.models import DocumentEvent

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"  # every factory user's
LOGIN = "/accounts/login/"
HOME = "/"
UNSAFE_METHODS = ("PUT", "PATCH", "DELETE")
STRICT_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}

# The matrix's fixture, used here too: both programmes' worlds and a user per role.
worlds = matrix.worlds


# --- The URLs ---------------------------------------------------------------------------------


def _path(route, world, kind=None):
    values = {name: parameter(route, name).value(world, kind) for name in route.params}
    path = route.path(values)
    return f"{path}?{QUERY[route.key]}" if route.key in QUERY else path


def urls_answering(method, worlds, *, every_kind=True):
    """(key, path) of every URL whose view accepts `method`, naming this programme's objects;
    a URL naming a document once per kind of document (or, without `every_kind`, once)."""
    policy, world = load_policy(), worlds[OWN]
    urls = []
    for route in all_routes():
        if method not in accepted_methods(policy["urls"][route.key], route):
            continue
        kinds = DOCUMENT_KINDS if every_kind and "document_id" in route.params else (None,)
        urls.extend((route.key, _path(route, world, kind)) for kind in kinds)
    return urls


def signed_in(user, **client_options):
    client = Client(**client_options)
    client.force_login(user)
    return client


@pytest.fixture
def production_settings(settings):
    """The `settings` fixture holding the security settings config/settings.py makes in
    production (read in a fresh interpreter: they do not depend on this run's environment)."""
    for name, value in production.production_settings().items():
        setattr(settings, name, value)
    return settings


# --- Deployment checks ------------------------------------------------------------------------


def test_django_deployment_checks_pass_with_the_production_settings():
    process = production.run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    output = (process.stdout + process.stderr).strip()
    figures.record("Hardening: check --deploy", output.splitlines()[-1] if output else "no output")
    assert process.returncode == 0, output
    assert "System check identified no issues" in process.stdout


def test_the_production_environment_turns_on_every_transport_protection():
    found = production.production_settings()
    assert found["DEBUG"] is False
    assert found["SECURE_SSL_REDIRECT"] is True
    assert found["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert found["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert found["SESSION_COOKIE_SECURE"] is True
    assert found["CSRF_COOKIE_SECURE"] is True


# --- Headers ----------------------------------------------------------------------------------


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def header_problems(response, *, signed_in_user):
    """What is missing or too weak in one response's headers, as short phrases."""
    problems = []
    policy = response.headers.get("Content-Security-Policy")
    if not policy:
        problems.append("no Content-Security-Policy")
    else:
        directives = csp_directives(policy)
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'"):
            if unsafe in policy:
                problems.append(f"CSP allows {unsafe}")
        for name in ("object-src", "base-uri", "frame-ancestors"):
            if directives.get(name) != ["'none'"]:
                problems.append(f"CSP {name} is not 'none'")
        if "default-src" not in directives or "script-src" not in directives:
            problems.append("CSP without default-src or script-src")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("Referrer-Policy") not in STRICT_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')!r}")
    hsts = response.headers.get("Strict-Transport-Security", "")
    match = re.search(r"max-age=(\d+)", hsts)
    if not match or int(match.group(1)) < 60 * 60 * 24 * 365 or "includeSubDomains" not in hsts:
        problems.append(f"Strict-Transport-Security {hsts!r}")
    if signed_in_user and "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.headers.get('Cache-Control')!r} to a user")
    return problems


def test_every_response_over_https_carries_the_security_headers(production_settings, worlds):
    urls = urls_answering("GET", worlds)
    visitors = {"anonymous": Client(), "facilitator": signed_in(worlds["users"]["facilitator"])}
    responses, findings = 0, []
    for role, client in visitors.items():
        for key, path in urls:
            response = client.get(path, secure=True)
            responses += 1
            problems = header_problems(response, signed_in_user=role != "anonymous")
            if problems:
                findings.append(f"{key} as {role} ({path}, {response.status_code}): {problems}")
            _close_streaming(response)
    figures.record(
        "Hardening: headers",
        f"{responses} responses over HTTPS ({len(urls)} GET URLs as anonymous and facilitator): "
        f"{len(findings)} with a missing or weak header",
    )
    assert not findings, "\n".join(findings)


def test_the_header_check_notices_a_missing_no_store_and_a_lax_policy():
    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'self' 'unsafe-inline'; object-src *"
    problems = header_problems(response, signed_in_user=True)
    assert "CSP allows 'unsafe-inline'" in problems
    assert "CSP object-src is not 'none'" in problems
    assert "no X-Content-Type-Options: nosniff" in problems
    assert any(problem.startswith("Cache-Control") for problem in problems)


# --- Cookies and sessions ---------------------------------------------------------------------


def test_session_and_csrf_cookies_are_secure_and_same_site_in_production(
    production_settings, facilitator
):
    client = Client()
    page = client.get(LOGIN, secure=True)
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] is True
    assert csrf["samesite"] in ("Lax", "Strict")

    response = client.post(LOGIN, {"username": "fiona", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] in ("Lax", "Strict")
    assert int(session["max-age"]) <= production_settings.SESSION_COOKIE_AGE
    figures.record(
        "Hardening: cookies",
        f"session cookie Secure, HttpOnly, SameSite={session['samesite']}; "
        f"CSRF cookie Secure, SameSite={csrf['samesite']}",
    )


def _set_clock(client, **stamps):
    """Move the session's sign-in clocks: {SIGNED_IN_AT or SEEN_AT: seconds since epoch}, or
    None to remove one."""
    session = client.session
    for name, value in stamps.items():
        if value is None:
            session.pop(name, None)
        else:
            session[name] = value
    session.save()


def _is_signed_in(client):
    response = client.get(HOME)
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    return False


def test_logging_in_starts_both_clocks(client, facilitator):
    before = time.time()
    client.post(LOGIN, {"username": "fiona", "password": PASSWORD})
    session = client.session
    assert before <= session[session_limits.SIGNED_IN_AT] <= time.time()
    assert session[session_limits.SEEN_AT] == session[session_limits.SIGNED_IN_AT]


def test_a_session_ends_when_idle_for_the_timeout_and_not_before(settings, facilitator):
    settings.SESSION_SEEN_RESOLUTION = 60  # as in production (tests/conftest.py raises it)
    idle = settings.SESSION_IDLE_TIMEOUT
    client = signed_in(facilitator)
    now = time.time()
    _set_clock(client, **{session_limits.SEEN_AT: now - idle + 120})
    assert _is_signed_in(client)
    # The request counted as activity: the idle clock starts again.
    assert client.session[session_limits.SEEN_AT] >= now

    _set_clock(client, **{session_limits.SEEN_AT: time.time() - idle - 1})
    old_key = client.session.session_key
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "Your session has ended" in response.content.decode()
    assert not _is_signed_in(client)
    # The old session is gone from the store, not only from this browser.
    assert not client.session.exists(old_key)


def test_a_session_ends_at_its_lifetime_however_busy(settings, facilitator):
    lifetime = settings.SESSION_COOKIE_AGE
    client = signed_in(facilitator)
    now = time.time()
    _set_clock(
        client, **{session_limits.SIGNED_IN_AT: now - lifetime + 120, session_limits.SEEN_AT: now}
    )
    assert _is_signed_in(client)

    now = time.time()
    _set_clock(
        client, **{session_limits.SIGNED_IN_AT: now - lifetime - 1, session_limits.SEEN_AT: now}
    )
    old_key = client.session.session_key
    assert not _is_signed_in(client)
    assert not client.session.exists(old_key)
    figures.record(
        "Hardening: session limits",
        f"idle timeout {settings.SESSION_IDLE_TIMEOUT // 60} min and lifetime "
        f"{settings.SESSION_COOKIE_AGE // 3600} h: each ends the session once passed, not before",
    )


def test_a_signed_in_session_without_clocks_is_ended(facilitator):
    client = signed_in(facilitator)
    _set_clock(client, **{session_limits.SIGNED_IN_AT: None, session_limits.SEEN_AT: None})
    assert not _is_signed_in(client)


def test_a_password_change_ends_the_other_sessions_and_keeps_its_own(db):
    person = UserFactory(username="pat")
    here, elsewhere, third = Client(), Client(), Client()
    for client in (here, elsewhere, third):
        assert client.post(LOGIN, {"username": "pat", "password": PASSWORD}).status_code == 302
        assert _is_signed_in(client)

    response = here.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert _is_signed_in(here)
    ended = [client for client in (elsewhere, third) if not _is_signed_in(client)]
    person.refresh_from_db()
    assert person.check_password("a-new-long-passphrase")
    figures.record(
        "Hardening: password change",
        f"ended {len(ended)} of 2 other sessions, kept the one that changed it",
    )
    assert len(ended) == 2


# --- CSRF -------------------------------------------------------------------------------------


def _refused_for_csrf(response):
    return response.status_code == 403 and b"CSRF verification failed" in response.content


def test_every_unsafe_request_without_a_csrf_token_is_refused(worlds):
    client = signed_in(worlds["users"]["facilitator"], enforce_csrf_checks=True)
    # A browser that has seen a form holds the CSRF cookie: only the token is missing.
    client.get("/accounts/password_change/")
    assert django_settings.CSRF_COOKIE_NAME in client.cookies

    posts = urls_answering("POST", worlds, every_kind=False)
    every_url = [(route.key, _path(route, worlds[OWN])) for route in all_routes()]
    sent, let_through = 0, []
    for key, path in posts:
        response = client.post(path, {})
        sent += 1
        if not _refused_for_csrf(response):
            let_through.append(f"POST {key} ({path}): {response.status_code}")
    for method in UNSAFE_METHODS:
        for key, path in every_url:
            response = client.generic(method, path)
            sent += 1
            if not _refused_for_csrf(response):
                let_through.append(f"{method} {key} ({path}): {response.status_code}")
    figures.record(
        "Hardening: CSRF",
        f"{sent} unsafe requests without a token ({len(posts)} POST URLs, and PUT, PATCH, "
        f"DELETE on all {len(every_url)} URLs): {len(let_through)} not refused",
    )
    assert not let_through, "\n".join(let_through)


def test_no_view_is_exempt_from_csrf():
    exempt = [route.key for route in all_routes() if getattr(route.callback, "csrf_exempt", 0)]
    this_file = Path(__file__).resolve()
    mentions = [
        str(path.relative_to(ROOT))
        for folder in ("config", "dialogues", "uptake", "monitoring", "tests", "templates")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".html")
        and path.resolve() != this_file
        and "csrf_exempt" in path.read_text(encoding="utf-8")
    ]
    figures.record(
        "Hardening: csrf_exempt",
        f"{len(exempt)} exempt views in the resolver, {len(mentions)} files naming csrf_exempt",
    )
    assert exempt == []
    assert mentions == []


# --- No GET changes data ----------------------------------------------------------------------

# Not compared for content: the session row is the sign-in's own bookkeeping (the last
# activity, messages shown), rewritten on a GET by design. Its row count is still compared.
CONTENT_NOT_COMPARED = {"django_session"}
# Rows a GET writes on purpose, left out of both comparisons: the documents' access log (who
# opened an aide-mémoire, who downloaded a PDF or a ZIP), which the aide-mémoire's facilitator
# reads. Any other kind of document event written by a GET is still caught. And the kept
# results pages: a cache of what the results page renders, holding no data of its own.
WRITTEN_BY_READING = {
    DocumentEvent._meta.db_table: (
        "kind NOT IN (%s, %s)",
        [DocumentEvent.Kind.VIEWED.value, DocumentEvent.Kind.DOWNLOADED.value],
    ),
    ResultsSnapshot._meta.db_table: ("1 = 0", []),
}


def _tables():
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables)


def _rows_of(table):
    """SQL selecting FROM `table` the rows compared, and its parameters. Table names come from
    Django's models, quoted: nothing here comes from a request."""
    condition, params = WRITTEN_BY_READING.get(table, ("", []))
    where = f" WHERE {condition}" if condition else ""
    return f"FROM {connection.ops.quote_name(table)}{where}", params


def _row_counts(tables):
    """{table: rows}, in one query."""
    selects, params = [], []
    for table in tables:
        selection, table_params = _rows_of(table)
        selects.append(f"(SELECT COUNT(*) {selection})")
        params.extend(table_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _contents(tables):
    """{table: digest of every row}, for tables whose content is compared."""
    digests = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in CONTENT_NOT_COMPARED:
                continue
            selection, params = _rows_of(table)
            cursor.execute(f"SELECT * {selection}", params)
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def test_no_get_changes_any_table(worlds):
    tables = _tables()
    urls = urls_answering("GET", worlds)
    roles = ("facilitator", "programme_officer", "donor", "admin")
    requests, findings = 0, []
    for role in roles:
        client = signed_in(worlds["users"][role])
        before_sweep = _contents(tables)
        counts = _row_counts(tables)
        for key, path in urls:
            _close_streaming(client.get(path))
            requests += 1
            after = _row_counts(tables)
            changed = {t: (counts[t], after[t]) for t in tables if counts[t] != after[t]}
            if changed:
                findings.append(f"GET {key} as {role} ({path}) changed row counts: {changed}")
            counts = after
        after_sweep = _contents(tables)
        rewritten = sorted(t for t in before_sweep if before_sweep[t] != after_sweep[t])
        if rewritten:
            findings.append(f"GETs as {role} rewrote rows of {rewritten}")
    figures.record(
        "Hardening: GET changes nothing",
        f"{requests} GETs ({len(urls)} URLs as {', '.join(roles)}): {len(findings)} changed "
        f"any of {len(tables)} tables",
    )
    assert not findings, "\n".join(findings)


# --- Log-in throttling ------------------------------------------------------------------------

PROXY = "10.0.0.1"  # the one address every request arrives from behind a reverse proxy


def _attempt(client, path, login, password, n):
    # The client writes one address, the proxy appends another: both change every time.
    return client.post(
        path,
        {"username": login, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.{n}",
    )


@pytest.mark.parametrize("proxies", [0, 1])
@pytest.mark.parametrize("login_url", ["login", "admin:login"])
def test_throttling_locks_an_account_whatever_x_forwarded_for_says(
    client, settings, db, proxies, login_url
):
    settings.TRUSTED_PROXY_COUNT = proxies
    UserFactory(username="root", email="root@example.org", is_staff=True, is_superuser=True)
    path, limit = reverse(login_url), settings.AXES_FAILURE_LIMIT
    # The same account by its name, its name in capitals and its e-mail.
    logins = ["root", "ROOT", "root@example.org"]
    statuses = [
        _attempt(client, path, logins[n % 3], f"guess-{n}", n).status_code
        for n in range(1, limit + 1)
    ]
    assert statuses == [200] * (limit - 1) + [429]

    response = _attempt(client, path, "root", PASSWORD, limit + 1)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session

    addresses = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    # With no proxy trusted, the header is ignored; behind one, the address it appended counts.
    expected = {PROXY} if proxies == 0 else {f"198.51.100.{n}" for n in range(1, limit + 2)}
    assert addresses == expected
    figures.record(
        "Hardening: login throttling",
        f"locked on failure {limit} of {limit} with rotating X-Forwarded-For (Parley's and "
        "Django admin's log-in, header ignored or behind 1 trusted proxy); "
        "the right password then refused (429)",
    )


def test_behind_a_proxy_one_clients_failures_do_not_lock_everyone_out(client, settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="pat")
    limit = settings.AXES_FAILURE_LIMIT
    # A password sprayer: one client, many accounts, so no account reaches the limit.
    for n in range(limit):
        client.post(
            LOGIN,
            {"username": f"nobody-{n}", "password": "guess"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="192.0.2.66",
        )
    sprayer = client.post(
        LOGIN,
        {"username": "pat", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.66",
    )
    assert sprayer.status_code == 429  # the sprayer's own address is locked
    colleague = Client().post(
        LOGIN,
        {"username": "pat", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.10",
    )
    assert colleague.status_code == 302  # but not the proxy's, shared by everyone


@pytest.mark.parametrize(
    ("proxies", "forwarded", "counted"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy trusted: the header is anyone's to write
        (1, "", PROXY),  # a proxy that did not append: the connecting address
        (1, "203.0.113.9, 198.51.100.4", "198.51.100.4"),  # the proxy's entry, not the client's
        (2, "203.0.113.9, 198.51.100.4, 10.0.0.2", "198.51.100.4"),  # the outermost proxy's
    ],
)
def test_throttling_reads_only_what_trusted_proxies_appended(
    rf, settings, proxies, forwarded, counted
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.post(LOGIN, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address_for_throttling(request) == counted
