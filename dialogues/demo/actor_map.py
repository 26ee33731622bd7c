"""The fictional Velorian conflict-and-dialogue map: a dozen actor pairs, some with history."""

from datetime import date

from dialogues.models import Actor, ActorRelation

ACTORS = [
    ("Government of Veloria", "government"),
    ("Velorian Armed Forces", "government"),
    ("Ministry of Interior", "government"),
    ("Northern Sarn Alliance", "alliance"),
    ("Sarn Liberation Front", "armed"),
    ("Mirren Defence Council", "armed"),
    ("Tavel Highland Army", "armed"),
    ("Coastal Peoples' Party", "party"),
    ("Velorian Red Crescent Society", "civil"),
    ("River Towns Women's Network", "civil"),
    ("Lower Sarn Town Council", "other"),
    ("Mirren Town Council", "other"),
]
ALLIANCE_MEMBERS = {
    "Northern Sarn Alliance": ["Sarn Liberation Front", "Mirren Defence Council"],
}
# (actor, actor, as of, conflict status, dialogue status, notes)
RELATIONS = [
    ("Government of Veloria", "Sarn Liberation Front", date(2025, 11, 1), "frequent", "none", ""),
    (
        "Government of Veloria",
        "Sarn Liberation Front",
        date(2026, 6, 1),
        "unilateral",
        "intermediary",
        "Unilateral pause announced by the government after the flood season.",
    ),
    (
        "Government of Veloria",
        "Sarn Liberation Front",
        date(2026, 10, 1),
        "defacto",
        "regular_some",
        "",
    ),
    (
        "Government of Veloria",
        "Mirren Defence Council",
        date(2026, 9, 1),
        "bilateral",
        "regular_none",
        "",
    ),
    (
        "Government of Veloria",
        "Tavel Highland Army",
        date(2026, 9, 1),
        "occasional",
        "occasional",
        "",
    ),
    (
        "Government of Veloria",
        "Northern Sarn Alliance",
        date(2026, 9, 1),
        "unilateral",
        "intermediary",
        "",
    ),
    (
        "Velorian Armed Forces",
        "Sarn Liberation Front",
        date(2026, 10, 1),
        "defacto",
        "intermediary",
        "",
    ),
    ("Velorian Armed Forces", "Tavel Highland Army", date(2026, 10, 1), "frequent", "none", ""),
    (
        "Ministry of Interior",
        "Mirren Defence Council",
        date(2026, 8, 15),
        "bilateral",
        "active",
        "",
    ),
    (
        "Sarn Liberation Front",
        "Tavel Highland Army",
        date(2026, 7, 1),
        "occasional",
        "occasional",
        "",
    ),
    ("Sarn Liberation Front", "Mirren Defence Council", date(2026, 7, 1), "allied", "active", ""),
    (
        "Coastal Peoples' Party",
        "Government of Veloria",
        date(2026, 9, 20),
        "allied",
        "regular_some",
        "",
    ),
    (
        "Lower Sarn Town Council",
        "Mirren Town Council",
        date(2026, 10, 12),
        "allied",
        "regular_none",
        "",
    ),
    (
        "Velorian Red Crescent Society",
        "Sarn Liberation Front",
        date(2026, 9, 5),
        "allied",
        "regular_some",
        "",
    ),
]


def load(programme):
    actors = {}
    for name, kind in ACTORS:
        actors[name], _created = Actor.objects.update_or_create(
            programme=programme, name=name, defaults={"kind": kind}
        )
    for alliance, members in ALLIANCE_MEMBERS.items():
        for member in members:
            actors[member].alliances.add(actors[alliance])
    for one, two, as_of, conflict, dialogue, notes in RELATIONS:
        first, second = sorted((actors[one], actors[two]), key=lambda actor: actor.pk)
        ActorRelation.objects.update_or_create(
            actor_a=first,
            actor_b=second,
            as_of=as_of,
            defaults={
                "programme": programme,
                "conflict_status": conflict,
                "dialogue_status": dialogue,
                "notes": notes,
            },
        )
    return actors
