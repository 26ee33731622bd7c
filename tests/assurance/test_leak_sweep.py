"""The participant leak sweep: canaries written into participants' identities, an
aide-mémoire's text and red lines (and participants' names written into every free text) must
never reach a donor, a legal reviewer or a programme officer without identity permission, in
any page, htmx fragment or file Parley gives them: HTML, CSV, XLSX (every cell), PDF (text and
metadata), iCalendar, JSON, XML, and ZIPs of documents built by their Celery task.

The URLs come from the authorization matrix's enumeration of Django's resolver and the
objects from its world (tests/assurance/world.py), with canaries added
(tests/assurance/leaks.py), so a new view is swept without anyone remembering to. Every GET
URL is requested whatever the policy says of it (a refusal must not leak either), with and
without the HX-Request header; then every document is exported as a PDF and the dialogue as
a ZIP, as the user asks for them, and the files downloaded.

A control sweeps as the facilitator, who may see identities, and must find the participant's
canaries in pages and in each kind of file: it shows the sweep can see them. Canaries of the
other programme must reach nobody. Figures are printed at the end of the run.
"""

import dataclasses
import html
import inspect
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from dialogues.services.attribution import NAME_WITHHELD
from tests.assurance import figures, leaks
from tests.assurance import test_authorization_matrix as matrix
from tests.assurance.test_authorization_matrix import (
    OTHER,
    OWN,
    QUERY,
    _close_streaming,
    accepted_methods,
    all_routes,
    detected_methods,
    load_policy,
    parameter,
)
from tests.assurance.world import DOCUMENT_KINDS, NON_PAPER
from uptake.models import DocumentBundle, PdfExport
from uptake.services import exports as export_services
from uptake.tasks import build_document_bundle

# The matrix's fixture: both programmes' worlds and a user per role.
worlds = matrix.worlds

OWN_TAG, OTHER_TAG = "7f3a", "c41e"
HTMX = {"HTTP_HX_REQUEST": "true"}
FILE_FORMATS = ("pdf", "zip", "xlsx", "csv", "ics", "xml", "json")


@pytest.fixture
def seeded(worlds):
    canaries = leaks.seed_canaries(worlds[OWN], OWN_TAG) | leaks.seed_canaries(
        worlds[OTHER], OTHER_TAG
    )
    _render_world_files(worlds[OWN])
    return worlds, canaries


def _render_world_files(world):
    """The world's PDFs and ZIP are stand-ins (a few bytes): render them for real, for the
    people they were made for, so their downloads are real files with the canaries' text."""
    for export in world.exports.values():
        _name, rendered, _revision = export_services._render(export.document, export.requested_by)
        export.file.save("export.pdf", ContentFile(rendered.content))
    export_services.bundle_build(world.bundle)


# --- What to request --------------------------------------------------------------------------


def _path(route, world, kind):
    values = {name: parameter(route, name).value(world, kind) for name in route.params}
    path = route.path(values)
    return f"{path}?{QUERY[route.key]}" if route.key in QUERY else path


def answers_htmx(route):
    """Whether the view may answer an htmx request differently: its module reads
    request.htmx (django-htmx's middleware sets it; no template reads it)."""
    function = route.callback
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    module = inspect.getmodule(getattr(function, "view_class", function))
    return module is not None and "request.htmx" in inspect.getsource(module)


def get_urls(world):
    """(key, path, htmx) of every URL whose view answers GET, naming `world`'s objects: a URL
    naming a document once for each of the world's documents and for the non-papers the
    canaries added (one naming the participant, shared with donors; a draft naming them).
    `htmx`: the view may answer an htmx request differently."""
    policy = load_policy()
    named = dataclasses.replace(world, documents={NON_PAPER: world.named_non_paper})
    blocked = dataclasses.replace(world, documents={NON_PAPER: world.blocked_draft})
    variants = [(world, kind) for kind in DOCUMENT_KINDS] + [(named, None), (blocked, None)]
    urls = []
    for route in all_routes():
        entry = policy["urls"].get(route.key)
        # A URL the policy does not know yet is the matrix's failure to report; sweep it too.
        methods = (
            accepted_methods(entry, route) if entry else detected_methods(route.callback)
        ) or {"GET"}
        if "GET" not in methods:
            continue
        htmx = answers_htmx(route)
        if "document_id" in route.params:
            urls.extend((route.key, _path(route, w, kind), htmx) for w, kind in variants)
        else:
            urls.append((route.key, _path(route, world, None), htmx))
    return urls


