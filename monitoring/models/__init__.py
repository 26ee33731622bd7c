from monitoring.models.indicators import Indicator, IndicatorTarget, IndicatorValue, TargetChange
from monitoring.models.outcomes import Confidence, LearningEntry, OutcomeRecord
from monitoring.models.outputs import CommuniqueAdoption
from monitoring.models.results import ResultsSnapshot
from monitoring.models.risks import (
    ExpectationStatement,
    RedLine,
    Risk,
    RiskReviewReminder,
    RiskStatus,
)

__all__ = [
    "CommuniqueAdoption",
    "Confidence",
    "ExpectationStatement",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "LearningEntry",
    "OutcomeRecord",
    "RedLine",
    "ResultsSnapshot",
    "Risk",
    "RiskReviewReminder",
    "RiskStatus",
    "TargetChange",
]
