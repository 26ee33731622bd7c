"""Canaries for the participant leak sweep (test_leak_sweep.py), and the scanner that looks for
them in whatever Parley sends: HTML, CSV, XLSX, PDF (text and metadata), iCalendar, JSON and
ZIPs of any of these.

A canary is a unique string written into one field that must stay with the people allowed to
read it: a participant's identity (name, aliases, affiliation, contacts), the text of an
aide-mémoire, a red line. Names and aliases are also written into the free texts that people
without identity permission do read (session notes, documents, risks, outcomes ...), in other
spellings ("canary name 7f3a", "CANARY ALIAS 7F3A"), so the redaction of those texts is put
to work: the canary may then be found only where the reader may see identities.

    canaries = seed_canaries(world, "7f3a")   # {Canary(...), ...}
    found = scan("GET /x", body, content_type, canaries)
"""

import datetime
import html
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import openpyxl
from django.db import models
from django.utils import timezone
from pypdf import PdfReader

from dialogues.models import (
    AgendaItem,
    ConsequenceTest,
    Dialogue,
    DialogueParticipant,
    EvidenceItem,
    GroundRule,
    Option,
    Participant,
    PartyInterest,
    Round,
    Session,
)
from monitoring.models import (
    CommuniqueAdoption,
    ExpectationStatement,
    IndicatorValue,
    LearningEntry,
    OutcomeRecord,
    RedLine,
    Risk,
)
from tests.assurance import log_capture
from tests.uptake.factories import deliver, non_paper_content, save
from uptake.models import Comment, Commitment, Document, Vetting
from uptake.models.chain import Briefing, Feedback, Pilot, ProofPoint
from uptake.services import documents as document_services

# What kind of secret a canary is: who may read it follows from the kind (test_leak_sweep).
IDENTITY = "identity"  # needs view_identity on the programme
AIDE_MEMOIRE_TEXT = "aide_memoire_text"  # only the aide-mémoire's named readers
AIDE_MEMOIRE_TITLE = "aide_memoire_title"  # its readers, and facilitators who manage them
RED_LINE = "red_line"  # facilitators and programme officers


@dataclass(frozen=True)
class Canary:
    text: str  # e.g. "Canary-Name-7f3a"
    field: str  # where it was written, for the report
    kind: str
    programme: str  # the world's label: "own" or "other"

    @property
    def pattern(self):
        return _pattern(self.text)


@lru_cache(maxsize=256)
def _pattern(text):
    """The canary's parts in order, whatever separates them (a space, a line break, a hyphen,
    an underscore, a slug's dash) and whatever the case: redaction matches names that way, so
    a leak may be spelt so."""
    parts = re.split(r"[\W_]+", text.casefold())
    return re.compile(
        r"(?<![a-z0-9])" + r"[\W_]{0,3}".join(map(re.escape, parts)) + r"(?![a-z0-9])"
    )


def identity_canaries(tag, label):
    """The canaries written into a participant's identity fields."""
    return {
        "full_name": Canary(f"Canary-Name-{tag}", "participant full name", IDENTITY, label),
        "alias": Canary(f"Canary-Alias-{tag}", "participant alias", IDENTITY, label),
        "nickname": Canary(f"Canary-Nick-{tag}", "participant second alias", IDENTITY, label),
        "affiliation": Canary(f"Canary-Affil-{tag}", "participant affiliation", IDENTITY, label),
        "email": Canary(f"canary-email-{tag}@example.org", "participant e-mail", IDENTITY, label),
        "phone": Canary(f"Canary-Phone-{tag}", "participant phone", IDENTITY, label),
        "contact_notes": Canary(
            f"Canary-Contact-{tag}", "participant contact notes", IDENTITY, label
        ),
    }


# --- Seeding ----------------------------------------------------------------------------------

# Text fields that are not free text someone types about people.
NOT_FREE_TEXT = {
    "code",
    "time_zone",
    "file_name",
    "attachment_type",
    "url",
    "actor_name",
    "reviewer_name",
}


def _free_text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and field.name not in NOT_FREE_TEXT
        and not isinstance(field, models.EmailField | models.URLField)
    ]


