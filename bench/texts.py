"""Fictional document text for the PDF figures: a two-page non-paper, long aide-mémoires in
Latin, Burmese and Arabic script, and the minimal HTML R2 compares Parley's layout with."""

from django.utils.html import escape

LATIN = [
    "the",
    "corridor",
    "committee",
    "agrees",
    "that",
    "convoys",
    "announce",
    "their",
    "route",
    "two",
    "days",
    "ahead",
    "and",
    "that",
    "the",
    "river",
    "council",
    "verifies",
    "each",
    "notification",
    "before",
    "the",
    "crossing",
    "opens",
    "at",
    "dawn",
]
# Ordinary words (river, road, committee, agreement, convoy, market, access, council,
# crossing, notification), arranged into sentences; no one is named.
BURMESE = [
    "မြစ်",
    "လမ်း",
    "ကော်မတီ",
    "သဘောတူညီချက်",
    "ယာဉ်တန်း",
    "ဈေး",
    "ဝင်ရောက်ခွင့်",
    "ကောင်စီ",
    "ကူးတို့",
    "အကြောင်းကြားစာ",
]
ARABIC = [
    "النهر",
    "الطريق",
    "اللجنة",
    "الاتفاق",
    "القافلة",
    "السوق",
    "الوصول",
    "المجلس",
    "المعبر",
    "الإشعار",
]
WORDS = {"en": LATIN, "my": BURMESE, "ar": ARABIC}


def _prose(words, count, offset=0):
    text = " ".join(words[(offset + n * 7) % len(words)] for n in range(count))
    return text[0].upper() + text[1:] + "." if words is LATIN else text + "."


def two_page_non_paper():
    """A non-paper whose text fills about two A4 pages in Parley's layout."""
    return {
        "problem": _prose(LATIN, 90),
        "steps": [
            {
                "text": _prose(LATIN, 30, step),
                "who": "The corridor committee",
                "when": "Within a month of delivery",
                "how": _prose(LATIN, 30, step + 3),
                "ladder": (30, 60, 90)[step % 3],
            }
            for step in range(4)
        ],
        "legal_notes": _prose(LATIN, 55, 1),
        "operational_notes": _prose(LATIN, 55, 2),
    }


def long_aide_memoire(language, pages):
    """An aide-mémoire of about `pages` pages in Latin script; the same number of words in
    `language`'s script."""
    words = WORDS[language]
    return {
        "sections": [
            {"title": _prose(words, 4, section), "body": _prose(words, 230, section)}
            for section in range(pages * 2)
        ]
    }


def minimal_html(content, title):
    """The non-paper's text as bare HTML: no stylesheet, no running headers, default fonts."""
    parts = [f"<h1>{escape(title)}</h1>", f"<p>{escape(content['problem'])}</p>"]
    for step in content["steps"]:
        parts.append(
            "<p>" + " ".join(escape(step[name]) for name in ("text", "who", "when", "how")) + "</p>"
        )
    parts += [
        f"<p>{escape(content['legal_notes'])}</p>",
        f"<p>{escape(content['operational_notes'])}</p>",
    ]
    return "<html><body>" + "".join(parts) + "</body></html>"
