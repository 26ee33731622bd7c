"""PDF rendering cannot run unbounded, whatever a document holds.

Every PDF (a document's export, a document in a dialogue's ZIP, the donor report) is drawn in
a render process that is killed past settings.PDF_RENDER_TIMEOUT_SECONDS or when the render
needs more than settings.PDF_RENDER_MEMORY_MB beyond what it held
(uptake.render_processes.html_to_pdf).
The tests tighten the limits so that a hostile or oversized document hits them in a second or
two, and check the reader gets a clear message, never a 500 or a stuck task, and that nothing
half-made is kept. The editor's size limits keep new text well inside the render's bounds;
a revision saved before them (written straight to the table here) is what the render limits
catch. The figure: renders tried, how soon each hostile one was stopped, and how many ran
past their limit (unbounded)."""

import datetime
import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from PIL import Image

from tests.assurance import figures
from uptake import content as document_content
from uptake.models import DocumentBundle, PdfExport, Revision
from uptake.pdf import render_html
from uptake.print_layout import STATIC_SCHEME, STYLESHEETS
from uptake.render_processes import (
    PdfRenderFailed,
    PdfTooLarge,
    html_to_pdf,
    stop_idle_render_processes,
)
from uptake.services import documents as services
from uptake.services.exports import RENDER_TOO_LARGE, bundle_build

# Room for the render process to be killed and reaped, and for a loaded two-core CI machine.
GRACE_SECONDS = 2.5
TIGHT_TIMEOUT = 2
# A render process has its fonts loaded before it renders (uptake.render_processes): a
# plain document adds a few MB, an image decoded to 100 MB far more.
TIGHT_MEMORY_MB = 32
STEPS = [
    {"text": f"Step {n}", "who": "Both sides", "when": "Soon", "how": "Quietly", "ladder": 30}
    for n in range(1, 4)
]
# About 2.5 MB of text in one section: what a POST could carry before the editor's limits.
HUGE_BODY = ("Talks resumed near the crossing after the rains. " * 20 + "\n") * 2500
HOSTILE_MARKUP = (
    '</p></div><style>*{display:none}</style><link rel="stylesheet" href="http://127.0.0.1/x">'
    '<img src="file:///etc/passwd"><div style="width:99999cm">'
)

TALLY = {"tried": 0, "stopped": [], "unbounded": 0, "normal": []}


def _record():
    overshoot = f"{max(TALLY['stopped']):.1f} s" if TALLY["stopped"] else "-"
    normal = f"{max(TALLY['normal']):.2f} s" if TALLY["normal"] else "-"
    figures.record(
        "PDF render limits",
        f"{TALLY['tried']} renders tried, {len(TALLY['stopped'])} hostile or oversized ones "
        f"stopped at their limit ({TIGHT_TIMEOUT} s or {TIGHT_MEMORY_MB} MB; at most "
        f"{overshoot} past it), {TALLY['unbounded']} unbounded; a normal document in {normal}",
    )


def _stopped_in_time(elapsed, limit=TIGHT_TIMEOUT):
    """Counts a stopped render; `limit` is the time it may take (the timeout, or what the
    test renders besides)."""
    TALLY["tried"] += 1
    TALLY["stopped"].append(max(elapsed - limit, 0))
    if elapsed > limit + GRACE_SECONDS:
        TALLY["unbounded"] += 1
    _record()
    assert elapsed <= limit + GRACE_SECONDS, f"the render ran {elapsed:.1f} s"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def no_idle_render_processes_after():
    """None forked under a test's settings or patches serves the tests after it."""
    yield
    stop_idle_render_processes()


@pytest.fixture
def tight_limits(settings):
    settings.PDF_RENDER_TIMEOUT_SECONDS = TIGHT_TIMEOUT
    settings.PDF_RENDER_MEMORY_MB = 768


def _non_paper(dialogue, actor, title="Corridor non-paper"):
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=actor, title=title)
    services.document_save(
        document=document,
        actor=actor,
        base_revision=1,
        title=title,
        content={"problem": "Open the corridor.", "steps": STEPS},
    )
    document.refresh_from_db()
    return document