def _write_names(queryset, mentions):
    """Put a mention of a participant in front of every free text of the rows of `queryset`,
    straight into the database. The services refuse many of these texts when they name a
    participant; a name still gets there when the person joins the register after the text
    was written, so every page must withhold it all the same."""
    fields = _free_text_fields(queryset.model)
    for index, row in enumerate(queryset):
        changes = {}
        for position, field in enumerate(fields):
            mention = mentions[(index + position) % len(mentions)]
            text = f"{mention}: {getattr(row, field.attname)}"
            changes[field.attname] = text[: field.max_length] if field.max_length else text
        if changes:
            queryset.model.objects.filter(pk=row.pk).update(**changes)


def _mentions(names):
    """Ways a note-taker writes a name: as registered, lower case with spaces, capitals."""
    full_name, alias, nickname = (
        names["full_name"].text,
        names["alias"].text,
        names["nickname"].text,
    )
    return [
        f"met {full_name} yesterday",
        f"{alias.upper().replace('-', ' ')} agreed",
        f"{full_name.lower().replace('-', ' ')} asked for a pause",
        f"call {nickname} back",
    ]


def seed_canaries(world, tag):
    """Write canaries into `world` (tests/assurance/world.py), tagged `tag`, and return them:
    the participant's identity; an aide-mémoire's title and text; two red lines; the
    participant's names in every free text of the dialogue and the programme (session, design,
    documents, evidence, uptake chain, monitoring). Adds to the world a delivered non-paper
    shared with donors whose text names the participant (a facilitator let the names stay)
    as `named_non_paper`, and a draft naming them with no such override as
    `blocked_draft`."""
    label = world.label
    names = identity_canaries(tag, label)
    participant = world.participant
    Participant.objects.filter(pk=participant.pk).update(
        full_name=names["full_name"].text,
        aliases=f"{names['alias'].text}\n{names['nickname'].text}",
        affiliation=names["affiliation"].text,
        email=names["email"].text,
        phone=names["phone"].text,
        contact_notes=names["contact_notes"].text,
    )
    participant.refresh_from_db()
    mentions = _mentions(names)
    canaries = set(names.values())

    # The aide-mémoire: only its writer (the programme officer) reads it.
    aide_title = Canary(f"Canary-Aidetitle-{tag}", "aide-mémoire title", AIDE_MEMOIRE_TITLE, label)
    aide_text = Canary(f"Canary-Aidetext-{tag}", "aide-mémoire text", AIDE_MEMOIRE_TEXT, label)
    confidential = world.documents["aide_memoire"]
    save(
        confidential,
        world.reader,
        title=f"Handling note {aide_title.text}",
        sections=[
            {"title": "Context", "body": f"The envoy's channel is {aide_text.text}."},
            {"title": "Who", "body": f"Ask {names['full_name'].text} first."},
        ],
    )
    document_services.guard_override(
        document=confidential, actor=world.facilitator, reason="Needed by the envoy."
    )
    canaries |= {aide_title, aide_text}

    for number, (statement, harm) in enumerate([("Redline", "Harm"), ("Redline2", "Harm2")]):
        stated = Canary(f"Canary-{statement}-{tag}", "red line statement", RED_LINE, label)
        harmed = Canary(f"Canary-{harm}-{tag}", "red line harm", RED_LINE, label)
        RedLine.objects.create(
            programme=world.programme,
            statement=f"Never propose {stated.text} (line {number + 1}).",
            harm=f"{harmed.text} would be exposed.",
            recorded_by=world.facilitator,
        )
        canaries |= {stated, harmed}

    dialogue, programme = world.dialogue, world.programme
    # The draft non-paper, which legal reviewers read and vet.
    draft = world.documents["draft_non_paper"]
    save(
        draft,
        world.facilitator,
        title=f"Hotline non-paper ({names['alias'].text})",
        **non_paper_content(
            problem=f"As {names['full_name'].text} said, the hotline is down.",
            legal_notes=f"{names['nickname'].text} checked the sanctions lists.",
            operational_notes=f"{mentions[2]}.",
        ),
    )
    # A facilitator let the names stay: the draft may be exported, with names withheld for
    # whoever may not see them.
    document_services.guard_override(
        document=draft, actor=world.facilitator, reason="Credited at their request."
    )
    world.named_non_paper = _named_shared_non_paper(world, names)
    world.blocked_draft = save(
        document_services.non_paper_create_from_package(
            dialogue=dialogue, actor=world.facilitator, title="Crossing non-paper"
        ),
        world.facilitator,
        **non_paper_content(problem=f"{mentions[0]} about the crossing."),
    )
    Comment.objects.create(
        document=draft,
        revision_number=draft.head,
        author=world.facilitator,
        body=f"Check with {names['full_name'].text} before review.",
    )

    # Every free text of the dialogue and the programme that a team member may read: the
    # dialogue's design texts, its sessions, brief and roster, the uptake chain, M&E.
    documents = Document.objects.filter(dialogue=dialogue)
    for queryset in (
        Dialogue.objects.filter(pk=dialogue.pk),
        Round.objects.filter(dialogue=dialogue),
        AgendaItem.objects.filter(round__dialogue=dialogue),
        GroundRule.objects.filter(dialogue=dialogue),
        PartyInterest.objects.filter(dialogue=dialogue),
        Option.objects.filter(dialogue=dialogue),
        ConsequenceTest.objects.filter(option__dialogue=dialogue),
        Session.objects.filter(dialogue=dialogue),
        EvidenceItem.objects.filter(dialogue=dialogue),
        DialogueParticipant.objects.filter(dialogue=dialogue),
        Vetting.objects.filter(document__in=documents),
        Commitment.objects.filter(document__in=documents),
        Briefing.objects.filter(document__in=documents),
        Feedback.objects.filter(briefing__document__in=documents),
        Pilot.objects.filter(document__in=documents),
        ProofPoint.objects.filter(pilot__document__in=documents),
        OutcomeRecord.objects.filter(programme=programme),
        CommuniqueAdoption.objects.filter(programme=programme),
        Risk.objects.filter(programme=programme),
    ):
        _write_names(queryset, mentions)

    today = timezone.localdate()
    IndicatorValue.objects.create(
        indicator=world.indicator,
        period_start=today.replace(day=1) - datetime.timedelta(days=60),
        period_end=today.replace(day=1) - datetime.timedelta(days=31),
        value=Decimal("55"),
        evidence=f"Convoy log kept by {names['full_name'].text}.",
        comment=f"{mentions[1]}.",
        disaggregation="North",
        recorded_by=world.reader,
    )
    learning = LearningEntry.objects.create(
        programme=programme,
        failure=f"{mentions[0]}, then the venue leaked.",
        assumption=f"{names['nickname'].text} can travel.",
        decision="Meet outside the valley.",
        recorded_by=world.reader,
    )
    learning.dialogues.add(dialogue)
    ExpectationStatement.objects.create(
        programme=programme,
        audience=f"{names['alias'].text}'s delegation",
        statement=f"{mentions[3]}: options, not promises.",
        made_on=today,
        recorded_by=world.reader,
    )
    for canary in canaries:
        log_capture.watch(canary.text)
    return canaries


