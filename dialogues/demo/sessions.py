"""Sessions with attendance and non-attributed notes, and an evidence brief."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from dialogues.models import Attendance, EvidenceItem, Session

CORRIDOR = "Access triggers in the Sarn River corridor"
MARKET = "A 72-hour de-confliction window for Tavel market days"
DETAINEES = "Detainee release sequencing, first cohort"
ZONE = "Africa/Nairobi"  # the fictional Veloria keeps East Africa Time

# title, start (local), hours, rounds, location, agenda, notes, absent codes, partly present codes
SESSIONS = {
    CORRIDOR: [
        (
            "Opening: framing the corridor",
            datetime(2026, 9, 14, 9, 0),
            7,
            ["framing"],
            "Lakeside guesthouse, Mirren (side entrance)",
            "Ground rules; the evidence brief; naming the problem.",
            "The room agreed that the problem is not access as such but the lack of agreed "
            "triggers. Several voices stressed that convoys are read as surveillance.",
            [],
            ["P-009"],
        ),
        (
            "Interests and constraints",
            datetime(2026, 10, 12, 9, 0),
            7,
            ["interests"],
            "Lakeside guesthouse, Mirren (side entrance)",
            "One block per party, then the river towns.",
            "Interests mapped for the government, the Front and the Lower Sarn council. "
            "A shared interest emerged in predictable market days.",
            ["P-004"],
            [],
        ),
        (
            "Option design",
            datetime(2026, 12, 7, 9, 0),
            8,
            ["options", "consequences"],
            "To be confirmed with the facilitators",
            "Mixed groups design options; plenary on who, when and how.",
            "",
            None,
            None,
        ),
    ],
    MARKET: [
        (
            "Packaging the market-day window",
            datetime(2026, 8, 20, 10, 0),
            6,
            ["consequences", "packaging"],
            "Tavel, at the cooperative's office",
            "Consequence tests, then the order of the package.",
            "Three options carried forward; the public joint statement dropped as premature.",
            [],
            [],
        ),
    ],
    DETAINEES: [
        (
            "Lists and verification",
            datetime(2026, 3, 16, 9, 0),
            6,
            [],
            "Red Crescent training centre, Mirren",
            "Whose lists; what the Red Crescent can verify, and how fast.",
            "Both sides accepted verification by the Red Crescent before any release.",
            [],
            [],
        ),
        (
            "Sequencing the first releases",
            datetime(2026, 4, 13, 9, 0),
            6,
            [],
            "Red Crescent training centre, Mirren",
            "Who goes first; reciprocity without a ratio.",
            "A first exchange of the sick and the elderly, without a fixed ratio.",
            ["P-018"],
            ["P-023"],
        ),
        (
            "Families and return",
            datetime(2026, 5, 11, 9, 0),
            6,
            [],
            "Red Crescent training centre, Mirren",
            "What families are told, and when; safe return to the river towns.",
            "Families' associations to be briefed by the Red Crescent, not by either side.",
            [],
            [],
        ),
        (
            "Closing the first cohort",
            datetime(2026, 6, 8, 9, 0),
            5,
            [],
            "Red Crescent training centre, Mirren",
            "What worked; what the next cohort needs.",
            "The first cohort is done; a second needs a new mandate.",
            ["P-020"],
            [],
        ),
    ],
}

EVIDENCE = {
    CORRIDOR: [
        (
            "map",
            "Sarn River corridor: road, crossings and checkpoints",
            "Velorian Red Crescent logistics cluster",
            date(2026, 8, 1),
            "The 40 km river road with the Tavel crossing, four checkpoints and two ferry points.",
            None,
        ),
        (
            "timeline",
            "Access incidents since the flood season",
            "Compiled by the programme team from cluster reports",
            date(2026, 8, 20),
            "Thirty-one convoy incidents from March to August; most within 5 km of Tavel.",
            None,
        ),
        (
            "legal",
            "What IHL requires of parties on relief access",
            "Programme legal adviser",
            date(2026, 8, 25),
            "Parties must allow and facilitate rapid and unimpeded passage of impartial "
            "relief, subject to their right of control.",
            None,
        ),
        (
            "humanitarian",
            "Convoy days per month, 2026",
            "Logistics cluster dashboard (fictional)",
            date(2026, 9, 1),
            "Convoy days fell from 18 in March to 6 in August.",
            (
                "convoy-days-2026.csv",
                "month,convoy_days\n2026-03,18\n2026-04,15\n2026-05,11\n2026-06,9\n2026-07,7\n2026-08,6\n",
            ),
        ),
    ],
}


def load(dialogues):
    zone = ZoneInfo(ZONE)
    for title, sessions in SESSIONS.items():
        dialogue = dialogues[title]
        seats = list(dialogue.roster.filter(status="confirmed").select_related("participant"))
        for (
            name,
            local_start,
            hours,
            round_kinds,
            location,
            agenda,
            notes,
            absent,
            partly,
        ) in sessions:
            starts_at = local_start.replace(tzinfo=zone)
            session, _created = Session.objects.update_or_create(
                dialogue=dialogue,
                title=name,
                defaults={
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(hours=hours),
                    "time_zone": ZONE,
                    "location": location,
                    "agenda": agenda,
                    "notes": notes,
                },
            )
            session.rounds.set(dialogue.rounds.filter(kind__in=round_kinds))
            if absent is None:  # not held yet
                continue
            for seat in seats:
                code = seat.participant.code
                status = "absent" if code in absent else "partial" if code in partly else "present"
                Attendance.objects.update_or_create(
                    session=session, dialogue_participant=seat, defaults={"status": status}
                )
    for title, items in EVIDENCE.items():
        dialogue = dialogues[title]
        for kind, name, source, dated, summary, attachment in items:
            item, _created = EvidenceItem.objects.update_or_create(
                dialogue=dialogue,
                title=name,
                defaults={"kind": kind, "source": source, "dated": dated, "summary": summary},
            )
            if attachment and not item.attachment:
                filename, content = attachment
                item.attachment.save(filename, ContentFile(content.encode()), save=False)
                item.attachment_name = filename
                item.attachment_type = "text/csv"
                item.attachment_size = len(content.encode())
                item.save()
