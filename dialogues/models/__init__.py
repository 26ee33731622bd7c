# Every model of the app, for Django's registry and for imports.
# Registers the audit trail of accounts and django-guardian's permissions (dialogues.audit).
import dialogues.models.history  # noqa: F401
from dialogues.models.actors import Actor, ActorRelation
from dialogues.models.dialogues import Dialogue
from dialogues.models.evidence import EvidenceItem
from dialogues.models.participants import (
    DialogueParticipant,
    GroundRule,
    Participant,
    RuleAcknowledgement,
)
from dialogues.models.programmes import Membership, Programme
from dialogues.models.rounds import (
    AgendaItem,
    ConsequenceTest,
    Option,
    PackageItem,
    PartyInterest,
    Round,
)
from dialogues.models.sessions import Attendance, Session

__all__ = [
    "Actor",
    "ActorRelation",
    "AgendaItem",
    "Attendance",
    "ConsequenceTest",
    "Dialogue",
    "DialogueParticipant",
    "EvidenceItem",
    "GroundRule",
    "Membership",
    "Option",
    "PackageItem",
    "Participant",
    "PartyInterest",
    "Programme",
    "Round",
    "RuleAcknowledgement",
    "Session",
]