def _named_shared_non_paper(world, names):
    """A non-paper naming the participant, delivered after a facilitator let the names stay,
    and shared with donors: every reader without identity permission gets it with the names
    withheld."""
    facilitator = world.facilitator
    document = document_services.non_paper_create_from_package(
        dialogue=world.dialogue, actor=facilitator, title="Convoy non-paper"
    )
    document = save(
        document,
        facilitator,
        title=f"Convoy non-paper ({names['full_name'].text})",
        **non_paper_content(
            problem=f"{names['alias'].text} and {names['nickname'].text} proposed the convoys.",
            legal_notes=f"Cleared with {names['full_name'].text.lower()}.",
        ),
    )
    document_services.guard_override(
        document=document, actor=facilitator, reason="The named person asked to be credited."
    )
    document = deliver(document, facilitator)
    return document_services.document_set_shareable(
        document=document, actor=facilitator, shareable=True
    )


# --- Scanning ---------------------------------------------------------------------------------

# Characters a renderer may put inside a word: soft hyphens (WeasyPrint's hyphenation),
# zero-width spaces and joiners, the byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_TAG = re.compile(r"<[^>]*>")


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.translate(_INVISIBLE))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Leak:
    where: str  # the request or file, and the part of it (a ZIP member, PDF metadata ...)
    canary: Canary
    context: str

    def __str__(self):
        canary = self.canary
        return (
            f"{self.where}: {canary.text} ({canary.field}, {canary.programme} programme) "
            f"in …{self.context}…"
        )


