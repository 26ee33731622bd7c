"""The conflict-and-dialogue map: actors, their alliances, and dated actor-pair relations,
with the CSV format of the map in both directions (export and all-or-nothing import).

Every change first locks the programme row, so two people editing the same map are
serialised: neither can slip a duplicate actor name or a second state for the same pair and
day past the checks below."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from dialogues.models import Actor, ActorRelation, Programme

# The CSV columns, in order. Import accepts the header in English or in the user's language.
CSV_COLUMNS = (
    gettext_lazy("Actor"),
    gettext_lazy("Actor"),
    gettext_lazy("Conflict status"),
    gettext_lazy("Dialogue status"),
    gettext_lazy("As of"),
    gettext_lazy("Notes"),
)
# Notes are optional: a file may stop after "As of".
CSV_REQUIRED_COLUMNS = 5
CSV_MAX_BYTES = 2 * 1024 * 1024
# Each row is recorded through actor_relation_record with its checks; the cap keeps one
# upload well inside a request's time.
CSV_MAX_ROWS = 5000
# A long list of problems helps no one: the first ones show what is wrong with the file.
CSV_MAX_LISTED_PROBLEMS = 50
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _lock(programme):
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _members_within(alliance):
    """The ids of every actor inside `alliance`, however deeply nested (one query per level;
    alliances are shallow)."""
    found, frontier = set(), {alliance.pk}
    while frontier:
        members = set(
            Actor.alliances.through.objects.filter(to_actor_id__in=frontier).values_list(
                "from_actor_id", flat=True
            )
        )
        frontier = members - found
        found |= members
    return found


def _alliance_problems(*, programme, subject, kind, alliances):
    errors = {}
    # Alliances the subject contains, directly or through other alliances: joining one of
    # them would make a loop (A in B and B in A).
    contained = _members_within(subject) if subject.pk is not None else set()
    for alliance in alliances:
        if subject.pk is not None and alliance.pk == subject.pk:
            errors["alliances"] = _("An alliance cannot be a member of itself.")
        elif alliance.pk in contained:
            errors["alliances"] = _(
                "“%(name)s” is itself a member of this alliance: alliances cannot contain "
                "each other."
            ) % {"name": alliance.name}
        elif alliance.programme_id != programme.pk or alliance.kind != Actor.Kind.ALLIANCE:
            errors["alliances"] = _(
                "“%(name)s” is not an alliance on this map: only actors of kind alliance "
                "have members."
            ) % {"name": alliance.name}
    if subject.pk is not None and kind != Actor.Kind.ALLIANCE:
        members = [member.name for member in subject.members.order_by("name")[:4]]
        if members:
            errors["kind"] = _(
                "This alliance has members (%(names)s): it stays an alliance until they leave it."
            ) % {"names": ", ".join(members[:3]) + ("…" if len(members) > 3 else "")}
    return errors


def _save_actor(*, programme, subject, name, kind, alliances, notes):
    programme = _lock(programme)
    if subject.pk is not None:
        subject = Actor.objects.select_for_update().get(pk=subject.pk)
    name = " ".join(name.split())
    # Compared in Python because SQLite's lower() folds ASCII letters only; CSV import
    # matches names the same way, so no two actors may differ by case alone.
    taken = {
        existing.casefold(): existing
        for existing in programme.actors.exclude(pk=subject.pk).values_list("name", flat=True)
    }
    errors = _alliance_problems(
        programme=programme, subject=subject, kind=kind, alliances=alliances
    )
    if name.casefold() in taken:
        errors["name"] = _("There is already an actor called “%(name)s” on this map.") % {
            "name": taken[name.casefold()]
        }
    if errors:
        raise ValidationError(errors)
    subject.programme = programme
    subject.name, subject.kind, subject.notes = name, kind, notes
    subject.full_clean()
    try:
        with transaction.atomic():
            subject.save()
    except IntegrityError as duplicate:
        raise ValidationError(
            {"name": _("There is already an actor called “%(name)s” on this map.") % {"name": name}}
        ) from duplicate
    subject.alliances.set(alliances)
    return subject


@transaction.atomic
def actor_create(*, programme, name, kind, alliances=(), notes="", actor):
    """Put an actor on the programme's map, with the alliances it belongs to.

    Raises ValidationError for a name already on the map (in any case), or an alliance that
    is not an actor of kind alliance on this map. Caller: someone with design_dialogues."""
    return _save_actor(
        programme=programme,
        subject=Actor(),
        name=name,
        kind=kind,
        alliances=list(alliances),
        notes=notes,
    )


@transaction.atomic
def actor_update(*, map_actor, name, kind, alliances, notes, actor):
    """Change an actor's name, kind, alliances and notes.

    Raises ValidationError for a name another actor has (in any case), an alliance made a
    member of itself or a non-alliance chosen as alliance, and an alliance with members
    changed to another kind. Caller: someone with design_dialogues."""
    return _save_actor(
        programme=map_actor.programme,
        subject=map_actor,
        name=name,
        kind=kind,
        alliances=list(alliances),
        notes=notes,
    )


def _relation_problems(*, programme, actor_one, actor_two, as_of):
    """What is wrong with recording a state for this pair and date, by form field name;
    empty when nothing is. Shared by the service and the CSV import's validation."""
    errors = {}
    if actor_one.programme_id != programme.pk or actor_two.programme_id != programme.pk:
        errors[NON_FIELD_ERRORS] = _("Both actors must be on this programme's map.")
    elif actor_one.pk == actor_two.pk:
        errors["actor_two"] = _(
            "The same actor is named twice: a relation is between two different actors."
        )
    if as_of > timezone.localdate():
        errors["as_of"] = _(
            "The as-of date %(date)s is in the future: record a state once it holds."
        ) % {"date": as_of.isoformat()}
    return errors


