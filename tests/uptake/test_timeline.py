"""The uptake timeline of a non-paper and the programme's overview of the chain: the story
in order after a full run (draft, delivery, vetting, briefing, feedback, iteration, pilot,
proof-point, commitment done), every version showing the whole lineage, the current link of
each non-paper, overdue commitments, names withheld, who reaches the pages, query counts."""

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.dialogues.factories import DialogueFactory
from tests.uptake.chain_factories_b import (
    briefing,
    carrier,
    clear,
    delivered_non_paper,
    feedback,
    pilot_in,
    vet,
)
from tests.uptake.factories import aide_memoire, non_paper, on_roster
from uptake.models import Briefing, Commitment, Document, Feedback, Pilot, Vetting
from uptake.services import documents as document_services
from uptake.services import ladder as ladder_services
from uptake.services import pilots as pilot_services
from uptake.services.ladder import programme_today
from uptake.services.timeline import (
    ChainStage,
    EntryKind,
    chain_stage,
    non_paper_timeline,
    programme_chain,
)
from uptake.views import timeline as timeline_views

NAME = "Amal Haddad"
WITHHELD = "[name withheld]"
Reaction = Feedback.Reaction


def page(response):
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def run_the_chain(dialogue, facilitator, officer, *, title="Corridor non-paper"):
    """A non-paper taken through the whole chain: drafted and delivered (version 1), vetted
    and cleared, briefed through a carrier, answered with changes requested, iterated into
    version 2; a pilot of version 1 agreed and running with a proof-point; one commitment
    done."""
    programme = dialogue.programme
    first = delivered_non_paper(dialogue, facilitator, title=title)
    clear(first, reviewer_name="Lena Legal")
    envoy = carrier(programme, name=f"Envoy for {title}")
    told = briefing(first, envoy, principal="The foreign minister")
    answer = feedback(
        told, Reaction.CHANGES_REQUESTED, language_adjustments="Say 'access', not 'corridor'."
    )
    second = document_services.document_new_iteration(document=first, actor=officer)
    Feedback.objects.filter(pk=answer.pk).update(iteration=second)
    pilot = pilot_in(first, officer, Pilot.Status.RUNNING, title=f"Crossing pilot of {title}")
    pilot_services.proof_point_add(
        pilot=pilot,
        happened="Forty trucks crossed in daylight.",
        evidence="The checkpoint log.",
        observed_on=programme_today(programme),
        actor=officer,
    )
    done = first.commitments.get(step_index=0)
    ladder_services.commitment_update(
        commitment=done,
        due_on=done.due_on,
        owner=done.owner,
        responsible=None,
        status=Commitment.Status.DONE,
        evidence="Convoy log.",
        actor=officer,
    )
    return SimpleNamespace(first=first, second=second, pilot=pilot, carrier=envoy)


@pytest.fixture
def story(dialogue, facilitator, officer):
    return run_the_chain(dialogue, facilitator, officer)


# --- The story ----------------------------------------------------------------------------


def test_the_timeline_tells_the_whole_story_in_order(story):
    timeline = non_paper_timeline(story.first)
    assert [version.version for version in timeline.versions] == [1, 2]
    assert [(entry.kind, entry.version) for entry in timeline.entries] == [
        (EntryKind.DRAFTED, 1),
        (EntryKind.STATUS, 1),
        (EntryKind.STATUS, 1),
        (EntryKind.STATUS, 1),
        *[(EntryKind.VETTED, 1)] * 5,
        (EntryKind.CLEARED, 1),
        (EntryKind.RELAYED, 1),
        (EntryKind.FEEDBACK, 1),
        (EntryKind.ITERATED, 2),
        (EntryKind.PILOT, 1),
        (EntryKind.DO_NO_HARM, 1),
        (EntryKind.PILOT_STARTED, 1),
        (EntryKind.PROOF_POINT, 1),
        (EntryKind.LADDER, 1),
    ]
    days = [entry.on for entry in timeline.entries]
    assert days == sorted(days)


