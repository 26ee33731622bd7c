"""Drafting pages: who reaches the document list, the document page, the editor and every
write; the editor keeping what was typed; the concurrent-save conflict and its merge; the
workflow with its gaps and the non-attribution guard; names withheld from officers; comments;
query counts."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from dialogues.models import Dialogue, PackageItem
from tests.dialogues.factories import (
    DialogueParticipantFactory,
    OptionFactory,
    ParticipantFactory,
)
from uptake.models import Comment, Document, DocumentEvent, Revision
from uptake.services import documents as services
from uptake.services import readers

NAME = "Amal Haddad"
SURNAME = "Haddad"
CODE = "P-777"
WITHHELD = "[name withheld]"
GAP_LADDER = "Step 1 is not placed on the 30/60/90-day ladder."

STEPS = [
    {
        "text": f"Open checkpoint {n} at dawn",
        "who": "Both liaison offices",
        "when": "Week one",
        "how": "Through the hotline",
        "ladder": 30 * n,
    }
    for n in range(1, 4)
]
CONTENT = {
    "problem": "Convoys wait for days at the corridor.",
    "steps": STEPS,
    "legal_notes": "No sanctioned party is involved.",
    "operational_notes": "Tell the district office first.",
}


# --- Helpers ----------------------------------------------------------------------------


def draft_non_paper(dialogue, actor, *, title="Corridor non-paper", **content):
    """A non-paper in draft whose second revision holds CONTENT (with `content` overrides)."""
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=actor, title=title)
    services.document_save(
        document=document,
        actor=actor,
        base_revision=1,
        title=title,
        content={**CONTENT, **content},
    )
    document.refresh_from_db()
    return document


def move(document, actor, *statuses):
    for status in statuses:
        services.document_transition(document=document, actor=actor, to_status=status)
    document.refresh_from_db()
    return document


def deliver(document, actor):
    return move(document, actor, "review", "ready", "delivered")


def editor_data(base_revision, *, title="Corridor non-paper", steps=STEPS, spare_rows=0, **text):
    """What the non-paper editor posts: header, text fields and the "rows" formset."""
    rows = list(steps) + [{}] * spare_rows
    data = {
        "title": title,
        "note": text.pop("note", ""),
        "base_revision": str(base_revision),
        "problem": text.pop("problem", CONTENT["problem"]),
        "legal_notes": text.pop("legal_notes", CONTENT["legal_notes"]),
        "operational_notes": text.pop("operational_notes", CONTENT["operational_notes"]),
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "12",
    }
    data.update(text)
    for index, row in enumerate(rows):
        for field in ("text", "who", "when", "how"):
            data[f"rows-{index}-{field}"] = row.get(field, "")
        data[f"rows-{index}-ladder"] = str(row.get("ladder") or "")
        if row.get("DELETE"):
            data[f"rows-{index}-DELETE"] = "on"
    return data


def hidden_value(html, name):
    match = re.search(rf'<input type="hidden" name="{name}" value="(\d*)"', html)
    assert match, f"no hidden input {name}"
    return match.group(1)


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Fixtures ---------------------------------------------------------------------------


@pytest.fixture
def amal(dialogue):
    """A participant on the dialogue's roster whose name must never reach someone who may
    not see identities."""
    return DialogueParticipantFactory(
        dialogue=dialogue,
        participant=ParticipantFactory(
            programme=dialogue.programme, code=CODE, full_name=NAME, aliases="Umm Sami"
        ),
    ).participant


@pytest.fixture
def non_paper(dialogue, facilitator, amal):
    return draft_non_paper(dialogue, facilitator)


@pytest.fixture
def named_non_paper(dialogue, facilitator, amal):
    """A non-paper in review whose title and text name Amal: the guard holds it back."""
    document = draft_non_paper(
        dialogue,
        facilitator,
        title=f"Talks with {NAME}",
        operational_notes=f"{NAME} will brief the district office.",
    )
    return move(document, facilitator, "review")


@pytest.fixture
def delivered(dialogue, facilitator, amal):
    return deliver(draft_non_paper(dialogue, facilitator, title="Delivered non-paper"), facilitator)


@pytest.fixture
def shared(delivered, facilitator):
    services.document_set_shareable(document=delivered, actor=facilitator, shareable=True)
    delivered.refresh_from_db()
    return delivered


@pytest.fixture
def aide_memoire(dialogue, officer, amal):
    """Started by the officer, so they are its only named reader."""
    document = services.aide_memoire_create(
        dialogue=dialogue, actor=officer, title="Handling the corridor"
    )
    services.document_save(
        document=document,
        actor=officer,
        base_revision=1,
        title="Handling the corridor",
        content={"sections": [{"title": "Context", "body": "The ministry is wary."}]},
    )
    document.refresh_from_db()
    return document


# --- Access: pages ----------------------------------------------------------------------

ROLES = ["facilitator", "officer", "legal_reviewer", "donor", "stranger"]

# What each role gets on the pages of a draft non-paper.
NON_PAPER_PAGES = {
    "list": {"facilitator": 200, "officer": 200, "legal_reviewer": 200},
    "detail": {"facilitator": 200, "officer": 200, "legal_reviewer": 200},
    "edit": {"facilitator": 200, "officer": 200, "legal_reviewer": 403},
}


def non_paper_page_url(name, document):
    if name == "list":
        return reverse("uptake:document_list", args=[document.dialogue.public_id])
    return reverse(f"uptake:document_{name}", args=[document.public_id])


@pytest.mark.parametrize("name", NON_PAPER_PAGES)
def test_anonymous_visitors_are_sent_to_log_in_from_every_drafting_page(client, non_paper, name):
    assert_login_redirect(client.get(non_paper_page_url(name, non_paper)))


@pytest.mark.parametrize("name", NON_PAPER_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_non_paper_pages_it_may_and_nothing_else(
    request, login, non_paper, name, role
):
    response = login(request.getfixturevalue(role)).get(non_paper_page_url(name, non_paper))
    assert response.status_code == NON_PAPER_PAGES[name].get(role, 404)
    if response.status_code == 404:
        assert non_paper.title not in page(response)


def test_a_donor_reads_a_delivered_shared_non_paper_and_nothing_of_its_drafting(
    login, donor, shared
):
    client = login(donor)
    response = client.get(reverse("uptake:document_detail", args=[shared.public_id]))
    assert response.status_code == 200
    html = page(response)
    assert "Open checkpoint 1 at dawn" in html
    assert "Workflow" not in html
    assert reverse("uptake:revision_list", args=[shared.public_id]) not in html
    assert reverse("uptake:comment_add", args=[shared.public_id]) not in html
    # They read; they do not draft.
    assert client.get(reverse("uptake:document_edit", args=[shared.public_id])).status_code == 403
    listing = reverse("uptake:document_list", args=[shared.dialogue.public_id])
    assert client.get(listing).status_code == 404


def test_a_donor_gets_404_on_a_delivered_non_paper_until_it_is_shared(login, donor, delivered):
    url = reverse("uptake:document_detail", args=[delivered.public_id])
    assert login(donor).get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("facilitator", 200), ("officer", 200), ("donor", 200), ("legal_reviewer", 403)],
)
def test_the_shared_documents_page_is_for_those_who_see_results(
    request, login, shared, non_paper, role, status
):
    url = reverse("uptake:shared_documents", args=[shared.dialogue.programme.public_id])
    response = login(request.getfixturevalue(role)).get(url)
    assert response.status_code == status
    if status == 200:
        html = page(response)
        assert "Delivered non-paper" in html
        assert "Corridor non-paper" not in html  # a draft is never listed


def test_strangers_and_anonymous_visitors_never_reach_the_shared_documents_page(
    client, login, stranger, shared
):
    url = reverse("uptake:shared_documents", args=[shared.dialogue.programme.public_id])
    assert_login_redirect(client.get(url))
    assert login(stranger).get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("officer", 200),  # named: they started it
        ("facilitator", 403),  # leads: manages its readers, reads it only when named
        ("legal_reviewer", 404),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_only_named_readers_open_an_aide_memoire(request, login, aide_memoire, role, status):
    client = login(request.getfixturevalue(role))
    response = client.get(reverse("uptake:document_detail", args=[aide_memoire.public_id]))
    assert response.status_code == status
    assert ("The ministry is wary." in page(response)) == (status == 200)
    edit = client.get(reverse("uptake:document_edit", args=[aide_memoire.public_id]))
    assert edit.status_code == status


def test_an_aide_memoire_is_listed_to_its_readers_and_the_facilitator_only(
    login, aide_memoire, officer, facilitator, legal_reviewer
):
    url = reverse("uptake:document_list", args=[aide_memoire.dialogue.public_id])
    detail = reverse("uptake:document_detail", args=[aide_memoire.public_id])
    link = f'href="{detail}"'
    assert link in page(login(officer).get(url))
    lead_page = page(login(facilitator).get(url))
    assert "Handling the corridor" in lead_page
    assert "you are not named on it" in lead_page
    assert link not in lead_page
    assert "Handling the corridor" not in page(login(legal_reviewer).get(url))


@pytest.mark.parametrize(
    "url",
    [
        "/documents/not-a-uuid/",
        "/documents/not-a-uuid/edit/",
        "/dialogues/not-a-uuid/documents/",
        "/programmes/not-a-uuid/shared-documents/",
    ],
)
def test_a_malformed_id_is_404(login, facilitator, url):
    assert login(facilitator).get(url).status_code == 404


@pytest.mark.parametrize("name", ["document_detail", "document_edit", "revision_list"])
def test_an_unknown_document_is_404(login, facilitator, name):
    url = reverse(f"uptake:{name}", args=[uuid.uuid4()])
    assert login(facilitator).get(url).status_code == 404


def test_an_unknown_dialogue_or_programme_is_404(login, facilitator):
    client = login(facilitator)
    assert client.get(reverse("uptake:document_list", args=[uuid.uuid4()])).status_code == 404
    assert client.post(reverse("uptake:non_paper_create", args=[uuid.uuid4()])).status_code == 404
    url = reverse("uptake:shared_documents", args=[uuid.uuid4()])
    assert client.get(url).status_code == 404


# --- Access: writes ---------------------------------------------------------------------

# Every write: the fixture it acts on and what it posts.
WRITES = {
    "non_paper_create": ("dialogue", {}),
    "aide_memoire_create": ("dialogue", {"title": "Quiet handling"}),
    "document_move": ("non_paper", {"to": "review"}),
    "guard_override": ("named_non_paper", {"reason": "She asked to be credited."}),
    "document_iterate": ("delivered", {}),
    "document_share": ("delivered", {"shareable": "1"}),
    "comment_add": ("non_paper", {"body": "Check the sanctions wording."}),
}
WRITE_STATUS = {"facilitator": 302, "officer": 302, "legal_reviewer": 403}
WRITE_STATUS_EXCEPTIONS = {
    ("comment_add", "legal_reviewer"): 302,  # legal reviewers remark on non-papers
    ("guard_override", "officer"): 403,  # only a facilitator lets a name stay
}


def write_effects(non_paper, delivered):
    """What each write changes, to show that exactly the one posted happened, or none."""
    non_paper.refresh_from_db()
    delivered.refresh_from_db()
    return {
        "non_paper_create": Document.objects.non_papers().filter(previous_version=None).count(),
        "aide_memoire_create": Document.objects.aide_memoires().count(),
        "document_move": non_paper.status,
        "guard_override": DocumentEvent.objects.filter(
            kind=DocumentEvent.Kind.GUARD_OVERRIDDEN
        ).count(),
        "document_iterate": Document.objects.filter(previous_version=delivered).count(),
        "document_share": delivered.shareable,
        "comment_add": Comment.objects.count(),
    }


def post_write(request, client, name):
    target, data = WRITES[name]
    return client.post(
        reverse(f"uptake:{name}", args=[request.getfixturevalue(target).public_id]), data
    )


@pytest.mark.parametrize("name", WRITES)
def test_anonymous_visitors_cannot_write(request, client, non_paper, delivered, name):
    request.getfixturevalue("named_non_paper")
    before = write_effects(non_paper, delivered)
    assert_login_redirect(post_write(request, client, name))
    assert write_effects(non_paper, delivered) == before


@pytest.mark.parametrize("name", WRITES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_write_only_what_its_role_allows(
    request, login, non_paper, named_non_paper, delivered, name, role
):
    client = login(request.getfixturevalue(role))
    before = write_effects(non_paper, delivered)
    response = post_write(request, client, name)
    expected = WRITE_STATUS_EXCEPTIONS.get((name, role), WRITE_STATUS.get(role, 404))
    assert response.status_code == expected
    after = write_effects(non_paper, delivered)
    changed = {effect for effect in before if before[effect] != after[effect]}
    assert changed == ({name} if expected == 302 else set())
    if expected == 404:
        assert "Corridor non-paper" not in page(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("facilitator", 302),
        ("officer", 302),
        ("legal_reviewer", 403),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_each_role_may_save_the_editor_only_if_it_drafts(
    request, client, login, non_paper, role, status
):
    url = reverse("uptake:document_edit", args=[non_paper.public_id])
    data = editor_data(2, problem="Convoys wait a week.")
    assert_login_redirect(client.post(url, data))
    response = login(request.getfixturevalue(role)).post(url, data)
    assert response.status_code == status
    non_paper.refresh_from_db()
    assert non_paper.head == (3 if status == 302 else 2)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("officer", 302),  # named: they started it
        ("facilitator", 403),  # leads, but is not named
        ("legal_reviewer", 404),
        ("donor", 404),
        ("stranger", 404),
    ],
)
def test_only_a_named_drafter_changes_an_aide_memoire(request, login, aide_memoire, role, status):
    client = login(request.getfixturevalue(role))
    edit = reverse("uptake:document_edit", args=[aide_memoire.public_id])
    data = {
        "title": "Handling, revised",
        "note": "",
        "base_revision": str(aide_memoire.head),
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "30",
        "rows-0-title": "Context",
        "rows-0-body": "The ministry is now open.",
    }
    assert client.post(edit, data).status_code == status
    move_url = reverse("uptake:document_move", args=[aide_memoire.public_id])
    assert client.post(move_url, {"to": "review"}).status_code == status
    aide_memoire.refresh_from_db()
    assert aide_memoire.head == (3 if status == 302 else 2)
    assert aide_memoire.status == ("review" if status == 302 else "draft")


@pytest.mark.parametrize("name", [name for name in WRITES if name != "aide_memoire_create"])
def test_writes_refuse_get(request, login, facilitator, non_paper, delivered, name):
    target, _data = WRITES[name]
    url = reverse(f"uptake:{name}", args=[request.getfixturevalue(target).public_id])
    assert login(facilitator).get(url).status_code == 405


def test_a_facilitator_not_named_on_an_aide_memoire_may_not_override_its_guard(
    login, facilitator, aide_memoire
):
    url = reverse("uptake:guard_override", args=[aide_memoire.public_id])
    assert login(facilitator).post(url, {"reason": "Fine."}).status_code == 403


@pytest.mark.parametrize("role", ["legal_reviewer", "donor", "stranger"])
def test_the_aide_memoire_form_page_is_for_drafters_only(request, login, dialogue, role):
    url = reverse("uptake:aide_memoire_create", args=[dialogue.public_id])
    response = login(request.getfixturevalue(role)).get(url)
    assert response.status_code == (403 if role == "legal_reviewer" else 404)


@pytest.mark.parametrize("role", ["donor", "legal_reviewer"])
def test_those_who_read_a_shared_non_paper_may_not_iterate_unshare_or_move_it(
    request, login, shared, role
):
    client = login(request.getfixturevalue(role))
    for name, data in [
        ("document_iterate", {}),
        ("document_share", {"shareable": "0"}),
        ("document_move", {"to": "draft"}),
        ("document_edit", {}),
    ]:
        url = reverse(f"uptake:{name}", args=[shared.public_id])
        assert client.post(url, data).status_code == 403  # they may read it, not draft it
    shared.refresh_from_db()
    assert (shared.shareable, shared.status) == (True, "delivered")
    assert not Document.objects.filter(previous_version=shared).exists()


# --- Creating ---------------------------------------------------------------------------


def test_drafting_from_the_package_opens_the_editor_with_one_step_per_option(
    login, officer, dialogue
):
    for position, title in enumerate(["Joint patrol", "Hotline"], start=1):
        option = OptionFactory(dialogue=dialogue, title=title)
        PackageItem.objects.create(dialogue=dialogue, option=option, position=position)
    client = login(officer)
    response = client.post(reverse("uptake:non_paper_create", args=[dialogue.public_id]))
    document = Document.objects.get(dialogue=dialogue)
    assert response["Location"] == reverse("uptake:document_edit", args=[document.public_id])
    editor = page(client.get(response["Location"]))
    assert "Joint patrol" in editor
    assert "Hotline" in editor
    assert GAP_LADDER in editor


def test_starting_an_aide_memoire_names_its_writer_as_reader(login, officer, dialogue):
    client = login(officer)
    response = client.post(
        reverse("uptake:aide_memoire_create", args=[dialogue.public_id]),
        {"title": "Quiet handling"},
    )
    document = Document.objects.get(dialogue=dialogue, kind=Document.Kind.AIDE_MEMOIRE)
    assert response["Location"] == reverse("uptake:document_edit", args=[document.public_id])
    detail = client.get(reverse("uptake:document_detail", args=[document.public_id]))
    assert detail.status_code == 200


def test_starting_an_aide_memoire_without_a_title_keeps_the_form_with_a_message(
    login, officer, dialogue
):
    response = login(officer).post(
        reverse("uptake:aide_memoire_create", args=[dialogue.public_id]), {"title": "  "}
    )
    assert "This field is required." in page(response)
    assert not Document.objects.exists()


# --- The editor -------------------------------------------------------------------------


def test_the_editor_shows_the_current_text(login, officer, non_paper):
    response = login(officer).get(reverse("uptake:document_edit", args=[non_paper.public_id]))
    html = page(response)
    assert response.status_code == 200
    assert CONTENT["problem"] in html
    assert "Open checkpoint 3 at dawn" in html
    assert CONTENT["operational_notes"] in html
    assert hidden_value(html, "base_revision") == "2"


def test_saving_the_editor_makes_a_revision_and_returns_to_the_document(login, officer, non_paper):
    client = login(officer)
    url = reverse("uptake:document_edit", args=[non_paper.public_id])
    data = editor_data(2, problem="Convoys wait for a week.", note="Sharper problem")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("uptake:document_detail", args=[non_paper.public_id])
    revision = Revision.objects.get(document=non_paper, number=3)
    assert revision.content["problem"] == "Convoys wait for a week."
    assert revision.author == officer
    assert revision.note == "Sharper problem"
    assert "Convoys wait for a week." in page(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "This field is required."),
        ("x" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_an_invalid_title_re_renders_the_editor_with_everything_typed(
    login, officer, non_paper, title, message
):
    steps = [{**STEPS[0], "text": "Reopen the northern ford"}, *STEPS[1:]]
    response = login(officer).post(
        reverse("uptake:document_edit", args=[non_paper.public_id]),
        editor_data(2, title=title, steps=steps, legal_notes="Ask the ministry's lawyer."),
    )
    html = page(response)
    assert response.status_code == 400
    assert message in html
    assert "Please correct the fields marked below." in html
    assert "Reopen the northern ford" in html
    assert "Ask the ministry&#x27;s lawyer." in html
    assert Revision.objects.filter(document=non_paper).count() == 2


def test_an_empty_step_row_is_dropped(login, officer, non_paper):
    login(officer).post(
        reverse("uptake:document_edit", args=[non_paper.public_id]),
        editor_data(2, problem="Changed.", spare_rows=2),
    )
    non_paper.refresh_from_db()
    content = Revision.objects.get(document=non_paper, number=non_paper.head).content
    assert content["steps"] == STEPS


def test_ticking_delete_removes_a_step(login, officer, non_paper):
    steps = [STEPS[0], {**STEPS[1], "DELETE": True}, STEPS[2]]
    login(officer).post(
        reverse("uptake:document_edit", args=[non_paper.public_id]), editor_data(2, steps=steps)
    )
    non_paper.refresh_from_db()
    assert non_paper.head == 3
    content = Revision.objects.get(document=non_paper, number=3).content
    assert [step["text"] for step in content["steps"]] == [STEPS[0]["text"], STEPS[2]["text"]]


def test_the_editor_and_the_document_page_list_what_a_non_paper_still_needs(
    login, officer, dialogue, facilitator, amal
):
    document = draft_non_paper(
        dialogue, facilitator, steps=[{**STEPS[0], "ladder": None, "how": ""}, STEPS[1]]
    )
    client = login(officer)
    for name in ("document_edit", "document_detail"):
        html = page(client.get(reverse(f"uptake:{name}", args=[document.public_id])))
        assert "What this non-paper still needs" in html
        assert GAP_LADDER in html
        assert "Step 1 has no how." in html
        assert "this one has 2" in html


def test_a_complete_non_paper_lists_no_gaps(login, officer, non_paper):
    html = page(login(officer).get(reverse("uptake:document_edit", args=[non_paper.public_id])))
    assert "What this non-paper still needs" not in html


# --- Conflict ---------------------------------------------------------------------------


def test_a_second_save_from_the_same_revision_gets_the_conflict_page_and_then_merges(
    login, officer, facilitator, non_paper
):
    url = reverse("uptake:document_edit", args=[non_paper.public_id])
    writer_a = login(facilitator)
    writer_b = Client()
    writer_b.force_login(officer)
    base_a = hidden_value(page(writer_a.get(url)), "base_revision")
    base_b = hidden_value(page(writer_b.get(url)), "base_revision")
    assert base_a == base_b == "2"

    a_text = "Convoys wait nine days at Kilometre 40."
    assert writer_a.post(url, editor_data(base_a, problem=a_text)).status_code == 302

    b_notes = "The district office wants a written request."
    b_data = editor_data(base_b, operational_notes=b_notes)
    conflict = writer_b.post(url, b_data)
    html = page(conflict)
    assert conflict.status_code == 409
    assert "Someone saved this document while you were editing" in html
    assert b_notes in html  # theirs, to edit
    assert a_text in html  # the current text, beside it
    # Nothing of B's was saved.
    non_paper.refresh_from_db()
    assert non_paper.head == 3
    assert not any(
        r.content["operational_notes"] == b_notes
        for r in Revision.objects.filter(document=non_paper)
    )

    merged = {
        **b_data,
        "problem": a_text,  # B keeps A's change while merging
        "base_revision": hidden_value(html, "base_revision"),
        "merged_from": hidden_value(html, "merged_from"),
    }
    assert (merged["base_revision"], merged["merged_from"]) == ("3", "2")
    assert writer_b.post(url, merged).status_code == 302
    non_paper.refresh_from_db()
    head = Revision.objects.get(document=non_paper, number=non_paper.head)
    assert non_paper.head == 4
    assert head.author == officer
    assert head.merged_from_base == 2
    assert head.content["problem"] == a_text
    assert head.content["operational_notes"] == b_notes
    # A's save stays in the history, whole.
    assert Revision.objects.get(document=non_paper, number=3).content["problem"] == a_text
    history = page(writer_b.get(reverse("uptake:revision_list", args=[non_paper.public_id])))
    assert "merged a conflicting edit begun on 2" in history


def test_a_conflicting_save_with_a_bad_title_still_keeps_what_was_typed(
    login, officer, facilitator, non_paper
):
    url = reverse("uptake:document_edit", args=[non_paper.public_id])
    login(facilitator).post(url, editor_data(2, problem="First in."))
    writer_b = Client()
    writer_b.force_login(officer)
    response = writer_b.post(url, editor_data(2, title="", operational_notes="Mine, unsaved."))
    assert response.status_code == 400
    assert "Mine, unsaved." in page(response)


# --- Workflow ---------------------------------------------------------------------------


def test_a_non_paper_with_gaps_is_refused_leaving_draft_and_the_page_lists_them(
    login, officer, dialogue, facilitator, amal
):
    document = draft_non_paper(dialogue, facilitator, steps=[{**STEPS[0], "ladder": None}])
    response = login(officer).post(
        reverse("uptake:document_move", args=[document.public_id]), {"to": "review"}
    )
    html = page(response)
    assert response.status_code == 409
    assert "That move was refused:" in html
    assert "This non-paper cannot leave draft yet:" in html
    assert GAP_LADDER in html
    assert "this one has 1" in html
    document.refresh_from_db()
    assert document.status == "draft"


def test_a_complete_non_paper_moves_to_review(login, officer, non_paper):
    response = login(officer).post(
        reverse("uptake:document_move", args=[non_paper.public_id]), {"to": "review"}, follow=True
    )
    assert "The document is now in review." in page(response)
    non_paper.refresh_from_db()
    assert non_paper.status == "review"


@pytest.mark.parametrize("to", ["delivered", "bogus", ""])
def test_an_illegal_move_is_refused_with_a_reason_not_an_error(login, officer, non_paper, to):
    response = login(officer).post(
        reverse("uptake:document_move", args=[non_paper.public_id]), {"to": to}
    )
    assert response.status_code == 409
    assert "That move was refused:" in page(response)
    non_paper.refresh_from_db()
    assert non_paper.status == "draft"


def test_a_named_participant_blocks_ready_and_the_facilitator_sees_the_name(
    login, facilitator, named_non_paper
):
    response = login(facilitator).post(
        reverse("uptake:document_move", args=[named_non_paper.public_id]), {"to": "ready"}
    )
    html = page(response)
    assert response.status_code == 409
    assert "The text names a participant in 2 places." in html
    assert "Operational notes" in html
    assert f"{NAME} will brief the district office." in html
    assert reverse("uptake:guard_override", args=[named_non_paper.public_id]) in html
    named_non_paper.refresh_from_db()
    assert named_non_paper.status == "review"


def test_an_officer_without_identity_sees_the_participants_code_never_their_name(
    login, officer, named_non_paper
):
    response = login(officer).post(
        reverse("uptake:document_move", args=[named_non_paper.public_id]), {"to": "ready"}
    )
    html = page(response)
    assert response.status_code == 409
    assert "The text names a participant in 2 places." in html
    assert f"[{CODE}] will brief the district office." in html
    assert NAME not in html
    assert SURNAME not in html
    # Only a facilitator may let the names stay.
    assert reverse("uptake:guard_override", args=[named_non_paper.public_id]) not in html
    assert "Let the names stay" not in html


def test_the_override_needs_a_reason(login, facilitator, named_non_paper):
    response = login(facilitator).post(
        reverse("uptake:guard_override", args=[named_non_paper.public_id]), {"reason": "   "}
    )
    assert response.status_code == 400
    assert "This field is required." in page(response)
    assert not DocumentEvent.objects.filter(kind=DocumentEvent.Kind.GUARD_OVERRIDDEN).exists()


def test_after_the_facilitators_override_the_document_moves_to_ready(
    login, facilitator, named_non_paper
):
    client = login(facilitator)
    reason = "She asked to be credited in the Track I briefing."
    response = client.post(
        reverse("uptake:guard_override", args=[named_non_paper.public_id]), {"reason": reason}
    )
    assert response.status_code == 302
    event = DocumentEvent.objects.get(kind=DocumentEvent.Kind.GUARD_OVERRIDDEN)
    assert event.actor == facilitator
    assert reason in event.detail
    assert CODE in event.detail
    assert NAME not in event.detail
    detail = page(client.get(reverse("uptake:document_detail", args=[named_non_paper.public_id])))
    assert reason in detail
    response = client.post(
        reverse("uptake:document_move", args=[named_non_paper.public_id]), {"to": "ready"}
    )
    assert response.status_code == 302
    named_non_paper.refresh_from_db()
    assert named_non_paper.status == "ready"


def test_overriding_a_text_without_names_says_there_is_nothing_to_override(
    login, facilitator, non_paper
):
    response = login(facilitator).post(
        reverse("uptake:guard_override", args=[non_paper.public_id]), {"reason": "Just in case."}
    )
    assert response.status_code == 400
    assert "The current text names no participant: nothing to override." in page(response)


def test_a_delivered_document_shows_no_edit_button_and_its_editor_sends_you_back(
    login, facilitator, delivered
):
    client = login(facilitator)
    edit = reverse("uptake:document_edit", args=[delivered.public_id])
    detail = reverse("uptake:document_detail", args=[delivered.public_id])
    html = page(client.get(detail))
    assert edit not in html
    assert "Delivered: the text is frozen." in html
    response = client.get(edit)
    assert response.status_code == 302
    assert response["Location"] == detail
    followed = page(client.get(edit, follow=True))
    assert "This version was delivered: its text is frozen." in followed
    post = client.post(edit, editor_data(delivered.head, problem="Sneaky change."))
    assert post.status_code == 302
    assert Revision.objects.filter(document=delivered).count() == 2


def test_iterating_a_delivered_non_paper_opens_the_next_version_in_the_editor(
    login, officer, delivered
):
    client = login(officer)
    response = client.post(reverse("uptake:document_iterate", args=[delivered.public_id]))
    following = Document.objects.get(previous_version=delivered)
    assert response["Location"] == reverse("uptake:document_edit", args=[following.public_id])
    assert following.version == 2
    assert "Open checkpoint 1 at dawn" in page(client.get(response["Location"]))
    again = client.post(reverse("uptake:document_iterate", args=[delivered.public_id]), follow=True)
    assert "This version already has a next iteration." in page(again)


def test_sharing_a_draft_is_refused_with_a_message(login, officer, non_paper):
    response = login(officer).post(
        reverse("uptake:document_share", args=[non_paper.public_id]),
        {"shareable": "1"},
        follow=True,
    )
    assert "Only a delivered non-paper can be shared with donors." in page(response)
    non_paper.refresh_from_db()
    assert not non_paper.shareable


# --- Names withheld ---------------------------------------------------------------------


def test_an_officer_without_identity_reads_name_withheld_on_the_document_and_the_list(
    login, officer, named_non_paper
):
    client = login(officer)
    for url in [
        reverse("uptake:document_detail", args=[named_non_paper.public_id]),
        reverse("uptake:document_list", args=[named_non_paper.dialogue.public_id]),
    ]:
        html = page(client.get(url))
        assert WITHHELD in html
        assert NAME not in html
        assert SURNAME not in html


def test_the_facilitator_reads_the_name_on_the_document(login, facilitator, named_non_paper):
    html = page(
        login(facilitator).get(reverse("uptake:document_detail", args=[named_non_paper.public_id]))
    )
    assert f"Talks with {NAME}" in html


def test_the_aide_memoire_form_withholds_names_in_the_non_papers_it_offers(
    login, officer, named_non_paper
):
    url = reverse("uptake:aide_memoire_create", args=[named_non_paper.dialogue.public_id])
    html = page(login(officer).get(url))
    assert f"Talks with {WITHHELD}" in html
    assert NAME not in html


def test_a_dialogue_title_naming_a_participant_is_withheld_on_every_drafting_page(
    login, officer, dialogue, non_paper
):
    Dialogue.objects.filter(pk=dialogue.pk).update(title=f"Corridor talks with {NAME}")
    client = login(officer)
    for url in [
        reverse("uptake:document_list", args=[dialogue.public_id]),
        reverse("uptake:aide_memoire_create", args=[dialogue.public_id]),
        reverse("uptake:document_detail", args=[non_paper.public_id]),
        reverse("uptake:document_edit", args=[non_paper.public_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = page(response)
        assert f"Corridor talks with {WITHHELD}" in html, url
        assert NAME not in html, url


def test_an_officer_without_identity_cannot_open_the_editor_on_a_text_that_names_someone(
    login, officer, named_non_paper
):
    client = login(officer)
    url = reverse("uptake:document_edit", args=[named_non_paper.public_id])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "uptake:document_detail", args=[named_non_paper.public_id]
    )
    html = page(client.get(url, follow=True))
    assert "The text names a participant, which is withheld from you" in html
    assert NAME not in html
    # A save sent anyway is refused and comes back with what was typed, never the name.
    response = client.post(url, editor_data(named_non_paper.head, title="Overwritten"))
    assert response.status_code == 400
    html = page(response)
    assert "withheld from you" in html
    assert 'value="Overwritten"' in html
    assert NAME not in html
    named_non_paper.refresh_from_db()
    assert named_non_paper.title == f"Talks with {NAME}"


def test_a_donor_reads_a_shared_non_paper_with_names_withheld(
    login, donor, dialogue, facilitator, amal
):
    document = draft_non_paper(
        dialogue, facilitator, title="Shared paper", problem=f"{NAME} raised the corridor."
    )
    move(document, facilitator, "review")
    services.guard_override(document=document, actor=facilitator, reason="Agreed with her.")
    deliver_from_review = move(document, facilitator, "ready", "delivered")
    services.document_set_shareable(document=deliver_from_review, actor=facilitator, shareable=True)
    client = login(donor)
    html = page(client.get(reverse("uptake:document_detail", args=[document.public_id])))
    assert f"{WITHHELD} raised the corridor." in html
    assert NAME not in html
    shared_page = page(
        client.get(reverse("uptake:shared_documents", args=[dialogue.programme.public_id]))
    )
    assert "Shared paper" in shared_page


# --- Comments ---------------------------------------------------------------------------


def test_a_legal_reviewer_comments_on_a_non_paper(login, legal_reviewer, non_paper):
    client = login(legal_reviewer)
    response = client.post(
        reverse("uptake:comment_add", args=[non_paper.public_id]),
        {"body": "Check the sanctions wording in step 2."},
        follow=True,
    )
    html = page(response)
    assert "Your comment was added." in html
    assert "Check the sanctions wording in step 2." in html
    comment = Comment.objects.get()
    assert (comment.author, comment.revision_number) == (legal_reviewer, 2)


def test_an_empty_comment_is_refused_with_a_message(login, legal_reviewer, non_paper):
    response = login(legal_reviewer).post(
        reverse("uptake:comment_add", args=[non_paper.public_id]), {"body": "  "}
    )
    assert response.status_code == 400
    assert "This field is required." in page(response)
    assert not Comment.objects.exists()


def test_nobody_comments_on_an_aide_memoire(login, officer, aide_memoire):
    url = reverse("uptake:comment_add", args=[aide_memoire.public_id])
    assert login(officer).post(url, {"body": "Hm."}).status_code == 403


def test_a_comment_naming_a_participant_is_withheld_from_an_officer(
    login, officer, legal_reviewer, facilitator, non_paper
):
    services.comment_add(document=non_paper, actor=facilitator, body=f"Ask {NAME} first.")
    for user in (officer, legal_reviewer):
        html = page(login(user).get(reverse("uptake:document_detail", args=[non_paper.public_id])))
        assert f"Ask {WITHHELD} first." in html
        assert NAME not in html


# --- Query counts -----------------------------------------------------------------------


def populate(dialogue, facilitator, officer, times):
    """`times` participants on the roster; `times` non-papers, each with `times` more
    revisions and `times` comments; `times` aide-mémoires naming the officer; and a
    non-paper delivered and iterated `times` times. Returns the first non-paper and the
    newest iteration."""
    for _ in range(times):
        DialogueParticipantFactory(dialogue=dialogue)
    documents = []
    for n in range(times):
        document = draft_non_paper(dialogue, facilitator, title=f"Non-paper {n}")
        for m in range(times):
            services.document_save(
                document=document,
                actor=facilitator,
                base_revision=document.head,
                title=document.title,
                content={**CONTENT, "problem": f"Problem, take {m}"},
            )
            document.refresh_from_db()
            services.comment_add(document=document, actor=facilitator, body=f"Remark {m}")
        documents.append(document)
        aide = services.aide_memoire_create(dialogue=dialogue, actor=facilitator, title=f"Aide {n}")
        readers.reader_add(document=aide, actor=facilitator, user=officer)
    iterated = deliver(draft_non_paper(dialogue, facilitator, title="Iterated"), facilitator)
    for version in range(2, times + 2):
        iterated = services.document_new_iteration(document=iterated, actor=facilitator)
        if version <= times:
            iterated = deliver(iterated, facilitator)
    return documents[0], iterated


def warm_up(client, url):
    """The first request of a process also fills Django's and guardian's caches (content
    types); measure the steady state."""
    assert client.get(url).status_code == 200


# Measured at 1x, with the navigation's unread notifications count; the officer's pages add
# the roster, whose names are withheld from them. A non-paper's page adds the Track I
# feedback its version addresses.
LIST_QUERIES = {"facilitator": 17, "officer": 18}
PAGE_QUERIES = {"facilitator": 18, "officer": 19}


@pytest.mark.parametrize("times", [1, 10])
@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_the_document_list_runs_the_same_queries_at_1x_and_10x(
    request, login, facilitator, officer, dialogue, amal, django_assert_max_num_queries, times, role
):
    populate(dialogue, facilitator, officer, times)
    client = login(request.getfixturevalue(role))
    url = reverse("uptake:document_list", args=[dialogue.public_id])
    warm_up(client, url)
    # 16: Django session, user; dialogue with programme; the chokepoint's check (user and
    # group permissions); the prefetched checker (two); [the roster, for the officer]; the
    # documents; the global permissions guardian consults (user and group); the user's
    # named aide-mémoires; the lead check (two); the package size; the menu's roles; the
    # non-papers the aide-mémoire form offers.
    with django_assert_max_num_queries(LIST_QUERIES[role]):
        response = client.get(url)
    assert response.status_code == 200
    html = page(response)
    assert all(f"Non-paper {n}<" in html for n in range(times))
    assert all(f"Aide {n}<" in html for n in range(times))


@pytest.mark.parametrize("times", [1, 10])
@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_the_document_page_runs_the_same_queries_at_1x_and_10x(
    request, login, facilitator, officer, dialogue, amal, django_assert_max_num_queries, times, role
):
    document, iterated = populate(dialogue, facilitator, officer, times)
    client = login(request.getfixturevalue(role))
    warm_up(client, reverse("uptake:document_detail", args=[document.public_id]))
    # 16: Django session, user; the document with dialogue and programme; the chokepoint's
    # check (two); the identity check (two); [the roster, for the officer]; the head
    # revision; the comments with their authors; the head revision again (workflow); the
    # roster (guard); the dialogue's documents (the versions, in one query); the user's
    # latest PDF; the team check (two); the menu's roles.
    with django_assert_max_num_queries(PAGE_QUERIES[role]):
        response = client.get(reverse("uptake:document_detail", args=[document.public_id]))
    assert response.status_code == 200
    assert all(f"Remark {m}<" in page(response) for m in range(times))
    # The newest of `times` iterations lists every earlier version, in the same queries.
    with django_assert_max_num_queries(PAGE_QUERIES[role]):
        response = client.get(reverse("uptake:document_detail", args=[iterated.public_id]))
    assert response.status_code == 200
    assert all(f"Version {v}<" in page(response) for v in range(1, times + 1))
