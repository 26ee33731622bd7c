"""The authorization matrix: every URL pattern Django's resolver knows (Parley's, accounts and
Django admin), every role, the methods each view accepts, and objects of the role's own
programme and of another programme, against the reviewed policy in policy.yaml.

A new view is covered without anyone remembering to: its URL appears in the resolver, and the
build fails until policy.yaml says who may reach it and PARAMETERS below says which object
each of its URL parameters names. The figure (cases checked, unexpected allows, unexpected
denies) is printed at the end of the run by tests/assurance/conftest.py.

Each request runs in a transaction rolled back after it, with the role's session cookie put
back, so a POST that deletes, moves or logs out changes nothing for the next cell. PDF
renderers are stubbed (access is decided before anything is drawn).
"""

import re
from collections import Counter
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import Http404
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogues import permissions as programme_perms
from dialogues.models import Dialogue, Membership, Programme
from dialogues.services.teams import membership_add
from tests.assurance import figures
from tests.assurance.world import DOCUMENT_KINDS, NON_PAPER, give_second_factor, programme_world
from tests.dialogues.factories import UserFactory

POLICY_PATH = Path(__file__).with_name("policy.yaml")

ROLES = (
    "anonymous",
    "facilitator",
    "programme_officer",
    "legal_reviewer",
    "donor",
    "other_member",
    "admin",
)
# The members of the programme under test: none of them may learn that another programme's
# objects exist.
MEMBERS = ("facilitator", "programme_officer", "legal_reviewer", "donor")
METHODS = ("GET", "POST")
OUTCOMES = ("allow", "login", "forbidden", "not_found", "not_allowed")
DENIALS = frozenset(OUTCOMES) - {"allow"}
ENTRY_KEYS = frozenset({"methods", "scope", *OUTCOMES, *METHODS, *DOCUMENT_KINDS})
BLOCK_KEYS = frozenset({*OUTCOMES, *METHODS})

OWN, OTHER, MIXED = "own", "other", "mixed"


# --- The URLs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the namespaced name, or the route itself for an unnamed pattern
    route: str  # the whole pattern, includes' prefixes and all
    callback: object
    params: tuple

    def path(self, values):
        """The path with `values` for its parameters (route converters and regex groups)."""
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), self.route)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
        return "/" + path.replace("^", "").replace("$", "")


def _route_params(route):
    """The parameter names of a route, route converters (<uuid:id>) and regex groups alike."""
    return tuple(
        converter or group
        for converter, group in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    )


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
            continue
        route = prefix + str(pattern.pattern)
        if pattern.name:
            key = f"{namespace}:{pattern.name}" if namespace else pattern.name
        else:
            key = route
        yield Route(key, route, pattern.callback, _route_params(route))


def all_routes():
    """Every URL pattern, in resolver order. A second pattern with the name and route of one
    already seen (the auth URLs Parley overrides with its own views) never answers: dropped.
    One with a name already seen but a route of its own is kept, keyed by both."""
    routes = {}
    for route in _walk(get_resolver()):
        if route.key in routes and routes[route.key].route != route.route:
            route = Route(f"{route.key} {route.route}", route.route, route.callback, route.params)
        routes.setdefault(route.key, route)
    return list(routes.values())