def test_each_entry_says_what_happened(story):
    entries = non_paper_timeline(story.first).entries
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    drafted = by_kind[EntryKind.DRAFTED][0]
    assert drafted.heading == "Version 1 drafted"
    assert drafted.lines == ["“Corridor non-paper”", "2 revisions"]
    assert [e.heading for e in by_kind[EntryKind.STATUS]] == [
        "Version 1: Draft → In review",
        "Version 1: In review → Ready",
        "Version 1: Ready → Delivered",
    ]
    vetted = by_kind[EntryKind.VETTED]
    assert {e.heading for e in vetted} == {
        f"Version 1 vetted: {label}" for label in Vetting.Framework.labels
    }
    assert {e.actor for e in vetted} == {"Lena Legal"}
    assert vetted[0].lines == ["Cleared · whole text"]
    relayed = by_kind[EntryKind.RELAYED][0]
    assert relayed.heading == (
        "Version 1 relayed through Envoy for Corridor non-paper to The foreign minister"
    )
    assert relayed.lines[:2] == ["Outcome: briefed", "Special envoy, Ministry of Foreign Affairs"]
    answer = by_kind[EntryKind.FEEDBACK][0]
    assert answer.heading == "Feedback on version 1 from The foreign minister: changes requested"
    assert answer.lines == ["Language asked for: Say 'access', not 'corridor'.", "Led to version 2"]
    iterated = by_kind[EntryKind.ITERATED][0]
    assert iterated.heading == "Version 2 started from version 1"
    assert iterated.lines[2].startswith("In answer to the feedback of ")
    assert iterated.lines[2].endswith("through Envoy for Corridor non-paper: changes requested")
    pilot = by_kind[EntryKind.PILOT][0]
    assert pilot.heading == "Pilot proposed: Crossing pilot of Corridor non-paper"
    assert "From step 1 of version 1" in pilot.lines
    assert "Now: running" in pilot.lines
    assert by_kind[EntryKind.PROOF_POINT][0].lines == [
        "Forty trucks crossed in daylight.",
        "Evidence: The checkpoint log.",
    ]
    assert by_kind[EntryKind.LADDER][0].lines == [
        "3 commitments: 1 done, 2 open, 0 slipped, 0 dropped"
    ]


def test_every_version_of_the_lineage_shows_the_same_story(story):
    from_first = non_paper_timeline(story.first).entries
    from_second = non_paper_timeline(story.second).entries
    assert [(e.kind, e.heading) for e in from_first] == [(e.kind, e.heading) for e in from_second]


def test_another_non_paper_of_the_dialogue_stays_out_of_the_story(
    story, dialogue, facilitator, officer
):
    run_the_chain(dialogue, facilitator, officer, title="Another non-paper")
    headings = " ".join(e.heading for e in non_paper_timeline(story.first).entries)
    assert "Another non-paper" not in headings
    assert len(non_paper_timeline(story.first).versions) == 2


def test_step_verdicts_blocked_frameworks_and_a_stopped_pilot_are_told(
    dialogue, facilitator, officer
):
    document = delivered_non_paper(dialogue, facilitator)
    vet(document, "ihl", "blocked", step_index=1, notes="Step 2 moves civilians.")
    pilot_in(document, officer, Pilot.Status.STOPPED)
    entries = non_paper_timeline(document).entries
    vetted = next(e for e in entries if e.kind == EntryKind.VETTED)
    assert vetted.lines == ["Blocked · step 2", "Step 2 moves civilians."]
    pilot = next(e for e in entries if e.kind == EntryKind.PILOT)
    assert "Why it stopped: The road flooded." in pilot.lines
    assert not any(e.kind == EntryKind.CLEARED for e in entries)


def test_a_completed_pilot_ends_on_the_day_it_was_completed(dialogue, facilitator, officer):
    document = delivered_non_paper(dialogue, facilitator)
    pilot_in(document, officer, Pilot.Status.COMPLETED)
    ended = [e for e in non_paper_timeline(document).entries if e.kind == EntryKind.PILOT_ENDED]
    assert [e.on for e in ended] == [programme_today(dialogue.programme)]


def test_the_ladder_entry_counts_slipped_and_overdue_commitments(programme, dialogue, facilitator):
    document = delivered_non_paper(dialogue, facilitator)
    late = programme_today(programme) - datetime.timedelta(days=3)
    first, second, _third = document.commitments.order_by("step_index")
    Commitment.objects.filter(pk=first.pk).update(status="slipped", due_on=late)
    Commitment.objects.filter(pk=second.pk).update(due_on=late)
    ladder = next(e for e in non_paper_timeline(document).entries if e.kind == EntryKind.LADDER)
    assert ladder.lines == [
        "3 commitments: 0 done, 2 open, 1 slipped, 0 dropped",
        "2 are overdue.",
    ]


