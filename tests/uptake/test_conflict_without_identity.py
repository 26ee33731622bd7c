"""A writer who may not see identities meets a concurrent save that added a participant's
name: their text is kept, and the name never reaches them."""

import re

import pytest
from django.urls import reverse

from dialogues.services.design import dialogue_create
from tests.dialogues.factories import DialogueParticipantFactory, ParticipantFactory
from uptake.models import Revision
from uptake.services import documents as services

pytestmark = pytest.mark.django_db

STEPS = [
    {"text": f"Step {n}", "who": "Both", "when": "Soon", "how": "Quietly", "ladder": 30}
    for n in range(1, 4)
]


def _hidden(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_an_officer_whose_save_meets_a_newly_named_text_keeps_their_text_and_sees_no_name(
    client, programme, facilitator, officer
):
    dialogue = dialogue_create(
        programme=programme, actor=facilitator, title="Corridor", problem="P"
    )
    person = ParticipantFactory(programme=programme, full_name="Amal Haddad", aliases="")
    DialogueParticipantFactory(dialogue=dialogue, participant=person)
    document = services.non_paper_create_from_package(dialogue=dialogue, actor=facilitator)
    services.document_save(
        document=document,
        actor=facilitator,
        base_revision=1,
        title="Corridor non-paper",
        content={"problem": "Open it.", "steps": STEPS},
    )
    edit_url = reverse("uptake:document_edit", args=[document.public_id])
    client.force_login(officer)
    form_html = client.get(edit_url).content.decode()
    data = {
        "title": "Corridor non-paper",
        "note": "",
        "base_revision": _hidden(form_html, "base_revision"),
        "problem": "Open it on market days.",
        "legal_notes": "",
        "operational_notes": "",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "1",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "12",
        "rows-0-text": "The officer's own step",
        "rows-0-who": "Council",
        "rows-0-when": "Monday",
        "rows-0-how": "Radio",
        "rows-0-ladder": "30",
    }
    # Meanwhile the facilitator writes a name into the text.
    document.refresh_from_db()
    services.document_save(
        document=document,
        actor=facilitator,
        base_revision=document.head,
        title="Corridor non-paper",
        content={"problem": "Open it.", "steps": STEPS, "legal_notes": "Ask Amal Haddad."},
    )

    response = client.post(edit_url, data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "The officer&#x27;s own step" in html
    assert "Open it on market days." in html
    assert "Amal" not in html and "Haddad" not in html
    assert "[name withheld]" in html
    problems = [r.content["problem"] for r in Revision.objects.filter(document=document)]
    assert "Open it on market days." not in problems

    # Saving the merge is refused while the text names someone they may not see, and what
    # they typed comes back again.
    data["base_revision"] = _hidden(html, "base_revision")
    data["merged_from"] = _hidden(html, "merged_from")
    response = client.post(edit_url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "withheld from you" in html
    assert "The officer&#x27;s own step" in html
    assert "Amal" not in html
