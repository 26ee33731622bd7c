"""Finding participants' names in free text, for the non-attribution rule.

Notes, documents and reports must never attribute a statement to a participant. A name or a
listed alias in such a text is the tell-tale sign, so this module finds them: whole words only,
ignoring case and accents ("José Ramos" matches "jose ramos" and "JOSÉ RAMOS", never
"Joseramos"), treating spaces, line breaks and hyphens between the parts of a name alike.

    finder = MentionFinder(participants)      # compile once ...
    for text in texts:
        mentions = finder.find(text)          # ... scan many texts
        clean = finder.redact(text, "[name withheld]")

A mention carries the participant, so it maps a name to a pseudonymous code: show its details
only to users allowed to see identities.

Pages shown to someone who may not see identities pass every free text of a dialogue (titles,
locations, agendas, notes, file names) through a Redactor built once per request:

    redact = dialogue_redactor(dialogue, show_identity=False)
    redact(session.title)                     # "Lunch with [name withheld]"
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dialogues import permissions
from dialogues.models import Participant

# What a name becomes on a page shown to someone who may not see identities.
NAME_WITHHELD = _("[name withheld]")

# Shorter terms (an alias "J") would flag every other word.
MIN_TERM_LENGTH = 2
CONTEXT_CHARS = 40

# Typographic apostrophes are folded to the plain one, so a curly apostrophe matches a
# straight one; and letters that decomposing leaves whole (a stroke or a missing dot is not
# an accent) to the plain letters people type for them: a Turkish dotless i is written i,
# "Łukasz" "Lukasz", "Søren" "Soren".
_FOLDED_FURTHER = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
    }
)
# Between the parts of a name: any run of spaces, line breaks or hyphen-like dashes.
_NAME_SEPARATOR = r"[\s\-‐‑‒–—]+"
_SPLIT_NAME = re.compile(_NAME_SEPARATOR)
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _fold_char(char):
    decomposed = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().translate(_FOLDED_FURTHER)


def _fold(text):
    """Return the accent- and case-folded text and, for each of its characters, the index of
    the character of `text` it came from (folding may shorten or lengthen the text)."""
    if text.isascii():
        # Decomposing ASCII changes nothing and casefolding it only lowers it: the fast path
        # for most texts, character for character.
        return text.lower().translate(_FOLDED_FURTHER), range(len(text))
    folded, origins = [], []
    for index, char in enumerate(text):
        piece = _fold_char(char)
        folded.append(piece)
        origins.extend([index] * len(piece))
    return "".join(folded), origins


def _term_parts(term):
    """The folded parts of a name or alias, or None when too short to look for."""
    parts = [part for part in _SPLIT_NAME.split(_fold(term)[0]) if part]
    if len("".join(parts)) < MIN_TERM_LENGTH:
        return None
    return parts


def _term_pattern(parts):
    return _NAME_SEPARATOR.join(re.escape(part) for part in parts)


@dataclass(frozen=True)
class Mention:
    """One occurrence of a participant's name or alias in a text.

    `start` and `end` index the original text (text[start:end] is what was written);
    `term` is the name or alias as the register holds it; `context` is the passage around the
    occurrence, on one line, with an ellipsis where it was cut."""

    participant: object
    term: str
    start: int
    end: int
    context: str


class MentionFinder:
    """Precompiled patterns for the names and aliases of some participants.

    `participants` are objects with `full_name` and `alias_list` (dialogues.models.Participant);
    `with_codes` finds their pseudonymous codes too, for readers who may not even see those
    (donors). Compiling is the costly part; reuse one finder for many texts."""

    def __init__(self, participants, *, with_codes=False):
        self._patterns = []
        # Which patterns to try on a text: each term has a part made of word characters
        # only, which a match leaves standing as a whole word of the folded text; index the
        # patterns by the longest such part. A term without one is tried on every text.
        self._by_word = defaultdict(list)
        self._always = []
        for participant in participants:
            terms, words, unindexed = {}, set(), False
            codes = [participant.code] if with_codes else []
            for term in [participant.full_name, *participant.alias_list, *codes]:
                parts = _term_parts(term)
                if parts is None:
                    continue
                terms.setdefault(_term_pattern(parts), term)
                whole_words = [part for part in parts if _WORD.fullmatch(part)]
                if whole_words:
                    words.add(max(whole_words, key=len))
                else:
                    unindexed = True
            if not terms:
                continue
            # Longest first, so "José Ramos" wins over an alias "Ramos" at the same place.
            ordered = sorted(terms, key=len, reverse=True)
            alternation = "|".join(f"(?P<t{i}>{pattern})" for i, pattern in enumerate(ordered))
            compiled = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
            index = len(self._patterns)
            self._patterns.append((participant, compiled, [terms[p] for p in ordered]))
            if unindexed:
                self._always.append(index)
            for word in words:
                self._by_word[word].append(index)

    def _candidates(self, folded):
        """The patterns that may match `folded`, in the order they were built."""
        found = set(self._always)
        for word in set(_WORD.findall(folded)) & self._by_word.keys():
            found.update(self._by_word[word])
        return [self._patterns[index] for index in sorted(found)]

    def find(self, text):
        """Every mention in `text`, in reading order."""
        if not text or not self._patterns:
            return []
        folded, origins = _fold(text)
        mentions = []
        for participant, compiled, terms in self._candidates(folded):
            for match in compiled.finditer(folded):
                start, end = origins[match.start()], origins[match.end() - 1] + 1
                mentions.append(
                    Mention(
                        participant=participant,
                        term=terms[int(match.lastgroup[1:])],
                        start=start,
                        end=end,
                        context=_context(text, start, end),
                    )
                )
        mentions.sort(key=lambda mention: (mention.start, mention.end))
        return mentions

    def redact(self, text, replacement):
        """`text` with every mention replaced by `replacement`."""
        spans = []
        for mention in self.find(text):
            if spans and mention.start < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], mention.end))
            else:
                spans.append((mention.start, mention.end))
        pieces, cursor = [], 0
        for start, end in spans:
            pieces += [text[cursor:start], replacement]
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces)


def _context(text, start, end):
    before_start = max(0, start - CONTEXT_CHARS)
    after_end = min(len(text), end + CONTEXT_CHARS)
    snippet = " ".join(text[before_start:after_end].split())
    return f"{'…' if before_start else ''}{snippet}{'…' if after_end < len(text) else ''}"


def find_participant_mentions(text, participants):
    """Every whole-word, case- and accent-insensitive occurrence in `text` of the full name or
    a listed alias of one of `participants`, in reading order, as Mention objects (the
    participant, the term matched, its position in `text` and a short context).

    Pure: no database access. To scan several texts, build a MentionFinder once."""
    return MentionFinder(participants).find(text)


def dialogue_mention_finder(dialogue):
    """A MentionFinder for everyone on the dialogue's roster, whatever their status: a name
    stays sensitive after the person declines or withdraws. One query."""
    return MentionFinder(_roster_participants(dialogue))


def actor_sees_identity(actor, programme):
    """Whether `actor` may see participants' identities on `programme`. No actor (a script, a
    test) is treated like a user without identity: unknown state denies."""
    return actor is not None and permissions.may_see_identity(actor, programme)


def refuse_if_names_withheld(*, actor, dialogue, texts, message):
    """Raise ValidationError(`message`, code "names_withheld") when `actor` may not see
    identities and one of `texts` names a participant of `dialogue`. Such texts are shown to
    them with the names withheld, so they may not edit them: the form would show the names,
    and saving would overwrite what they could not read."""
    if actor_sees_identity(actor, dialogue.programme):
        return
    finder = dialogue_mention_finder(dialogue)
    if any(finder.find(text) for text in texts):
        raise ValidationError(message, code="names_withheld")


def programme_mention_finder(programme):
    """A MentionFinder for everyone on the programme's register. One query."""
    return MentionFinder(Participant.objects.filter(programme=programme))


