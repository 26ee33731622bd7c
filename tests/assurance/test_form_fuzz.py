"""The form fuzz: every form of Parley, fed hostile input by Hypothesis, must answer with field
errors, never an exception; and every URL that accepts POST, sent fuzzed versions of the forms
its pages offer, must never answer 500 and must keep what the person typed.

Forms are found, not listed: every subclass of django.forms.BaseForm defined in a module of
the dialogues, uptake and monitoring apps (forms, views, services alike), and the account forms
Django's views use for Parley. A form the test cannot build fails the build, naming it: say
in CONSTRUCTORS below what it needs. Classes named with a leading underscore are bases shared
by other forms, fuzzed through those.

The POST URLs come from the authorization matrix's enumeration of Django's resolver and the
objects from its world (tests/assurance/world.py); each is posted to as a role policy.yaml
lets post there. The fields sent are those of the forms (action and method) the GET pages
offer for that URL, found by reading the pages as each role; a URL no page offers a form for
is sent fuzzed fields of its own. Each example runs in a transaction rolled back afterwards.

Hostile strings and strategies: tests/assurance/hostile.py. Hypothesis runs derandomised and
without its example database, so the build is the same every time.
"""

import importlib
import inspect
import pkgutil
import re
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.db.models.signals import pre_save
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.forms.outputs import StepNumbersField
from monitoring.services.outcomes import linkable_objects
from tests.assurance import figures, hostile
from tests.assurance import test_authorization_matrix as matrix
from tests.assurance.test_authorization_matrix import (
    OWN,
    POST_DATA,
    QUERY,
    _close_streaming,
    _Undo,
    accepted_methods,
    all_routes,
    expected_outcome,
    load_policy,
    parameter,
)
from tests.assurance.world import DOCUMENT_KINDS, NON_PAPER, give_second_factor
from tests.dialogues.factories import UserFactory
from uptake.models import Document, VettingFramework

APPS = ("dialogues", "uptake", "monitoring")
# Django's forms behind the account pages Parley serves (config/urls.py): changing a password,
# and choosing one from an invitation or a reset link.
ACCOUNT_FORMS = (PasswordChangeForm, SetPasswordForm)

FORM_EXAMPLES = 30  # per form
POST_EXAMPLES = 6  # per POST URL
HYPOTHESIS = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

# The roles that may post, tried in this order; the first the policy lets in posts.
POSTING_ROLES = ("facilitator", "programme_officer", "legal_reviewer", "donor", "admin")
# Roles whose pages are read for the forms they offer.
READING_ROLES = ("anonymous", *POSTING_ROLES)

worlds = matrix.worlds


# --- The forms --------------------------------------------------------------------------------


def _app_modules():
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name:
                yield importlib.import_module(info.name)


def form_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def all_forms():
    """{dotted name: class} of every form Parley defines, and the account forms."""
    found = {form_name(cls): cls for cls in ACCOUNT_FORMS}
    for module in _app_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found[form_name(cls)] = cls
    return found


def fuzzed_forms():
    """The forms fuzzed, and the shared bases left to their subclasses."""
    found = all_forms()
    bases = {name: cls for name, cls in found.items() if cls.__name__.startswith("_")}
    return {name: cls for name, cls in found.items() if name not in bases}, bases


def _request(world):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
    request.user = world.facilitator
    request.session = {}
    return request


def _linkable(world):
    return {"linkable": linkable_objects(world.programme), "redact": str}