def _aide_memoire(dialogue, actor, title="Handling"):
    document = services.aide_memoire_create(dialogue=dialogue, actor=actor, title=title)
    document.refresh_from_db()
    return document


def _old_oversized_revision(document, actor):
    """A revision as one saved before the editor's size limits could be: written straight to
    the table, as services.document_save no longer would."""
    document.head += 1
    document.save(update_fields=["head"])
    Revision.objects.create(
        document=document,
        number=document.head,
        title=document.title,
        content={"sections": [{"title": "Everything", "body": HUGE_BODY}]},
        author=actor,
    )


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The render itself ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_normal_document_renders_within_the_limits(client, dialogue, facilitator):
    document = _non_paper(dialogue, facilitator)
    client.force_login(facilitator)
    url = reverse("uptake:pdf_export", args=[document.public_id])
    client.post(url)  # the process's first request loads views and templates: not timed

    started = time.perf_counter()
    response = client.post(url)
    elapsed = time.perf_counter() - started

    assert response.status_code == 302
    export = PdfExport.objects.get(document=document, requested_by=facilitator)
    assert export.file.read().startswith(b"%PDF-")
    assert 1 <= export.page_count <= 2
    TALLY["tried"] += 1
    TALLY["normal"].append(elapsed)
    _record()


@pytest.mark.django_db
def test_an_oversized_document_stops_at_the_time_limit_and_keeps_the_earlier_pdf(
    client, dialogue, facilitator, tight_limits
):
    document = _aide_memoire(dialogue, facilitator)
    client.force_login(facilitator)
    url = reverse("uptake:pdf_export", args=[document.public_id])
    # Followed, so the page shows (and uses up) its "ready" message.
    assert client.post(url, follow=True).status_code == 200
    earlier = PdfExport.objects.get(document=document, requested_by=facilitator)
    _old_oversized_revision(document, facilitator)

    started = time.perf_counter()
    response = client.post(url)
    elapsed = time.perf_counter() - started

    assert response.status_code == 302
    assert response["Location"] == reverse("uptake:document_detail", args=[document.public_id])
    assert _messages(response) == [
        f"The PDF could not be made: the document is too long or too complex to print within "
        f"{TIGHT_TIMEOUT} seconds and 768 MB. Shorten it and try again."
    ]
    # The earlier PDF is still the reader's, untouched; no half-made one took its place.
    assert list(PdfExport.objects.filter(document=document)) == [earlier]
    assert earlier.file.storage.exists(earlier.file.name)
    _stopped_in_time(elapsed)


def test_a_render_needing_more_memory_than_allowed_is_stopped(
    settings, tmp_path, no_idle_render_processes_after
):
    # An image that decodes to about 100 MB, in one of Parley's static folders: memory the
    # render process must map afresh, whatever free room earlier renders left in its heap
    # (small allocations can reuse that room and never reach the cap).
    (tmp_path / "print-test").mkdir()
    Image.new("RGB", (6000, 6000), (31, 58, 95)).save(tmp_path / "print-test" / "large.png")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    # A render process keeps the settings it was forked with: the next render forks one
    # that can find the image.
    stop_idle_render_processes()
    settings.PDF_RENDER_MEMORY_MB = TIGHT_MEMORY_MB
    html = (
        f"<p>A chart</p><img src='{STATIC_SCHEME}:print-test/large.png' alt='' style='width: 8cm'>"
    )

    started = time.perf_counter()
    with pytest.raises(PdfTooLarge):
        html_to_pdf(html, STYLESHEETS)
    elapsed = time.perf_counter() - started

    # A plain document fits the same cap, and the large one the default allowance: it was
    # the image's memory that the cap stopped.
    assert html_to_pdf(render_html(_print_context()), STYLESHEETS).page_count == 1
    settings.PDF_RENDER_MEMORY_MB = 768
    assert html_to_pdf(html, STYLESHEETS).content.startswith(b"%PDF-")
    _stopped_in_time(elapsed)


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("<div>" * 5000 + "deep" + "</div>" * 5000, id="5000-nested-elements"),
        pytest.param("<p>paragraph</p>" * 40000, id="40000-paragraphs"),
        pytest.param("<p>" + "x" * 3_000_000 + "</p>", id="3-MB-unbreakable-word"),
        pytest.param(
            "<table>" + ("<tr>" + "<td>cell</td>" * 200 + "</tr>") * 2000 + "</table>",
            id="400000-table-cells",
        ),
    ],
)
def test_hostile_html_is_stopped_at_a_limit_not_left_running(hostile, tight_limits):
    html = f"<!DOCTYPE html><html><body>{hostile}</body></html>"

    started = time.perf_counter()
    with pytest.raises(PdfTooLarge):
        html_to_pdf(html)
    elapsed = time.perf_counter() - started

    _stopped_in_time(elapsed)


