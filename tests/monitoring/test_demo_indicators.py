"""The demo programme's indicators: baselines, targets, a year of values, a changed target."""

import pytest
from django.core.management import call_command

from monitoring.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    LearningEntry,
    OutcomeRecord,
    TargetChange,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_indicators_with_a_year_of_values_an_outcome_and_learning_once():
    call_command("load_demo", without_debug=True, verbosity=0)
    counts = [m.objects.count() for m in (Indicator, IndicatorTarget, IndicatorValue)]
    call_command("load_demo", without_debug=True, verbosity=0)
    assert [m.objects.count() for m in (Indicator, IndicatorTarget, IndicatorValue)] == counts
    assert counts == [2, 8, 24]
    assert {indicator.direction for indicator in Indicator.objects.all()} == {"up", "down"}
    change = TargetChange.objects.get()
    assert change.reason == TargetChange.Reason.CONTEXT_CHANGED and change.explanation
    outcome = OutcomeRecord.objects.get()
    assert outcome.indicators.exists() and outcome.documents.exists()
    assert LearningEntry.objects.count() == 1
