"""The evidence brief: attachments judged by content, capped in size, stored privately under a
random name, served only through the permission-checked download; pages per role."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogues.models import Dialogue, EvidenceItem
from dialogues.services import evidence as services
from tests.dialogues.factories import (
    DialogueFactory,
    DialogueParticipantFactory,
    ParticipantFactory,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CSV = "date,event\n2026-01-04,Bridge at Kyauk closed\n2026-01-09,Reopened (café)\n".encode()
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def fields(**overrides):
    data = {
        "kind": EvidenceItem.Kind.TIMELINE,
        "title": "Closures of the Kyauk bridge",
        "source": "OCHA access snapshot",
        "summary": "Closures and reopenings over the last quarter.",
    }
    data.update(overrides)
    return data


def stored_files(root):
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def close(dialogue):
    Dialogue.objects.filter(pk=dialogue.pk).update(status=Dialogue.Status.CLOSED)
    dialogue.refresh_from_db()


NAME = "José Ramos"
ALIAS = "El Ingeniero"


@pytest.fixture
def jose(dialogue):
    return DialogueParticipantFactory(
        dialogue=dialogue,
        participant=ParticipantFactory(programme=dialogue.programme, full_name=NAME, aliases=ALIAS),
    )


# --- What an attachment may be ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("brief.pdf", PDF, "application/pdf"),
        ("map.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("timeline.csv", CSV, "text/csv; charset=utf-8"),
        ("notes.txt", "Plain text, UTF-8: Mandalay–Lashio.".encode(), "text/plain; charset=utf-8"),
        # The name does not decide: a PDF called .txt is still a PDF.
        ("renamed.txt", PDF, "application/pdf"),
    ],
)
def test_allowed_types_are_recognised_by_their_content(dialogue, name, content, expected):
    item = services.evidence_add(
        dialogue=dialogue, actor=None, attachment=upload(name, content), **fields()
    )
    assert item.attachment_type == expected
    assert item.attachment_size == len(content)
    assert item.attachment_name == name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("brief.pdf", HTML),
        ("map.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>"),
        ("setup.pdf", EXE),
        ("tool.csv", ELF),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 40),
        ("data.csv", b"a,b\n1,\x002\n"),
        ("latin1.txt", "café".encode("latin-1")),
        ("page.txt", b"Harmless start\n" * 10 + b'<iframe src="https://example.org">'),
    ],
)
def test_anything_else_is_refused_whatever_its_name_and_nothing_is_stored(
    dialogue, private_media, name, content
):
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            dialogue=dialogue, actor=None, attachment=upload(name, content), **fields()
        )
    assert "not an allowed type" in refused.value.message_dict["attachment"][0]
    assert not EvidenceItem.objects.exists()
    assert stored_files(private_media) == []


def test_markup_split_across_reading_chunks_is_still_found(dialogue, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_BYTES", 16)
    # "<script>" starts 3 bytes before the end of the first 16-byte chunk. A file on disk
    # (like a large upload) is read chunk by chunk; a small in-memory upload is not.
    on_disk = File(io.BytesIO(b"x" * 13 + b"<script> tail"), name="a.txt")
    with pytest.raises(ValidationError):
        services.evidence_add(dialogue=dialogue, actor=None, attachment=on_disk, **fields())


def test_a_file_over_the_cap_is_refused_with_the_limit(dialogue, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            dialogue=dialogue,
            actor=None,
            attachment=upload("big.pdf", PDF + b" " * 1024),
            **fields(),
        )
    assert "at most 1.0\xa0KB" in refused.value.message_dict["attachment"][0]


def test_an_empty_file_is_refused(dialogue):
    with pytest.raises(ValidationError, match="empty"):
        services.evidence_add(
            dialogue=dialogue, actor=None, attachment=upload("empty.pdf", b""), **fields()
        )


def test_files_are_stored_privately_under_a_random_name(dialogue, private_media):
    item = services.evidence_add(
        dialogue=dialogue,
        actor=None,
        attachment=upload("José Ramos interview.pdf", PDF),
        **fields(),
    )
    [path] = stored_files(private_media)
    assert path.is_relative_to(private_media / "evidence" / str(dialogue.public_id))
    assert "Ramos" not in str(path)
    assert path.suffix == ""
    assert path.read_bytes() == PDF
    with pytest.raises(ValueError, match="not accessible via a URL"):
        item.attachment.url  # noqa: B018


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\field\\brief<script>.pdf", "brief_script_.pdf"),
        ("bad\x00na\u202eme\r\n.txt", "badname.txt"),
        (".hidden.csv", "hidden.csv"),
        ("", "attachment"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_the_display_name_is_a_sanitised_copy_of_the_sent_name(sent, shown):
    assert services.display_name(sent) == shown


def test_replacing_an_attachment_deletes_the_old_file_once_committed(
    dialogue, private_media, django_capture_on_commit_callbacks
):
    item = services.evidence_add(
        dialogue=dialogue, actor=None, attachment=upload("a.pdf", PDF), **fields()
    )
    [old] = stored_files(private_media)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.evidence_update(item=item, actor=None, attachment=upload("b.png", PNG))
    [new] = stored_files(private_media)
    assert new != old
    assert new.read_bytes() == PNG
    assert (item.attachment_name, item.attachment_type) == ("b.png", "image/png")


def test_a_refused_replacement_keeps_the_item_and_its_file(dialogue, private_media):
    item = services.evidence_add(
        dialogue=dialogue, actor=None, attachment=upload("a.pdf", PDF), **fields()
    )
    with pytest.raises(ValidationError):
        services.evidence_update(item=item, actor=None, attachment=upload("b.pdf", HTML))
    item.refresh_from_db()
    assert item.attachment_name == "a.pdf"
    assert [p.read_bytes() for p in stored_files(private_media)] == [PDF]


def test_removing_the_attachment_or_the_item_deletes_the_file(
    dialogue, private_media, django_capture_on_commit_callbacks
):
    item = services.evidence_add(
        dialogue=dialogue, actor=None, attachment=upload("a.pdf", PDF), **fields()
    )
    with django_capture_on_commit_callbacks(execute=True):
        item = services.evidence_update(item=item, actor=None, remove_attachment=True)
    assert not item.attachment
    assert item.attachment_size is None
    assert stored_files(private_media) == []

    item = services.evidence_update(item=item, actor=None, attachment=upload("b.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(item=item, actor=None)
    assert not EvidenceItem.objects.exists()
    assert stored_files(private_media) == []


def test_invalid_fields_are_refused_before_anything_is_stored(dialogue, private_media):
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            dialogue=dialogue,
            actor=None,
            attachment=upload("a.pdf", PDF),
            **fields(kind="rumour", title=""),
        )
    assert {"kind", "title"} <= set(refused.value.message_dict)
    assert stored_files(private_media) == []


def test_a_closed_dialogue_refuses_every_change_to_the_brief(dialogue, facilitator, private_media):
    item = services.evidence_add(
        dialogue=dialogue, actor=facilitator, attachment=upload("a.pdf", PDF), **fields()
    )
    close(dialogue)
    changes = [
        lambda: services.evidence_add(
            dialogue=dialogue, actor=facilitator, attachment=upload("b.pdf", PDF), **fields()
        ),
        lambda: services.evidence_update(item=item, actor=facilitator, title="Changed"),
        lambda: services.evidence_update(item=item, actor=facilitator, remove_attachment=True),
        lambda: services.evidence_remove(item=item, actor=facilitator),
    ]
    for change in changes:
        with pytest.raises(ValidationError, match="can no longer change"):
            change()
    item.refresh_from_db()
    assert list(EvidenceItem.objects.all()) == [item]
    assert (item.title, item.attachment_name) == ("Closures of the Kyauk bridge", "a.pdf")
    assert [p.read_bytes() for p in stored_files(private_media)] == [PDF]


def test_without_identity_an_item_naming_someone_cannot_be_changed(
    dialogue, officer, facilitator, jose
):
    item = services.evidence_add(
        dialogue=dialogue, actor=facilitator, **fields(source=f"Interview with {ALIAS}")
    )
    with pytest.raises(ValidationError) as refused:
        services.evidence_update(item=item, actor=officer, source="OCHA")
    assert refused.value.error_list[0].code == "names_withheld"
    item.refresh_from_db()
    assert item.source == f"Interview with {ALIAS}"
    services.evidence_update(item=item, actor=facilitator, source="OCHA")
    item.refresh_from_db()
    assert item.source == "OCHA"


# --- Pages ------------------------------------------------------------------------------


@pytest.fixture
def item(dialogue):
    return services.evidence_add(
        dialogue=dialogue, actor=None, attachment=upload("corridor map.png", PNG), **fields()
    )


@pytest.fixture
def urls(dialogue, item):
    d, i = dialogue.public_id, item.public_id
    return {
        "list": reverse("dialogues:evidence_list", args=[d]),
        "create": reverse("dialogues:evidence_create", args=[d]),
        "edit": reverse("dialogues:evidence_edit", args=[d, i]),
        "delete": reverse("dialogues:evidence_delete", args=[d, i]),
        "download": reverse("dialogues:evidence_download", args=[d, i]),
    }


READS = ["list", "download"]
POSTS = ["create", "edit", "delete"]


@pytest.mark.parametrize("name", READS + POSTS)
def test_anonymous_visitors_are_sent_to_log_in(client, urls, name):
    response = client.post(urls[name]) if name in POSTS else client.get(urls[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", READS + POSTS)
@pytest.mark.parametrize("role_fixture", ["stranger", "donor"])
def test_strangers_and_donors_get_404_and_nothing_changes(
    request, login, urls, item, name, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    response = client.post(urls[name], fields()) if name in POSTS else client.get(urls[name])
    assert response.status_code == 404
    assert item.title not in response.content.decode()
    assert EvidenceItem.objects.count() == 1


@pytest.mark.parametrize("name", READS)
@pytest.mark.parametrize("role_fixture", ["facilitator", "officer", "legal_reviewer"])
def test_the_team_reads_the_brief_and_downloads(request, login, urls, name, role_fixture):
    assert login(request.getfixturevalue(role_fixture)).get(urls[name]).status_code == 200


@pytest.mark.parametrize("name", POSTS)
def test_a_legal_reviewer_cannot_change_the_brief(login, legal_reviewer, urls, item, name):
    client = login(legal_reviewer)
    if name != "delete":
        assert client.get(urls[name]).status_code == 403
    assert client.post(urls[name], fields(title="Changed")).status_code == 403
    item.refresh_from_db()
    assert item.title == "Closures of the Kyauk bridge"
    assert EvidenceItem.objects.count() == 1


@pytest.mark.parametrize("role_fixture", ["facilitator", "officer"])
def test_facilitators_and_officers_add_edit_and_delete(
    request, login, urls, dialogue, item, role_fixture, django_capture_on_commit_callbacks
):
    client = login(request.getfixturevalue(role_fixture))
    assert client.get(urls["create"]).status_code == 200
    response = client.post(
        urls["create"], {**fields(title="Legal limits"), "attachment": upload("limits.pdf", PDF)}
    )
    assert response.status_code == 302
    added = dialogue.evidence.get(title="Legal limits")
    assert added.attachment_type == "application/pdf"
    assert client.get(urls["edit"]).status_code == 200
    assert client.post(urls["edit"], fields(title="Bridge closures")).status_code == 302
    item.refresh_from_db()
    assert item.title == "Bridge closures"
    assert item.attachment_name == "corridor map.png"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(urls["delete"]).status_code == 302
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()


def test_delete_refuses_get(login, facilitator, urls):
    assert login(facilitator).get(urls["delete"]).status_code == 405


def test_unknown_and_foreign_items_are_404(login, facilitator, dialogue):
    client = login(facilitator)
    foreign = services.evidence_add(
        dialogue=DialogueFactory(programme=dialogue.programme),
        actor=None,
        attachment=upload("a.pdf", PDF),
        **fields(),
    )
    d = dialogue.public_id
    assert client.get(reverse("dialogues:evidence_edit", args=[d, uuid.uuid4()])).status_code == 404
    download = reverse("dialogues:evidence_download", args=[d, foreign.public_id])
    assert client.get(download).status_code == 404
    delete = reverse("dialogues:evidence_delete", args=[d, foreign.public_id])
    assert client.post(delete).status_code == 404
    assert EvidenceItem.objects.filter(pk=foreign.pk).exists()


def test_the_download_is_an_attachment_with_the_checked_type_and_nosniff(
    login, legal_reviewer, urls
):
    response = login(legal_reviewer).get(urls["download"])
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="corridor map.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_text_is_served_as_text_never_as_a_page(login, facilitator, dialogue):
    item = services.evidence_add(
        dialogue=dialogue, actor=None, attachment=upload("t.csv", CSV, "text/html"), **fields()
    )
    url = reverse("dialogues:evidence_download", args=[dialogue.public_id, item.public_id])
    response = login(facilitator).get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_no_attachment_or_a_lost_file_is_404_not_500(login, facilitator, dialogue, item):
    bare = services.evidence_add(dialogue=dialogue, actor=None, **fields(title="No file"))
    client = login(facilitator)
    url = reverse("dialogues:evidence_download", args=[dialogue.public_id, bare.public_id])
    assert client.get(url).status_code == 404
    item.attachment.storage.delete(item.attachment.name)
    url = reverse("dialogues:evidence_download", args=[dialogue.public_id, item.public_id])
    assert client.get(url).status_code == 404


def test_a_refused_file_is_a_form_error_with_the_typed_fields_kept(
    login, facilitator, dialogue, urls, private_media
):
    response = login(facilitator).post(
        urls["create"],
        {**fields(title="Typed title", source="Typed source"), "attachment": upload("x.pdf", HTML)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This file is not an allowed type." in html
    assert 'value="Typed title"' in html
    assert 'value="Typed source"' in html
    assert "choose the file again" in html
    assert not dialogue.evidence.filter(title="Typed title").exists()


def test_the_size_cap_is_told_on_the_form(login, facilitator, dialogue, urls, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    client = login(facilitator)
    assert "at most 2.0\xa0KB" in client.get(urls["create"]).content.decode()
    response = client.post(
        urls["create"], {**fields(), "attachment": upload("big.pdf", PDF + b" " * 4096)}
    )
    assert "attachments may be at most 2.0\xa0KB" in response.content.decode()


def test_the_edit_form_removes_an_attachment_on_request(
    login, facilitator, urls, item, django_capture_on_commit_callbacks
):
    client = login(facilitator)
    assert "Remove the attachment" in client.get(urls["edit"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls["edit"], {**fields(), "remove_attachment": "on"})
    item.refresh_from_db()
    assert not item.attachment


def test_invalid_fields_are_form_errors_with_the_input_kept(login, facilitator, urls, item):
    response = login(facilitator).post(
        urls["edit"], {**fields(title="", summary="Kept summary"), "dated": "yesterday"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "Enter a valid date." in html
    assert "Kept summary" in html
    assert 'value="yesterday"' in html
    item.refresh_from_db()
    assert item.title == "Closures of the Kyauk bridge"


def test_the_brief_links_back_and_offers_writes_only_to_writers(
    login, legal_reviewer, facilitator, dialogue, urls
):
    html = login(legal_reviewer).get(urls["list"]).content.decode()
    assert reverse("dialogues:programme_detail", args=[dialogue.programme.public_id]) in html
    assert reverse("dialogues:dialogue_detail", args=[dialogue.public_id]) in html
    assert urls["download"] in html
    assert urls["create"] not in html
    assert urls["edit"] not in html
    assert urls["edit"] in login(facilitator).get(urls["list"]).content.decode()


@pytest.mark.parametrize("times", [1, 10])
def test_the_brief_runs_the_same_queries_at_1x_and_10x(
    login, facilitator, dialogue, django_assert_max_num_queries, times
):
    for n in range(times):
        services.evidence_add(
            dialogue=dialogue,
            actor=None,
            attachment=upload(f"map-{n}.png", PNG),
            **fields(title=f"Map {n}", kind=EvidenceItem.Kind.MAP),
        )
    client = login(facilitator)
    url = reverse("dialogues:evidence_list", args=[dialogue.public_id])
    # 11: Django session, user; dialogue with programme; the chokepoint's check (user and
    # group permissions); the identity check (two); the design_dialogues check (two); the
    # menu's roles; the items.
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count("/download/") == times


@pytest.mark.parametrize("times", [1, 10])
def test_the_brief_without_identity_runs_the_same_queries_at_1x_and_10x(
    login, officer, dialogue, jose, django_assert_max_num_queries, times
):
    for n in range(times):
        services.evidence_add(
            dialogue=dialogue,
            actor=None,
            attachment=upload(f"{NAME} map-{n}.png", PNG),
            **fields(title=f"Map {n}", kind=EvidenceItem.Kind.MAP),
        )
    client = login(officer)
    url = reverse("dialogues:evidence_list", args=[dialogue.public_id])
    # 12: as for a facilitator, plus the roster whose names are withheld.
    with django_assert_max_num_queries(13):
        response = client.get(url)
    html = response.content.decode()
    assert html.count("/download/") == times
    assert "Ramos" not in html


# --- Identity ---------------------------------------------------------------------------


@pytest.fixture
def named_item(dialogue, jose):
    return services.evidence_add(
        dialogue=dialogue,
        actor=None,
        attachment=upload(f"{NAME} interview.pdf", PDF),
        **fields(
            title=f"Notes from {ALIAS}",
            source="Interview with jose ramos",
            summary=f"What {NAME} said about the bridge.",
        ),
    )


def no_name_in(html):
    return "Ramos" not in html and "ramos" not in html and ALIAS not in html


@pytest.mark.parametrize("role_fixture", ["officer", "legal_reviewer"])
def test_without_identity_names_in_the_brief_and_its_file_names_are_withheld(
    request, login, dialogue, named_item, role_fixture
):
    client = login(request.getfixturevalue(role_fixture))
    html = client.get(reverse("dialogues:evidence_list", args=[dialogue.public_id])).content
    html = html.decode()
    assert no_name_in(html)
    assert "Notes from [name withheld]" in html
    assert "Interview with [name withheld]" in html
    assert "What [name withheld] said about the bridge." in html
    assert "[name withheld] interview.pdf" in html
    download = reverse(
        "dialogues:evidence_download", args=[dialogue.public_id, named_item.public_id]
    )
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="name-withheld interview.pdf"'


def test_a_facilitator_sees_the_brief_and_file_names_as_typed(
    login, facilitator, dialogue, named_item
):
    client = login(facilitator)
    html = client.get(reverse("dialogues:evidence_list", args=[dialogue.public_id])).content
    assert f"Notes from {ALIAS}" in html.decode()
    download = reverse(
        "dialogues:evidence_download", args=[dialogue.public_id, named_item.public_id]
    )
    assert client.get(download)["Content-Disposition"] == (
        "attachment; filename*=utf-8''Jos%C3%A9%20Ramos%20interview.pdf"
    )


def test_without_identity_an_item_naming_someone_cannot_be_edited(
    login, officer, dialogue, named_item
):
    client = login(officer)
    url = reverse("dialogues:evidence_edit", args=[dialogue.public_id, named_item.public_id])
    html = client.get(url).content.decode()
    assert no_name_in(html)
    assert "Edit “Notes from [name withheld]”" in html
    assert 'name="summary"' not in html
    assert "only a team member who may see identities can change it" in html
    response = client.post(url, fields(title="Renamed"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "only a team member who may see identities can change it" in html
    assert 'value="Renamed"' in html
    assert no_name_in(html)
    named_item.refresh_from_db()
    assert named_item.title == f"Notes from {ALIAS}"


def test_deleting_an_item_names_no_one_to_someone_without_identity(
    login, officer, dialogue, named_item
):
    url = reverse("dialogues:evidence_delete", args=[dialogue.public_id, named_item.public_id])
    response = login(officer).post(url, follow=True)
    html = response.content.decode()
    assert "“Notes from [name withheld]” removed from the evidence brief." in html
    assert no_name_in(html)


# --- A closed dialogue ------------------------------------------------------------------


def test_a_closed_dialogue_refuses_a_new_item_with_the_input_kept(
    login, facilitator, dialogue, urls, private_media
):
    close(dialogue)
    response = login(facilitator).post(
        urls["create"],
        {**fields(title="Late item", summary="Kept summary"), "attachment": upload("x.pdf", PDF)},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This dialogue is closed: its record can no longer change." in html
    assert 'value="Late item"' in html
    assert "Kept summary" in html
    assert not dialogue.evidence.filter(title="Late item").exists()
    assert len(stored_files(private_media)) == 1


def test_a_closed_dialogue_refuses_a_deletion_with_a_message(
    login, facilitator, dialogue, urls, item
):
    close(dialogue)
    response = login(facilitator).post(urls["delete"], follow=True)
    assert response.status_code == 200
    assert "its record can no longer change" in response.content.decode()
    assert EvidenceItem.objects.filter(pk=item.pk).exists()


def test_a_closed_dialogue_offers_no_write_controls_on_the_brief(
    login, facilitator, dialogue, urls
):
    close(dialogue)
    client = login(facilitator)
    html = client.get(urls["list"]).content.decode()
    assert "This dialogue is closed: its record can no longer change." in html
    assert urls["create"] not in html
    assert urls["edit"] not in html
    assert urls["download"] in html
    edit = client.get(urls["edit"]).content.decode()
    assert 'name="title"' not in edit
    assert urls["delete"] not in edit