def test_a_failure_that_is_not_a_limit_is_reported_as_a_failed_render(
    monkeypatch, no_idle_render_processes_after
):
    def broken_layout(*args, **kwargs):
        raise LookupError("a bug in the renderer")

    monkeypatch.setattr("uptake.render_processes.lay_out", broken_layout)
    stop_idle_render_processes()  # the next render forks one with the broken layout

    with pytest.raises(PdfRenderFailed) as failed:
        html_to_pdf("<p>Fine.</p>")

    assert type(failed.value) is PdfRenderFailed
    assert "administrator" in str(failed.value.message)


@pytest.mark.django_db
def test_the_donor_report_past_its_limit_comes_back_as_a_message_not_a_500(
    client, programme, facilitator, settings
):
    # A small report needs little memory beyond its parent's: a deadline no render can
    # meet stops it instead.
    settings.PDF_RENDER_TIMEOUT_SECONDS = 0.01
    client.force_login(facilitator)

    started = time.perf_counter()
    response = client.get(reverse("monitoring:results_pdf", args=[programme.public_id]))
    elapsed = time.perf_counter() - started

    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:results", args=[programme.public_id])
    assert any("too long or too complex to print" in m for m in _messages(response))
    _stopped_in_time(elapsed)


@pytest.mark.django_db
def test_the_zip_leaves_out_a_document_too_large_to_render_and_says_so(
    client, dialogue, facilitator, tight_limits
):
    normal = _non_paper(dialogue, facilitator)
    oversized = _aide_memoire(dialogue, facilitator, title="The long one")
    _old_oversized_revision(oversized, facilitator)
    bundle = DocumentBundle.objects.create(dialogue=dialogue, requested_by=facilitator)

    started = time.perf_counter()
    bundle_build(bundle)
    elapsed = time.perf_counter() - started

    bundle.refresh_from_db()
    assert bundle.status == DocumentBundle.Status.DONE
    assert bundle.included == [normal.pk]
    assert bundle.skipped == [{"title": "The long one", "reason": RENDER_TOO_LARGE}]
    client.force_login(facilitator)
    page = client.get(reverse("uptake:bundle_detail", args=[bundle.public_id])).content.decode()
    assert "too long or too complex to print within 2 seconds and 768 MB" in page
    assert "The long one" in page
    assert "still names a participant" not in page
    # One timeout for the oversized document, plus the normal one's render.
    _stopped_in_time(elapsed, TIGHT_TIMEOUT + 2)


# --- What reaches the renderer ----------------------------------------------------------


def _print_context(**overrides):
    context = {
        "kind": "non_paper",
        "title": "Corridor",
        "programme_name": "Northern Corridor",
        "dialogue_title": "Triggers",
        "date": datetime.date(2026, 11, 20),
        "version": 1,
        "revision": 2,
        "status_label": "Draft",
        "classification": "Non-paper",
        "language_code": "en",
        "problem": "Open the corridor.",
        "steps": [
            {
                "number": n,
                "text": f"Step {n}",
                "who": "Both",
                "when": "Soon",
                "how": "Quietly",
                "ladder_label": "",
            }
            for n in range(1, 4)
        ],
        "ladder": [],
        "legal_notes": "",
        "operational_notes": "",
    }
    context.update(overrides)
    return context