# What each form needs to be built, reviewed: what its view passes. `w` is the world.
CONSTRUCTORS = {
    "dialogues.forms.accounts.LoginForm": lambda w: {"request": _request(w)},
    "dialogues.forms.actor_map.ActorForm": lambda w: {
        "programme": w.programme,
        "subject": w.actor_one,
    },
    "dialogues.forms.actor_map.ActorMapImportForm": lambda w: {"programme": w.programme},
    "dialogues.forms.actor_map.MapFilterForm": lambda w: {"programme": w.programme},
    "dialogues.forms.actor_map.RelationForm": lambda w: {"programme": w.programme},
    "dialogues.forms.design.AgendaItemForm": lambda w: {"instance": w.agenda_item},
    "dialogues.forms.design.DialogueForm": lambda w: {"instance": w.dialogue},
    "dialogues.forms.design.OptionForm": lambda w: {"instance": w.option},
    "dialogues.forms.design.PartyInterestForm": lambda w: {
        "dialogue": w.dialogue,
        "instance": w.interest,
    },
    "dialogues.forms.design.RoundForm": lambda w: {"instance": w.round},
    "dialogues.forms.evidence.EvidenceForm": lambda w: {"instance": w.evidence},
    "dialogues.forms.participants.AcknowledgementsForm": lambda w: {
        "rules": list(w.dialogue.ground_rules.all()),
        "form_id": "acknowledge-1",
    },
    "dialogues.forms.participants.GroundRuleForm": lambda w: {"instance": w.rule},
    "dialogues.forms.participants.InviteForm": lambda w: {
        "participants": w.programme.participants.order_by("code"),
        "show_identity": True,
    },
    "dialogues.forms.participants.ParticipantForm": lambda w: {"instance": w.participant},
    "dialogues.forms.second_factor.AdminLoginForm": lambda w: {"request": _request(w)},
    "dialogues.forms.second_factor.TurnOffForm": lambda w: {
        "request": _request(w),
        "user": w.facilitator,
    },
    "dialogues.forms.sessions.AttendanceForm": lambda w: {
        "places": [w.entry],
        "show_identity": True,
    },
    "dialogues.forms.sessions.SessionForm": lambda w: {"dialogue": w.dialogue},
    "dialogues.forms.sessions.SessionNotesForm": lambda w: {"ask_confirmation": True},
    "dialogues.forms.teams.ProgrammeSettingsForm": lambda w: {"instance": w.programme},
    "dialogues.views.participant_records.ErasureForm": lambda w: {"participant": w.participant},
    "django.contrib.auth.forms.PasswordChangeForm": lambda w: {"user": w.facilitator},
    "django.contrib.auth.forms.SetPasswordForm": lambda w: {"user": w.spare},
    "monitoring.forms.indicators.ActivityFilterForm": lambda w: {
        "dialogues": [w.dialogue],
        "redact": str,
    },
    "monitoring.forms.indicators.IndicatorForm": lambda w: {"instance": w.indicator},
    "monitoring.forms.indicators.LearningEntryForm": _linkable,
    "monitoring.forms.indicators.OutcomeRecordForm": lambda w: {
        **_linkable(w),
        "instance": w.outcome,
    },
    "monitoring.forms.outputs.CommuniqueAdoptionForm": lambda w: {
        "non_papers": Document.objects.filter(pk=w.documents[NON_PAPER].pk).order_by("pk"),
        "redact": str,
        "instance": w.adoption,
    },
    "monitoring.forms.risks.RiskForm": lambda w: {"owners": [w.facilitator, w.reader]},
    "uptake.forms.briefings.BriefingForm": lambda w: {"programme": w.programme},
    "uptake.forms.carriers.CarrierForm": lambda w: {"with_trust_notes": True},
    "uptake.forms.documents.AideMemoireCreateForm": lambda w: {"dialogue": w.dialogue},
    "uptake.forms.documents.ReaderForm": lambda w: {"candidates": [w.reader, w.spare]},
    "uptake.forms.ladder.CommitmentForm": lambda w: {"followers": [w.facilitator, w.reader]},
    "uptake.forms.pilots.PilotProposeForm": lambda w: {
        "steps": [(0, "Open the hotline"), (1, "Name liaison officers")]
    },
    "uptake.forms.vetting.VettingForm": lambda w: {
        "framework": VettingFramework.values[0],
        "step_labels": ["Step 1", "Step 2"],
    },
}


def build(cls, world, **form_kwargs):
    return cls(**CONSTRUCTORS.get(form_name(cls), lambda w: {})(world), **form_kwargs)


@pytest.fixture
def world(worlds):
    return worlds[OWN]


def test_every_form_is_found_and_every_constructor_entry_names_one():
    found, bases = fuzzed_forms()
    # A few that must be there, or the search is broken.
    assert {
        "dialogues.forms.design.DialogueForm",
        "uptake.forms.documents.StepForm",
        "monitoring.forms.risks.RiskForm",
        "dialogues.forms.accounts.LoginForm",
        "dialogues.views.participant_records.ErasureForm",
    } <= found.keys()
    stale = sorted(CONSTRUCTORS.keys() - found.keys())
    assert not stale, f"CONSTRUCTORS names forms that no longer exist: {stale}"
    orphans = sorted(
        name
        for name, base in bases.items()
        if not any(issubclass(cls, base) for cls in found.values())
    )
    assert not orphans, f"shared bases no form uses (fuzzed by nobody): {orphans}"