def test_times_are_on_the_programmes_calendar(programme, story):
    programme.time_zone = "Asia/Yangon"
    programme.save(update_fields=["time_zone"])
    document = Document.objects.select_related("dialogue__programme").get(pk=story.first.pk)
    # By kind, not position: after 17:30 UTC the drafting is tomorrow in Yangon, later than
    # the story's date-only entries of today.
    entries = non_paper_timeline(document).entries
    drafted = next(entry for entry in entries if entry.kind == EntryKind.DRAFTED)
    assert drafted.at.utcoffset() == datetime.timedelta(hours=6, minutes=30)


def test_redact_is_applied_to_titles_and_free_text(dialogue, facilitator, officer):
    on_roster(dialogue, NAME, code="P-777")
    document = delivered_non_paper(dialogue, facilitator)
    pilot_services.pilot_propose(
        document=document,
        step_index=None,
        title=f"Escort by {NAME}",
        scope=f"{NAME} leads the first convoy.",
        parties="Liaison offices",
        starts_on=None,
        ends_on=None,
        actor=facilitator,
    )
    entries = non_paper_timeline(document, redact=lambda text: text.replace(NAME, "X")).entries
    text = " ".join([e.heading for e in entries] + [line for e in entries for line in e.lines])
    assert NAME not in text
    assert "Escort by X" in text


# --- The current link in the chain ----------------------------------------------------------

FACTS = {
    "status": "delivered",
    "version": 1,
    "cleared": True,
    "briefed": True,
    "reaction": Reaction.WELCOMED,
    "pilot_active": False,
    "commitments_open": False,
}


@pytest.mark.parametrize(
    ("facts", "stage"),
    [
        ({"status": "draft"}, ChainStage.DRAFTING),
        ({"status": "review"}, ChainStage.DRAFTING),
        ({"status": "draft", "version": 2}, ChainStage.ITERATING),
        ({"status": "review", "version": 3, "cleared": False}, ChainStage.ITERATING),
        ({"status": "ready", "cleared": False}, ChainStage.IN_VETTING),
        ({"cleared": False, "briefed": False, "pilot_active": True}, ChainStage.IN_VETTING),
        ({"briefed": False, "reaction": None, "commitments_open": True}, ChainStage.CLEARED),
        ({"reaction": None, "pilot_active": True}, ChainStage.RELAYED),
        ({"reaction": Reaction.CHANGES_REQUESTED, "pilot_active": True}, ChainStage.FEEDBACK),
        ({"reaction": Reaction.REJECTED, "commitments_open": True}, ChainStage.FEEDBACK),
        ({"pilot_active": True, "commitments_open": True}, ChainStage.PILOTING),
        ({"reaction": Reaction.NO_RESPONSE, "pilot_active": True}, ChainStage.PILOTING),
        ({"commitments_open": True}, ChainStage.LADDER),
        ({}, ChainStage.FEEDBACK),
    ],
)
def test_the_current_link_is_the_first_rule_that_holds(facts, stage):
    assert chain_stage(**{**FACTS, **facts}) == stage


