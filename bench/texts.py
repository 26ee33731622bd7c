"""Fictional document text for the PDF figures: a two-page non-paper, long aide-mémoires in
Latin, Burmese and Arabic script, and the minimal HTML of the same text that R2 compares
Parley's layout with."""

from html.parser import HTMLParser

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


class _PrintedText(HTMLParser):
    """The blocks of text a print HTML puts on the page body, in order: each heading and each
    other block (paragraph, list item, term, definition) once, its inline markup dropped;
    the running elements (repeated in the page margins) and the head left out."""

    BLOCKS = frozenset(
        {"body", "header", "main", "section", "div", "p", "h1", "h2", "ol", "ul", "li", "dl"}
        | {"dt", "dd"}
    )
    VOID = frozenset({"meta", "link", "br", "img", "hr"})

    def __init__(self):
        super().__init__()
        self.blocks = []  # (tag, text)
        self._text = []
        self._open = []  # (tag, left out)
        self._block_tag = "p"

    def _flush(self):
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append((self._block_tag, text))
        self._text = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if tag in self.BLOCKS:
            self._flush()
            self._block_tag = tag if tag in ("h1", "h2") else "p"
        classes = (dict(attrs).get("class") or "").split()
        left_out = tag in ("head", "title") or any(c.startswith("running-") for c in classes)
        self._open.append((tag, left_out or any(out for _, out in self._open)))

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._flush()
            self._block_tag = "p"
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        if not (self._open and self._open[-1][1]):
            self._text.append(data)


def minimal_html(print_html):
    """The text Parley prints on the page body (`print_html`, uptake.pdf's HTML) as bare
    HTML: the same words, headings as headings and every other block a paragraph; no
    stylesheet, no running headers, default fonts."""
    parser = _PrintedText()
    parser.feed(print_html)
    parser.close()
    parser._flush()
    return (
        "<html><body>"
        + "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in parser.blocks)
        + "</body></html>"
    )