@transaction.atomic
def actor_relation_record(
    *, programme, actor_one, actor_two, as_of, conflict_status, dialogue_status, notes, actor
):
    """Record the state of the pair (actor_one, actor_two) as of `as_of`.

    The pair is stored lower actor id first, so (A, B) and (B, A) are one pair. A state
    already recorded for the pair on that day is replaced: a correction, not a new row.
    Returns (relation, created). Raises ValidationError for the same actor twice, an actor of
    another programme, a date in the future or an unknown status. Caller: someone with
    design_dialogues."""
    errors = _relation_problems(
        programme=programme, actor_one=actor_one, actor_two=actor_two, as_of=as_of
    )
    if errors:
        raise ValidationError(errors)
    _lock(programme)
    first, second = sorted((actor_one, actor_two), key=attrgetter("pk"))
    relation = (
        ActorRelation.objects.select_for_update()
        .filter(actor_a=first, actor_b=second, as_of=as_of)
        .first()
    )
    created = relation is None
    if created:
        relation = ActorRelation(programme=programme, actor_a=first, actor_b=second, as_of=as_of)
    relation.conflict_status = conflict_status
    relation.dialogue_status = dialogue_status
    relation.notes = notes
    relation.recorded_by = actor
    relation.full_clean()
    relation.save()
    return relation, created