def _pdf_texts(content):
    reader = PdfReader(io.BytesIO(content))
    texts = [("PDF page text", page.extract_text() or "") for page in reader.pages]
    metadata = reader.metadata or {}
    texts.append(("PDF metadata", "\n".join(f"{k} {v}" for k, v in metadata.items())))
    if reader.outline:
        texts.append(("PDF outline", repr(reader.outline)))
    return texts


def _xlsx_texts(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=False)
    texts = []
    properties = workbook.properties
    texts.append(
        (
            "XLSX properties",
            " ".join(
                str(getattr(properties, name) or "")
                for name in ("title", "subject", "creator", "keywords", "description", "category")
            ),
        )
    )
    for sheet in workbook.worksheets:
        cells = [sheet.title]
        for row in sheet.iter_rows():
            cells.extend("" if cell.value is None else str(cell.value) for cell in row)
        texts.append((f"XLSX sheet {sheet.title}", "\n".join(cells)))
    return texts


def _kind_of(content, content_type):
    content_type = (content_type or "").lower()
    if content.startswith(b"%PDF"):
        return "pdf"
    if content.startswith(b"PK\x03\x04") or content.startswith(b"PK\x05\x06"):
        return "xlsx" if "spreadsheetml" in content_type else "zip"
    if "calendar" in content_type or content.startswith(b"BEGIN:VCALENDAR"):
        return "ics"
    if "json" in content_type:
        return "json"
    if "csv" in content_type:
        return "csv"
    if "xml" in content_type:
        return "xml"
    return "html"


def file_texts(content, content_type=""):
    """[(part, text)] of everything a reader of `content` could see in it: the raw bytes,
    decoded, and what each format holds (PDF page text and metadata, every XLSX cell, every
    member of a ZIP, unfolded iCalendar lines, JSON strings unescaped, HTML without its tags
    and entities). Also returns the format found."""
    kind = _kind_of(content, content_type)
    raw = content.decode("utf-8", errors="replace")
    texts = [("raw", raw)]
    if kind == "pdf":
        texts.extend(_pdf_texts(content))
    elif kind in ("zip", "xlsx"):
        if kind == "xlsx":
            texts.extend(_xlsx_texts(content))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.infolist():
                texts.append((f"ZIP member name {member.filename}", member.filename))
                inner, _inner_kind = file_texts(archive.read(member))
                texts.extend((f"{member.filename}: {part}", text) for part, text in inner)
    elif kind == "ics":
        # Lines longer than 75 octets are folded with a line break and a space.
        texts.append(("iCalendar", re.sub(r"\r?\n[ \t]", "", raw).replace("\\,", ",")))
    elif kind == "json":
        texts.append(("JSON", json.dumps(json.loads(raw), ensure_ascii=False)))
    elif kind in ("html", "xml"):
        texts.append(("text", html.unescape(_TAG.sub(" ", raw))))
    return texts, kind


def find_in(where, texts, canaries):
    """Every canary found in `texts` ([(part, text)]), once per canary and part."""
    leaks = []
    for part, text in texts:
        folded = _fold(text)
        for canary in canaries:
            match = canary.pattern.search(folded)
            if match:
                start, end = max(0, match.start() - 40), match.end() + 40
                context = " ".join(folded[start:end].split())
                leaks.append(Leak(f"{where} [{part}]", canary, context))
    return leaks


def scan(where, content, content_type, canaries, headers=None):
    """(leaks, format) of one response or file: its body in every form file_texts reads, and
    its headers (a file name in Content-Disposition, a Location)."""
    texts, kind = file_texts(content, content_type)
    if headers:
        texts.append(("headers", "\n".join(f"{k}: {v}" for k, v in headers.items())))
    return find_in(where, texts, canaries), kind