def exported_documents(world):
    return [
        *(world.documents[kind] for kind in DOCUMENT_KINDS),
        world.named_non_paper,
        world.blocked_draft,
    ]


# --- The sweep --------------------------------------------------------------------------------


@dataclass
class Sweep:
    role: str
    responses: int = 0
    answered: int = 0  # 2xx
    files: Counter = field(default_factory=Counter)
    found: list = field(default_factory=list)  # every Leak, allowed or not

    def check(self, where, response, canaries):
        if response.streaming:
            content = b"".join(response.streaming_content)
            _close_streaming(response)
        else:
            content = response.content
        self.responses += 1
        if 200 <= response.status_code < 300:
            self.answered += 1
        found, kind = leaks.scan(
            f"{where} ({response.status_code})",
            content,
            response.headers.get("Content-Type", ""),
            canaries,
            headers=dict(response.headers),
        )
        if kind in FILE_FORMATS and response.status_code == 200:
            self.files[kind] += 1
        self.found.extend((kind, leak) for leak in found)

    def canaries_found(self, *, kind=None):
        return {leak.canary for found_kind, leak in self.found if kind in (None, found_kind)}


def sweep(user, role, world, canaries, django_capture_on_commit_callbacks):
    """Request every GET URL as `user` (again with HX-Request where the view reads it),
    export every document as a PDF and the dialogue as a ZIP, download them, and scan it all
    for `canaries`."""
    client = Client()
    client.force_login(user)
    result = Sweep(role)
    for key, path, htmx in get_urls(world):
        result.check(f"GET {key} {path}", client.get(path), canaries)
        if htmx:
            result.check(f"GET {key} {path} (htmx)", client.get(path, **HTMX), canaries)

    for document in exported_documents(world):
        export_path = reverse("uptake:pdf_export", args=[document.public_id])
        result.check(f"POST {export_path}", client.post(export_path), canaries)
        for export in PdfExport.objects.filter(document=document, requested_by=user):
            path = reverse("uptake:pdf_download", args=[document.public_id, export.public_id])
            result.check(f"GET {path}", client.get(path), canaries)

    zip_path = reverse("uptake:bundle_request", args=[world.dialogue.public_id])
    # The request queues the task on commit; it runs here, as a worker would run it.
    with django_capture_on_commit_callbacks(execute=False):
        result.check(f"POST {zip_path}", client.post(zip_path), canaries)
    for bundle in DocumentBundle.objects.filter(
        requested_by=user, status=DocumentBundle.Status.QUEUED
    ):
        build_document_bundle(bundle.pk)
        for name in ("uptake:bundle_detail", "uptake:bundle_download"):
            path = reverse(name, args=[bundle.public_id])
            result.check(f"GET {path}", client.get(path), canaries)
            result.check(f"GET {path} (htmx)", client.get(path, **HTMX), canaries)
    return result


def leaks_of(result, forbidden):
    return [leak for _kind, leak in result.found if leak.canary in forbidden]


