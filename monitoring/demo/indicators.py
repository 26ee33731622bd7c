"""Demo M&E for the fictional programme loaded by `manage.py load_demo`: indicators with
baselines, quarterly targets (one changed, with its reason) and a year of monthly values; an
outcome record and a learning log entry. Made through the services. Safe to run again: a
programme with indicators is left alone."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from dialogues.demo.programme import PROGRAMME
from dialogues.models import Programme
from monitoring.models import Indicator, TargetChange
from monitoring.services import indicators as services
from monitoring.services import outcomes
from uptake.models import Document, Pilot

# A year of monthly values up to the last full month before the demo's "today" (values are
# recorded after the fact), with quarterly targets over the same year.
FIRST_MONTH = datetime.date(2025, 11, 1)


INDICATORS = [
    {
        "name": "Humanitarian access hours in the Sarn corridor",
        "definition": "Hours per month during which convoys could pass the corridor's three "
        "checkpoints, from the Red Crescent's crossing log.",
        "unit": "hours per month",
        "direction": Indicator.Direction.UP_IS_GOOD,
        "category": Indicator.Category.OUTCOME,
        "baseline_value": Decimal("120"),
        "baseline_date": datetime.date(2025, 10, 31),
        # Monthly values, November 2025 to October 2026.
        "values": [118, 121, 140, 152, 149, 170, 185, 190, 204, 210, 236, 240],
        "targets": [150, 180, 210, 240],
    },
    {
        "name": "Hotline downtime",
        "definition": "Hours per month the liaison hotline between the command structures was "
        "out of service, from the operators' log.",
        "unit": "hours per month",
        "direction": Indicator.Direction.DOWN_IS_GOOD,
        "category": Indicator.Category.OUTPUT,
        "baseline_value": Decimal("40"),
        "baseline_date": datetime.date(2025, 10, 31),
        "values": [38, 35, 30, 31, 22, 18, 20, 12, 10, 9, 11, 6],
        "targets": [30, 20, 15, 10],
    },
]


def _month(index):
    """The first and last day of the `index`th month from FIRST_MONTH."""
    months = FIRST_MONTH.month - 1 + index
    first = datetime.date(FIRST_MONTH.year + months // 12, months % 12 + 1, 1)
    months += 1
    following = datetime.date(FIRST_MONTH.year + months // 12, months % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def _quarter(index):
    return _month(index * 3)[0], _month(index * 3 + 2)[1]


def load():
    programme = Programme.objects.get(name=PROGRAMME["name"])
    if Indicator.objects.filter(programme=programme).exists():
        return
    officer = get_user_model().objects.get(username="officer")
    with transaction.atomic():
        for spec in INDICATORS:
            values, targets = spec["values"], spec["targets"]
            fields = {k: v for k, v in spec.items() if k not in ("values", "targets")}
            indicator = services.indicator_create(programme=programme, actor=officer, **fields)
            for quarter, target in enumerate(targets):
                start, end = _quarter(quarter)
                services.target_set(
                    indicator=indicator,
                    period_start=start,
                    period_end=end,
                    value=Decimal(target),
                    actor=officer,
                )
            for month, value in enumerate(values):
                start, end = _month(month)
                services.indicator_value_record(
                    indicator=indicator,
                    period_start=start,
                    period_end=end,
                    value=Decimal(value),
                    evidence="Monthly log kept by the Velorian Red Crescent Society (fictional).",
                    actor=officer,
                )
        # The access target for the second quarter (February to April) was lowered when the
        # corridor closed in April: the change and its reason are on record.
        access = Indicator.objects.get(programme=programme, name=INDICATORS[0]["name"])
        start, end = _quarter(1)
        services.target_set(
            indicator=access,
            period_start=start,
            period_end=end,
            value=Decimal("160"),
            reason=TargetChange.Reason.CONTEXT_CHANGED,
            explanation="The corridor closed for nine days in April after shelling near Tavel.",
            actor=officer,
        )
        _outcome_and_learning(programme, officer, access)


def _outcome_and_learning(programme, officer, access):
    market = Document.objects.filter(
        dialogue__programme=programme,
        kind=Document.Kind.NON_PAPER,
        status=Document.Status.DELIVERED,
    ).first()
    window = Pilot.objects.filter(document=market, status=Pilot.Status.COMPLETED).first()
    outcomes.outcome_record_create(
        programme=programme,
        actor=officer,
        observed_on=datetime.date(2026, 10, 20),
        confidence="medium",
        indicators=[access],
        dialogues=[market.dialogue] if market else [],
        documents=[market] if market else [],
        pilots=[window] if window else [],
        change="Both command structures announced the Tavel market-day quiet window on local "
        "radio, each in its own words.",
        social_actor="The two command structures' liaison offices",
        place="Tavel and Lower Sarn",
        significance="The first unilateral, parallel step either side has announced publicly "
        "since the corridor closed.",
        contribution="The dialogue produced the window as an option and the non-paper carried "
        "it to the envoy; other channels were also pressing for calm on market days.",
        sources="Radio recordings; the Red Crescent incident log; the envoy's office.",
    )
    outcomes.learning_entry_create(
        programme=programme,
        actor=officer,
        failure="A joint radio statement was refused: neither side would read a shared text.",
        assumption="We assumed a joint text signals commitment; here it signals concession.",
        decision="Propose parallel unilateral statements and drop joint wording from pilots.",
        dialogues=[market.dialogue] if market else [],
        documents=[market] if market else [],
    )
