"""The risk register: risks with an owner and a review date, do-no-harm red lines,
expectation-management statements, the consent and confidentiality checks computed from the
data. The reminders that a risk is due for review are in monitoring.services.risk_reviews.

Callers check access first (monitoring.permissions: get_programme_for_risks,
get_risk_for_user, get_programme_for_red_lines); these services trust the programme, risk and
actor they are given, never the owner.

Texts are refused when they name a participant of the programme (full name or alias, as
dialogues.services.attribution finds them): the register is read by team members who may not
see identities, risk titles go out in reminders, and expectation statements reach donors.
Refer to people by their role or their code.

Red lines are never written to a notification, an e-mail, an export or a log line.

Definitions (the register page repeats them):

- A participant *without recorded consent* is a place on the roster of a dialogue still in
  its workflow (not closed or abandoned) whose invitation is open or confirmed and which has
  no consent date. Declined and withdrawn places are not counted: the person is not taking
  part. (A confirmed place needs consent in the database too, so in practice these are open
  invitations.)
- Parley's documents take their handling rule from their dialogue's ground rules, so a
  document *without a classification* is a non-paper or aide-mémoire (each version counts)
  of a dialogue that has neither a Chatham House Rule nor a non-attribution ground rule.
- An aide-mémoire *with many readers* is one (each version counts) on which more than
  CROWDED_READERS people are named as readers (django-guardian read_document grants, as
  uptake.services.readers makes them).
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import get_objects_for_user

from dialogues.models import Dialogue, DialogueParticipant, GroundRule, Membership, Participant
from dialogues.permissions import may_see_identity
from dialogues.services.attribution import Redactor, name_refusals
from monitoring.models import ExpectationStatement, RedLine, Risk, RiskReviewReminder
from uptake.models import Document
from uptake.permissions import READ_DOCUMENT
from uptake.services.ladder import programme_today

Role = Membership.Role
State = RiskReviewReminder.State

# More readers than this on one aide-mémoire is flagged: each is a copy that could leak.
CROWDED_READERS = 5
# The ground rules that set how a dialogue's documents are handled.
CLASSIFYING_RULES = (GroundRule.Kind.CHATHAM_HOUSE, GroundRule.Kind.NON_ATTRIBUTION)
# Roster places that still call for consent.
CONSENT_STATUSES = (DialogueParticipant.Status.INVITED, DialogueParticipant.Status.CONFIRMED)

RISK_FIELDS = (
    "title",
    "description",
    "likelihood",
    "impact",
    "owner",
    "mitigation",
    "review_on",
)
RISK_TEXT_FIELDS = ("title", "description", "mitigation")


# --- Texts that never name a participant -----------------------------------------------------


def _save(obj, programme, texts, message, errors=None):
    """full_clean `obj` and refuse texts naming a participant, all errors at once."""
    errors = {**(errors or {}), **name_refusals(programme, texts, message)}
    try:
        obj.full_clean()
    except ValidationError as invalid:
        errors = {**invalid.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    obj.save()
    return obj


_RISK_NAMES_MESSAGE = gettext_lazy(
    "This text names a participant: refer to people by their role or code. The register is "
    "read by team members who may not see identities."
)


# --- Risks ------------------------------------------------------------------------------


def risk_owners(programme):
    """Who may own a risk of `programme`: active team members other than donors, by name.
    One query."""
    memberships = (
        Membership.objects.filter(programme=programme, user__is_active=True)
        .exclude(role=Role.DONOR)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return [membership.user for membership in memberships]


def _owner_refusal(programme, owner):
    if owner is None:
        return {}
    eligible = (
        Membership.objects.filter(programme=programme, user=owner, user__is_active=True)
        .exclude(role=Role.DONOR)
        .exists()
    )
    if eligible:
        return {}
    return {"owner": [_("Choose an active member of this programme's team who is not a donor.")]}


def _clean_texts(fields):
    return {name: (fields.get(name) or "").strip() for name in RISK_TEXT_FIELDS}


@transaction.atomic
def risk_create(*, programme, actor, **fields):
    """Add a risk to `programme`'s register. Fields are RISK_FIELDS (description optional);
    `owner` is a user. Returns the risk.

    Raises ValidationError, keyed by field, for a missing or invalid value, an owner who is
    not an active non-donor member of the team, or a text naming a participant.
    Caller: a facilitator or programme officer."""
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise ValueError(f"Unknown risk fields: {sorted(unknown)}")
    texts = _clean_texts(fields)
    risk = Risk(
        programme=programme,
        created_by=actor,
        likelihood=fields.get("likelihood"),
        impact=fields.get("impact"),
        owner=fields.get("owner"),
        review_on=fields.get("review_on"),
        **texts,
    )
    errors = _owner_refusal(programme, fields.get("owner"))
    return _save(risk, programme, texts, _RISK_NAMES_MESSAGE, errors)


def _refuse_unless_open(risk):
    if risk.status != Risk.Status.OPEN:
        raise ValidationError(
            _("This risk is closed. Record a new risk if it has come back."), code="closed"
        )


def _cancel_pending_reviews(risk, *, keep_due_on=None):
    """Cancel the risk's pending review reminders, except one for `keep_due_on`."""
    pending = RiskReviewReminder.objects.filter(risk=risk, state=State.PENDING)
    if keep_due_on is not None:
        pending = pending.exclude(due_on=keep_due_on)
    return pending.update(state=State.CANCELLED)


