"""Line-break opportunities for Burmese text.

Burmese is written without spaces between words, and neither Pango nor WeasyPrint knows where
a Burmese line may break: a long paragraph comes out as one line that runs off the page.
`add_syllable_breaks` marks every syllable boundary with a zero-width space (U+200B), which
the line breaker treats as a break opportunity and which prints as nothing.

The syllable rule is Ye Kyaw Thu's "sylbreak" (github.com/ye-kyaw-thu/sylbreak): a syllable
starts at a consonant that is not stacked under the previous one (not preceded by the virama
U+1039) and does not close the previous syllable (not followed by asat U+103A or the virama),
and at an independent vowel, a digit or a standalone symbol. Two changes suit line breaking
rather than segmentation: a number is not split between its digits, and there is no break
before the section marks ၊ and ။, which may not start a line.

Callers: uptake.print_context, before rendering any free text.
"""

import re

ZERO_WIDTH_SPACE = "\u200b"

# The Myanmar block and its two extensions (Shan, Mon, Karen and other languages).
_MYANMAR_CHARACTER = "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"
_CONSONANT = "\u1000-\u1021"
_VIRAMA = "\u1039"  # stacks the next consonant under this one
_ASAT = "\u103a"  # kills the inherent vowel: the consonant closes the syllable before it
# Canonical (NFC) order puts the dot below (U+1037) before asat, as in မြင့်.
_DOT_BELOW = "\u1037"
# Independent vowels ဣ ဤ ဥ ဦ ဧ ဩ ဪ, great sa ဿ, and the symbols ၌ ၍ ၏.
_STANDALONE = "\u1023-\u1027\u1029\u102a\u103f\u104c\u104d\u104f"
_DIGIT = "\u1040-\u1049"

_SYLLABLE_START = re.compile(
    # Only inside a run of Myanmar text: never at its start, never next to Latin or Arabic.
    rf"(?<=[{_MYANMAR_CHARACTER}])(?<!{_VIRAMA})"
    rf"(?=[{_CONSONANT}](?!{_DOT_BELOW}?[{_ASAT}{_VIRAMA}])"
    rf"|[{_STANDALONE}]"
    rf"|(?<![{_DIGIT}])[{_DIGIT}])"
)
_HAS_MYANMAR = re.compile(f"[{_MYANMAR_CHARACTER}]")


def add_syllable_breaks(text: str) -> str:
    """`text` with a zero-width space at each syllable boundary inside Myanmar runs; text
    without Myanmar characters is returned unchanged. Applying it twice adds nothing more."""
    if not _HAS_MYANMAR.search(text):
        return text
    return _SYLLABLE_START.sub(ZERO_WIDTH_SPACE, text)
