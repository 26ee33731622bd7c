"""The map's rules: actors and alliances, dated pair relations, and the CSV format."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dialogues.models import Actor, ActorRelation
from dialogues.services import actor_map as services
from tests.dialogues.factories import ActorFactory

Conflict = ActorRelation.ConflictStatus
Dialogue = ActorRelation.DialogueStatus
HEADER = "Actor,Actor,Conflict status,Dialogue status,As of,Notes"


@pytest.fixture
def alliance(programme):
    return ActorFactory(programme=programme, name="Northern Alliance", kind=Actor.Kind.ALLIANCE)


@pytest.fixture
def front(programme):
    return ActorFactory(programme=programme, name="Sarn Liberation Front")


@pytest.fixture
def army(programme):
    return ActorFactory(programme=programme, name="State Army", kind=Actor.Kind.GOVERNMENT)


@pytest.fixture
def council(programme):
    return ActorFactory(
        programme=programme, name="Lakeshore Council", kind=Actor.Kind.CIVIL_SOCIETY
    )


def record(programme, one, two, as_of, conflict=Conflict.FREQUENT_FIGHTING, **extra):
    fields = {"dialogue_status": Dialogue.NONE, "notes": "", "actor": None, **extra}
    return services.actor_relation_record(
        programme=programme,
        actor_one=one,
        actor_two=two,
        as_of=as_of,
        conflict_status=conflict,
        **fields,
    )


def current_map(programme):
    return sorted(
        (r.actor_a.name, r.actor_b.name, r.conflict_status, r.dialogue_status, r.as_of, r.notes)
        for r in ActorRelation.objects.filter(programme=programme).current()
    )


# Actors and alliances


def test_an_actor_is_put_on_the_map_with_its_alliances(programme, facilitator, alliance):
    created = services.actor_create(
        programme=programme,
        name="  Sarn   Liberation Front ",
        kind=Actor.Kind.ARMED_GROUP,
        alliances=[alliance],
        notes="Holds the northern bank.",
        actor=facilitator,
    )
    assert created.name == "Sarn Liberation Front"
    assert list(created.alliances.all()) == [alliance]
    assert list(alliance.members.all()) == [created]


def test_a_name_already_on_the_map_in_another_case_is_refused(programme, facilitator, front):
    with pytest.raises(ValidationError) as refused:
        services.actor_create(
            programme=programme, name="SARN liberation FRONT", kind="armed", actor=facilitator
        )
    assert refused.value.message_dict["name"] == [
        "There is already an actor called “Sarn Liberation Front” on this map."
    ]
    assert Actor.objects.filter(programme=programme).count() == 1


def test_names_are_compared_beyond_ascii(programme, facilitator):
    services.actor_create(programme=programme, name="État Major", kind="government", actor=None)
    with pytest.raises(ValidationError, match="already an actor"):
        services.actor_create(programme=programme, name="ÉTAT MAJOR", kind="government", actor=None)


def test_the_same_name_may_be_used_on_another_programme(programme, other_programme, front):
    other = services.actor_create(
        programme=other_programme, name="Sarn Liberation Front", kind="armed", actor=None
    )
    assert other.programme == other_programme


def test_the_database_backs_case_insensitive_names(programme, front):
    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.create(programme=programme, name="sarn liberation front", kind="armed")


def test_an_alliance_cannot_be_a_member_of_itself(programme, facilitator, alliance):
    with pytest.raises(ValidationError) as refused:
        services.actor_update(
            map_actor=alliance,
            name=alliance.name,
            kind=Actor.Kind.ALLIANCE,
            alliances=[alliance],
            notes="",
            actor=facilitator,
        )
    assert refused.value.message_dict["alliances"] == ["An alliance cannot be a member of itself."]
    assert not alliance.alliances.exists()


def test_only_alliances_of_the_same_programme_take_members(
    programme, other_programme, facilitator, army
):
    foreign = ActorFactory(programme=other_programme, name="Far Alliance", kind="alliance")
    for not_an_alliance in (army, foreign):
        with pytest.raises(ValidationError) as refused:
            services.actor_create(
                programme=programme,
                name="New Front",
                kind="armed",
                alliances=[not_an_alliance],
                actor=facilitator,
            )
        assert "is not an alliance on this map" in refused.value.message_dict["alliances"][0]
    assert not Actor.objects.filter(name="New Front").exists()


def test_an_alliance_with_members_stays_an_alliance(programme, facilitator, alliance, front):
    front.alliances.add(alliance)
    with pytest.raises(ValidationError) as refused:
        services.actor_update(
            map_actor=alliance,
            name=alliance.name,
            kind=Actor.Kind.POLITICAL_PARTY,
            alliances=[],
            notes="",
            actor=facilitator,
        )
    [message] = refused.value.message_dict["kind"]
    assert message.startswith("This alliance has members (Sarn Liberation Front)")
    alliance.refresh_from_db()
    assert alliance.kind == Actor.Kind.ALLIANCE


def test_an_actor_leaves_and_joins_alliances_on_update(programme, facilitator, alliance, front):
    second = ActorFactory(programme=programme, name="Southern Bloc", kind="alliance")
    front.alliances.add(alliance)
    services.actor_update(
        map_actor=front,
        name="Sarn Front",
        kind="armed",
        alliances=[second],
        notes="Renamed in March.",
        actor=facilitator,
    )
    front.refresh_from_db()
    assert front.name == "Sarn Front"
    assert list(front.alliances.all()) == [second]


# Relations


def test_a_pair_is_stored_lower_id_first_whatever_the_order_given(programme, front, army):
    relation, created = record(programme, army, front, date(2026, 1, 10))
    assert created
    assert (relation.actor_a, relation.actor_b) == (front, army)
    assert front.pk < army.pk


def test_the_same_pair_and_day_is_corrected_not_duplicated(programme, facilitator, front, army):
    record(programme, front, army, date(2026, 1, 10), notes="First report.")
    relation, created = record(
        programme,
        army,
        front,
        date(2026, 1, 10),
        conflict=Conflict.DE_FACTO_CEASEFIRE,
        dialogue_status=Dialogue.INTERMEDIARY,
        notes="Corrected after the field visit.",
        actor=facilitator,
    )
    assert not created
    assert ActorRelation.objects.count() == 1
    relation.refresh_from_db()
    assert relation.conflict_status == Conflict.DE_FACTO_CEASEFIRE
    assert relation.notes == "Corrected after the field visit."
    assert relation.recorded_by == facilitator


def test_a_later_date_adds_to_the_history_and_becomes_current(programme, front, army):
    record(programme, front, army, date(2026, 1, 10))
    record(programme, army, front, date(2026, 2, 1), conflict=Conflict.BILATERAL_CEASEFIRE)
    assert ActorRelation.objects.count() == 2
    assert current_map(programme) == [
        (
            "Sarn Liberation Front",
            "State Army",
            Conflict.BILATERAL_CEASEFIRE,
            Dialogue.NONE,
            date(2026, 2, 1),
            "",
        )
    ]


def test_a_pair_of_the_same_actor_is_refused(programme, front):
    with pytest.raises(ValidationError) as refused:
        record(programme, front, front, date(2026, 1, 10))
    assert "two different actors" in refused.value.message_dict["actor_two"][0]
    assert not ActorRelation.objects.exists()


def test_an_actor_of_another_programme_is_refused(programme, other_programme, front):
    foreign = ActorFactory(programme=other_programme, name="Foreign Front")
    with pytest.raises(ValidationError, match="Both actors must be on this programme's map"):
        record(programme, front, foreign, date(2026, 1, 10))
    with pytest.raises(ValidationError, match="Both actors must be on this programme's map"):
        record(other_programme, front, foreign, date(2026, 1, 10))
    assert not ActorRelation.objects.exists()


def test_a_state_in_the_future_is_refused(programme, front, army):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        record(programme, front, army, tomorrow)
    assert "in the future" in refused.value.message_dict["as_of"][0]
    record(programme, front, army, timezone.localdate())
    assert ActorRelation.objects.count() == 1


def test_an_unknown_status_is_refused(programme, front, army):
    with pytest.raises(ValidationError) as refused:
        record(programme, front, army, date(2026, 1, 10), conflict="skirmish")
    assert "conflict_status" in refused.value.message_dict


def test_the_database_refuses_a_pair_in_the_wrong_order(programme, front, army):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorRelation.objects.create(
            programme=programme,
            actor_a=army,
            actor_b=front,
            as_of=date(2026, 1, 10),
            conflict_status=Conflict.ALLIED,
            dialogue_status=Dialogue.ACTIVE,
        )


# CSV export


def test_export_rows_use_words_iso_dates_and_defuse_formulas(programme, front, army):
    record(programme, front, army, date(2026, 1, 10), notes='=HYPERLINK("http://x")')
    relations = ActorRelation.objects.select_related("actor_a", "actor_b")
    rows = list(services.actor_map_csv_rows(relations))
    assert rows == [
        HEADER.split(","),
        [
            "Sarn Liberation Front",
            "State Army",
            "No ceasefire; frequent fighting",
            "No contact and no dialogue",
            "2026-01-10",
            '\'=HYPERLINK("http://x")',
        ],
    ]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_prefix_is_defused_and_restored(cell):
    assert services.protect_cell(cell) == f"'{cell}"
    assert services.unprotect_cell(services.protect_cell(cell)) == cell


def test_ordinary_cells_are_left_alone():
    for cell in ("Sarn Liberation Front", "2026-01-10", "'quoted", ""):
        assert services.protect_cell(cell) == cell
        assert services.unprotect_cell(cell) == cell


# CSV import


def csv_text(*lines, header=HEADER):
    return "\n".join([header, *lines]) + "\n"


def test_a_good_file_is_read_into_rows(programme, front, army, council):
    rows = services.actor_map_csv_read(
        programme=programme,
        text=csv_text(
            "state army,SARN LIBERATION FRONT,bilateral,Active dialogue,2026-01-10,Talks resumed",
            'Lakeshore Council,State Army,"No ceasefire; occasional fighting",none,2026-01-11,',
        ),
    )
    assert [(r.line, r.actor_one, r.actor_two, r.as_of) for r in rows] == [
        (2, army, front, date(2026, 1, 10)),
        (3, council, army, date(2026, 1, 11)),
    ]
    assert rows[0].conflict_status == Conflict.BILATERAL_CEASEFIRE
    assert rows[0].dialogue_status == Dialogue.ACTIVE
    assert rows[1].conflict_status == Conflict.OCCASIONAL_FIGHTING
    assert rows[0].notes == "Talks resumed"


def test_the_notes_column_may_be_left_out(programme, front, army):
    rows = services.actor_map_csv_read(
        programme=programme,
        text=csv_text(
            "Sarn Liberation Front,State Army,allied,active,2026-01-10",
            header="actor,actor,conflict status,dialogue status,as of",
        ),
    )
    assert rows[0].notes == ""


def test_a_file_without_the_header_is_refused(programme, front, army):
    with pytest.raises(ValidationError, match="The first line must be the header"):
        services.actor_map_csv_read(
            programme=programme, text="Sarn Liberation Front,State Army,allied,active,2026-01-10"
        )


def test_a_header_without_rows_is_refused(programme):
    with pytest.raises(ValidationError, match="no rows"):
        services.actor_map_csv_read(programme=programme, text=csv_text("", ",,,,,"))


def test_every_bad_line_is_listed_with_its_number_and_reason(programme, front, army, council):
    text = csv_text(
        "Sarn Liberation Front,State Army,allied,active,2026-01-10,fine",
        "Sarn Liberation Front,State Army,allied",
        "Ghost Brigade,State Army,allied,active,2026-01-10,",
        "State Army,state army,allied,active,2026-01-10,",
        "Lakeshore Council,State Army,skirmish,chatting,2026-01-10,",
        "Lakeshore Council,State Army,allied,active,10/01/2026,",
        "State Army,Sarn Liberation Front,frequent,none,2026-01-10,",
        f"Lakeshore Council,State Army,allied,active,{timezone.localdate() + timedelta(days=3)},",
    )
    with pytest.raises(ValidationError) as refused:
        services.actor_map_csv_read(programme=programme, text=text)
    messages = refused.value.messages
    assert messages[0].startswith("Nothing was imported: 7 lines have problems.")
    assert messages[1] == "Line 3: it has 3 columns where the header has 6."
    assert messages[2] == "Line 4: Actor “Ghost Brigade” is not on the map: add it first."
    assert messages[3].startswith("Line 5: The same actor is named twice")
    assert messages[4] == (
        "Line 6: “skirmish” is not a conflict status; “chatting” is not a dialogue status."
    )
    assert messages[5].startswith("Line 7: “10/01/2026” is not a date written as YYYY-MM-DD")
    assert messages[6] == "Line 8: the same pair and date are already on line 2."
    assert messages[7].startswith("Line 9: The as-of date")
    assert "in the future" in messages[7]


def test_line_numbers_count_lines_inside_quoted_cells(programme, front, army, council):
    text = csv_text(
        'Sarn Liberation Front,State Army,allied,active,2026-01-10,"two\nlines"',
        "Ghost Brigade,State Army,allied,active,2026-01-10,",
    )
    with pytest.raises(ValidationError) as refused:
        services.actor_map_csv_read(programme=programme, text=text)
    assert refused.value.messages[1].startswith("Line 4: Actor “Ghost Brigade”")


def test_a_long_list_of_problems_is_cut_short(programme):
    text = csv_text(*(f"Ghost {n},Other,allied,active,2026-01-10," for n in range(60)))
    with pytest.raises(ValidationError) as refused:
        services.actor_map_csv_read(programme=programme, text=text)
    messages = refused.value.messages
    assert len(messages) == 1 + services.CSV_MAX_LISTED_PROBLEMS + 1
    assert messages[-1] == "…and 10 more lines with problems."


def test_a_file_the_csv_reader_cannot_parse_is_refused_whole(programme, front, army):
    text = csv_text(f"Sarn Liberation Front,State Army,allied,active,2026-01-10,{'x' * 140_000}")
    with pytest.raises(ValidationError, match="cannot be read as CSV"):
        services.actor_map_csv_read(programme=programme, text=text)


def test_semicolon_separated_files_are_read(programme, front, army):
    text = (
        "Actor;Actor;Conflict status;Dialogue status;As of;Notes\n"
        "Sarn Liberation Front;State Army;allied;active;2026-01-10;a, b\n"
    )
    rows = services.actor_map_csv_read(programme=programme, text=text)
    assert rows[0].notes == "a, b"


def test_a_good_file_is_recorded_and_corrections_counted(programme, facilitator, front, army):
    record(programme, front, army, date(2026, 1, 10))
    rows = services.actor_map_csv_read(
        programme=programme,
        text=csv_text(
            "Sarn Liberation Front,State Army,de facto ceasefire; no fighting,"
            "Occasional contact; no active dialogue,2026-01-10,Corrected",
            "Sarn Liberation Front,State Army,bilateral,regular_some,2026-02-10,",
        ),
    )
    recorded, replaced = services.actor_map_import(
        programme=programme, rows=rows, actor=facilitator
    )
    assert (recorded, replaced) == (2, 1)
    assert ActorRelation.objects.count() == 2
    corrected = ActorRelation.objects.get(as_of=date(2026, 1, 10))
    assert corrected.conflict_status == Conflict.DE_FACTO_CEASEFIRE
    assert corrected.notes == "Corrected"
    assert corrected.recorded_by == facilitator


def test_a_row_refused_while_recording_undoes_the_rows_before_it(
    programme, other_programme, facilitator, front, army, council
):
    foreign = ActorFactory(programme=other_programme, name="Foreign Front")
    good = services.ImportRow(2, front, army, date(2026, 1, 10), "allied", "active", "")
    also_good = services.ImportRow(3, council, army, date(2026, 1, 10), "allied", "active", "")
    bad = services.ImportRow(4, council, foreign, date(2026, 1, 10), "allied", "active", "")
    with pytest.raises(ValidationError) as refused:
        services.actor_map_import(programme=programme, rows=[good, also_good, bad], actor=None)
    assert refused.value.messages[1] == "Line 4: Both actors must be on this programme's map."
    assert not ActorRelation.objects.exists()


def test_export_then_import_gives_the_same_current_map(programme, facilitator, front, army):
    council = ActorFactory(programme=programme, name="-Lakeshore Council", kind="civil")
    record(programme, front, army, date(2025, 11, 1), notes="Old state")
    record(programme, front, army, date(2026, 1, 10), conflict=Conflict.UNILATERAL_CEASEFIRE)
    record(
        programme,
        council,
        army,
        date(2026, 1, 12),
        conflict=Conflict.ALLIED,
        dialogue_status=Dialogue.REGULAR_SOME,
        notes='=cmd|"/c calc"!A1, and\na second line',
    )
    before = current_map(programme)
    out = io.StringIO()
    relations = ActorRelation.objects.filter(programme=programme).current()
    csv.writer(out).writerows(services.actor_map_csv_rows(relations))

    ActorRelation.objects.all().delete()
    rows = services.actor_map_csv_read(programme=programme, text="\ufeff" + out.getvalue())
    services.actor_map_import(programme=programme, rows=rows, actor=facilitator)
    assert current_map(programme) == before


def test_alliances_cannot_contain_each_other(programme, facilitator):
    from dialogues.services.actor_map import actor_create, actor_update

    outer = actor_create(
        programme=programme, name="Outer Alliance", kind="alliance", actor=facilitator
    )
    inner = actor_create(
        programme=programme,
        name="Inner Alliance",
        kind="alliance",
        alliances=[outer],
        actor=facilitator,
    )
    with pytest.raises(ValidationError, match="is itself a member of this alliance"):
        actor_update(
            map_actor=outer,
            name="Outer Alliance",
            kind="alliance",
            alliances=[inner],
            notes="",
            actor=facilitator,
        )
    assert not outer.alliances.exists()