def test_every_form_can_be_built(world):
    problems = []
    for name, cls in sorted(fuzzed_forms()[0].items()):
        try:
            build(cls, world, data={})
        except Exception as error:
            problems.append(
                f"{name}: cannot be built ({type(error).__name__}: {error}); say in "
                "CONSTRUCTORS what its view passes it"
            )
    assert not problems, "\n".join(problems)


def _as_multivalue(data):
    """`data` as a form gets it from request.POST: a lone surrogate cannot cross HTTP (Django
    reads the invalid bytes a client sends for it as U+FFFD)."""
    return MultiValueDict(
        {
            name: [hostile.as_received(each) for each in value]
            if isinstance(value, list)
            else [hostile.as_received(value)]
            for name, value in data.items()
        }
    )


def form_problems(form, data):
    """What is wrong with how `form` handled `data` (is_valid() has run): errors on names that
    are neither a field nor __all__, an error without a message, a NUL byte accepted in text
    (PostgreSQL refuses to store one: a 500 after the form said yes)."""
    problems = []
    keys = set(form.errors)
    unknown = keys - set(form.fields) - {"__all__"}
    if unknown:
        problems.append(f"errors keyed by {sorted(unknown)}, neither a field nor __all__")
    for key, errors in form.errors.items():
        if not errors or not all(str(message).strip() for message in errors):
            problems.append(f"an error on {key} without a message")
    for name, form_field in form.fields.items():
        posted = data.get(form.add_prefix(name))
        value = posted[-1] if isinstance(posted, list) and posted else posted
        if (
            isinstance(form_field, forms.CharField)
            and isinstance(value, str)
            and "\x00" in value
            and name not in form.errors
        ):
            problems.append(f"{name}: a NUL byte accepted")
    # Rendering the bound form (what the page shows back) must not fail either.
    str(form)
    return problems


def _described(error):
    """The error, where it was raised, and the example Hypothesis found."""
    frames = "".join(traceback.format_tb(error.__traceback__)[-3:])
    notes = "\n".join(getattr(error, "__notes__", []))
    return f"{type(error).__name__}: {str(error)[:2000]}\n{frames}{notes[:3000]}"


@dataclass
class FormRun:
    name: str
    examples: int = 0
    valid: int = 0
    failure: str = ""


def fuzz_form(cls, world):
    run = FormRun(form_name(cls))
    fields_of = build(cls, world)

    @settings(HYPOTHESIS, max_examples=FORM_EXAMPLES)
    @given(data=hostile.form_data(fields_of))
    def check(data):
        run.examples += 1
        try:
            with transaction.atomic():
                form = build(cls, world, data=_as_multivalue(data), files=MultiValueDict())
                if form.is_valid():
                    run.valid += 1
                problems = form_problems(form, data)
                raise _Undo
        except _Undo:
            pass
        assert not problems, f"{run.name}: {problems}"

    try:
        check()
    except Exception as error:
        run.failure = f"{run.name}: {_described(error)}"
    return run


def test_every_form_answers_hostile_input_with_field_errors(world):
    found, _bases = fuzzed_forms()
    runs = [fuzz_form(cls, world) for _name, cls in sorted(found.items())]
    failures = [run.failure for run in runs if run.failure]
    figures.record(
        "Form fuzz, forms",
        f"{len(runs)} forms, {sum(r.examples for r in runs)} examples "
        f"({sum(r.valid for r in runs)} valid): {len(failures)} forms raised or misreported",
    )
    assert not failures, "\n\n".join(failures)


# --- The POST URLs: the forms their pages offer -----------------------------------------------

TEXT_TYPES = frozenset({"text", "textarea", "email", "search", "tel", "url"})
BUTTON_TYPES = frozenset({"submit", "button", "image", "reset"})


@dataclass
class FieldSpec:
    """One name a page's form posts, as the HTML describes it."""

    name: str
    kind: str  # the input type, "textarea", "select" or "select-multiple"
    options: list = field(default_factory=list)  # values of options, checkboxes, radios
    value: str = ""  # the value the page filled in


@dataclass
class FormSpec:
    page: str  # where it was found, for the report
    fields: dict = field(default_factory=dict)  # name -> FieldSpec


