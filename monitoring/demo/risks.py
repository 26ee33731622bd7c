"""Demo risk register for the fictional programme loaded by `manage.py load_demo`: four risks
owned by the demo team (one whose review date has passed, one closed), two do-no-harm red
lines and two expectation statements. Made through the services; dates count from today on
the programme's calendar. Safe to run again: a programme with risks is left alone."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from dialogues.demo.programme import PROGRAMME
from dialogues.models import Programme
from monitoring.models import Risk
from monitoring.services import risks as services
from uptake.services.ladder import programme_today

Level = Risk.Level

RISKS = [
    {
        "owner": "facilitator",
        "title": "A retired commander's part in the corridor talks becomes known in Tavel",
        "description": "Word that the corridor dialogue includes a former commander of the "
        "river brigade reaches the Tavel market, where his old unit is resented.",
        "likelihood": Level.MEDIUM,
        "impact": Level.VERY_HIGH,
        "mitigation": "Venues outside the valley; codes in every note; travel arranged by the "
        "facilitator alone; a relocation fund agreed with the Velorian Red Crescent "
        "(fictional).",
        # The review date has passed: the register flags it and the scan sends a reminder.
        "review_in_days": -4,
    },
    {
        "owner": "officer",
        "title": "The market-days non-paper is read in the capital as a ceasefire proposal",
        "description": "Officials who receive the 72-hour window non-paper present it as a "
        "ceasefire offer, and the armed movements disown it.",
        "likelihood": Level.MEDIUM,
        "impact": Level.HIGH,
        "mitigation": "Every briefing repeats that it is an option for a single market day, "
        "not an agreement; carriers brief both command structures the same week.",
        "review_in_days": 12,
    },
    {
        "owner": "legal",
        "title": "A proposed detainee exchange step breaches the sanctions regime",
        "description": "A step in the detainee-release option could route payments through a "
        "listed entity.",
        "likelihood": Level.LOW,
        "impact": Level.HIGH,
        "mitigation": "Legal vetting before any relay; payments only through the ICRC-style "
        "neutral intermediary named in the vetting note.",
        "review_in_days": 30,
    },
    {
        "owner": "officer",
        "title": "Donor reporting asks for attendance lists",
        "description": "A funder's template asked for the names of dialogue participants.",
        "likelihood": Level.LOW,
        "impact": Level.MEDIUM,
        "mitigation": "Agreed with the Northern Lights Peace Fund (fictional) that reports "
        "carry aggregates only, with small counts suppressed.",
        "review_in_days": -60,
        "closed": True,
    },
]

RED_LINES = [
    {
        "statement": "No proposal names or maps the informal river crossings used by families "
        "from the Oskar Ridge villages.",
        "harm": "Families who cross at night to reach the clinics would be stopped, or "
        "targeted, by whichever side learned the routes.",
    },
    {
        "statement": "No document says which community elders passed messages between the "
        "command structures.",
        "harm": "Elders of the river towns would be seen as collaborators by one side or the "
        "other.",
    },
]

EXPECTATIONS = [
    {
        "audience": "The delegations to the corridor dialogue",
        "statement": "The programme offers a confidential space and options drafted together; "
        "it cannot guarantee that either government will adopt them, nor fund "
        "reconstruction.",
        "made_in_days": -70,
    },
    {
        "audience": "Civil-society groups of the river towns",
        "statement": "Your concerns will be carried to officials as options without your names; "
        "the programme cannot promise that the corridor will open on a given date.",
        "made_in_days": -35,
    },
]


def load():
    programme = Programme.objects.get(name=PROGRAMME["name"])
    if Risk.objects.filter(programme=programme).exists():
        return
    users = {
        user.username: user
        for user in get_user_model().objects.filter(
            username__in=["facilitator", "officer", "legal"]
        )
    }
    facilitator = users["facilitator"]
    today = programme_today(programme)

    def day(offset):
        return today + datetime.timedelta(days=offset)

    with transaction.atomic():
        for spec in RISKS:
            risk = services.risk_create(
                programme=programme,
                actor=facilitator,
                owner=users[spec["owner"]],
                review_on=day(spec["review_in_days"]),
                **{name: spec[name] for name in ("title", "description", "mitigation")},
                likelihood=spec["likelihood"],
                impact=spec["impact"],
            )
            if spec.get("closed"):
                services.risk_close(risk=risk, actor=users["officer"])
        for spec in RED_LINES:
            services.red_line_create(programme=programme, actor=facilitator, **spec)
        for spec in EXPECTATIONS:
            services.expectation_statement_create(
                programme=programme,
                actor=users["officer"],
                audience=spec["audience"],
                statement=spec["statement"],
                made_on=day(spec["made_in_days"]),
            )
