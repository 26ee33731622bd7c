"""find_participant_mentions: whole words, any case, any accents; positions in the original."""

import time
from types import SimpleNamespace

import pytest

from dialogues.services.attribution import MentionFinder, find_participant_mentions


def person(full_name, *aliases, code="P-001"):
    return SimpleNamespace(full_name=full_name, alias_list=list(aliases), code=code)


JOSE = person("José Ramos", "El Ingeniero", code="P-014")


@pytest.mark.parametrize(
    "text",
    [
        "We heard from José Ramos today.",
        "we heard from jose ramos today.",
        "WE HEARD FROM JOSÉ RAMOS TODAY.",
        "We heard from Jose\u0301 Ramos today.",  # the accent as a combining mark
        "We heard from José\nRamos today.",
        "We heard from José-Ramos today.",
        "(José Ramos)",
        "José Ramos",
    ],
)
def test_a_full_name_is_found_whatever_its_case_accents_and_spacing(text):
    [mention] = find_participant_mentions(text, [JOSE])
    assert mention.participant is JOSE
    assert mention.term == "José Ramos"
    assert " ".join(text[mention.start : mention.end].replace("-", " ").split()).casefold() in {
        "josé ramos",
        "jose ramos",
        "jose\u0301 ramos",
    }


@pytest.mark.parametrize(
    "text",
    ["Joseramos was not there.", "XJosé Ramos", "José Ramosa", "José", "Ramos José", ""],
)
def test_part_of_a_word_or_part_of_a_name_is_not_a_mention(text):
    assert find_participant_mentions(text, [JOSE]) == []


def test_an_alias_is_found_and_reported_as_the_alias():
    [mention] = find_participant_mentions("Then el ingeniero proposed a pause.", [JOSE])
    assert mention.term == "El Ingeniero"
    assert "el ingeniero proposed" in mention.context


def test_positions_index_the_original_text_even_when_folding_changes_its_length():
    # "ß" folds to "ss" and the combining accent disappears: offsets must still be right.
    text = "Straße and Jose\u0301 Ramos met."
    [mention] = find_participant_mentions(text, [JOSE])
    assert text[mention.start : mention.end] == "Jose\u0301 Ramos"


def test_every_occurrence_of_every_participant_is_reported_in_reading_order():
    anna = person("Anna Lind", "Lind", code="P-002")
    text = "Lind said one thing; José Ramos another; then anna lind again."
    mentions = find_participant_mentions(text, [JOSE, anna])
    assert [(m.participant.code, m.term) for m in mentions] == [
        ("P-002", "Lind"),
        ("P-014", "José Ramos"),
        ("P-002", "Anna Lind"),
    ]


def test_a_longer_name_wins_over_an_alias_inside_it():
    ramos = person("José Ramos", "Ramos")
    [mention] = find_participant_mentions("José Ramos spoke.", [ramos])
    assert mention.term == "José Ramos"


def test_two_participants_sharing_a_surname_are_both_reported():
    first, second = person("Ana Ramos", "Ramos", code="P-001"), person("Luis Ramos", "Ramos")
    mentions = find_participant_mentions("Ramos disagreed.", [first, second])
    assert {m.participant.code for m in mentions} == {"P-001", second.code}


def test_one_letter_aliases_are_ignored_rather_than_flagging_every_word():
    assert find_participant_mentions("A plan for a corridor.", [person("Zed Q", "a")]) == []


def test_the_context_is_a_short_single_line_snippet_around_the_mention():
    text = ("x" * 100) + " José  Ramos\nsaid " + ("y" * 100)
    [mention] = find_participant_mentions(text, [JOSE])
    assert mention.context.startswith("…")
    assert mention.context.endswith("…")
    assert "José Ramos said" in mention.context
    assert "\n" not in mention.context
    assert len(mention.context) < 110


def test_redaction_replaces_every_mention_and_keeps_the_rest():
    finder = MentionFinder([JOSE, person("Anna Lind", code="P-002")])
    text = "JOSE RAMOS and Anna Lind agreed; El Ingeniero left."
    assert finder.redact(text, "[…]") == "[…] and […] agreed; […] left."


def test_a_finder_scans_a_few_pages_for_a_few_dozen_participants_quickly():
    people = [person(f"Person{n} Surname{n}", f"Alias{n}", code=f"P-{n:03d}") for n in range(40)]
    finder = MentionFinder(people)
    page = "The corridor opens at dawn and closes at dusk; trucks queue at the bridge. " * 40
    text = page * 5 + " Alias7 was mentioned once."
    started = time.perf_counter()
    mentions = finder.find(text)
    assert time.perf_counter() - started < 1.0
    assert [m.participant.code for m in mentions] == ["P-007"]


def test_a_name_without_a_plain_word_in_it_is_still_looked_for_in_every_text():
    # "O'Neil" has no part made of letters only (the apostrophe is inside it): the finder
    # cannot index it by a word, and must try it everywhere.
    oneil = person("Mary Quinn", "O’Neil", code="P-003")
    finder = MentionFinder([oneil, JOSE])
    [mention] = finder.find("Later o'neil and others spoke.")
    assert mention.participant is oneil
    assert mention.term == "O’Neil"


def test_codes_names_and_folded_texts_are_found_through_the_word_index():
    finder = MentionFinder([JOSE, person("Anna Lind", code="P-002")], with_codes=True)
    text = "Ümit said P-014 agreed with ANNA\u00a0LIND, then josé—ramos left."
    found = [(text[m.start : m.end], m.participant.code) for m in finder.find(text)]
    assert found == [("P-014", "P-014"), ("ANNA\u00a0LIND", "P-002"), ("josé—ramos", "P-014")]
    # A word of a name alone is no mention, even though it is what the index looks up.
    assert finder.find("Ramos and Lind were elsewhere.") == []


@pytest.mark.parametrize(
    "name,written",
    [
        ("Ayşe Yılmaz", "AYSE YILMAZ"),
        ("Ayşe Yılmaz", "ayse yilmaz"),
        ("Łukasz Nowak", "Lukasz Nowak"),
        ("Søren Dahl", "SOREN DAHL"),
        ("Đorđe Ilić", "Dorde Ilic"),
        ("Æsa Berg", "Aesa Berg"),
    ],
)
def test_letters_with_a_stroke_or_without_a_dot_match_the_plain_letters_typed_for_them(
    name, written
):
    text = f"We met {written} today."
    [mention] = find_participant_mentions(text, [person(name)])
    assert text[mention.start : mention.end] == written