def _report(findings, limit=60):
    lines = [str(leak) for leak in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... and {len(findings) - limit} more")
    return "\n".join(lines)


def _files(results):
    files = Counter()
    for result in results:
        files.update(result.files)
    return ", ".join(f"{count} {kind.upper()}" for kind, count in sorted(files.items()))


# --- Tests ------------------------------------------------------------------------------------


def test_no_canary_reaches_a_donor_a_legal_reviewer_or_an_officer_without_identity(
    seeded, django_capture_on_commit_callbacks
):
    worlds, canaries = seeded
    world, users = worlds[OWN], worlds["users"]
    own = {canary for canary in canaries if canary.programme == OWN}
    # What each role may never receive: all of it for donors and legal reviewers; identities
    # for a programme officer (Parley's default: officers do not see identities), who wrote
    # the aide-mémoire and reads red lines. Nobody here may receive the other programme's.
    allowed = {
        "donor": set(),
        "legal_reviewer": set(),
        "programme_officer": {
            c for c in own if c.kind in (leaks.AIDE_MEMOIRE_TEXT, leaks.AIDE_MEMOIRE_TITLE)
        }
        | {c for c in own if c.kind == leaks.RED_LINE},
    }
    results, findings = [], []
    for role, may_receive in allowed.items():
        result = sweep(users[role], role, world, canaries, django_capture_on_commit_callbacks)
        results.append(result)
        findings += [
            dataclasses.replace(leak, where=f"as {role}: {leak.where}")
            for leak in leaks_of(result, canaries - may_receive)
        ]
    officer = results[-1]
    figures.record(
        "Participant leak sweep",
        f"{sum(r.responses for r in results)} responses "
        f"({sum(r.answered for r in results)} answered 2xx) and {_files(results)} files "
        f"checked as donor, legal reviewer and programme officer; {len(canaries)} canaries "
        f"(2 programmes): {len(findings)} leaks",
    )
    assert not findings, f"{len(findings)} canaries leaked:\n{_report(findings)}"
    # The officer reads what they wrote: the sweep saw it, so it would have seen a leak.
    assert allowed["programme_officer"] <= officer.canaries_found()
    # The notes are shown to the legal reviewer, with the names withheld, not hidden.
    reviewer = Client()
    reviewer.force_login(users["legal_reviewer"])
    notes = reviewer.get(
        reverse(
            "dialogues:session_detail", args=[world.dialogue.public_id, world.session.public_id]
        )
    )
    assert f"met {NAME_WITHHELD} yesterday" in html.unescape(notes.content.decode())


def test_control_the_facilitator_finds_the_participant_in_pages_and_files(
    seeded, django_capture_on_commit_callbacks
):
    worlds, canaries = seeded
    world, facilitator = worlds[OWN], worlds["users"]["facilitator"]
    result = sweep(facilitator, "facilitator", world, canaries, django_capture_on_commit_callbacks)
    own = {canary for canary in canaries if canary.programme == OWN}
    identity = {canary for canary in own if canary.kind == leaks.IDENTITY}
    # The facilitator manages the aide-mémoire's readers without being one.
    forbidden = (canaries - own) | {c for c in own if c.kind == leaks.AIDE_MEMOIRE_TEXT}
    found = result.canaries_found()
    found_in = {
        kind: bool(result.canaries_found(kind=kind) & identity)
        for kind in ("html", "pdf", "zip", "xlsx", "csv")
    }
    figures.record(
        "Participant leak sweep, control",
        f"as facilitator: {result.responses} responses and {_files([result])} files; found "
        f"{len(found & identity)} of {len(identity)} identity canaries (in "
        f"{', '.join(kind.upper() for kind, seen in found_in.items() if seen)}), "
        f"{len(leaks_of(result, forbidden))} canaries they may not see",
    )
    assert not leaks_of(result, forbidden), _report(leaks_of(result, forbidden))
    assert identity <= found, f"never found: {sorted(c.text for c in identity - found)}"
    assert {c for c in own if c.kind == leaks.RED_LINE} <= found
    assert all(found_in.values()), f"identity canaries by format: {found_in}"


# --- The scanner ------------------------------------------------------------------------------

CANARY = leaks.Canary("Canary-Name-7f3a", "participant full name", leaks.IDENTITY, OWN)


def _found(content, content_type=""):
    return [leak.canary for leak in leaks.scan("test", content, content_type, {CANARY})[0]]


def test_the_scanner_finds_a_name_however_it_is_written():
    assert _found(b"<p>Met CANARY NAME\n7F3A</p>", "text/html")
    assert _found("canary-na\u00adme-7f3a".encode(), "text/html")  # a soft hyphen inside
    assert _found(b"<td>Canary&#45;Name&#45;7f3a</td>", "text/html")
    assert _found(b'{"who": "Canary-Nam\\u0065-7f3a"}', "application/json")
    assert _found(b"canary_name_7f3a.pdf", "text/plain")
    assert not _found(b"Canary-Name-7f3ab is someone else; so is xcanary-name-7f3a")


def test_the_scanner_reads_a_folded_icalendar_line():
    folded = b"BEGIN:VCALENDAR\r\nSUMMARY:Lunch with Canary-Na\r\n me-7f3a\r\nEND:VCALENDAR\r\n"
    assert _found(folded, "text/calendar")


def test_the_scanner_reads_pdf_metadata_and_xlsx_cells_and_zip_members():
    import io
    import zipfile

    import openpyxl
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Canary-Name-7f3a"})
    pdf = io.BytesIO()
    writer.write(pdf)
    assert _found(pdf.getvalue(), "application/pdf")

    workbook = openpyxl.Workbook()
    workbook.active["C7"] = "met canary name 7f3a"
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    assert _found(xlsx.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml")

    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("note.pdf", pdf.getvalue())
    assert _found(bundle.getvalue(), "application/zip")
