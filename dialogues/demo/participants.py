"""Twenty-six invented people in the register. The corridor dialogue seats twelve of the
first fourteen; the closed detainee dialogue seated a cohort of twelve more, enough for
donors' figures to show where the suppression of small groups applies and where it does not."""

from datetime import date

from dialogues.models import DialogueParticipant, Participant, RuleAcknowledgement

Category = Participant.Category

# code, full name, aliases, affiliation, category, gender, region, languages, proxy
PEOPLE = [
    (
        "P-001",
        "Mirela Oskant",
        "Mira Oskant",
        "Former deputy minister of transport",
        Category.EX_OFFICIAL,
        "woman",
        "Capital",
        "Velorian, French",
        True,
    ),
    (
        "P-002",
        "Davor Lentsch",
        "",
        "Adviser to the Interior Ministry (retired)",
        Category.ADVISOR,
        "man",
        "Capital",
        "Velorian, English",
        True,
    ),
    (
        "P-003",
        "Halvard Brunnet",
        "Colonel Brunnet",
        "Velorian Armed Forces, retired",
        Category.RETIRED_COMMANDER,
        "man",
        "Lower Sarn",
        "Velorian",
        True,
    ),
    (
        "P-004",
        "Teodor Maricsz",
        "Commander Teo",
        "Sarn Liberation Front, retired field commander",
        Category.RETIRED_COMMANDER,
        "man",
        "Upper Sarn",
        "Sarnic, Velorian",
        True,
    ),
    (
        "P-005",
        "Anouk Teral",
        "",
        "Logistics cluster, Velorian Red Crescent",
        Category.TECHNICAL_EXPERT,
        "woman",
        "Tavel",
        "Velorian, English",
        False,
    ),
    (
        "P-006",
        "Samir Oudeh-Varn",
        "",
        "Hydrologist, University of Mirren",
        Category.TECHNICAL_EXPERT,
        "man",
        "Mirren",
        "Velorian, Arabic",
        False,
    ),
    (
        "P-007",
        "Lidia Kresnik",
        "",
        "Customs and border procedures consultant",
        Category.TECHNICAL_EXPERT,
        "woman",
        "Tavel",
        "Velorian",
        False,
    ),
    (
        "P-008",
        "Ostra Vellin",
        "Auntie Ostra",
        "River Towns Women's Network",
        Category.COMMUNITY_VOICE,
        "woman",
        "Lower Sarn",
        "Sarnic, Velorian",
        False,
    ),
    (
        "P-009",
        "Jonah Pereszt",
        "",
        "Elder, Mirren market association",
        Category.COMMUNITY_VOICE,
        "man",
        "Mirren",
        "Sarnic",
        False,
    ),
    (
        "P-010",
        "Katrin Aldomir",
        "",
        "Human rights lawyer, Sarn Legal Aid",
        Category.CIVIL_SOCIETY,
        "woman",
        "Capital",
        "Velorian, English",
        False,
    ),
    (
        "P-011",
        "Rafe Dunmoor",
        "",
        "Coastal Peoples' Party, regional secretary",
        Category.POLITICAL_PARTY,
        "man",
        "Coast",
        "Velorian",
        False,
    ),
    (
        "P-012",
        "Ilse Varnholm",
        "",
        "Former governor of Sarn province",
        Category.EX_OFFICIAL,
        "woman",
        "Lower Sarn",
        "Velorian, Sarnic",
        True,
    ),
    (
        "P-013",
        "Beno Castrell",
        "",
        "Trucking cooperative of the northern road",
        Category.COMMUNITY_VOICE,
        "man",
        "North",
        "Velorian",
        False,
    ),
    (
        "P-014",
        "Yara Selmont",
        "",
        "Adviser to the Sarn Liberation Front leadership",
        Category.ADVISOR,
        "woman",
        "Upper Sarn",
        "Sarnic",
        True,
    ),
    (
        "P-015",
        "Ilinca Varosh",
        "",
        "Former prison administration inspector",
        Category.EX_OFFICIAL,
        "woman",
        "Capital",
        "Velorian",
        False,
    ),
    (
        "P-016",
        "Benedek Soltari",
        "",
        "Former deputy of the justice committee",
        Category.EX_OFFICIAL,
        "man",
        "Capital",
        "Velorian, English",
        False,
    ),
    (
        "P-017",
        "Maren Odalsk",
        "",
        "Adviser to the Front's prisoner committee",
        Category.ADVISOR,
        "woman",
        "Upper Sarn",
        "Sarnic",
        False,
    ),
    (
        "P-018",
        "Tobiah Kerrest",
        "",
        "Adviser to the Interior Ministry",
        Category.ADVISOR,
        "man",
        "Capital",
        "Velorian",
        False,
    ),
    (
        "P-019",
        "Ludmila Careth",
        "",
        "Retired military police commander",
        Category.RETIRED_COMMANDER,
        "woman",
        "Lower Sarn",
        "Velorian",
        False,
    ),
    (
        "P-020",
        "Aurel Fenwick-Dosz",
        "",
        "Retired Front brigade commander",
        Category.RETIRED_COMMANDER,
        "man",
        "Upper Sarn",
        "Sarnic, Velorian",
        False,
    ),
    (
        "P-021",
        "Sunniva Pelrane",
        "",
        "Forensic records specialist",
        Category.TECHNICAL_EXPERT,
        "woman",
        "North",
        "Velorian, French",
        False,
    ),
    (
        "P-022",
        "Casimir Ondrell",
        "",
        "Prison health officer",
        Category.TECHNICAL_EXPERT,
        "man",
        "Capital",
        "Velorian",
        False,
    ),
    (
        "P-023",
        "Rahela Tusk",
        "",
        "Families of detainees association",
        Category.COMMUNITY_VOICE,
        "woman",
        "Lower Sarn",
        "Sarnic",
        False,
    ),
    (
        "P-024",
        "Emeric Valde",
        "",
        "Elder, Tavel river quarter",
        Category.COMMUNITY_VOICE,
        "man",
        "Lower Sarn",
        "Sarnic, Velorian",
        False,
    ),
    (
        "P-025",
        "Noor Essavine",
        "",
        "Legal aid network",
        Category.CIVIL_SOCIETY,
        "woman",
        "Capital",
        "Velorian, Arabic",
        False,
    ),
    (
        "P-026",
        "Piet Ambrosch",
        "",
        "Human rights observatory",
        Category.CIVIL_SOCIETY,
        "man",
        "North",
        "Velorian",
        False,
    ),
]