def test_the_overview_puts_each_non_paper_at_its_link(programme, dialogue, facilitator, officer):
    def titled(title):
        return delivered_non_paper(dialogue, facilitator, title=title)

    non_paper(dialogue, facilitator, title="Drafting")
    titled("Vetting")
    clear(titled("Cleared"), reviewer_name="Lena Legal")
    relayed = titled("Relayed")
    clear(relayed)
    envoy = carrier(programme)
    briefing(relayed, envoy)
    declined_only = titled("Declined only")
    clear(declined_only)
    briefing(declined_only, envoy, outcome=Briefing.Outcome.DECLINED)
    story = run_the_chain(dialogue, facilitator, officer, title="Iterating")
    piloting = titled("Piloting")
    clear(piloting)
    feedback(briefing(piloting, envoy), Reaction.WELCOMED)
    pilot_in(piloting, officer, Pilot.Status.AGREED)
    laddering = titled("Laddering")
    clear(laddering)
    feedback(briefing(laddering, envoy), Reaction.NO_RESPONSE)
    answered = titled("Answered")
    clear(answered)
    feedback(briefing(answered, envoy), Reaction.REJECTED)
    stages = {row.title: (row.stage, row.versions) for row in programme_chain(programme)}
    assert stages == {
        "Drafting": (ChainStage.DRAFTING, 1),
        "Vetting": (ChainStage.IN_VETTING, 1),
        "Cleared": (ChainStage.CLEARED, 1),
        "Relayed": (ChainStage.RELAYED, 1),
        "Declined only": (ChainStage.CLEARED, 1),
        "Iterating": (ChainStage.ITERATING, 2),
        "Piloting": (ChainStage.PILOTING, 1),
        "Laddering": (ChainStage.LADDER, 1),
        "Answered": (ChainStage.FEEDBACK, 1),
    }
    iterating = next(row for row in programme_chain(programme) if row.title == "Iterating")
    assert iterating.latest == story.second
    assert iterating.ladder["version"] == 1  # the delivered version's ladder runs on
    assert (iterating.ladder["done"], iterating.ladder["open"]) == (1, 2)
    assert iterating.pilots_active == 1  # version 1's pilot still runs


def test_a_blocked_framework_is_flagged_while_in_vetting(programme, dialogue, facilitator):
    document = delivered_non_paper(dialogue, facilitator)
    vet(document, "sanctions", "blocked")
    (row,) = programme_chain(programme)
    assert (row.stage, row.blocked) == (ChainStage.IN_VETTING, True)


# --- Pages: who reaches what --------------------------------------------------------------

PAGE_STATUS = {"facilitator": 200, "officer": 200, "legal_reviewer": 200}
ROLES = ["facilitator", "officer", "legal_reviewer", "donor", "stranger"]