class _FormReader(HTMLParser):
    """The forms posting somewhere, with their fields; fields outside a form that name it
    with form="id" (a table row's checkboxes) join it."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms = []  # (action path, id, FormSpec)
        self.current = None
        self.by_id = {}
        self.orphans = []  # (form id, attrs)
        self.select = None
        self.textarea = None

    def _add(self, spec, kind, attrs):
        name = attrs.get("name")
        if not name:
            return
        known = spec.fields.setdefault(name, FieldSpec(name, kind))
        value = attrs.get("value", "")
        if kind in ("checkbox", "radio") or kind in BUTTON_TYPES:
            known.options.append(value or "on")
        elif not known.value:
            known.value = value

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            if attrs.get("method", "get").lower() != "post":
                return
            action = urlsplit(urljoin(self.page, attrs.get("action", ""))).path
            self.current = FormSpec(self.page)
            self.forms.append((action, attrs.get("id"), self.current))
            if attrs.get("id"):
                self.by_id[attrs["id"]] = self.current
            return
        if tag not in ("input", "textarea", "select", "option", "button"):
            return
        owner = self.current
        if attrs.get("form"):
            owner = None
            self.orphans.append((attrs["form"], tag, attrs))
        if tag == "option" and self.select is not None:
            self.select.options.append(attrs.get("value", ""))
            return
        if owner is None:
            return
        if tag == "input":
            self._add(owner, attrs.get("type", "text").lower(), attrs)
        elif tag == "button":
            self._add(owner, attrs.get("type", "submit").lower(), attrs)
        elif tag == "textarea":
            self._add(owner, "textarea", attrs)
        elif tag == "select" and attrs.get("name"):
            kind = "select-multiple" if "multiple" in attrs else "select"
            self.select = owner.fields.setdefault(attrs["name"], FieldSpec(attrs["name"], kind))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None

    def close(self):
        super().close()
        for form_id, tag, attrs in self.orphans:
            owner = self.by_id.get(form_id)
            if owner is not None and tag == "input":
                self._add(owner, attrs.get("type", "text").lower(), attrs)


def read_forms(page, html):
    reader = _FormReader(page)
    reader.feed(html)
    reader.close()
    return [(action, spec) for action, _id, spec in reader.forms]


def _path(route, world, kind):
    values = {name: parameter(route, name).value(world, kind) for name in route.params}
    return route.path(values)


def _get_pages(world):
    policy = load_policy()
    pages = []
    for route in all_routes():
        if "GET" not in accepted_methods(policy["urls"][route.key], route):
            continue
        kinds = DOCUMENT_KINDS if "document_id" in route.params else (None,)
        for kind in kinds:
            path = _path(route, world, kind)
            pages.append(f"{path}?{QUERY[route.key]}" if route.key in QUERY else path)
    return pages


def _client(cookies, role):
    client = Client(raise_request_exception=True)
    client.cookies = SimpleCookie(cookies[role])
    return client


def offered_forms(world, cookies):
    """{action path: [FormSpec]} of the forms every GET page offers, read as every role."""
    offered = {}
    pages = _get_pages(world)
    for role in READING_ROLES:
        client = _client(cookies, role)
        for page in pages:
            response = client.get(page)
            _close_streaming(response)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for action, spec in read_forms(page, response.content.decode()):
                known = offered.setdefault(action, [])
                if all(spec.fields.keys() != other.fields.keys() for other in known):
                    known.append(spec)
    return offered


@dataclass
class PostUrl:
    key: str
    path: str
    role: str
    forms: list  # [FormSpec], from the pages; a made-up one when no page offers a form


def _posting_role(policy, key, kind):
    """Who posts: anonymous on public pages (a log-in form is for people not signed in), else
    the first role policy.yaml lets post."""
    roles = ("anonymous", *POSTING_ROLES)
    allowed = [
        role for role in roles if expected_outcome(policy, key, role, "POST", kind) == "allow"
    ]
    return allowed[0] if allowed else None


def post_urls(world, offered):
    """Every URL accepting POST that some role may post to, once (a URL naming a document,
    with the first kind of document someone may post to), and the forms offered for it."""
    policy, urls = load_policy(), []
    for route in all_routes():
        if "POST" not in accepted_methods(policy["urls"][route.key], route):
            continue
        kinds = DOCUMENT_KINDS if "document_id" in route.params else (None,)
        candidates = [
            (kind, _posting_role(policy, route.key, kind))
            for kind in kinds
            if _posting_role(policy, route.key, kind)
        ]
        if not candidates:
            continue
        # Prefer a kind of document whose page offers the form.
        candidates.sort(key=lambda pair: _path(route, world, pair[0]) not in offered)
        kind, role = candidates[0]
        path = _path(route, world, kind)
        forms_here = offered.get(path) or [_made_up_form(route.key, world)]
        query = QUERY.get(route.key)
        urls.append(PostUrl(route.key, f"{path}?{query}" if query else path, role, forms_here))
    return urls


def _made_up_form(key, world):
    """For a URL no page offers a form for (a button posting elsewhere, an admin action): the
    fields the matrix posts there, and one field nobody expects."""
    spec = FormSpec("(no page offers a form)")
    for name, value in POST_DATA.get(key, lambda w: {})(world).items():
        spec.fields[name] = FieldSpec(name, "hidden", value=str(value))
    spec.fields["unexpected"] = FieldSpec("unexpected", "text")
    return spec


# --- The POST URLs: fuzzing -------------------------------------------------------------------

words = st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]), max_size=60)


def spec_values(spec):
    """A strategy for what a person (or a hand-made request) sends for one field."""
    if spec.kind == "file":
        return st.nothing()
    if spec.kind in BUTTON_TYPES or spec.kind in ("checkbox", "radio"):
        if spec.kind == "checkbox" and len(spec.options) > 1:
            return st.one_of(
                st.lists(st.sampled_from(spec.options), max_size=3),
                st.lists(hostile.any_text, max_size=2),
            )
        return st.one_of(st.sampled_from(spec.options), hostile.hostile_text)
    if spec.kind in ("select", "select-multiple"):
        options = list(spec.options) or [""]
        one = st.sampled_from(options)
        if spec.kind == "select-multiple":
            return st.one_of(st.lists(one, max_size=3), st.lists(hostile.any_text, max_size=2))
        return st.one_of(one, one, hostile.hostile_text)
    typed = {
        "hidden": st.just(spec.value),
        "date": st.dates().map(lambda d: d.isoformat()),
        "datetime-local": st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        "number": st.integers(-5, 10**6).map(str),
        "email": st.emails(),
        "password": hostile.password_text,
    }.get(spec.kind, words)
    if spec.kind == "password":
        return typed
    return st.one_of(typed, typed, hostile.hostile_text, hostile.any_text)


@st.composite
def posted_data(draw, spec):
    data = {}
    for name, field_spec in spec.fields.items():
        if field_spec.kind == "file" or draw(st.integers(0, 9)) == 0:
            continue
        data[name] = draw(spec_values(field_spec))
    return data


class _ShownValues(HTMLParser):
    """name -> the values text inputs and text areas show."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.shown = {}
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "input" and attrs.get("type", "text") in TEXT_TYPES and attrs.get("name"):
            self.shown.setdefault(attrs["name"], []).append(attrs.get("value", ""))
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = attrs["name"]
            self.shown.setdefault(self.textarea, []).append("")

    def handle_data(self, data):
        if self.textarea:
            self.shown[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            # HTML drops the line break that follows <textarea> (Django writes one).
            texts = self.shown[self.textarea]
            texts[-1] = texts[-1].removeprefix("\n")
            self.textarea = None


def lost_values(response, spec, data):
    """The text fields whose typed value the re-rendered form no longer shows."""
    html = response.content.decode()
    if "error-summary" not in html and "errorlist" not in html:
        return []
    # Hidden fields say which form was sent (a page may hold several posting the same
    # names): without them as the page set them, no view can know where the text belongs.
    if any(
        data.get(name) != field_spec.value
        for name, field_spec in spec.fields.items()
        if field_spec.kind == "hidden"
    ):
        return []
    reader = _ShownValues()
    reader.feed(html)
    reader.close()
    lost = []
    for name, value in data.items():
        field_spec = spec.fields[name]
        if field_spec.kind not in TEXT_TYPES or not isinstance(value, str):
            continue
        shown = reader.shown.get(name, [])
        typed = hostile.as_received(value)
        if field_spec.kind != "textarea":
            # An input's value holds no line breaks: browsers take them out of what is typed.
            typed = re.sub(r"[\r\n]", "", typed)
            shown = [re.sub(r"[\r\n]", "", text) for text in shown]
        if shown and typed not in shown:
            lost.append(name)
    return lost


def database_problems(instance):
    """What PostgreSQL would refuse in a row SQLite takes: text longer than its column, a NUL
    byte in text or JSON, an integer past its column's range."""
    problems = []
    for model_field in instance._meta.concrete_fields:
        value = getattr(instance, model_field.attname, None)
        where = f"{type(instance).__name__}.{model_field.name}"
        if isinstance(value, str):
            if "\x00" in value:
                problems.append(f"{where}: NUL byte")
            if model_field.max_length and len(value) > model_field.max_length:
                problems.append(
                    f"{where}: {len(value)} characters, column holds {model_field.max_length}"
                )
        elif isinstance(model_field, models.JSONField) and "\\u0000" in repr(value):
            problems.append(f"{where}: NUL byte in JSON")
        elif isinstance(value, int) and isinstance(model_field, models.IntegerField):
            low, high = INTEGER_RANGES.get(model_field.get_internal_type(), (-(2**31), 2**31 - 1))
            if not low <= value <= high:
                problems.append(f"{where}: {value} out of the column's range")
    return problems


INTEGER_RANGES = {
    "SmallIntegerField": (-32768, 32767),
    "PositiveSmallIntegerField": (0, 32767),
    "BigIntegerField": (-(2**63), 2**63 - 1),
    "PositiveBigIntegerField": (0, 2**63 - 1),
    "BigAutoField": (1, 2**63 - 1),
}


@dataclass
class UrlRun:
    url: PostUrl
    examples: int = 0
    statuses: dict = field(default_factory=dict)
    failure: str = ""


def fuzz_url(url, cookies):
    run = UrlRun(url)
    written = []

    def check_row(sender, instance, **kwargs):
        written.extend(database_problems(instance))

    @settings(HYPOTHESIS, max_examples=POST_EXAMPLES)
    @given(spec=st.sampled_from(url.forms), data=st.data())
    def check(spec, data):
        values = data.draw(posted_data(spec))
        client = _client(cookies, url.role)
        written.clear()
        run.examples += 1
        try:
            with transaction.atomic():
                response = client.post(
                    url.path,
                    hostile.urlencoded(values),
                    content_type="application/x-www-form-urlencoded",
                )
                _close_streaming(response)
                raise _Undo
        except _Undo:
            pass
        status = response.status_code
        run.statuses[status] = run.statuses.get(status, 0) + 1
        assert status != 500, f"answered 500 to {values!r}"
        assert not written, f"PostgreSQL would refuse: {written}"
        # Django admin's own forms are Django's to keep; Parley's pages are checked.
        parley_page = not url.key.startswith("admin:")
        if parley_page and status in (200, 400) and "html" in response.get("Content-Type", ""):
            lost = lost_values(response, spec, values)
            assert not lost, f"re-rendered without what was typed in {lost}"

    pre_save.connect(check_row, dispatch_uid="form-fuzz-rows")
    try:
        check()
    except Exception as error:
        run.failure = f"POST {url.key} {url.path} as {url.role}: {_described(error)}"
    finally:
        pre_save.disconnect(dispatch_uid="form-fuzz-rows")
    return run


def test_no_post_url_answers_500_to_fuzzed_forms_and_none_loses_the_typed_text(worlds, monkeypatch):
    matrix._stub_pdf_rendering(monkeypatch)
    world = worlds[OWN]
    cookies = matrix._session_cookies(worlds["users"])
    offered = offered_forms(world, cookies)
    urls = post_urls(world, offered)
    runs = [fuzz_url(url, cookies) for url in urls]
    failures = [run.failure for run in runs if run.failure]
    with_form = sum(1 for url in urls if url.forms[0].page != "(no page offers a form)")
    figures.record(
        "Form fuzz, POST URLs",
        f"{len(urls)} POST URLs fuzzed ({with_form} with the form a page offers), "
        f"{sum(r.examples for r in runs)} requests: {len(failures)} URLs answered 500, "
        "lost typed text or wrote what PostgreSQL refuses",
    )
    assert not failures, "\n\n".join(failures)


# --- Holes the fuzz found, each pinned down ---------------------------------------------------


def test_a_step_number_thousands_of_digits_long_is_a_field_error():
    # int() refuses strings of more than 4300 digits with a ValueError: it was a 500.
    field = StepNumbersField(max_length=100)
    with pytest.raises(forms.ValidationError):
        field.clean("1" * 5_000)
    assert field.clean("1, 3") == [1, 3]


def test_an_admin_action_on_objects_that_cannot_exist_is_refused_with_a_message(db):
    # Django's admin filtered the list on whatever ids were posted: "" was a 500.
    site_admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    give_second_factor(site_admin)
    client = Client(raise_request_exception=True)
    client.force_login(site_admin)
    Group.objects.create(name="Auditors")
    for selected in ("", "not-a-number", "9" * 400):
        response = client.post(
            reverse("admin:auth_group_changelist"),
            {"action": "delete_selected", "_selected_action": selected, "index": "0"},
            follow=True,
        )
        assert response.status_code == 200
        assert "The items chosen are not in the list" in response.content.decode()
    assert Group.objects.filter(name="Auditors").exists()
