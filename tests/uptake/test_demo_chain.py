"""The demo programme's uptake chain: every state a user should be able to look at."""

import pytest
from django.core.management import call_command

from uptake.models import (
    Briefing,
    Carrier,
    Commitment,
    Document,
    Feedback,
    Pilot,
    ProofPoint,
    Vetting,
    VettingClearance,
)
from uptake.services.vetting import vetting_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", without_debug=True, verbosity=0)


def chain_counts():
    models = (Carrier, Briefing, Vetting, VettingClearance, Feedback, Pilot, ProofPoint, Commitment)
    return [model.objects.count() for model in (*models, Document)]


def test_loading_the_demo_twice_adds_no_second_chain(demo):
    first = chain_counts()
    call_command("load_demo", without_debug=True, verbosity=0)
    assert chain_counts() == first


def test_demo_chain_shows_every_state_a_user_should_see(demo):
    # Carriers and a briefing in each state.
    assert Carrier.objects.count() == 3
    assert set(Briefing.objects.values_list("outcome", flat=True)) == set(Briefing.Outcome.values)

    # One version cleared in vetting, one blocked.
    summaries = [
        vetting_summary(document)
        for document in Document.objects.filter(vettings__isnull=False).distinct()
    ]
    assert sorted(summary.cleared for summary in summaries) == [False, True]
    assert next(summary for summary in summaries if not summary.cleared).blocked

    # Feedback that led to a second iteration, which must be vetted afresh.
    feedback = Feedback.objects.get()
    assert feedback.reaction == Feedback.Reaction.CHANGES_REQUESTED
    assert feedback.iteration.version == 2
    assert feedback.iteration.previous_version == feedback.briefing.document
    assert not VettingClearance.objects.filter(document=feedback.iteration).exists()

    # A pilot in each state, with proof-points where it ran.
    assert set(Pilot.objects.values_list("status", flat=True)) == set(Pilot.Status.values)
    assert ProofPoint.objects.filter(pilot__status=Pilot.Status.RUNNING).exists()
    assert ProofPoint.objects.filter(pilot__status=Pilot.Status.COMPLETED).exists()

    # Commitments done (with evidence), slipped, and open on time.
    statuses = dict(Commitment.objects.values_list("step_index", "status"))
    assert statuses == {0: "done", 1: "slipped", 2: "open"}
    assert Commitment.objects.get(step_index=0).evidence
