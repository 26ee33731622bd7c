"""Burmese syllable breaks: where a line may wrap in text written without spaces."""

import pytest

from uptake.myanmar import ZERO_WIDTH_SPACE, add_syllable_breaks


def syllables(text):
    return add_syllable_breaks(text).split(ZERO_WIDTH_SPACE)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("မြန်မာ", ["မြန်", "မာ"]),  # Myanmar
        ("ကျွန်တော်", ["ကျွန်", "တော်"]),  # I (male speaker)
        ("မင်္ဂလာပါ", ["မင်္ဂ", "လာ", "ပါ"]),  # hello: kinzi stays with the next consonant
        ("နိုင်ငံ", ["နိုင်", "ငံ"]),  # country
        ("ကျေးဇူးတင်ပါတယ်", ["ကျေး", "ဇူး", "တင်", "ပါ", "တယ်"]),  # thank you
        ("ဥက္ကဋ္ဌ", ["ဥက္ကဋ္ဌ"]),  # chairperson: two stacks, one word
    ],
)
def test_burmese_words_break_between_their_syllables(word, expected):
    assert syllables(word) == expected


def test_a_stacked_consonant_is_never_split_from_the_one_above_it():
    # သင်္ချိုင်း (cemetery): kinzi င်္ over ခ, then a closing င်: one syllable.
    assert syllables("သင်္ချိုင်း") == ["သင်္ချိုင်း"]
    assert syllables("ကမ္ဘာ") == ["ကမ္ဘာ"]  # world: ဘ stacked under မ


def test_a_final_consonant_with_dot_below_stays_in_its_syllable():
    # In canonical order the dot below (U+1037) comes before asat, as in မြင့် (high).
    assert syllables("မြင့်မား") == ["မြင့်", "မား"]


def test_numbers_and_section_marks_are_not_split_off_badly():
    # No break inside ၂၀၂၆, none before ။ (which may not start a line).
    assert syllables("၂၀၂၆ခုနှစ်။") == ["၂၀၂၆", "ခု", "နှစ်။"]


def test_independent_vowels_start_a_syllable():
    assert syllables("အမေဦး") == ["အ", "မေ", "ဦး"]


def test_text_without_myanmar_is_returned_unchanged():
    for text in ["Ceasefire verification", "وقف إطلاق النار", "", "2026 – §4.2 (a)"]:
        assert add_syllable_breaks(text) is text


def test_only_myanmar_runs_get_breaks_never_latin_or_arabic_next_to_them():
    text = "Draft မြန်မာ ceasefire وقف النار"
    broken = add_syllable_breaks(text)
    assert broken == "Draft မြန်" + ZERO_WIDTH_SPACE + "မာ ceasefire وقف النار"


def test_breaking_twice_adds_nothing():
    once = add_syllable_breaks("မြန်မာနိုင်ငံ")
    assert add_syllable_breaks(once) == once