# Seats per dialogue title: code -> (status, consent date or None)
CONSENTED = date(2026, 9, 1)
SEATS = {
    "Access triggers in the Sarn River corridor": {
        **dict.fromkeys(
            (
                "P-001",
                "P-002",
                "P-003",
                "P-004",
                "P-005",
                "P-006",
                "P-008",
                "P-009",
                "P-010",
                "P-012",
            ),
            ("confirmed", CONSENTED),
        ),
        "P-007": ("invited", None),
        "P-011": ("declined", None),
    },
    "A 72-hour de-confliction window for Tavel market days": {
        **{
            code: ("confirmed", date(2026, 5, 20))
            for code in (
                "P-001",
                "P-003",
                "P-004",
                "P-005",
                "P-007",
                "P-009",
                "P-012",
                "P-013",
                "P-014",
                "P-002",
                "P-008",
            )
        },
    },
    "Forensic identification protocol for the missing of Oskar Ridge": {
        "P-006": ("invited", None),
        "P-010": ("confirmed", date(2026, 11, 10)),
        "P-014": ("invited", None),
    },
    # The closed dialogue's cohort: everyone consented before the first session.
    "Detainee release sequencing, first cohort": {
        f"P-{number:03d}": ("confirmed", date(2026, 3, 2)) for number in range(15, 27)
    },
}


def load(programme, dialogues):
    people = {}
    for code, name, aliases, affiliation, category, gender, region, languages, proxy in PEOPLE:
        people[code], _created = Participant.objects.update_or_create(
            programme=programme,
            code=code,
            defaults={
                "full_name": name,
                "aliases": aliases,
                "affiliation": affiliation,
                "category": category,
                "gender": gender,
                "region": region,
                "languages": languages,
                "is_authoritative_proxy": proxy,
                "email": f"{code.lower()}@contacts.example",
            },
        )
    for title, seats in SEATS.items():
        dialogue = dialogues[title]
        rules = list(dialogue.ground_rules.all())
        for code, (status, consent) in seats.items():
            seat, _created = DialogueParticipant.objects.update_or_create(
                dialogue=dialogue,
                participant=people[code],
                defaults={
                    "status": status,
                    "consent_given_on": consent,
                    "consent_scope": "Taking part under the Chatham House Rule; no recording."
                    if consent
                    else "",
                },
            )
            # Everyone confirmed has acknowledged the rules, except one late acknowledgement.
            if status == "confirmed" and code != "P-012":
                for rule in rules:
                    RuleAcknowledgement.objects.get_or_create(
                        rule=rule, dialogue_participant=seat, defaults={"acknowledged_on": consent}
                    )
    return people