def name_refusals(programme, texts, message):
    """{field: `message`} for each of `texts` ({field: text}) naming a participant of
    `programme`: for texts read by team members who may not see identities, where nobody
    may write a name. One query."""
    finder = programme_mention_finder(programme)
    return {field: message for field, text in texts.items() if finder.find(text)}


class Redactor:
    """Free text of a dialogue as one reader may see it: unchanged for someone who may see
    identities (participants=None), with every name and alias of `participants` replaced for
    anyone else. Build one per request and call it for each text."""

    # Templates get the redactor itself ({{ text|names_withheld:redact }}), not a call of it.
    do_not_call_in_templates = True

    def __init__(self, participants=None, *, with_codes=False):
        self._finder = (
            None if participants is None else MentionFinder(participants, with_codes=with_codes)
        )

    @property
    def hides_names(self):
        return self._finder is not None

    def __call__(self, text, replacement=NAME_WITHHELD):
        if self._finder is None or not text:
            return text
        return self._finder.redact(text, str(replacement))


def dialogue_redactor(dialogue, *, show_identity):
    """A Redactor for the dialogue's roster, or one that changes nothing when the reader may
    see identities. One query when names are to be hidden, none otherwise."""
    if show_identity:
        return Redactor()
    return Redactor(_roster_participants(dialogue))


def _roster_participants(dialogue):
    return Participant.objects.filter(dialogue_places__dialogue=dialogue)


def programme_redactor(programme, *, show_identity, with_codes=False):
    """A Redactor for every participant of the programme (for pages that span its
    dialogues), or one that changes nothing when the reader may see identities. With
    `with_codes`, their codes are withheld too (for donors). One query when names are to be
    hidden, none otherwise."""
    if show_identity:
        return Redactor()
    return Redactor(Participant.objects.filter(programme=programme), with_codes=with_codes)


def reader_redactor(user, programme):
    """programme_redactor for what `user` may see: the identity check (two queries), then
    the participants when names are withheld."""
    return programme_redactor(programme, show_identity=actor_sees_identity(user, programme))


def checked_redactor(checker, programmes):
    """One Redactor for what the reader whose permissions `checker` holds (an
    ObjectPermissionChecker with them loaded) may see across `programmes`: it withholds the
    names of the participants of every programme on which they may not see identities.
    No query for the check, one for the participants when names are to be hidden."""
    hidden = [p for p in programmes if not checker.has_perm(permissions.VIEW_IDENTITY, p)]
    if not hidden:
        return Redactor()
    return Redactor(Participant.objects.filter(programme__in=hidden))
