"""Stored XSS: script payloads written into every text field of every Parley model (and the
text of every document revision, and people's names) must come back as text, never as markup,
on every page, in the HTML WeasyPrint lays out, in the PDFs, and never as a formula in a CSV or
XLSX export.

The fields are found, not listed: every CharField and TextField of every model of the
dialogues, uptake and monitoring apps (their audit history tables included), but for the few
that hold a machine's value rather than a person's text (FORMAT_FIELDS), and fields with
choices. Every row of the authorization matrix's world (tests/assurance/world.py) gets the
payloads, straight in the database: whatever a form lets through or a later change lets in,
the page must escape it.

Each field gets the payload with one of several leading parts in turn (a javascript: URL, or
what a spreadsheet reads as a formula), so a field shown as a link or exported as a cell meets
the payload that matters there.

Checks on every HTML response (parsed with html.parser): no <script> element holding a payload,
no on* attribute at all (the CSP forbids inline handlers, so any is injected), no href, src,
action or formaction with a javascript: URL, no template evaluated ({{7*7}} shown as 49).
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from dialogues.models import ActorRelation
from dialogues.services.actor_map import actor_relation_record
from monitoring import pdf as monitoring_pdf
from monitoring.models import IndicatorValue
from tests.assurance import figures
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
from tests.assurance.world import AIDE_MEMOIRE, DOCUMENT_KINDS
from uptake import pdf as uptake_pdf
from uptake.models import PdfExport, Revision

worlds = matrix.worlds

APPS = ("dialogues", "uptake", "monitoring")
# Text a machine writes and reads back in a fixed format, never a person's words: a zone name
# (read by zoneinfo) and the content type the upload check found.
FORMAT_FIELDS = {"time_zone", "attachment_type"}

# What follows the leading part of every payload: a script, an attribute break-out, a
# text-area break-out and a template expression.
BODY = (
    "<script>alert(1)</script>\"><img src=x onerror=alert(1)>'><svg onload=alert(1)>"
    "</textarea></title>[{{7*7}}]"
)
# The leading part: a link's scheme for the pages and PDFs, and for the exports, in turn by
# field, what spreadsheets run.
LINK_LEAD = "javascript:alert(1)//"
FORMULA_LEADS = ('=HYPERLINK("http://x.invalid")', "+1+", "-1+", "@SUM(1)", "\t=1+", "\r=1+")
SCRIPT_TEXT = "alert(1)"
EVALUATED = "[49]"


# --- Seeding ----------------------------------------------------------------------------------


def text_fields():
    """[(model, field)] of every free text field: Parley's models and people's names."""
    found = []
    user = get_user_model()
    found += [(user, user._meta.get_field(name)) for name in ("first_name", "last_name")]
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            found += [
                (model, model_field)
                for model_field in model._meta.concrete_fields
                if isinstance(model_field, models.CharField | models.TextField)
                and not model_field.choices
                and model_field.name not in FORMAT_FIELDS
            ]
    return found


def _fill_strings(value, text):
    """`value` (a revision's JSON content) with every string replaced by `text`."""
    if isinstance(value, str):
        return text
    if isinstance(value, list):
        return [_fill_strings(each, text) for each in value]
    if isinstance(value, dict):
        return {key: _fill_strings(each, text) for key, each in value.items()}
    return value


def seed_payloads(leads):
    """Write a payload into every text field of every row, and into every string of every
    revision's content, each field's led by one of `leads` in turn. Returns the number of
    fields seeded."""

    def payload(index):
        return leads[index % len(leads)] + BODY

    fields = text_fields()
    for index, (model, model_field) in enumerate(fields):
        rows = model._base_manager.all()
        for pk in rows.values_list("pk", flat=True):
            # A row number at the end keeps values apart where they must be unique.
            suffix = f" #{pk}"
            text = payload(index)
            if model_field.max_length:
                text = text[: model_field.max_length - len(suffix)]
            rows.filter(pk=pk).update(**{model_field.attname: text + suffix})
    for revision in Revision.objects.all():
        content = _fill_strings(revision.content, payload(len(fields)))
        Revision.objects.filter(pk=revision.pk).update(content=content)
    return len(fields) + 1


# --- Checking HTML ----------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class _Unescaped(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.in_script = True
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and SCRIPT_TEXT in data:
            self.found.append(f"<script>{data[:80]}")
        if EVALUATED in data:
            self.found.append(f"template evaluated: {data[:80]!r}")


def unescaped_payloads(html):
    """Where `html` runs or evaluates a payload instead of showing it."""
    parser = _Unescaped()
    parser.feed(html)
    parser.close()
    return parser.found


# --- Checking exports -------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def _formula_like(text):
    return text.startswith(FORMULA_TRIGGERS) and not NUMBER.fullmatch(text)


def _neutralised(text):
    return text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS)