def protect_cell(value):
    """The cell as written to CSV: a leading quote stops spreadsheets running it."""
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def unprotect_cell(value):
    """Undo protect_cell, so an exported file imports as it was."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def actor_map_csv_rows(relations):
    """The header and one row per relation, every cell protected against CSV injection.
    `relations` should come with actor_a and actor_b selected."""
    yield [protect_cell(column) for column in CSV_COLUMNS]
    for relation in relations:
        yield [
            protect_cell(cell)
            for cell in (
                relation.actor_a.name,
                relation.actor_b.name,
                relation.get_conflict_status_display(),
                relation.get_dialogue_status_display(),
                relation.as_of.isoformat(),
                relation.notes,
            )
        ]


@dataclass(frozen=True)
class ImportRow:
    line: int
    actor_one: Actor
    actor_two: Actor
    as_of: date
    conflict_status: str
    dialogue_status: str
    notes: str


def _in_english_and_current_language(text):
    with translation.override("en"):
        english = str(text)
    return {english.casefold(), str(text).casefold()}


def _status_lookup(choices):
    """Stored code and label (English or the user's language), case-insensitive, to code."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.casefold()] = value
        for text in _in_english_and_current_language(label):
            lookup[text] = value
    return lookup


def _header_matches(cells):
    names = [cell.strip().casefold() for cell in cells]
    if len(names) not in (CSV_REQUIRED_COLUMNS, len(CSV_COLUMNS)):
        return False
    return all(
        name in _in_english_and_current_language(column)
        for name, column in zip(names, CSV_COLUMNS, strict=False)
    )


def csv_header():
    """The header line, in the user's language, as export writes it."""
    return ",".join(str(column) for column in CSV_COLUMNS)


def _records(text):
    """(first line number, cells) of each non-blank record; a quoted cell may span lines."""
    sample = text.split("\n", 1)[0]
    # Spreadsheets in many locales save "CSV" with semicolons.
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield line, cells
            line = reader.line_num + 1
    except csv.Error as unreadable:
        # Files with NUL bytes are refused before: what is left is a cell past the csv
        # module's limit, often a quote that is never closed and swallows the lines after it.
        raise ValidationError(
            _(
                "Line %(line)s cannot be read as CSV: a cell there is longer than %(limit)s "
                "characters, or a quote opened there is never closed. Nothing was imported."
            )
            % {"line": line, "limit": csv.field_size_limit()}
        ) from unreadable


class _RowChecker:
    """Turns one CSV record into an ImportRow, or says why it cannot be one."""

    def __init__(self, programme):
        self.programme = programme
        self.actors, self.ambiguous = {}, set()
        for candidate in programme.actors.all():
            key = candidate.name.casefold()
            if key in self.actors:
                self.ambiguous.add(key)
            self.actors[key] = candidate
        self.conflict = _status_lookup(ActorRelation.ConflictStatus)
        self.dialogue = _status_lookup(ActorRelation.DialogueStatus)
        self.seen = {}

    def _actor(self, name, problems):
        key = name.casefold()
        if not name:
            problems.append(_("an actor's name is missing"))
        elif key in self.ambiguous:
            problems.append(
                _("several actors are called “%(name)s”: rename one on the map") % {"name": name}
            )
        elif key not in self.actors:
            problems.append(_("Actor “%(name)s” is not on the map: add it first") % {"name": name})
        else:
            return self.actors[key]
        return None

    def _status(self, lookup, text, problems, message):
        status = lookup.get(text.casefold())
        if status is None:
            problems.append(message % {"status": text})
        return status

    def _date(self, text, problems):
        if ISO_DATE.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        problems.append(
            _("“%(date)s” is not a date written as YYYY-MM-DD, e.g. 2026-03-31") % {"date": text}
        )
        return None

    def check(self, line, cells, width):
        """Returns (row, problems): the ImportRow when problems is empty."""
        if len(cells) != width:
            return None, [
                _("it has %(found)s columns where the header has %(expected)s")
                % {"found": len(cells), "expected": width}
            ]
        cells = [unprotect_cell(cell.strip()) for cell in cells]
        problems = []
        one = self._actor(cells[0], problems)
        two = self._actor(cells[1], problems)
        conflict = self._status(
            self.conflict, cells[2], problems, _("“%(status)s” is not a conflict status")
        )
        dialogue = self._status(
            self.dialogue, cells[3], problems, _("“%(status)s” is not a dialogue status")
        )
        as_of = self._date(cells[4], problems)
        if one is None or two is None or as_of is None:
            return None, problems
        for message in _relation_problems(
            programme=self.programme, actor_one=one, actor_two=two, as_of=as_of
        ).values():
            problems.append(str(message).rstrip("."))
        pair = (*sorted((one.pk, two.pk)), as_of)
        if pair in self.seen:
            problems.append(
                _("the same pair and date are already on line %(line)s") % {"line": self.seen[pair]}
            )
        else:
            self.seen[pair] = line
        if problems:
            return None, problems
        notes = cells[5] if width > CSV_REQUIRED_COLUMNS else ""
        return ImportRow(line, one, two, as_of, conflict, dialogue, notes), []


def _line_problem(line, problems):
    return _("Line %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)}


def _refuse(problems):
    """A ValidationError listing the first problems, each line once, and how many more."""
    listed = problems[:CSV_MAX_LISTED_PROBLEMS]
    hidden = len(problems) - len(listed)
    if hidden:
        listed.append(
            ngettext(
                "…and %(count)s more line with problems.",
                "…and %(count)s more lines with problems.",
                hidden,
            )
            % {"count": hidden}
        )
    summary = ngettext(
        "Nothing was imported: %(count)s line has a problem. Correct it and upload the file again.",
        "Nothing was imported: %(count)s lines have problems. Correct them and upload the file "
        "again.",
        len(problems),
    ) % {"count": len(problems)}
    return ValidationError([summary, *listed])


def actor_map_csv_read(*, programme, text):
    """Parse and check a whole CSV file of actor-pair states, without writing anything.

    Returns the list of ImportRow. Raises ValidationError for a missing header, no rows, too
    many rows, a line the csv module cannot read (naming it), or listing every bad line with
    its number and reason (wrong column count,
    unknown actor, the same actor twice, unknown status, bad or future date, the same pair
    and date twice in the file). Caller: someone with design_dialogues."""
    records = _records(text.removeprefix("\ufeff"))
    first = next(records, None)
    if first is None or not _header_matches(first[1]):
        raise ValidationError(
            _(
                "The first line must be the header %(header)s (Notes may be left out). "
                "Nothing was imported."
            )
            % {"header": csv_header()}
        )
    width = len(first[1])
    checker = _RowChecker(programme)
    rows, problems = [], []
    for count, (line, cells) in enumerate(records, start=1):
        if count > CSV_MAX_ROWS:
            raise ValidationError(
                _(
                    "The file has more than %(limit)s rows: split it and import the parts. "
                    "Nothing was imported."
                )
                % {"limit": CSV_MAX_ROWS}
            )
        row, row_problems = checker.check(line, cells, width)
        if row_problems:
            problems.append(_line_problem(line, row_problems))
        else:
            rows.append(row)
    if problems:
        raise _refuse(problems)
    if not rows:
        raise ValidationError(_("The file has a header but no rows: nothing to import."))
    return rows


@transaction.atomic
def actor_map_import(*, programme, rows, actor):
    """Record every row (from actor_map_csv_read) through actor_relation_record, in one
    transaction: if any row is refused, nothing at all is recorded.

    Returns (recorded, replaced): states recorded, and how many of them replaced a state
    already recorded for that pair and day. Raises ValidationError listing each refused line.
    Caller: someone with design_dialogues."""
    _lock(programme)
    problems, replaced = [], 0
    for row in rows:
        try:
            _relation, created = actor_relation_record(
                programme=programme,
                actor_one=row.actor_one,
                actor_two=row.actor_two,
                as_of=row.as_of,
                conflict_status=row.conflict_status,
                dialogue_status=row.dialogue_status,
                notes=row.notes,
                actor=actor,
            )
        except ValidationError as refused:
            problems.append(
                _line_problem(row.line, [message.rstrip(".") for message in refused.messages])
            )
        else:
            replaced += not created
    if problems:
        # Raising leaves the atomic block, which rolls back the rows already recorded.
        raise _refuse(problems)
    return len(rows), replaced