@transaction.atomic
def risk_update(*, risk, actor, expected_updated_at=None, **fields):
    """Change an open risk: any of RISK_FIELDS. A pending review reminder for another date
    than the new review date is cancelled (the review was moved). Returns the risk.

    `expected_updated_at` is when the risk was last saved as the editor saw it: if someone
    saved it since, nothing is changed, so neither loses their work. Raises ValidationError
    for a closed risk, a risk changed meanwhile (code "conflict"), and as risk_create.
    Caller: a facilitator or programme officer."""
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise ValueError(f"Unknown risk fields: {sorted(unknown)}")
    locked = Risk.objects.select_for_update().get(pk=risk.pk)
    _refuse_unless_open(locked)
    if expected_updated_at is not None and locked.updated_at != expected_updated_at:
        raise ValidationError(
            _(
                "Someone else changed this risk after you opened it. Your text is kept below: "
                "compare it with the risk as it is now and save again."
            ),
            code="conflict",
        )
    for name, value in fields.items():
        setattr(locked, name, value.strip() if name in RISK_TEXT_FIELDS else value)
    texts = {name: getattr(locked, name) for name in RISK_TEXT_FIELDS}
    errors = _owner_refusal(locked.programme, fields["owner"]) if "owner" in fields else {}
    _save(locked, locked.programme, texts, _RISK_NAMES_MESSAGE, errors)
    _cancel_pending_reviews(locked, keep_due_on=locked.review_on)
    return locked


@transaction.atomic
def risk_close(*, risk, actor):
    """Close an open risk; its pending review reminders are cancelled. Returns the risk.
    Raises ValidationError when it is closed already.
    Caller: a facilitator or programme officer."""
    locked = Risk.objects.select_for_update().get(pk=risk.pk)
    _refuse_unless_open(locked)
    locked.status = Risk.Status.CLOSED
    locked.save(update_fields=["status", "updated_at"])
    _cancel_pending_reviews(locked)
    return locked


