"""One object of every kind a URL can name, in a programme, built the way Parley builds them.

The authorization matrix builds two of these: one in the programme whose team holds the roles
under test, and the same set in another programme whose facilitator (and programme admin) is
the member of another programme. Both are built by `programme_world`, so whatever the first
programme's facilitator may reach, the other programme's facilitator may reach in theirs: the
other programme's objects are real, reachable objects, not broken ones that would give 404 to
anybody.

    world = programme_world(programme, facilitator, officer, label="own")
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogues.models import AgendaItem, Membership, PackageItem, PartyInterest
from dialogues.models.rounds import ROUND_ORDER
from dialogues.services.design import dialogue_create
from dialogues.services.evidence import evidence_add
from dialogues.services.teams import membership_add
from monitoring.models import CommuniqueAdoption, Indicator, OutcomeRecord, Risk
from monitoring.services.indicators import indicator_create
from monitoring.services.outcomes import outcome_record_create
from monitoring.services.risks import risk_create
from tests.dialogues.factories import (
    ActorFactory,
    DialogueParticipantFactory,
    OptionFactory,
    ParticipantFactory,
    SessionFactory,
    UserFactory,
)
from tests.uptake import chain_factories_b as chain
from tests.uptake.chain_factories_c import notification as notification_row
from tests.uptake.factories import aide_memoire, deliver, non_paper
from uptake.models import Commitment, DocumentBundle, PdfExport
from uptake.services.documents import document_set_shareable

NON_PAPER = "non_paper"  # delivered and shared with the programme's donors
DRAFT_NON_PAPER = "draft_non_paper"  # still in draft: donors may not know it exists
AIDE_MEMOIRE = "aide_memoire"
DOCUMENT_KINDS = (NON_PAPER, DRAFT_NON_PAPER, AIDE_MEMOIRE)


@dataclass
class ProgrammeWorld:
    """Everything a URL parameter may point at, in one programme. `documents` and `exports`
    hold one of each kind of document (DOCUMENT_KINDS) and a PDF of it."""

    label: str
    programme: object
    facilitator: object
    reader: object  # a programme officer, the aide-mémoire's only named reader
    spare: object  # a team member who is only ever the subject of team changes
    spare_membership: object
    dialogue: object
    round: object
    agenda_item: object
    interest: object
    option: object
    package_item: object
    actor_one: object
    actor_two: object
    participant: object
    entry: object
    rule: object
    session: object
    evidence: object
    documents: dict = field(default_factory=dict)
    exports: dict = field(default_factory=dict)
    bundle: object = None
    carrier: object = None
    briefing: object = None
    feedback: object = None
    pilot: object = None
    commitment: object = None
    notification: object = None
    indicator: object = None
    outcome: object = None
    adoption: object = None
    risk: object = None


def give_second_factor(user):
    """A confirmed authenticator device for `user`, also set as the device that verified this
    user object: Django's log-in (the test client's force_login too) then records the session
    as verified by it, as django-otp's log-in forms do. Staff and superusers reach nothing
    without a verified session (dialogues.second_factor), so tests that sign them in say so
    here rather than have force_login skip the second factor unseen."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    user.otp_device = device
    return device


