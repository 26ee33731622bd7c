"""Round outputs for the corridor dialogue (in rounds) and the market-days dialogue (packaging)."""

from dialogues.models import (
    AgendaItem,
    ConsequenceTest,
    Option,
    PackageItem,
    PartyInterest,
)

CORRIDOR = "Access triggers in the Sarn River corridor"
MARKET = "A 72-hour de-confliction window for Tavel market days"

ROUNDS = {
    CORRIDOR: {
        "framing": (
            "done",
            "Agree what counts as a trigger that suspends or restores access.",
            [
                ("Welcome and ground rules", 20),
                ("The corridor today: evidence brief", 45),
                ("Naming the problem", 60),
            ],
        ),
        "interests": (
            "done",
            "Map what each party needs from the corridor and what binds it.",
            [("Government and armed forces", 60), ("Armed movements", 60), ("River towns", 45)],
        ),
        "options": (
            "progress",
            "Design options that each party could live with.",
            [("Option design in mixed groups", 90), ("Plenary: who, when, how", 60)],
        ),
        "consequences": (
            "planned",
            "Test each option for winners, losers and do-no-harm risks.",
            [],
        ),
        "packaging": ("planned", "Order what is carried forward for the non-paper.", []),
    },
    MARKET: {
        "framing": (
            "done",
            "Frame the market-day window as a confidence-building step.",
            [("Framing", 60)],
        ),
        "interests": (
            "done",
            "Interests of both command structures and the market towns.",
            [("Mapping", 90)],
        ),
        "options": ("done", "Options for announcing and monitoring the window.", [("Design", 90)]),
        "consequences": ("done", "Consequences of each option.", [("Testing", 120)]),
        "packaging": (
            "progress",
            "Package for relay to the special envoy's office.",
            [("Packaging", 60)],
        ),
    },
}

INTERESTS = {
    CORRIDOR: [
        (
            "Government of Veloria",
            "Visible restoration of state services in Lower Sarn; no recognition of the Front.",
            "Parliament hostile to any written agreement with armed groups.",
        ),
        (
            "Sarn Liberation Front",
            "Fuel and medicine reaching Upper Sarn; safety of its supply routes.",
            "Commanders fear convoys are used for surveillance.",
        ),
        (
            "Lower Sarn Town Council",
            "Reopened river trade and safe market access.",
            "No budget for escorts or monitoring.",
        ),
    ],
    MARKET: [
        (
            "Velorian Armed Forces",
            "Fewer incidents near Tavel; a quiet period for redeployment.",
            "Cannot be seen to pause operations publicly.",
        ),
        (
            "Tavel Highland Army",
            "Access of its communities to the market.",
            "No direct contact with the armed forces.",
        ),
    ],
}

# title, description, who, when, how, test (feasibility, weight, verdict, do-no-harm), packaged
OPTIONS = {
    CORRIDOR: [
        (
            "Joint convoy notification log",
            "A shared log of convoy times and contents, kept by a neutral body.",
            "Velorian Red Crescent Society with both liaison offices",
            "Within 30 days",
            "Daily message through the existing hotline",
            (4, 3, "carry", "Log must never hold drivers' names."),
            False,
        ),
        (
            "Trigger list for suspension",
            "An agreed list of events that suspend access for 24 hours, and what restores it.",
            "Both command structures, through intermediaries",
            "Within 60 days",
            "Side letters, not a signed agreement",
            (3, 4, "revise", "A trigger list can be gamed to block convoys."),
            False,
        ),
        (
            "Market-day corridor opening",
            "Open the corridor on market days first, then widen.",
            "Lower Sarn Town Council",
            "From the next market day",
            "Announced by the council, not the parties",
            None,
            False,
        ),
    ],
    MARKET: [
        (
            "72-hour quiet window around market days",
            "Both sides refrain from operations within 10 km of Tavel for 72 hours around "
            "market days.",
            "Armed forces and Tavel Highland Army, each unilaterally",
            "First window within 30 days",
            "Parallel unilateral announcements",
            (4, 4, "carry", "Civilians must not be blamed if the window fails."),
            1,
        ),
        (
            "Incident hotline during the window",
            "A hotline staffed by the Red Crescent to check incidents before they escalate.",
            "Velorian Red Crescent Society",
            "Within 60 days",
            "Phone line with two duty officers",
            (3, 3, "carry", "Staff safety; no caller names logged."),
            2,
        ),
        (
            "Market monitors from the towns",
            "Town-appointed monitors report on the window.",
            "Tavel and Mirren councils",
            "Within 90 days",
            "Weekly written report to both sides",
            (3, 2, "carry", "Monitors could be targeted: rotate and keep names off reports."),
            3,
        ),
        (
            "Public joint statement",
            "A joint public statement by both commands.",
            "Both commands",
            "—",
            "Press conference",
            (1, 2, "drop", "Public commitment too early; could collapse the window."),
            None,
        ),
    ],
}


def load(dialogues, actors):
    for title, rounds in ROUNDS.items():
        dialogue = dialogues[title]
        for kind, (status, goals, agenda) in rounds.items():
            dialogue_round = dialogue.rounds.get(kind=kind)
            dialogue_round.status, dialogue_round.goals = status, goals
            dialogue_round.save(update_fields=["status", "goals"])
            for position, (item, minutes) in enumerate(agenda, start=1):
                AgendaItem.objects.update_or_create(
                    round=dialogue_round,
                    title=item,
                    defaults={"minutes": minutes, "position": position},
                )
        for party, interests, constraints in INTERESTS.get(title, []):
            PartyInterest.objects.update_or_create(
                dialogue=dialogue,
                party=actors[party],
                defaults={"interests": interests, "constraints": constraints},
            )
        for name, description, who, when, how, test, packaged in OPTIONS.get(title, []):
            option, _created = Option.objects.update_or_create(
                dialogue=dialogue,
                title=name,
                defaults={"description": description, "who": who, "when": when, "how": how},
            )
            if test:
                feasibility, weight, verdict, do_no_harm = test
                ConsequenceTest.objects.update_or_create(
                    option=option,
                    defaults={
                        "feasibility": feasibility,
                        "political_weight": weight,
                        "verdict": verdict,
                        "do_no_harm": do_no_harm,
                    },
                )
            if packaged:
                PackageItem.objects.update_or_create(
                    option=option, defaults={"dialogue": dialogue, "position": packaged}
                )
