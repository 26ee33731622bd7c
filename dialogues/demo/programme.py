"""The demo programme, its team and its dialogues (one in every status)."""

from datetime import date

from django.contrib.auth import get_user_model

from dialogues.models import Dialogue, Membership, Programme
from dialogues.models.rounds import ROUND_ORDER
from dialogues.services.design import DEFAULT_GROUND_RULES
from dialogues.services.teams import membership_sync_permissions

DEMO_PASSWORD = "parley-demo"
DEMO_DOMAIN = "demo.parley.example"

Role = Membership.Role
Status = Dialogue.Status

DEMO_USERS = [
    # username, first name, last name, role on the demo programme, programme admin
    ("facilitator", "Faye", "Lindqvar", Role.FACILITATOR, True),
    ("officer", "Oren", "Castelmar", Role.PROGRAMME_OFFICER, False),
    ("legal", "Lucia", "Brennholt", Role.LEGAL_REVIEWER, False),
    ("donor", "Dorian", "Halvane", Role.DONOR, False),
    ("admin", "Ada", "Morrow", None, False),
]

PROGRAMME = {
    "name": "Sarn Valley Humanitarian Access Programme",
    "country": "Veloria (fictional)",
    "summary": (
        "A backchannel programme on humanitarian access and detainee issues between the "
        "Velorian government and the armed movements of the Sarn Valley, with civil-society "
        "voices from the river towns."
    ),
    "funders": "Northern Lights Peace Fund (fictional)",
    "starts_on": date(2026, 3, 1),
    "ends_on": date(2027, 8, 31),
    "officers_see_identity": False,
    # Veloria keeps East Africa Time (as the demo sessions do).
    "time_zone": "Africa/Nairobi",
}

DIALOGUES = [
    {
        "title": "Access triggers in the Sarn River corridor",
        "problem": (
            "Agree the triggers that open and close humanitarian access through the Sarn "
            "River corridor between Lower Sarn and the Tavel crossing."
        ),
        "scope_notes": (
            "In scope: the 40 km of river road between Lower Sarn and the Tavel crossing, "
            "convoy notification and the triggers that suspend access. Out of scope: "
            "detainees, territorial control, anything beyond the corridor."
        ),
        "track_level": Dialogue.TrackLevel.TRACK_2,
        "aim": Dialogue.Aim.MANAGE,
        "hurting_stalemate": "yes",
        "way_out_perceived": "partly",
        "credible_people_willing": "yes",
        "timing_notes": (
            "Both sides lose the river trade while convoys stall; retired commanders on both "
            "sides have signalled they would talk about notification rules."
        ),
        "status": Status.IN_ROUNDS,
        "starts_on": date(2026, 9, 14),
    },
    {
        "title": "A 72-hour de-confliction window for Tavel market days",
        "problem": (
            "Design a 72-hour de-confliction window around Tavel market days that both "
            "command structures could announce without losing face."
        ),
        "track_level": Dialogue.TrackLevel.TRACK_1_5,
        "aim": Dialogue.Aim.MANAGE,
        "status": Status.PACKAGING,
        "starts_on": date(2026, 6, 2),
    },
    {
        "title": "Forensic identification protocol for the missing of Oskar Ridge",
        "problem": (
            "Agree a forensic identification protocol for remains recovered near Oskar Ridge "
            "that families, the Ministry of Interior and the Sarn Liberation Front accept."
        ),
        "track_level": Dialogue.TrackLevel.TRACK_2,
        "aim": Dialogue.Aim.RESOLVE,
        "status": Status.CONVENING,
        "starts_on": date(2026, 12, 1),
    },
    {
        "title": "Hotline between the river-town councils",
        "problem": (
            "Set up and keep alive a hotline between the councils of Lower Sarn and Mirren "
            "so incidents are checked before they escalate."
        ),
        "track_level": Dialogue.TrackLevel.TRACK_3,
        "aim": Dialogue.Aim.TRANSFORM,
        "status": Status.DESIGN,
        "starts_on": date(2027, 1, 18),
    },
    {
        "title": "Detainee release sequencing, first cohort",
        "problem": (
            "Sequence the release of a first cohort of detainees held by both sides, with "
            "verification by the Velorian Red Crescent Society."
        ),
        "track_level": Dialogue.TrackLevel.TRACK_1_5,
        "aim": Dialogue.Aim.RESOLVE,
        "status": Status.CLOSED,
        "starts_on": date(2026, 3, 16),
    },
    {
        "title": "Checkpoint fees on the northern road",
        "problem": (
            "Agree how informal checkpoint fees on the northern road are phased out without "
            "cutting the income of local units overnight."
        ),
        "track_level": Dialogue.TrackLevel.TRACK_2,
        "aim": Dialogue.Aim.MANAGE,
        "status": Status.PAUSED,
        "paused_from": Status.IN_ROUNDS,
        "starts_on": date(2026, 5, 4),
    },
    {
        "title": "Grazing rights in the upper valley",
        "problem": (
            "Settle seasonal grazing routes through the upper valley between herder and "
            "farming communities."
        ),
        "track_level": Dialogue.TrackLevel.TRACK_3,
        "aim": Dialogue.Aim.TRANSFORM,
        "status": Status.ABANDONED,
        "starts_on": date(2026, 4, 6),
    },
]


def load():
    """Users, the programme, memberships and dialogues. Returns (programme, dialogues by title)."""
    users = {
        username: _user(username, first, last, superuser=username == "admin")
        for username, first, last, _role, _is_admin in DEMO_USERS
    }
    programme, _created = Programme.objects.update_or_create(
        name=PROGRAMME["name"], defaults=PROGRAMME
    )
    for username, _first, _last, role, is_admin in DEMO_USERS:
        if role is None:
            continue
        membership, _created = Membership.objects.update_or_create(
            programme=programme, user=users[username], defaults={"role": role, "is_admin": is_admin}
        )
        membership_sync_permissions(membership=membership)
    dialogues = {}
    for fields in DIALOGUES:
        dialogue, _created = Dialogue.objects.update_or_create(
            programme=programme, title=fields["title"], defaults=fields
        )
        _ensure_rules_and_rounds(dialogue)
        dialogues[dialogue.title] = dialogue
    return programme, dialogues


def _ensure_rules_and_rounds(dialogue):
    # What dialogue_create gives every new dialogue; added only where missing.
    for position, (kind, title, text) in enumerate(DEFAULT_GROUND_RULES, start=1):
        dialogue.ground_rules.get_or_create(
            kind=kind, defaults={"title": str(title), "text": str(text), "position": position}
        )
    for position, kind in enumerate(ROUND_ORDER, start=1):
        dialogue.rounds.get_or_create(kind=kind, defaults={"position": position})


def _user(username, first, last, *, superuser):
    User = get_user_model()
    user, _created = User.objects.get_or_create(username=username)
    user.email = f"{username}@{DEMO_DOMAIN}"
    user.first_name, user.last_name = first, last
    user.is_staff = user.is_superuser = superuser
    user.is_active = True
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.save()
    return user