def csv_cells(content):
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def csv_formulas(content):
    return [cell for cell in csv_cells(content) if _formula_like(cell)]


def xlsx_cells(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        (f"{sheet.title}!{cell.coordinate}", cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]


def xlsx_formulas(content):
    return [
        f"{where}: {cell.value!r}"
        for where, cell in xlsx_cells(content)
        if cell.data_type == "f" or (isinstance(cell.value, str) and _formula_like(cell.value))
    ]


# --- The sweep --------------------------------------------------------------------------------

SWEEP_ROLES = ("facilitator", "programme_officer", "donor", "admin")


def get_paths(world):
    policy, paths = load_policy(), []
    for route in all_routes():
        if "GET" not in accepted_methods(policy["urls"][route.key], route):
            continue
        kinds = DOCUMENT_KINDS if "document_id" in route.params else (None,)
        for kind in kinds:
            values = {name: parameter(route, name).value(world, kind) for name in route.params}
            path = route.path(values)
            paths.append(f"{path}?{QUERY[route.key]}" if route.key in QUERY else path)
    return paths


@dataclass
class Sweep:
    pages: int = 0  # HTML responses checked
    shown: int = 0  # of which showed a payload (escaped)
    exports: dict = field(default_factory=dict)  # format -> count
    found: list = field(default_factory=list)
    export_paths: set = field(default_factory=set)
    neutralised: int = 0  # export cells a spreadsheet would have run, defused

    def check(self, where, response):
        if response.streaming:
            content = b"".join(response.streaming_content)
            _close_streaming(response)
        else:
            content = response.content
        content_type = response.get("Content-Type", "")
        if response.status_code >= 500:
            self.found.append(f"{where}: answered {response.status_code}")
        if "text/html" in content_type:
            html = content.decode()
            self.pages += 1
            self.shown += "&lt;script&gt;alert(1)" in html
            self.found += [f"{where}: {each}" for each in unescaped_payloads(html)]
        if "csv" in content_type or "spreadsheetml" in content_type:
            self.export_paths.add(where.split()[1])
        if "csv" in content_type:
            self._count("csv")
            self.found += [f"{where}: formula {cell!r}" for cell in csv_formulas(content)]
            self.neutralised += sum(map(_neutralised, csv_cells(content)))
        elif "spreadsheetml" in content_type:
            self._count("xlsx")
            self.found += [f"{where}: formula {cell}" for cell in xlsx_formulas(content)]
            self.neutralised += sum(
                isinstance(cell.value, str) and _neutralised(cell.value)
                for _where, cell in xlsx_cells(content)
            )
        elif "json" in content_type:
            self._count("json")
        return content

    def _count(self, kind):
        self.exports[kind] = self.exports.get(kind, 0) + 1


@pytest.fixture
def captured_print_html(monkeypatch):
    """Every HTML handed to WeasyPrint, for documents and for the donor report; the real
    renderer still runs."""
    captured = []
    real = uptake_pdf.html_to_pdf

    def capturing(html, stylesheets=()):
        captured.append(html)
        return real(html, stylesheets)

    monkeypatch.setattr(uptake_pdf, "html_to_pdf", capturing)
    monkeypatch.setattr(monitoring_pdf, "html_to_pdf", capturing)
    return captured


def _pdf_text(content):
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    # Line breaks and WeasyPrint's break opportunities may fall inside the payload.
    return re.sub(r"[\s\u00ad\u200b]", "", text)


def _rows_for_every_export(world):
    """A row in each export the world leaves empty: a relation on the actor map and a value
    of the indicator."""
    actor_relation_record(
        programme=world.programme,
        actor_one=world.actor_one,
        actor_two=world.actor_two,
        as_of=datetime.date(2026, 3, 1),
        conflict_status=ActorRelation.ConflictStatus.values[0],
        dialogue_status=ActorRelation.DialogueStatus.values[0],
        notes="Met twice.",
        actor=world.facilitator,
    )
    IndicatorValue.objects.create(
        indicator=world.indicator,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        value=Decimal("-3"),
        evidence="Convoy log.",
        comment="A cold month.",
        disaggregation="North",
        recorded_by=world.reader,
    )


def test_payloads_in_every_text_field_render_as_text_everywhere(worlds, captured_print_html):
    world, users = worlds[OWN], worlds["users"]
    _rows_for_every_export(world)
    seeded = seed_payloads([LINK_LEAD])
    sweep = Sweep()
    paths = get_paths(world)
    for role in SWEEP_ROLES:
        client = Client()
        client.force_login(users[role])
        for path in paths:
            sweep.check(f"GET {path} as {role}", client.get(path))
            if role == "facilitator":
                htmx = client.get(path, HTTP_HX_REQUEST="true")
                sweep.check(f"GET {path} (htmx) as {role}", htmx)

    # A notification's link goes to this site only, whatever it holds.
    client = Client()
    client.force_login(world.facilitator)
    opened = client.post(reverse("uptake:notification_read", args=[world.notification.public_id]))
    if "javascript" in opened.get("Location", "").lower():
        sweep.found.append(f"notification opens {opened['Location']!r}")

    # PDFs: each document as the person who may export it, and the donor report.
    captured_print_html.clear()  # the sweep asked for the donor report as each role
    pdf_texts = []
    for kind in DOCUMENT_KINDS:
        document = world.documents[kind]
        reader = world.reader if kind == AIDE_MEMOIRE else world.facilitator
        client = Client()
        client.force_login(reader)
        export_url = reverse("uptake:pdf_export", args=[document.public_id])
        sweep.check(f"POST {export_url}", client.post(export_url))
        for export in PdfExport.objects.filter(document=document, requested_by=reader):
            url = reverse("uptake:pdf_download", args=[document.public_id, export.public_id])
            pdf_texts.append((kind, _pdf_text(sweep.check(f"GET {url}", client.get(url)))))
    client = Client()
    client.force_login(users["donor"])
    report = client.get(reverse("monitoring:results_pdf", args=[world.programme.public_id]))
    pdf_texts.append(("donor report", _pdf_text(sweep.check("GET donor report", report))))
    for number, html in enumerate(captured_print_html):
        sweep.found += [f"print HTML {number}: {each}" for each in unescaped_payloads(html)]
    shown_in_pdf = [where for where, text in pdf_texts if "<script>alert(1)</script>" in text]

    # The exports again, with every field led by what a spreadsheet would run.
    seed_payloads(FORMULA_LEADS)
    client = Client()
    client.force_login(world.facilitator)
    undefused = []
    for path in sorted(sweep.export_paths):
        before = sweep.neutralised
        sweep.check(f"GET {path} (formulas)", client.get(path))
        if sweep.neutralised == before:
            undefused.append(path)

    figures.record(
        "Stored XSS",
        f"{seeded} text fields seeded; {sweep.pages} HTML pages (as facilitator, officer, "
        f"donor, site administrator; {sweep.shown} showing a payload), "
        f"{len(captured_print_html)} print HTMLs and {len(pdf_texts)} PDFs, "
        + ", ".join(f"{count} {kind.upper()}" for kind, count in sorted(sweep.exports.items()))
        + f" exports checked ({sweep.neutralised} formula cells defused): "
        f"{len(sweep.found)} unescaped payloads or formulas",
    )
    assert not sweep.found, "\n".join(sweep.found[:80])
    # The sweep saw the payloads: as text on pages and in every PDF.
    assert sweep.shown > 50
    assert len(captured_print_html) == len(pdf_texts) == len(DOCUMENT_KINDS) + 1
    assert len(shown_in_pdf) == len(pdf_texts), f"payload not shown as text in {pdf_texts}"
    assert {"csv", "xlsx", "json"} <= sweep.exports.keys()
    # ... and met formulas, defused, in every CSV and XLSX export.
    assert len(sweep.export_paths) >= 5
    assert not undefused, f"exports where the sweep met no formula: {undefused}"


# --- The checks themselves --------------------------------------------------------------------


def test_the_html_check_finds_a_script_a_handler_a_javascript_link_and_evaluation():
    assert unescaped_payloads("<p><script>alert(1)</script></p>")
    assert unescaped_payloads('<img src=x onerror="alert(1)">')
    assert unescaped_payloads('<a href=" JaVa\tScript:alert(1)">x</a>')
    assert unescaped_payloads("<p>[49]</p>")
    escaped = "<p>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=x&gt;</p>"
    assert not unescaped_payloads(escaped + '<textarea>[{{7*7}}]</textarea><a href="/x">x</a>')
    assert not unescaped_payloads('<script src="/static/app.js"></script>')


def test_the_export_checks_find_formulas_but_not_numbers():
    assert csv_formulas(b"name,value\n=1+1,-3.50\n'=1+1,+2\n") == ["=1+1"]
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "=1+1"  # openpyxl stores it as a formula
    workbook.active["A2"] = "'@SUM(1)"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert xlsx_formulas(buffer.getvalue()) == ["Sheet!A1: '=1+1'"]