def page_urls(story):
    return [
        reverse("uptake:timeline", args=[story.first.public_id]),
        reverse("uptake:chain_overview", args=[story.first.dialogue.programme.public_id]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, story):
    for url in page_urls(story):
        assert_login_redirect(client.get(url))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_the_chain_pages_it_may(request, login, story, role):
    client = login(request.getfixturevalue(role))
    for url in page_urls(story):
        response = client.get(url)
        assert response.status_code == PAGE_STATUS.get(role, 404)
        assert ("Corridor non-paper" in page(response)) == (response.status_code == 200)


@pytest.mark.parametrize(
    "url",
    ["/documents/not-a-uuid/timeline/", "/programmes/not-a-uuid/uptake/", "/programmes/7/uptake/"],
)
def test_a_malformed_id_is_404(login, facilitator, url):
    assert login(facilitator).get(url).status_code == 404


def test_an_unknown_version_or_programme_is_404(login, facilitator):
    client = login(facilitator)
    assert client.get(reverse("uptake:timeline", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("uptake:chain_overview", args=[uuid.uuid4()])).status_code == 404


def test_an_aide_memoire_has_no_timeline(login, officer, dialogue):
    document = aide_memoire(dialogue, officer)
    url = reverse("uptake:timeline", args=[document.public_id])
    assert login(officer).get(url).status_code == 404


def test_the_chain_pages_only_read(login, facilitator, story):
    client = login(facilitator)
    for url in page_urls(story):
        assert client.post(url).status_code == 405


# --- Pages: what they show ----------------------------------------------------------------


def test_the_timeline_page_is_an_ordered_list_with_dates(login, legal_reviewer, story):
    html = page(
        login(legal_reviewer).get(reverse("uptake:timeline", args=[story.second.public_id]))
    )
    story_start = html.index('<ol class="timeline">')
    story_html = html[story_start : html.index("</ol>", story_start)]
    order = [
        "Version 1 drafted",
        "Version 1: Ready → Delivered",
        "Version 1 vetted: International humanitarian law",
        "Version 1 cleared for relay",
        "Version 1 relayed through Envoy for Corridor non-paper to The foreign minister",
        "Feedback on version 1 from The foreign minister: changes requested",
        "Version 2 started from version 1",
        "Pilot proposed: Crossing pilot of Corridor non-paper",
        "Proof-point of the pilot Crossing pilot of Corridor non-paper",
        "Ladder of version 1, as of today",
    ]
    positions = [story_html.index(text) for text in order]
    assert positions == sorted(positions)
    assert story_html.count('<li class="timeline-entry') == 18
    assert story_html.count("<time datetime=") == 18
    assert "by Lena Legal" in story_html
    assert "Say &#x27;access&#x27;, not &#x27;corridor&#x27;." in story_html
    assert reverse("uptake:pilot_detail", args=[story.pilot.public_id]) in story_html


def test_the_overview_lists_each_non_paper_with_its_link_and_timeline(login, officer, story):
    url = reverse("uptake:chain_overview", args=[story.first.dialogue.programme.public_id])
    html = page(login(officer).get(url))
    assert reverse("uptake:timeline", args=[story.second.public_id]) in html
    assert "Iterating" in html
    assert "Corridor triggers" in html  # its dialogue
    assert "Version 1: 1 of 3 done" in html
    assert "No commitment is overdue." in html


def test_the_overview_lists_every_overdue_commitment_with_days_late(
    login, officer, legal_reviewer, stranger, programme, story, other_programme
):
    late = programme_today(programme) - datetime.timedelta(days=5)
    overdue = story.first.commitments.get(step_index=1)
    Commitment.objects.filter(pk=overdue.pk).update(due_on=late)
    elsewhere = delivered_non_paper(
        DialogueFactory(programme=other_programme), stranger, title="Elsewhere"
    )
    elsewhere.commitments.update(due_on=late)
    url = reverse("uptake:chain_overview", args=[programme.public_id])
    html = page(login(officer).get(url))
    section = html[html.index('id="overdue-heading"') :]
    assert "Open crossing 2 for convoys" in section
    assert "Both liaison offices" in section
    assert "<td>5</td>" in section
    assert reverse("uptake:commitment_edit", args=[overdue.public_id]) in section
    assert "Elsewhere" not in html
    legal = page(login(legal_reviewer).get(url))
    legal_section = legal[legal.index('id="overdue-heading"') :]
    assert reverse("uptake:commitment_edit", args=[overdue.public_id]) not in legal_section
    assert reverse("uptake:ladder", args=[story.first.public_id]) in legal_section


def test_the_overview_lists_the_non_papers_a_page_at_a_time(
    login, officer, facilitator, dialogue, monkeypatch
):
    monkeypatch.setattr(timeline_views, "CHAIN_PAGE_SIZE", 2)
    for title in ("Alpha crossing", "Bravo crossing", "Charlie crossing"):
        non_paper(dialogue, facilitator, title=title)
    url = reverse("uptake:chain_overview", args=[dialogue.programme.public_id])
    client = login(officer)
    first = page(client.get(url))
    assert "3 non-papers, by dialogue then title." in first
    assert "Alpha crossing" in first and "Bravo crossing" in first
    assert "Charlie crossing" not in first
    assert "Page 1 of 2" in first and '?page=2" rel="next"' in first
    second = page(client.get(url, {"page": 2}))
    assert "Charlie crossing" in second and "Alpha crossing" not in second
    assert '?page=1" rel="prev"' in second
    # A page number that is not one shows the first page; one past the end, the last.
    assert "Alpha crossing" in page(client.get(url, {"page": "x"}))
    assert "Charlie crossing" in page(client.get(url, {"page": 9}))


# --- Names withheld -------------------------------------------------------------------------


@pytest.fixture
def named(dialogue, facilitator, officer):
    """A non-paper whose title names a participant (a facilitator let it stay), delivered,
    with a pilot whose scope names them too."""
    on_roster(dialogue, NAME, code="P-777")
    document = non_paper(dialogue, facilitator, title=f"Talks with {NAME}")
    document_services.document_transition(
        document=document, actor=facilitator, to_status=Document.Status.IN_REVIEW
    )
    document_services.guard_override(
        document=document, actor=facilitator, reason="P-777 asked to be named."
    )
    for status in (Document.Status.READY, Document.Status.DELIVERED):
        document_services.document_transition(
            document=document, actor=facilitator, to_status=status
        )
    document.refresh_from_db()
    pilot_services.pilot_propose(
        document=document,
        step_index=0,
        title="Escorted crossing",
        scope=f"{NAME} walks the first convoy through.",
        parties="Liaison offices",
        starts_on=None,
        ends_on=None,
        actor=facilitator,
    )
    return document


def test_an_officer_without_identity_reads_name_withheld_on_the_timeline(login, officer, named):
    html = page(login(officer).get(reverse("uptake:timeline", args=[named.public_id])))
    assert NAME not in html
    assert f"Talks with {WITHHELD}" in html
    assert f"Scope: {WITHHELD} walks the first convoy through." in html


def test_the_facilitator_reads_the_name_on_the_timeline(login, facilitator, named):
    html = page(login(facilitator).get(reverse("uptake:timeline", args=[named.public_id])))
    assert f"Talks with {NAME}" in html


def test_an_officer_without_identity_reads_name_withheld_on_the_overview(
    login, officer, facilitator, named, programme
):
    Commitment.objects.filter(document=named).update(
        due_on=programme_today(programme) - datetime.timedelta(days=1)
    )
    url = reverse("uptake:chain_overview", args=[programme.public_id])
    html = page(login(officer).get(url))
    assert NAME not in html
    assert f"Talks with {WITHHELD}" in html
    assert f"Talks with {NAME}" in page(login(facilitator).get(url))


# --- Query counts ----------------------------------------------------------------------------


def populate(dialogue, facilitator, officer, times):
    """`times` lineages in `times` dialogues, each run through the whole chain, and a
    lineage of `times` + 1 versions, each vetted, briefed and answered, with `times` pilots
    holding `times` proof-points."""
    programme = dialogue.programme
    on_roster(dialogue, NAME, code="P-777")  # names are withheld from the officer
    for n in range(times):
        run_the_chain(DialogueFactory(programme=programme), facilitator, officer, title=f"NP {n}")
    envoy = carrier(programme)
    version = delivered_non_paper(dialogue, facilitator, title="Long story")
    first = version
    for v in range(times):
        clear(version)
        answer = feedback(briefing(version, envoy), Reaction.CHANGES_REQUESTED)
        following = document_services.document_new_iteration(document=version, actor=officer)
        Feedback.objects.filter(pk=answer.pk).update(iteration=following)
        if v < times - 1:
            for status in ("review", "ready", "delivered"):
                document_services.document_transition(
                    document=following, actor=officer, to_status=status
                )
        version = following
    for n in range(times):
        pilot = pilot_in(first, officer, Pilot.Status.RUNNING, title=f"Pilot {n}")
        for m in range(times):
            pilot_services.proof_point_add(
                pilot=pilot,
                happened=f"Happened {n}.{m}",
                evidence="Log",
                observed_on=pilot.starts_on,
                actor=officer,
            )
    Commitment.objects.update(due_on=programme_today(programme) - datetime.timedelta(days=2))
    return first


def warm_up(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("times", [1, 10])
def test_the_timeline_runs_the_same_queries_at_1x_and_10x(
    login, dialogue, facilitator, officer, django_assert_max_num_queries, times
):
    first = populate(dialogue, facilitator, officer, times)
    client = login(officer)
    url = reverse("uptake:timeline", args=[first.public_id])
    warm_up(client, url)
    # 18: session, user; version with dialogue and programme; chain check (two); identity
    # check (two); roster; the versions with their revision counts and clearances; feedback
    # with briefings and carriers; events; verdicts; briefings with carriers; pilots with
    # who checked them; proof-points; ladder counts; the menu's roles; the unread
    # notifications.
    with django_assert_max_num_queries(18):
        response = client.get(url)
    html = page(response)
    assert f"Version {times + 1} started from version {times}" in html
    assert all(f"Happened {n}.{m}" in html for n in range(times) for m in range(times))


@pytest.mark.parametrize("times", [1, 10])
def test_the_overview_runs_the_same_queries_at_1x_and_10x(
    login, programme, dialogue, facilitator, officer, django_assert_max_num_queries, times
):
    populate(dialogue, facilitator, officer, times)
    client = login(officer)
    url = reverse("uptake:chain_overview", args=[programme.public_id])
    warm_up(client, url)
    # 12: session, user; programme; chain check (two); identity check (two); the programme's
    # participants; the non-papers with their facts; the overdue commitments; the menu's
    # roles; the unread notifications.
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = page(response)
    assert all(f"NP {n}<" in html for n in range(times))
    # Every commitment is late but the one done in each run of the chain.
    assert html.count('<tr class="overdue">') == 2 * times + 3 * times