def register_risks(programme):
    """The programme's risks for the register, with their owners: open ones first, then by
    score (likelihood times impact, highest first), then by review date. One query."""
    return list(
        Risk.objects.filter(programme=programme)
        .select_related("owner")
        .annotate(
            is_closed=Case(
                When(status=Risk.Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            risk_score=F("likelihood") * F("impact"),
        )
        .order_by("is_closed", "-risk_score", "review_on", "pk")
    )


# --- Red lines and expectation statements -----------------------------------------------


@transaction.atomic
def red_line_create(*, programme, actor, statement, harm):
    """Record a do-no-harm red line of `programme`. Returns it.

    Raises ValidationError, keyed by field, for a missing text or one naming a participant
    (a programme officer reading it may not see identities).
    Caller: a facilitator or programme officer (monitoring.permissions.may_read_red_lines)."""
    texts = {"statement": (statement or "").strip(), "harm": (harm or "").strip()}
    red_line = RedLine(programme=programme, recorded_by=actor, **texts)
    message = _(
        "This text names a participant: describe who could be harmed by their role or "
        "community, never by name."
    )
    return _save(red_line, programme, texts, message)


@transaction.atomic
def expectation_statement_create(*, programme, actor, audience, statement, made_on):
    """Record what the programme told an audience it could and could not do (options, not
    promises). Returns it.

    Raises ValidationError, keyed by field, for a missing value, a date after today on the
    programme's calendar, or a text naming a participant (these statements reach donors).
    Caller: a facilitator or programme officer."""
    texts = {"audience": (audience or "").strip(), "statement": (statement or "").strip()}
    expectation = ExpectationStatement(
        programme=programme, recorded_by=actor, made_on=made_on, **texts
    )
    errors = {}
    if isinstance(made_on, datetime.date) and made_on > programme_today(programme):
        errors["made_on"] = [_("A statement is recorded once it has been made: not a future date.")]
    message = _(
        "This text names a participant: name the group or institution, never a person. "
        "Expectation statements reach donors."
    )
    return _save(expectation, programme, texts, message, errors)


# --- Consent and confidentiality checks ---------------------------------------------------


@dataclass(frozen=True)
class ConsentGap:
    """The roster places of one dialogue without recorded consent. `people` are labels
    ("name (code)") for a viewer who may see identities, otherwise empty."""

    dialogue_public_id: object
    dialogue_title: str
    count: int
    people: tuple = ()


@dataclass(frozen=True)
class FlaggedDocument:
    """A document a check flags, as one viewer may see it: `title` is its own only when they
    may read it, `readable` says whether it is. `readers` is set for crowded aide-mémoires."""

    public_id: object
    kind: str
    kind_label: str
    version: int
    title: str
    readable: bool
    dialogue_public_id: object
    dialogue_title: str
    readers: int | None = None


@dataclass(frozen=True)
class ConfidentialityChecks:
    participants_without_consent: int
    unclassified_documents: int
    crowded_aide_memoires: int
    consent_gaps: list = field(default_factory=list)
    unclassified: list = field(default_factory=list)
    crowded: list = field(default_factory=list)
    reader_threshold: int = CROWDED_READERS

    @property
    def all_clear(self):
        return not (
            self.participants_without_consent
            or self.unclassified_documents
            or self.crowded_aide_memoires
        )


def _places_without_consent(programme):
    return DialogueParticipant.objects.filter(
        dialogue__programme=programme,
        status__in=CONSENT_STATUSES,
        consent_given_on__isnull=True,
    ).exclude(dialogue__status__in=Dialogue.FINAL_STATUSES)


def _consent_gaps(programme, *, show_identity, redact):
    places = _places_without_consent(programme)
    counts = (
        places.values("dialogue_id", "dialogue__public_id", "dialogue__title")
        .annotate(count=Count("pk"))
        .order_by("dialogue__title", "dialogue_id")
    )
    people = {}
    if show_identity:
        for place in places.select_related("participant").order_by("participant__code"):
            people.setdefault(place.dialogue_id, []).append(
                place.participant.label(show_identity=True)
            )
    return [
        ConsentGap(
            dialogue_public_id=row["dialogue__public_id"],
            dialogue_title=redact(row["dialogue__title"]),
            count=row["count"],
            people=tuple(people.get(row["dialogue_id"], ())),
        )
        for row in counts
    ]


def _unclassified_documents(programme):
    classified = GroundRule.objects.filter(
        dialogue=OuterRef("dialogue"), kind__in=CLASSIFYING_RULES
    )
    return list(
        Document.objects.filter(dialogue__programme=programme)
        .filter(~Exists(classified))
        .select_related("dialogue")
        .order_by("dialogue__title", "dialogue_id", "kind", "title", "version", "pk")
    )


def _crowded_aide_memoires(programme):
    grants = "documentuserobjectpermission"
    readers = Count(
        f"{grants}__user",
        filter=Q(**{f"{grants}__permission__codename": READ_DOCUMENT}),
        distinct=True,
    )
    return list(
        Document.objects.aide_memoires()
        .filter(dialogue__programme=programme)
        .annotate(reader_count=readers)
        .filter(reader_count__gt=CROWDED_READERS)
        .select_related("dialogue")
        .order_by("-reader_count", "dialogue__title", "title", "version", "pk")
    )


def _readable_aide_memoires(viewer, documents):
    """The pks of the aide-mémoires among `documents` that `viewer` is named on (as
    uptake.permissions.document_access decides it). One query, none without any."""
    ids = [document.pk for document in documents if document.is_aide_memoire]
    if viewer is None or not ids:
        return set()
    named = get_objects_for_user(
        viewer,
        f"uptake.{READ_DOCUMENT}",
        Document.objects.filter(pk__in=ids),
        accept_global_perms=False,
    )
    return set(named.values_list("pk", flat=True))


def _flag(document, readable, redact, readers=None):
    dialogue_title = redact(document.dialogue.title)
    if readable:
        title = redact(document.title)
    else:
        title = _("An aide-mémoire of “%(dialogue)s”") % {"dialogue": dialogue_title}
    return FlaggedDocument(
        public_id=document.public_id,
        kind=document.kind,
        kind_label=str(document.get_kind_display()),
        version=document.version,
        title=title,
        readable=readable,
        dialogue_public_id=document.dialogue.public_id,
        dialogue_title=dialogue_title,
        readers=readers,
    )


def confidentiality_checks(programme, *, viewer=None, redact=None):
    """The consent and confidentiality checks of `programme` (definitions in this module's
    docstring): the three counts, and the detail behind them written for `viewer`.

    Participants' names and codes are listed only for a viewer who may see identities; an
    aide-mémoire's title only for a viewer named on it (otherwise "an aide-mémoire of
    <dialogue>"); titles have participants' names withheld from a viewer who may not see
    them. Without a viewer, the details list no people and no aide-mémoire title, and
    titles withhold every name unless the caller passes `redact`: the reader's own
    Redactor (dialogues.services.attribution.reader_redactor), which it must have built for
    the same programme.

    Queries: the per-dialogue consent counts, [the places with their participants, for a
    viewer who sees identities], the unclassified documents, the crowded aide-mémoires with
    their reader counts, [the viewer's named aide-mémoires among them], [the programme's
    participants, to withhold names, unless the caller passes its reader's `redact`]. None
    grows with the data.
    Caller: someone with view_dialogues on the programme (the register, the officer
    dashboard)."""
    show_identity = viewer is not None and may_see_identity(viewer, programme)
    if redact is None:
        redact = (
            Redactor()
            if show_identity
            else Redactor(Participant.objects.filter(programme=programme))
        )
    consent_gaps = _consent_gaps(programme, show_identity=show_identity, redact=redact)
    unclassified = _unclassified_documents(programme)
    crowded = _crowded_aide_memoires(programme)
    readable = _readable_aide_memoires(viewer, [*unclassified, *crowded])

    def may_read(document):
        return document.is_non_paper or document.pk in readable

    return ConfidentialityChecks(
        participants_without_consent=sum(gap.count for gap in consent_gaps),
        unclassified_documents=len(unclassified),
        crowded_aide_memoires=len(crowded),
        consent_gaps=consent_gaps,
        unclassified=[_flag(each, may_read(each), redact) for each in unclassified],
        crowded=[_flag(each, may_read(each), redact, each.reader_count) for each in crowded],
    )