def test_markup_and_css_typed_into_every_field_reach_the_print_html_escaped():
    plain = render_html(_print_context())
    hostile_fields = {
        "title": HOSTILE_MARKUP,
        "programme_name": HOSTILE_MARKUP,
        "dialogue_title": HOSTILE_MARKUP,
        "problem": HOSTILE_MARKUP,
        "legal_notes": HOSTILE_MARKUP,
        "operational_notes": HOSTILE_MARKUP,
        "steps": [
            {
                "number": 1,
                "text": HOSTILE_MARKUP,
                "who": HOSTILE_MARKUP,
                "when": HOSTILE_MARKUP,
                "how": HOSTILE_MARKUP,
                "ladder_label": "",
            }
        ],
    }
    hostile = render_html(_print_context(**hostile_fields))
    aide = render_html(
        _print_context(
            kind="aide_memoire",
            reader_name=HOSTILE_MARKUP,
            sections=[{"title": HOSTILE_MARKUP, "body": HOSTILE_MARKUP}],
        )
    )

    for html in (hostile, aide):
        # Only the template's own elements: as many as in a document of plain text.
        for tag in ("<style", "<link", "<img", "<div style", "<script"):
            assert html.count(tag) == plain.count(tag), tag
        assert "&lt;style&gt;*{display:none}&lt;/style&gt;" in html


@pytest.mark.django_db
def test_the_editor_refuses_text_past_the_limits_and_saves_nothing(client, dialogue, facilitator):
    document = _aide_memoire(dialogue, facilitator)
    limit = document_content.TEXT_MAX_LENGTHS["body"]
    client.force_login(facilitator)
    revisions = Revision.objects.count()

    response = client.post(
        reverse("uptake:document_edit", args=[document.public_id]),
        {
            "title": "Handling",
            "base_revision": document.head,
            "rows-TOTAL_FORMS": 1,
            "rows-INITIAL_FORMS": 0,
            "rows-0-title": "Context",
            "rows-0-body": "x" * (limit + 1),
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f"Ensure this value has at most {limit} characters (it has {limit + 1})." in page
    assert "x" * (limit + 1) in page  # the writer's text comes back, nothing lost
    assert Revision.objects.count() == revisions


@pytest.mark.django_db
def test_the_editor_refuses_more_rows_than_it_offers(client, dialogue, facilitator):
    document = _aide_memoire(dialogue, facilitator)
    rows = document_content.MAX_SECTIONS + 1
    client.force_login(facilitator)
    data = {"title": "Handling", "base_revision": document.head}
    data.update({"rows-TOTAL_FORMS": rows, "rows-INITIAL_FORMS": 0})
    for n in range(rows):
        data.update({f"rows-{n}-title": f"Part {n}", f"rows-{n}-body": "Short."})
    revisions = Revision.objects.count()

    response = client.post(reverse("uptake:document_edit", args=[document.public_id]), data)

    assert response.status_code == 400
    assert f"Please submit at most {document_content.MAX_SECTIONS} forms." in (
        response.content.decode()
    )
    assert Revision.objects.count() == revisions


@pytest.mark.django_db
def test_the_save_service_refuses_text_past_the_limits_whatever_the_caller(dialogue, facilitator):
    document = _non_paper(dialogue, facilitator)
    limit = document_content.TEXT_MAX_LENGTHS["how"]
    steps = [{**step, "how": "y" * (limit + 1)} for step in STEPS]
    revisions = Revision.objects.count()

    with pytest.raises(services.ValidationError) as refused:
        services.document_save(
            document=document,
            actor=facilitator,
            base_revision=document.head,
            title=document.title,
            content={"problem": "Open it.", "steps": steps},
        )

    assert refused.value.messages[0] == (
        f"Step 1 · How is {limit + 1} characters long; the limit is {limit}."
    )
    assert len(refused.value.messages) == len(STEPS)
    assert Revision.objects.count() == revisions
