"""The non-attribution guard: no participant's name or alias in a document that moves to
ready or leaves Parley, unless a facilitator lets it stay with a written reason."""

from dataclasses import dataclass

from dialogues.services.attribution import dialogue_mention_finder
from uptake import content as document_content
from uptake.models import DocumentEvent

CONTEXT_CHARS = 40


@dataclass(frozen=True)
class GuardHit:
    """A name found in a document: where (a passage label such as "Step 2 · How"), the
    participant and the passage around it, once as written (`context`: only for users who
    may see identities) and once with every name in it replaced by a code (`coded_context`)."""

    passage: str
    participant: object
    term: str
    context: str
    coded_context: str

    def context_for(self, show_identity):
        return self.context if show_identity else self.coded_context


def _cut(text, start, end):
    before = max(0, start - CONTEXT_CHARS)
    after = min(len(text), end + CONTEXT_CHARS)
    snippet = " ".join(text[before:after].split())
    return f"{'…' if before else ''}{snippet}{'…' if after < len(text) else ''}"


def _hits_in(label, text, mentions):
    """Hits for the mentions of one passage; the coded context replaces every mention of the
    passage (not only the one it is about), so no other name slips through."""
    coded, positions, cursor = [], [], 0
    for mention in mentions:
        if mention.start < cursor:  # overlaps the previous mention: already replaced ...
            positions.append(positions[-1])
            # ... but it may run past it ("María José" + "José Ramos"): swallow the rest too.
            cursor = max(cursor, mention.end)
            continue
        coded.append(text[cursor : mention.start])
        offset = sum(len(piece) for piece in coded)
        code = f"[{mention.participant.code}]"
        coded.append(code)
        positions.append((offset, offset + len(code)))
        cursor = mention.end
    coded.append(text[cursor:])
    coded_text = "".join(coded)
    return [
        GuardHit(
            passage=label,
            participant=mention.participant,
            term=mention.term,
            context=mention.context,
            coded_context=_cut(coded_text, *position),
        )
        for mention, position in zip(mentions, positions, strict=True)
    ]


def revision_hits(document, revision):
    """Every participant name or alias in `revision` of `document` (a Revision), in reading
    order. One query (the dialogue's roster)."""
    finder = dialogue_mention_finder(document.dialogue)
    kind = document.kind
    hits = []
    for passage in document_content.passages(
        kind, revision.title, document_content.normalise(kind, revision.content)
    ):
        mentions = finder.find(passage.text)
        if mentions:
            hits.extend(_hits_in(passage.label, passage.text, mentions))
    return hits


def override_for(document, revision_number, hits=None):
    """The override a facilitator recorded for this revision, or None. Given the revision's
    `hits`, None too when the override does not cover all of them: it lists the codes of the
    people named when it was given, so someone whose name was already in the text but who
    joined the roster since is checked afresh."""
    override = (
        DocumentEvent.objects.filter(
            document=document,
            kind=DocumentEvent.Kind.GUARD_OVERRIDDEN,
            revision_number=revision_number,
        )
        .order_by("-at", "-id")
        .first()
    )
    if override is None or hits is None:
        return override
    covered = {hit.participant.code for hit in hits} <= set(override.participant_codes)
    return override if covered else None
