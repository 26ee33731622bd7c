"""The Track I feedback loop: feedback only after a briefing, iterating the non-paper with
the feedback attached, the new version vetted afresh before it is relayed, who may do what,
input kept on refusal, the include that shows the feedback on the new version."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from dialogues.services.attribution import Redactor
from tests.uptake.chain_factories_a import (
    BRIEFED_ON,
    brief,
    carrier,
    clear,
    feedback,
    relayed,
)
from tests.uptake.factories import deliver, move, non_paper, on_roster
from uptake.models import Briefing, Document, Feedback, Vetting, VettingClearance
from uptake.services import feedback as services


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def chain(dialogue, facilitator, legal_reviewer, officer, programme):
    """(document, briefing): a cleared version briefed through a carrier."""
    return relayed(dialogue, facilitator, legal_reviewer, officer, programme)


@pytest.fixture
def briefing(chain):
    return chain[1]


# --- Recording feedback -----------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["pending", "declined"])
def test_feedback_comes_only_after_a_briefing_that_took_place(
    dialogue, facilitator, officer, programme, outcome
):
    document = deliver(
        non_paper(dialogue, facilitator),
        facilitator,
    )
    unbriefed = brief(document, carrier(programme, officer), officer, outcome=outcome)
    with pytest.raises(ValidationError, match="record this one as briefed first"):
        feedback(unbriefed, officer)
    assert not Feedback.objects.exists()


def test_feedback_records_the_reaction_and_the_language_asked_for(briefing, officer):
    item = feedback(briefing, officer, reaction="changes", notes="Via the embassy")
    item.refresh_from_db()
    assert item.reaction == Feedback.Reaction.CHANGES_REQUESTED
    assert item.language_adjustments == "Say 'pause', not 'ceasefire'."
    assert item.notes == "Via the embassy"
    assert item.recorded_by == officer
    assert item.iteration is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reaction": "shrug"}, "reaction"),
        ({"received_on": None}, "received_on"),
        ({"received_on": BRIEFED_ON - datetime.timedelta(days=1)}, "received_on"),
        ({"language_adjustments": "x" * 4001}, "language_adjustments"),
    ],
)
def test_bad_feedback_is_refused_and_says_where(briefing, officer, changes, field):
    with pytest.raises(ValidationError) as refused:
        feedback(briefing, officer, **changes)
    assert field in refused.value.message_dict
    assert not Feedback.objects.exists()


# --- Iterating --------------------------------------------------------------------------


def test_iterating_starts_the_next_version_as_an_unvetted_draft_with_the_feedback(chain, officer):
    document, briefing = chain
    item = feedback(briefing, officer)
    following = services.feedback_iterate(feedback=item, actor=officer)
    item.refresh_from_db()
    assert item.iteration == following
    assert following.previous_version == document
    assert following.version == 2
    assert following.status == Document.Status.DRAFT
    assert not Vetting.objects.filter(document=following).exists()
    assert not VettingClearance.objects.filter(document=following).exists()
    # The delivered version keeps its own vetting and clearance.
    assert VettingClearance.objects.filter(document=document).exists()


def test_a_second_piece_of_feedback_joins_the_next_version_already_started(
    chain, officer, programme
):
    document, briefing = chain
    first = services.feedback_iterate(feedback=feedback(briefing, officer), actor=officer)
    other_briefing = brief(
        document, carrier(programme, officer, name="Second"), officer, outcome="briefed"
    )
    second_item = feedback(other_briefing, officer, reaction="rejected")
    second = services.feedback_iterate(feedback=second_item, actor=officer)
    assert second == first
    assert Document.objects.filter(previous_version=document).count() == 1
    assert list(Feedback.objects.filter(iteration=first).order_by("id")) == list(
        Feedback.objects.order_by("id")
    )


def test_feedback_cannot_be_iterated_twice(briefing, officer):
    item = feedback(briefing, officer)
    services.feedback_iterate(feedback=item, actor=officer)
    with pytest.raises(ValidationError, match="already led to version 2"):
        services.feedback_iterate(feedback=item, actor=officer)
    assert Document.objects.count() == 2


def test_late_feedback_on_an_old_version_iterates_from_the_newest_delivered_one(
    chain, officer, facilitator, programme
):
    document, briefing = chain
    following = services.feedback_iterate(feedback=feedback(briefing, officer), actor=officer)
    deliver(following, facilitator)
    late = feedback(
        brief(document, carrier(programme, officer), officer, outcome="briefed"), officer
    )
    third = services.feedback_iterate(feedback=late, actor=officer)
    assert (third.version, third.previous_version, third.status) == (3, following, "draft")
    late.refresh_from_db()
    assert late.iteration == third


def test_feedback_does_not_slip_into_a_version_that_is_already_ready(
    chain, officer, facilitator, programme
):
    document, briefing = chain
    following = services.feedback_iterate(feedback=feedback(briefing, officer), actor=officer)
    move(following, facilitator, "review", "ready")
    late = feedback(
        brief(document, carrier(programme, officer), officer, outcome="briefed"), officer
    )
    with pytest.raises(ValidationError, match="Version 2 is ready"):
        services.feedback_iterate(feedback=late, actor=officer)
    late.refresh_from_db()
    assert late.iteration is None


def test_the_iterated_version_is_refused_relay_until_it_is_vetted_again(
    chain, officer, facilitator, legal_reviewer, programme
):
    _document, briefing = chain
    following = services.feedback_iterate(feedback=feedback(briefing, officer), actor=officer)
    deliver(following, facilitator)
    with pytest.raises(ValidationError, match="Not yet vetted: International humanitarian law"):
        brief(following, briefing.carrier, officer, outcome=Briefing.Outcome.BRIEFED)
    clear(following, legal_reviewer)
    relay = brief(following, briefing.carrier, officer, outcome=Briefing.Outcome.BRIEFED)
    assert relay.clearance.document == following


def test_the_feedback_for_a_version_is_listed_with_names_withheld(
    chain, officer, dialogue, legal_reviewer
):
    amal = on_roster(dialogue, "Amal Haddad", code="P-777")
    _document, briefing = chain
    item = feedback(briefing, officer, language_adjustments="Drop the line about Amal Haddad.")
    following = services.feedback_iterate(feedback=item, actor=officer)
    hidden = services.feedback_for_version(following, redact=Redactor([amal]))
    assert [f.pk for f in hidden] == [item.pk]
    assert hidden[0].shown_language_adjustments == "Drop the line about [name withheld]."
    shown = services.feedback_for_version(following, redact=Redactor())
    assert shown[0].shown_language_adjustments == "Drop the line about Amal Haddad."
    html = render_to_string(
        "uptake/briefings/feedback_for_version.html", {"feedback_addressed": hidden}
    )
    assert "Changes requested" in html
    assert "Drop the line about [name withheld]." in html
    assert "Haddad" not in html
    assert "Nadia Ferreira → Deputy foreign minister" in html
    assert "7 Mar 2026" in html
    assert (
        render_to_string(
            "uptake/briefings/feedback_for_version.html", {"feedback_addressed": []}
        ).strip()
        == ""
    )


# --- The pages --------------------------------------------------------------------------


def add_url(briefing):
    return reverse("uptake:feedback_add", args=[briefing.public_id])


def iterate_url(item):
    return reverse("uptake:feedback_iterate", args=[item.public_id])


def feedback_data(**overrides):
    return {
        "reaction": "changes",
        "received_on": "2026-03-09",
        "language_adjustments": "Replace 'guarantee' with 'seek'",
        "notes": "Came through the embassy",
        **overrides,
    }


def test_anonymous_visitors_are_sent_to_log_in_from_feedback(client, briefing, officer):
    item = feedback(briefing, officer)
    assert_login_redirect(client.post(add_url(briefing), feedback_data()))
    assert_login_redirect(client.post(iterate_url(item)))


@pytest.mark.parametrize("role", ["stranger", "donor"])
def test_strangers_and_donors_never_reach_feedback(request, login, briefing, officer, role):
    item = feedback(briefing, officer)
    client = login(request.getfixturevalue(role))
    assert client.post(add_url(briefing), feedback_data()).status_code == 404
    assert client.post(iterate_url(item)).status_code == 404
    assert Feedback.objects.count() == 1
    assert Document.objects.count() == 1


def test_a_legal_reviewer_reads_feedback_but_may_not_record_or_iterate(
    login, briefing, officer, legal_reviewer
):
    item = feedback(briefing, officer)
    client = login(legal_reviewer)
    html = page(client.get(reverse("uptake:briefing_detail", args=[briefing.public_id])))
    assert "Say &#x27;pause&#x27;, not &#x27;ceasefire&#x27;." in html
    assert "Record the feedback" not in html
    assert "Iterate the non-paper" not in html
    assert client.post(add_url(briefing), feedback_data()).status_code == 403
    assert client.post(iterate_url(item)).status_code == 403
    assert Feedback.objects.count() == 1
    assert Document.objects.count() == 1


@pytest.mark.parametrize("role", ["facilitator", "officer"])
def test_officers_and_facilitators_record_feedback_and_iterate(request, login, briefing, role):
    client = login(request.getfixturevalue(role))
    detail = reverse("uptake:briefing_detail", args=[briefing.public_id])
    response = client.post(add_url(briefing), feedback_data(), follow=True)
    assert response.redirect_chain == [(detail, 302)]
    html = page(response)
    assert "The feedback was recorded." in html
    assert "Replace &#x27;guarantee&#x27; with &#x27;seek&#x27;" in html
    item = Feedback.objects.get()
    response = client.post(iterate_url(item))
    following = Document.objects.get(previous_version=briefing.document)
    assert response.status_code == 302
    assert response["Location"] == reverse("uptake:document_detail", args=[following.public_id])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Version 2 holds this feedback. Edit its text; it goes through vetting again before "
        "it can be relayed."
    ]
    assert "Led to version 2" in page(client.get(detail))


def test_refused_feedback_keeps_what_was_typed(login, briefing, officer):
    response = login(officer).post(
        add_url(briefing),
        feedback_data(received_on="2026-01-01", language_adjustments="Soften paragraph 2"),
    )
    assert response.status_code == 400
    html = page(response)
    assert "Feedback cannot come back before the briefing (2026-03-02)." in html
    assert "Soften paragraph 2" in html
    assert not Feedback.objects.exists()


def test_feedback_on_a_pending_briefing_is_refused_on_the_page(
    login, dialogue, facilitator, officer, programme
):
    document = move(
        non_paper(dialogue, facilitator),
        facilitator,
        "review",
        "ready",
        "delivered",
    )
    pending = brief(document, carrier(programme, officer), officer)
    response = login(officer).post(add_url(pending), feedback_data(notes="Heard nothing"))
    assert response.status_code == 400
    assert "record this one as briefed first" in page(response)
    assert "Heard nothing" in page(response)


def test_a_refused_iteration_comes_back_with_the_reason(login, briefing, officer):
    item = feedback(briefing, officer)
    services.feedback_iterate(feedback=item, actor=officer)
    response = login(officer).post(iterate_url(item), follow=True)
    assert response.redirect_chain == [
        (reverse("uptake:briefing_detail", args=[briefing.public_id]), 302)
    ]
    assert "This feedback already led to version 2." in page(response)


def test_feedback_is_written_by_post_only(login, briefing, officer):
    item = feedback(briefing, officer)
    client = login(officer)
    assert client.get(add_url(briefing)).status_code == 405
    assert client.get(iterate_url(item)).status_code == 405


def test_malformed_feedback_ids_are_404(login, officer):
    client = login(officer)
    assert client.post("/feedback/nope/iterate/").status_code == 404
    assert client.post("/briefings/nope/feedback/", feedback_data()).status_code == 404
    unknown = "6f1c2a52-0000-4000-8000-000000000000"
    assert client.post(f"/feedback/{unknown}/iterate/").status_code == 404
