"""PDF export and download of one document, and the ZIP of a dialogue's documents built by a
real Celery worker (filesystem broker by default, Redis when CI sets CELERY_BROKER_URL)."""

import io
import time
import zipfile

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from pypdf import PdfReader

from config.celery import app as celery_app
from dialogues.services.design import dialogue_create
from tests.dialogues.factories import DialogueParticipantFactory, ParticipantFactory
from uptake.models import Document, DocumentBundle, DocumentEvent, PdfExport
from uptake.services import documents as services
from uptake.services import readers

STEPS = [
    {"text": f"Step {n}", "who": "Both sides", "when": "Soon", "how": "Quietly", "ladder": 30}
    for n in range(1, 4)
]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def dialogue(programme, facilitator):
    dialogue = dialogue_create(
        programme=programme, actor=facilitator, title="Corridor", problem="Open it."
    )
    person = ParticipantFactory(programme=programme, full_name="Amal Haddad", aliases="")
    DialogueParticipantFactory(dialogue=dialogue, participant=person)
    return dialogue


def _non_paper(dialogue, actor, *, notes="Nothing sensitive.", title="Corridor non-paper"):
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=actor, title=title)
    services.document_save(
        document=document,
        actor=actor,
        base_revision=1,
        title=title,
        content={"problem": "Open it.", "steps": STEPS, "operational_notes": notes},
    )
    document.refresh_from_db()
    return document


def _aide_memoire(dialogue, actor, *, body="Handle with care."):
    document = services.aide_memoire_create(dialogue=dialogue, actor=actor, title="Handling")
    services.document_save(
        document=document,
        actor=actor,
        base_revision=1,
        title="Handling",
        content={"sections": [{"title": "Context", "body": body}]},
    )
    document.refresh_from_db()
    return document


def _pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_exporting_a_non_paper_says_its_page_count_and_serves_it_as_an_attachment(
    client, dialogue, facilitator
):
    document = _non_paper(dialogue, facilitator)
    client.force_login(facilitator)
    response = client.post(reverse("uptake:pdf_export", args=[document.public_id]), follow=True)
    export = PdfExport.objects.get(document=document, requested_by=facilitator)
    pages = "1 page" if export.page_count == 1 else f"{export.page_count} pages"
    assert f"The PDF is ready: {pages}." in response.content.decode()
    download = client.get(
        reverse("uptake:pdf_download", args=[document.public_id, export.public_id])
    )
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    content = b"".join(download.streaming_content)
    assert "Corridor non-paper" in _pdf_text(content)
    assert DocumentEvent.objects.filter(
        document=document, kind=DocumentEvent.Kind.DOWNLOADED, actor=facilitator
    ).exists()


@pytest.mark.django_db
def test_a_name_in_the_text_refuses_the_export_and_lists_where_it_stands(
    client, dialogue, facilitator
):
    document = _non_paper(dialogue, facilitator, notes="Ask Amal Haddad first.")
    client.force_login(facilitator)
    response = client.post(reverse("uptake:pdf_export", args=[document.public_id]))
    assert response.status_code == 409
    html = response.content.decode()
    assert "The text names a participant" in html
    assert "Operational notes" in html
    assert not PdfExport.objects.exists()


@pytest.mark.django_db
def test_an_export_is_downloaded_only_by_the_person_it_was_made_for(
    client, dialogue, facilitator, officer
):
    document = _non_paper(dialogue, facilitator)
    client.force_login(facilitator)
    client.post(reverse("uptake:pdf_export", args=[document.public_id]))
    export = PdfExport.objects.get()
    client.force_login(officer)
    url = reverse("uptake:pdf_download", args=[document.public_id, export.public_id])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_aide_memoire_pdf_names_its_reader_and_says_confidential_and_is_logged(
    client, dialogue, facilitator
):
    document = _aide_memoire(dialogue, facilitator)
    client.force_login(facilitator)
    client.post(reverse("uptake:pdf_export", args=[document.public_id]))
    export = PdfExport.objects.get()
    download = client.get(
        reverse("uptake:pdf_download", args=[document.public_id, export.public_id])
    )
    text = _pdf_text(b"".join(download.streaming_content))
    pages = PdfReader(io.BytesIO(export.file.open("rb").read())).pages
    for page in pages:
        page_text = page.extract_text()
        assert "CONFIDENTIAL" in page_text.upper()
        assert facilitator.username in page_text
    assert "Handle with care." in text
    kinds = set(
        DocumentEvent.objects.filter(document=document, actor=facilitator).values_list(
            "kind", flat=True
        )
    )
    assert {DocumentEvent.Kind.EXPORTED, DocumentEvent.Kind.DOWNLOADED} <= kinds


