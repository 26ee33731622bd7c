"""Legal and operational vetting of non-paper versions: the gate before relay.

A legal reviewer records a verdict per framework, on the whole text or on one step. A
version is cleared when every framework has a passing verdict on the whole text and nothing
(whole text or step) is blocked; the VettingClearance row exists exactly then, and a
briefing recorded as briefed must point at it (a database constraint)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uptake import content as document_content
from uptake.models import (
    Document,
    Revision,
    Vetting,
    VettingClearance,
    VettingFramework,
    VettingVerdict,
)

# A version is vetted once its text stops changing.
VETTABLE_STATUSES = frozenset({Document.Status.READY, Document.Status.DELIVERED})
# Verdicts that must say why.
NOTES_REQUIRED = frozenset({VettingVerdict.BLOCKED, VettingVerdict.CONDITIONS})
NOTES_MAX_LENGTH = 4000


@dataclass
class FrameworkVetting:
    """One framework's verdicts on a version: on the whole text, and per step."""

    framework: VettingFramework
    whole: Vetting | None = None
    steps: list = field(default_factory=list)

    @property
    def label(self):
        return self.framework.label

    @property
    def blocked(self):
        return any(v.verdict == VettingVerdict.BLOCKED for v in self.verdicts)

    @property
    def missing(self):
        return self.whole is None

    @property
    def passes(self):
        return not self.missing and self.whole.passes and not self.blocked

    @property
    def verdicts(self):
        return ([self.whole] if self.whole else []) + self.steps


@dataclass
class VettingSummary:
    """Where a version stands in vetting: per framework (in the frameworks' order), and
    whether it is cleared (its VettingClearance row, `clearance`)."""

    frameworks: list
    clearance: VettingClearance | None

    @property
    def cleared(self):
        return self.clearance is not None

    @property
    def missing(self):
        """The frameworks with no verdict on the whole text yet."""
        return [f for f in self.frameworks if f.missing]

    @property
    def blocked(self):
        """The frameworks with a blocking verdict, on the whole text or a step."""
        return [f for f in self.frameworks if f.blocked]

    def gate_messages(self):
        """Why the version may not be relayed yet, as sentences (empty once cleared)."""
        if self.cleared:
            return []
        lines = [
            _(
                "This version is not cleared for relay: every framework must be cleared, "
                "cleared with conditions or not applicable, and nothing blocked."
            )
        ]
        if self.missing:
            lines.append(
                _("Not yet vetted: %(frameworks)s.")
                % {"frameworks": ", ".join(str(f.label) for f in self.missing)}
            )
        if self.blocked:
            lines.append(
                _("Blocked: %(frameworks)s.")
                % {"frameworks": ", ".join(str(f.label) for f in self.blocked)}
            )
        return lines


def _group(verdicts):
    by_framework = {framework: FrameworkVetting(framework) for framework in VettingFramework}
    for verdict in sorted(verdicts, key=lambda v: (v.step_index is not None, v.step_index or 0)):
        entry = by_framework.get(verdict.framework)
        if entry is None:
            continue  # an unknown framework: the database constraint keeps it out
        if verdict.step_index is None:
            entry.whole = verdict
        else:
            entry.steps.append(verdict)
    return list(by_framework.values())


def _clears(frameworks):
    return all(framework.passes for framework in frameworks)


def vetting_summary(document):
    """Per framework, the verdict on the whole text of `document` (None: not yet vetted) and
    the verdicts on its steps, and whether the version is cleared. Two queries: the
    verdicts and the clearance. Caller: anyone who may see the document's chain."""
    verdicts = list(Vetting.objects.filter(document=document))
    clearance = VettingClearance.objects.filter(document=document).first()
    return VettingSummary(frameworks=_group(verdicts), clearance=clearance)


def version_steps(document):
    """The steps of the version's current text (the ones a step verdict points into)."""
    # Not documents.head_revision: that module imports this one (vetting_reset).
    head = Revision.objects.get(document=document, number=document.head)
    return document_content.normalise(document.kind, head.content)["steps"]