def detected_methods(callback):
    """The methods a view accepts among GET and POST, when its code says so: the list given to
    require_http_methods (require_GET, require_POST) or a class-based view's handlers. None
    for a plain function view, which answers any method."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        handlers = {name.upper() for name in view_class.http_method_names}
        return frozenset(m for m in METHODS if m in handlers and hasattr(view_class, m.lower()))
    function = callback
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = function.__closure__[code.co_freevars.index("request_method_list")]
            return frozenset(m for m in METHODS if m in cell.cell_contents)
        function = getattr(function, "__wrapped__", None)
    return None


# --- The policy -------------------------------------------------------------------------------


def load_policy():
    with POLICY_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _expand(roles, groups):
    expanded = []
    for name in roles:
        if name in groups:
            expanded.extend(groups[name])
        elif name in ROLES:
            expanded.append(name)
        else:
            raise ValueError(f"unknown role or group {name!r}")
    return expanded


def _block_outcomes(block, groups, where):
    """{role: outcome} for one block of an entry; a role named twice is a mistake."""
    outcomes = {}
    for outcome in OUTCOMES:
        for role in _expand(block.get(outcome, ()), groups):
            if role in outcomes:
                raise ValueError(f"{where}: {role} is both {outcomes[role]} and {outcome}")
            outcomes[role] = outcome
    return outcomes


def policy_problems(policy, routes):
    """What is wrong with the policy for these routes, as sentences (empty: nothing)."""
    problems = []
    entries, groups = policy["urls"], policy["groups"]
    by_key = {route.key: route for route in routes}
    for key in by_key.keys() - entries.keys():
        problems.append(f"{key}: URL missing from policy.yaml (who may reach it?)")
    for key in entries.keys() - by_key.keys():
        problems.append(f"{key}: in policy.yaml but no such URL exists any more")
    for key in entries.keys() & by_key.keys():
        entry, route = entries[key], by_key[key]
        problems.extend(f"{key}: unknown key {name!r}" for name in entry.keys() - ENTRY_KEYS)
        for name in DOCUMENT_KINDS:
            if name in entry and "document_id" not in route.params:
                problems.append(f"{key}: {name} outcomes, but the URL names no document")
        try:
            _block_outcomes(entry, groups, key)
            for name in METHODS:
                block = entry.get(name, {})
                problems.extend(
                    f"{key}.{name}: unknown key {sub!r}" for sub in block.keys() - set(OUTCOMES)
                )
                _block_outcomes(block, groups, f"{key}.{name}")
            for name in DOCUMENT_KINDS:
                block = entry.get(name, {})
                problems.extend(
                    f"{key}.{name}: unknown key {sub!r}" for sub in block.keys() - BLOCK_KEYS
                )
                _block_outcomes(block, groups, f"{key}.{name}")
                for method in METHODS:
                    _block_outcomes(block.get(method, {}), groups, f"{key}.{name}.{method}")
        except ValueError as error:
            problems.append(str(error))
        detected = detected_methods(route.callback)
        declared = entry.get("methods")
        if detected is None and declared is None:
            problems.append(
                f"{key}: the view does not say which methods it accepts: decorate it "
                "(require_GET, require_POST, require_http_methods) or declare `methods`"
            )
        elif detected is not None and declared is not None:
            problems.append(
                f"{key}: the view says it accepts {sorted(detected)}: drop `methods` "
                f"({sorted(declared)}) from its entry"
            )
    return sorted(problems)


def accepted_methods(entry, route):
    detected = detected_methods(route.callback)
    return detected if detected is not None else frozenset(entry["methods"])


def expected_outcome(policy, key, role, method, kind):
    """The outcome policy.yaml gives `role` for `method` on this programme's objects (`kind`:
    the kind of document the URL names, or None)."""
    entry, groups = policy["urls"][key], policy["groups"]
    outcome = "login" if role == "anonymous" else "not_found"
    blocks = [entry, entry.get(method, {})]
    if kind is not None:
        blocks += [entry.get(kind, {}), entry.get(kind, {}).get(method, {})]
    for block in blocks:
        outcome = _block_outcomes(block, groups, key).get(role, outcome)
    return outcome


def expected_outcomes(policy, key, role, method, kind, scope, accepted):
    """The outcomes that pass for one cell."""
    if method not in accepted:
        # Refused whatever the object; someone sent to log in may be sent there first. A
        # block for the method in the policy says otherwise where a view answers first.
        entry = policy["urls"][key]
        stated = _block_outcomes(entry.get(method, {}), policy["groups"], key)
        if role in stated:
            return {stated[role]}
        reference = expected_outcome(policy, key, role, min(accepted), kind)
        return {"not_allowed", "login"} if reference == "login" else {"not_allowed"}
    own = expected_outcome(policy, key, role, method, kind)
    if scope == OWN:
        return {own}
    if scope == OTHER:
        if role in MEMBERS:
            return {"not_found"}
        if role == "other_member":
            # Their own programme, where they are what the facilitator is here.
            return {expected_outcome(policy, key, "facilitator", method, kind)}
        return {own}
    # MIXED: a parent of this programme with children of the other never lets anyone in.
    return {"not_found"} if own == "allow" else {own, "not_found"}


# --- Objects for URL parameters ---------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """How to find the value of a URL parameter in a programme's world. `scoped`: the value
    names an object of that programme (switched to the other programme's in other-programme
    cells)."""

    value: object  # (world, kind) -> value
    scoped: bool = True


def _document(world, kind):
    return world.documents[kind or NON_PAPER]


PARAMETERS = {
    "programme_id": Param(lambda w, k: w.programme.public_id),
    "membership_id": Param(lambda w, k: w.spare_membership.public_id),
    "dialogue_id": Param(lambda w, k: w.dialogue.public_id),
    "kind": Param(lambda w, k: w.round.kind, scoped=False),
    "interest_id": Param(lambda w, k: w.interest.public_id),
    "option_id": Param(lambda w, k: w.option.public_id),
    "actor_id": Param(lambda w, k: w.actor_one.public_id),
    "actor_one_id": Param(lambda w, k: w.actor_one.public_id),
    "actor_two_id": Param(lambda w, k: w.actor_two.public_id),
    "participant_id": Param(lambda w, k: w.participant.public_id),
    "entry_id": Param(lambda w, k: w.entry.public_id),
    "rule_id": Param(lambda w, k: w.rule.public_id),
    "session_id": Param(lambda w, k: w.session.public_id),
    "document_id": Param(lambda w, k: _document(w, k).public_id),
    "number": Param(lambda w, k: 1, scoped=False),  # every document has its first revision
    "export_id": Param(lambda w, k: w.exports[k or NON_PAPER].public_id),
    "bundle_id": Param(lambda w, k: w.bundle.public_id),
    "carrier_id": Param(lambda w, k: w.carrier.public_id),
    "briefing_id": Param(lambda w, k: w.briefing.public_id),
    "feedback_id": Param(lambda w, k: w.feedback.public_id),
    "notification_id": Param(lambda w, k: w.notification.public_id),
    "pilot_id": Param(lambda w, k: w.pilot.public_id),
    "commitment_id": Param(lambda w, k: w.commitment.public_id),
    "indicator_id": Param(lambda w, k: w.indicator.public_id),
    "outcome_id": Param(lambda w, k: w.outcome.public_id),
    "adoption_id": Param(lambda w, k: w.adoption.public_id),
    "risk_id": Param(lambda w, k: w.risk.public_id),
    # Account links: a well-formed link whose token does not check out.
    "uidb64": Param(lambda w, k: "MQ", scoped=False),
    "token": Param(lambda w, k: "not-a-token", scoped=False),
    # Django admin.
    "app_label": Param(lambda w, k: "dialogues", scoped=False),
    "url": Param(lambda w, k: "no-such-page/", scoped=False),
    "content_type_id": Param(
        lambda w, k: ContentType.objects.get_for_model(Programme).pk, scoped=False
    ),
    "id": Param(lambda w, k: w.spare.pk, scoped=False),  # a user's password page
}

# One parameter name, different objects: by URL.
PARAMETERS_BY_URL = {
    "item_id": {
        "dialogues:agenda_remove": Param(lambda w, k: w.agenda_item.public_id),
        "dialogues:package_move": Param(lambda w, k: w.package_item.public_id),
        "dialogues:package_remove": Param(lambda w, k: w.package_item.public_id),
        "dialogues:evidence_edit": Param(lambda w, k: w.evidence.public_id),
        "dialogues:evidence_delete": Param(lambda w, k: w.evidence.public_id),
        "dialogues:evidence_download": Param(lambda w, k: w.evidence.public_id),
    },
}

# Django admin's `object_id`: an object of the model whose admin the URL belongs to (by the
# model's app label and name in the route). A newly registered model needs one here.
ADMIN_OBJECTS = {
    "auth.group": lambda w: w.site.group,
    "auth.user": lambda w: w.spare,
    "axes.accessattempt": lambda w: w.site.access_attempt,
    "axes.accesslog": lambda w: w.site.access_log,
    "axes.accessfailurelog": lambda w: w.site.access_failure_log,
    "dialogues.programme": lambda w: w.programme,
    "dialogues.dialogue": lambda w: w.dialogue,
    "otp_totp.totpdevice": lambda w: w.site.device,
}
# view_on_site's object_id goes with content_type_id (a programme).
ADMIN_OBJECTS_BY_URL = {"admin:view_on_site": lambda w: w.programme}

# Bodies for POSTs an empty body would turn into a 404 for those allowed (the test checks
# access, not validation): the user to take off an aide-mémoire's readers.
POST_DATA = {"uptake:reader_remove": lambda w: {"user": w.reader.pk}}
# Query strings a view needs to get past its own validation (Django's autocomplete answers
# 403 without the field it completes; a comparison 404s without its two revisions).
QUERY = {
    "admin:autocomplete": "app_label=dialogues&model_name=dialogue&field_name=programme",
    "uptake:revision_compare": "from=1&to=2",
}


def _admin_model(route):
    match = re.match(r"admin/(\w+)/(\w+)/", route.route)
    return match and f"{match.group(1)}.{match.group(2)}"


def parameter(route, name):
    """The Param for `name` in `route`, or None when nobody has said which object it names."""
    if name == "object_id":
        if route.key in ADMIN_OBJECTS_BY_URL:
            find = ADMIN_OBJECTS_BY_URL[route.key]
        else:
            find = ADMIN_OBJECTS.get(_admin_model(route))
        return find and Param(lambda w, k, find=find: find(w).pk, scoped=False)
    if name in PARAMETERS_BY_URL:
        return PARAMETERS_BY_URL[name].get(route.key)
    return PARAMETERS.get(name)


def parameter_problems(routes):
    problems = []
    for route in routes:
        for name in route.params:
            if parameter(route, name) is None:
                problems.append(
                    f"{route.key}: no object for URL parameter {name!r}: say which one in "
                    "PARAMETERS (or PARAMETERS_BY_URL, ADMIN_OBJECTS)"
                )
    for name, by_url in PARAMETERS_BY_URL.items():
        for key in by_url.keys() - {route.key for route in routes}:
            problems.append(f"PARAMETERS_BY_URL[{name!r}] names {key}, which does not exist")
    return problems


# --- Requests and outcomes --------------------------------------------------------------------


def _login_paths():
    return {reverse(settings.LOGIN_URL), reverse("admin:login")}


def classify(response, login_paths):
    status = response.status_code
    if 200 <= status < 300 or status in (400, 409):
        return "allow"
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return "login" if location.split("?")[0] in login_paths else "allow"
    return {403: "forbidden", 404: "not_found", 405: "not_allowed"}.get(status, f"http {status}")


@dataclass
class Cell:
    key: str
    role: str
    method: str
    kind: str | None
    scope: str
    path: str
    expected: frozenset
    actual: str = ""
    answer: str = ""  # the status (and where a redirect went), for the report

    def __str__(self):
        kind = f" [{self.kind}]" if self.kind else ""
        return (
            f"{self.key}{kind} {self.method} as {self.role} on {self.scope} objects "
            f"({self.path}): expected {'/'.join(sorted(self.expected))}, "
            f"got {self.actual} ({self.answer})"
        )


def _values(route, worlds, kind, scope):
    """URL parameter values: this programme's objects, the other's, or (MIXED) this
    programme's parent with the other's children."""
    values, scoped_seen = {}, 0
    for name in route.params:
        param = parameter(route, name)
        world = worlds[OWN]
        if param.scoped:
            if scope == OTHER or (scope == MIXED and scoped_seen):
                world = worlds[OTHER]
            scoped_seen += 1
        values[name] = param.value(world, kind)
    return values


def _scoped_count(route):
    return sum(1 for name in route.params if parameter(route, name).scoped)


def build_cells(policy, routes, worlds):
    cells = []
    for route in routes:
        entry = policy["urls"][route.key]
        accepted = accepted_methods(entry, route)
        kinds = DOCUMENT_KINDS if "document_id" in route.params else (None,)
        scopes = [OWN]
        if entry.get("scope") != "site":
            scopes.append(OTHER)
            if _scoped_count(route) >= 2:
                scopes.append(MIXED)
        for method in METHODS:
            # A method the view refuses is refused before any object is looked at: once.
            cases = (
                [(kind, scope) for kind in kinds for scope in scopes]
                if method in accepted
                else [(kinds[0], OWN)]
            )
            for kind, scope in cases:
                path = route.path(_values(route, worlds, kind, scope))
                for role in ROLES:
                    expected = expected_outcomes(
                        policy, route.key, role, method, kind, scope, accepted
                    )
                    cells.append(
                        Cell(route.key, role, method, kind, scope, path, frozenset(expected))
                    )
    return cells


def _resolves_to(route, path):
    try:
        return resolve(path).func is route.callback
    except Resolver404:
        return False


# --- The world --------------------------------------------------------------------------------


@pytest.fixture
def worlds(
    settings, tmp_path, programme, other_programme, facilitator, officer, legal_reviewer, donor
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    # A facilitator and programme admin, but of the other programme only.
    other_member = UserFactory(username="sam")
    membership_add(
        programme=other_programme,
        email=other_member.email,
        role=Membership.Role.FACILITATOR,
        is_admin=True,
        actor=None,
    )
    site_admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    # Signed in with the second factor every staff account must use.
    give_second_factor(site_admin)
    site = SimpleNamespace(
        group=Group.objects.create(name="Auditors"),
        access_attempt=AccessAttempt.objects.create(
            username="nobody",
            ip_address="192.0.2.1",
            user_agent="test",
            http_accept="*/*",
            path_info="/accounts/login/",
            get_data="",
            post_data="",
            failures_since_start=1,
        ),
        access_log=AccessLog.objects.create(
            username="fiona", ip_address="192.0.2.1", user_agent="test", path_info="/"
        ),
        access_failure_log=AccessFailureLog.objects.create(
            username="nobody", ip_address="192.0.2.1", user_agent="test", path_info="/"
        ),
    )
    other_officer = UserFactory(username="olga")
    membership_add(
        programme=other_programme,
        email=other_officer.email,
        role=Membership.Role.PROGRAMME_OFFICER,
        actor=None,
    )
    own = programme_world(programme, facilitator, officer, label="own")
    other = programme_world(other_programme, other_member, other_officer, label="other")
    own.site = other.site = site
    # Someone's authenticator device, for Django admin's device pages.
    site.device = TOTPDevice.objects.create(user=own.spare, name="phone", confirmed=True)
    users = {
        "facilitator": facilitator,
        "programme_officer": officer,
        "legal_reviewer": legal_reviewer,
        "donor": donor,
        "other_member": other_member,
        "admin": site_admin,
    }
    return {OWN: own, OTHER: other, "users": users}


def _session_cookies(users):
    """A logged-in session cookie per role (none for anonymous), made once."""
    cookies = {"anonymous": SimpleCookie()}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        cookies[role] = SimpleCookie(client.cookies)
    return cookies


def _stub_pdf_rendering(monkeypatch):
    """Access is decided before any PDF is drawn: the renderers are replaced by stand-ins so
    the matrix does not run WeasyPrint a few dozen times (tests/uptake/test_pdf.py and
    tests/monitoring/test_results.py render real ones)."""
    from monitoring import pdf as monitoring_pdf
    from uptake.services import exports as uptake_exports

    monkeypatch.setattr(
        monitoring_pdf,
        "render_donor_report",
        lambda programme_name, page: SimpleNamespace(content=b"%PDF"),
    )
    monkeypatch.setattr(
        uptake_exports,
        "document_export_pdf",
        lambda *, document, actor: SimpleNamespace(page_count=1),
    )


class _Undo(Exception):
    """Raised to roll back what a request wrote."""


def _close_streaming(response):
    """Close a file download's handle. The test client already closed every other response;
    closing again would send request_finished, whose close_old_connections closes the
    database connection inside our atomic block (a no-op on SQLite, fatal on PostgreSQL)."""
    if not response.streaming:
        return
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def run_cells(cells, worlds):
    client = Client()
    login_paths = _login_paths()
    cookies = _session_cookies(worlds["users"])
    data_for = {OWN: worlds[OWN], OTHER: worlds[OTHER], MIXED: worlds[OWN]}
    for cell in cells:
        client.cookies = SimpleCookie(cookies[cell.role])
        query = QUERY.get(cell.key, "")
        path = f"{cell.path}?{query}" if query else cell.path
        data = POST_DATA[cell.key](data_for[cell.scope]) if cell.key in POST_DATA else {}
        try:
            with transaction.atomic():
                response = client.get(path) if cell.method == "GET" else client.post(path, data)
                cell.actual = classify(response, login_paths)
                cell.answer = " ".join(
                    [str(response.status_code), response.headers.get("Location", "")]
                ).strip()
                _close_streaming(response)
                raise _Undo
        except _Undo:
            pass
        except Exception as error:  # a crash is a finding, reported with the rest
            cell.actual, cell.answer = "error", f"{type(error).__name__}: {error}"


def summarise(cells):
    mismatches = [cell for cell in cells if cell.actual not in cell.expected]
    counts = Counter()
    for cell in mismatches:
        if cell.actual == "allow":
            counts["unexpected allows"] += 1
        elif cell.expected == {"allow"} and cell.actual in DENIALS:
            counts["unexpected denies"] += 1
        else:
            counts["wrong refusals or errors"] += 1
    return mismatches, counts


# --- Tests ------------------------------------------------------------------------------------


def test_every_url_has_a_policy_entry_and_every_entry_a_url():
    problems = policy_problems(load_policy(), all_routes())
    assert not problems, "policy.yaml does not match the URLs:\n" + "\n".join(problems)


def test_every_url_parameter_names_an_object_of_the_world():
    problems = parameter_problems(all_routes())
    assert not problems, "\n".join(problems)


def test_the_figure_counts_an_unexpected_allow_and_an_unexpected_deny():
    cells = [
        Cell("a", "donor", "GET", None, OWN, "/a", frozenset({"not_found"}), "allow"),
        Cell("b", "facilitator", "GET", None, OWN, "/b", frozenset({"allow"}), "forbidden"),
        Cell("c", "donor", "GET", None, OTHER, "/c", frozenset({"not_found"}), "forbidden"),
        Cell("d", "admin", "GET", None, OWN, "/d", frozenset({"allow"}), "allow"),
    ]
    mismatches, counts = summarise(cells)
    assert [cell.key for cell in mismatches] == ["a", "b", "c"]
    assert counts == {"unexpected allows": 1, "unexpected denies": 1, "wrong refusals or errors": 1}


def test_every_role_reaches_every_url_exactly_as_the_policy_says(worlds, monkeypatch):
    policy, routes = load_policy(), all_routes()
    problems = policy_problems(policy, routes) + parameter_problems(routes)
    assert not problems, "\n".join(problems)
    _stub_pdf_rendering(monkeypatch)

    cells = build_cells(policy, routes, worlds)
    by_key = {route.key: route for route in routes}
    unreachable = sorted(
        {cell.key for cell in cells if not _resolves_to(by_key[cell.key], cell.path)}
    )
    assert not unreachable, f"paths that do not resolve to their own view: {unreachable}"
    run_cells(cells, worlds)

    mismatches, counts = summarise(cells)
    figures.record(
        "Authorization matrix",
        f"{len(routes)} URLs, {len(cells)} cases checked: "
        f"{counts['unexpected allows']} unexpected allows, "
        f"{counts['unexpected denies']} unexpected denies, "
        f"{counts['wrong refusals or errors']} wrong refusals or errors",
    )
    assert not mismatches, f"{len(mismatches)} cells differ from policy.yaml:\n" + "\n".join(
        str(cell) for cell in mismatches
    )


def _matrix_for(keys, worlds):
    """Build and run the cells of the URLs `keys` only; returns (mismatches, counts)."""
    routes = [route for route in all_routes() if route.key in keys]
    cells = build_cells(load_policy(), routes, worlds)
    run_cells(cells, worlds)
    return summarise(cells)


def test_the_matrix_reports_a_chokepoint_that_confirms_another_programmes_dialogue(
    worlds, monkeypatch
):
    # A chokepoint that answers 403 where it should answer 404: it confirms the dialogue
    # exists to strangers and donors.
    real = programme_perms.get_dialogue_for_user

    def telling(user, public_id, perm=programme_perms.VIEW_DIALOGUES):
        try:
            return real(user, public_id, perm)
        except Http404:
            if user.is_authenticated:
                raise PermissionDenied from None
            raise

    monkeypatch.setattr(programme_perms, "get_dialogue_for_user", telling)
    mismatches, counts = _matrix_for({"dialogues:roster"}, worlds)
    told = {(cell.role, cell.scope) for cell in mismatches if cell.actual == "forbidden"}
    assert {("donor", OWN), ("programme_officer", OTHER), ("other_member", OWN)} <= told
    assert counts["wrong refusals or errors"] == len(mismatches)


def test_the_matrix_reports_a_view_that_skips_its_chokepoint(worlds, monkeypatch):
    # A chokepoint that lets anyone signed in through: every stranger's 404 becomes a page.
    def careless(user, public_id, perm=programme_perms.VIEW_DIALOGUES):
        return Dialogue.objects.select_related("programme").get(public_id=public_id)

    monkeypatch.setattr(programme_perms, "get_dialogue_for_user", careless)
    mismatches, counts = _matrix_for({"dialogues:session_list"}, worlds)
    let_in = {(cell.role, cell.scope) for cell in mismatches if cell.actual == "allow"}
    assert {("donor", OWN), ("other_member", OWN), ("facilitator", OTHER)} <= let_in
    assert counts["unexpected allows"] == len(let_in) == len(mismatches)