def _pdf_export(document, reader):
    """A PDF made for `reader`, as the export service leaves it (without rendering one)."""
    export = PdfExport(
        document=document,
        revision_number=document.head,
        requested_by=reader,
        page_count=1,
        file_name=f"{document.kind}.pdf",
    )
    export.file.save("export.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    export.save()
    return export


def _bundle(dialogue, reader, documents):
    """A finished ZIP of the dialogue's documents, made for `reader`."""
    bundle = DocumentBundle(
        dialogue=dialogue,
        requested_by=reader,
        status=DocumentBundle.Status.DONE,
        total=len(documents),
        done=len(documents),
        included=[document.pk for document in documents],
        file_name="documents.zip",
    )
    bundle.file.save("documents.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=False)
    bundle.save()
    return bundle


def programme_world(programme, facilitator, reader, *, label):
    """Build one object of every kind in `programme`, whose facilitator (and programme admin)
    is `facilitator` and one of whose programme officers is `reader`. The facilitator writes
    the non-papers (one delivered and shared with donors, one in draft), asked for their PDFs
    and for the ZIP, owns the risk and receives the notification; the officer wrote the
    aide-mémoire and is its only named reader (so the facilitator, who manages its readers,
    may not read it), and asked for its PDF."""
    spare = UserFactory(username=f"spare-{label}")
    spare_membership = membership_add(
        programme=programme,
        email=spare.email,
        role=Membership.Role.PROGRAMME_OFFICER,
        actor=None,
    )[0]

    dialogue = dialogue_create(
        programme=programme,
        actor=facilitator,
        title=f"Corridor triggers ({label})",
        problem="Agree the triggers that open and close the corridor.",
    )
    first_round = dialogue.rounds.get(kind=ROUND_ORDER[0])
    agenda_item = AgendaItem.objects.create(round=first_round, title="Openings", minutes=30)
    actor_one = ActorFactory(programme=programme, name=f"River Council ({label})")
    actor_two = ActorFactory(programme=programme, name=f"Ridge Movement ({label})")
    interest = PartyInterest.objects.create(
        dialogue=dialogue, party=actor_one, interests="Safe passage for convoys."
    )
    option = OptionFactory(dialogue=dialogue, title="A joint hotline")
    package_item = PackageItem.objects.create(dialogue=dialogue, option=option, position=1)

    participant = ParticipantFactory(
        programme=programme, code="P-001", full_name=f"Amara Quillfeather {label.title()}"
    )
    entry = DialogueParticipantFactory(dialogue=dialogue, participant=participant)
    session = SessionFactory(dialogue=dialogue, title="First plenary")
    evidence = evidence_add(
        dialogue=dialogue,
        actor=facilitator,
        attachment=SimpleUploadedFile("convoys.txt", b"Convoy log, March.\n", "text/plain"),
        kind="timeline",
        title="Convoy log",
        source="Liaison office",
        summary="Convoys that crossed in March.",
    )

    delivered = deliver(non_paper(dialogue, facilitator, title="Corridor non-paper"), facilitator)
    delivered = document_set_shareable(document=delivered, actor=facilitator, shareable=True)
    draft = non_paper(dialogue, facilitator, title="Hotline non-paper")
    confidential = aide_memoire(dialogue, reader, title="Handling note")
    documents = {NON_PAPER: delivered, DRAFT_NON_PAPER: draft, AIDE_MEMOIRE: confidential}
    exports = {
        NON_PAPER: _pdf_export(delivered, facilitator),
        DRAFT_NON_PAPER: _pdf_export(draft, facilitator),
        AIDE_MEMOIRE: _pdf_export(confidential, reader),
    }

    chain.clear(delivered)
    carrier = chain.carrier(programme, name=f"Envoy Ruiz ({label})")
    briefing = chain.briefing(delivered, carrier)
    commitment = Commitment.objects.filter(document=delivered).order_by("step_index").first()

    indicator = indicator_create(
        programme=programme,
        actor=None,
        name="Humanitarian access hours",
        definition="Hours per month the corridor stays open.",
        unit="hours",
        direction=Indicator.Direction.UP_IS_GOOD,
        category=Indicator.Category.OUTCOME,
        baseline_value=Decimal("40"),
        baseline_date=datetime.date(2025, 12, 1),
    )
    outcome = outcome_record_create(
        programme=programme,
        actor=None,
        change="The liaison office opened the northern crossing twice a week.",
        social_actor="Northern liaison office",
        observed_on=datetime.date(2026, 3, 4),
        place="Northern corridor",
        significance="First regular crossing in two years.",
        contribution="The dialogue drafted the trigger list the office now uses.",
        sources="Convoy logs.",
        confidence=OutcomeRecord.Confidence.MEDIUM,
    )
    adoption = CommuniqueAdoption.objects.create(
        programme=programme,
        non_paper=delivered,
        title="Communiqué of the Joint Liaison Council",
        issuer="Joint Liaison Council",
        issued_on=datetime.date(2026, 4, 2),
        adopted_wording="The Council welcomes a de-confliction hotline.",
        echoed_steps=[1],
    )
    risk = risk_create(
        programme=programme,
        actor=facilitator,
        title="Talks become known in the market town",
        description="",
        likelihood=Risk.Level.MEDIUM,
        impact=Risk.Level.HIGH,
        owner=facilitator,
        mitigation="Venues outside the valley.",
        review_on=datetime.date.today() + datetime.timedelta(days=30),
    )

    return ProgrammeWorld(
        label=label,
        programme=programme,
        facilitator=facilitator,
        reader=reader,
        spare=spare,
        spare_membership=spare_membership,
        dialogue=dialogue,
        round=first_round,
        agenda_item=agenda_item,
        interest=interest,
        option=option,
        package_item=package_item,
        actor_one=actor_one,
        actor_two=actor_two,
        participant=participant,
        entry=entry,
        rule=dialogue.ground_rules.order_by("position").first(),
        session=session,
        evidence=evidence,
        documents=documents,
        exports=exports,
        bundle=_bundle(dialogue, facilitator, [delivered, draft]),
        carrier=carrier,
        briefing=briefing,
        feedback=chain.feedback(briefing, "changes", language_adjustments="Say 'pause'."),
        pilot=chain.pilot_in(delivered, facilitator, "proposed"),
        commitment=commitment,
        notification=notification_row(facilitator, commitment),
        indicator=indicator,
        outcome=outcome,
        adoption=adoption,
        risk=risk,
    )