def reviewer_label(actor):
    return actor.get_full_name() or actor.username


def _check_step(step_index, step_count):
    if step_index is None or step_index == "":
        return None
    try:
        step_index = int(step_index)
    except (TypeError, ValueError) as bad:
        raise ValidationError({"step_index": _("Choose a step, or the whole text.")}) from bad
    if not 0 <= step_index < step_count:
        raise ValidationError(
            {
                "step_index": _(
                    "This version has %(count)s steps: choose one of them, or the whole text."
                )
                % {"count": step_count}
            }
        )
    return step_index


@transaction.atomic
def vetting_record(*, document, framework, step_index=None, verdict, notes, actor):
    """Record `actor`'s verdict on non-paper version `document` against `framework`, on the
    whole text (`step_index` None) or on the step at `step_index` (0-based), replacing any
    earlier verdict there. Then the version's clearance follows: created when every
    framework passes on the whole text and nothing is blocked, removed when that stops.

    Raises ValidationError when the document is not a non-paper, is not ready or delivered,
    for an unknown framework or verdict, a step the version does not have, a blocked verdict
    or one with conditions without notes, and for a verdict that would un-clear a version
    already relayed (a briefing recorded as briefed rests on its clearance).
    Caller: a legal reviewer of the programme (ChainAction.VET); the view checks it."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_non_paper:
        raise ValidationError(_("Only a non-paper is vetted."), code="not_non_paper")
    if document.status not in VETTABLE_STATUSES:
        raise ValidationError(
            _(
                "This version is %(status)s: vetting opens when it is ready, once its text "
                "stops changing."
            )
            % {"status": document.get_status_display().lower()},
            code="not_vettable",
        )
    if framework not in VettingFramework.values:
        raise ValidationError({"framework": _("Choose one of the five frameworks.")})
    if verdict not in VettingVerdict.values:
        raise ValidationError({"verdict": _("Choose a verdict.")})
    step_index = _check_step(step_index, len(version_steps(document)))
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise ValidationError(
            {"notes": _("Keep the notes under %(max)s characters.") % {"max": NOTES_MAX_LENGTH}}
        )
    if verdict in NOTES_REQUIRED and not notes:
        raise ValidationError(
            {
                "notes": _(
                    "Say why in the notes: a blocked verdict, or one with conditions, needs them."
                )
            }
        )

    now = timezone.now()
    row = Vetting.objects.filter(
        document=document,
        framework=framework,
        **({"step_index__isnull": True} if step_index is None else {"step_index": step_index}),
    ).first() or Vetting(document=document, framework=framework, step_index=step_index)
    row.verdict = verdict
    row.notes = notes
    row.reviewer = actor
    row.reviewer_name = reviewer_label(actor)[:300]
    row.decided_at = now
    row.full_clean()
    row.save()
    _follow_clearance(document, now)
    return row


def _follow_clearance(document, now):
    """Create or remove the version's clearance to match its verdicts. Inside the caller's
    transaction, with the document locked."""
    frameworks = _group(Vetting.objects.filter(document=document))
    clearance = VettingClearance.objects.filter(document=document).first()
    if _clears(frameworks):
        if clearance is None:
            VettingClearance.objects.create(document=document, cleared_at=now)
        return
    if clearance is None:
        return
    if clearance.briefings.exists():
        # The briefings point at the clearance (PROTECT): what was relayed stays relayed.
        raise ValidationError(
            _(
                "This version was already relayed (a briefing was recorded as briefed), so "
                "it can no longer be blocked: record the concern as feedback and iterate; "
                "the next version is vetted afresh."
            ),
            code="already_relayed",
        )
    clearance.delete()


def vetting_reset(*, document):
    """Forget the verdicts on `document` and its clearance: its text is about to change
    (a ready version moved back to review or draft), so it must be vetted afresh.
    Caller: document_transition, inside its transaction. A version with briefings is
    delivered and never moves back, so no briefing points at the clearance removed here."""
    Vetting.objects.filter(document=document).delete()
    VettingClearance.objects.filter(document=document).delete()