@pytest.mark.django_db
def test_a_team_member_not_named_on_an_aide_memoire_cannot_export_it(
    client, dialogue, facilitator, legal_reviewer
):
    document = _aide_memoire(dialogue, facilitator)
    client.force_login(legal_reviewer)
    assert client.post(reverse("uptake:pdf_export", args=[document.public_id])).status_code == 404
    assert not PdfExport.objects.exists()


@pytest.mark.django_db
def test_a_donor_exports_a_shared_non_paper_with_names_withheld_even_after_an_override(
    client, dialogue, facilitator, donor
):
    document = _non_paper(dialogue, facilitator, notes="Thanks to Amal Haddad for the idea.")
    services.guard_override(document=document, actor=facilitator, reason="Public figure.")
    for status in ("review", "ready", "delivered"):
        services.document_transition(document=document, actor=facilitator, to_status=status)
    document.refresh_from_db()
    services.document_set_shareable(document=document, actor=facilitator, shareable=True)
    client.force_login(donor)
    client.post(reverse("uptake:pdf_export", args=[document.public_id]))
    export = PdfExport.objects.get(requested_by=donor)
    text = _pdf_text(export.file.open("rb").read())
    assert "Amal" not in text and "Haddad" not in text
    assert "name withheld" in text


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_zips_every_document_the_reader_may_read_and_the_page_shows_progress(
    client, dialogue, facilitator, officer
):
    _non_paper(dialogue, facilitator, title="Clean non-paper")
    _non_paper(dialogue, facilitator, title="Named non-paper", notes="Ask Amal Haddad.")
    _aide_memoire(dialogue, facilitator)  # the officer is not named on it
    named = _aide_memoire(dialogue, facilitator, body="For the officer too.")
    readers.reader_add(document=named, actor=facilitator, user=officer)

    client.force_login(officer)
    response = client.post(reverse("uptake:bundle_request", args=[dialogue.public_id]))
    bundle = DocumentBundle.objects.get()
    assert response.url == reverse("uptake:bundle_detail", args=[bundle.public_id])
    page = client.get(response.url).content.decode()
    assert "Waiting for a worker" in page
    assert 'hx-trigger="every 1s"' in page

    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=20):
        assert wait_for(
            lambda: DocumentBundle.objects.get(pk=bundle.pk).status == DocumentBundle.Status.DONE
        ), "the worker did not finish the ZIP"

    bundle.refresh_from_db()
    assert (bundle.total, bundle.done) == (3, 3)
    assert bundle.skipped == ["Named non-paper"]
    fragment = client.get(
        reverse("uptake:bundle_detail", args=[bundle.public_id]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    assert "every 1s" not in fragment  # finished: the polling stops
    assert "Named non-paper" in fragment
    # Three documents went through; the count is of those in the ZIP.
    assert "Ready: 2 documents in the ZIP." in fragment

    download = client.get(reverse("uptake:bundle_download", args=[bundle.public_id]))
    assert download["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == 2
    assert any(name.startswith("clean-non-paper") for name in names)
    assert any(name.startswith("handling") for name in names)
    aide_pdf = next(name for name in names if name.startswith("handling"))
    assert "For the officer too." in _pdf_text(archive.read(aide_pdf))
    assert DocumentEvent.objects.filter(
        document=named, actor=officer, kind=DocumentEvent.Kind.DOWNLOADED
    ).exists()
    assert Document.objects.count() == 4


@pytest.mark.django_db
def test_a_zip_that_could_hold_no_document_says_so_and_offers_no_download(
    client, dialogue, facilitator
):
    bundle = DocumentBundle.objects.create(
        dialogue=dialogue,
        requested_by=facilitator,
        status=DocumentBundle.Status.DONE,
        total=1,
        done=1,
        included=[],
        skipped=["Access triggers"],
    )
    client.force_login(facilitator)

    page = client.get(reverse("uptake:bundle_detail", args=[bundle.public_id])).content.decode()

    assert "Done: no document could go in the ZIP." in page
    assert "Ready:" not in page
    assert reverse("uptake:bundle_download", args=[bundle.public_id]) not in page
    assert "Access triggers" in page


@pytest.mark.django_db
def test_someone_else_cannot_see_or_download_a_zip(client, dialogue, facilitator, officer):
    bundle = DocumentBundle.objects.create(dialogue=dialogue, requested_by=facilitator)
    client.force_login(officer)
    assert client.get(reverse("uptake:bundle_detail", args=[bundle.public_id])).status_code == 404
    assert client.get(reverse("uptake:bundle_download", args=[bundle.public_id])).status_code == 404
