"""Hostile input for the form fuzz (test_form_fuzz.py): strings people and tools really send
(very long text, NUL bytes, control characters, right-to-left overrides, lone surrogates,
emoji, SQL and HTML payloads, numbers out of range, malformed dates), Hypothesis strategies
for a form field's data (valid values from hypothesis.extra.django.from_field where it knows
the field, mixed with hostile ones), and the encoding of a form's data as a browser would
POST it.

    data = draw(form_data(form))            # {"title": "...", "rounds": ["..."], ...}
    body = urlencoded(data)                 # bytes, lone surrogates as invalid UTF-8
"""

import datetime
import uuid
from decimal import Decimal
from urllib.parse import quote

from django import forms
from django.forms.models import ModelChoiceIteratorValue
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.extra.django import from_field

LONG = 100_000  # characters: far past every limit, well under Django's 2.5 MB body limit

HOSTILE_TEXT = (
    "",
    "   ",
    "\t\n\r\n",
    "x" * LONG,
    "é" * 5_000,
    "line\n" * 2_000,
    "nul\x00byte",
    "\x00",
    "bell\x07escape\x1b[31mred\x7fdel\x85next",
    "\u202eevil.exe\u202c",
    "\u200f\u061cright-to-left\u2067isolate",
    "\ufeffbom\u200bzero\u200dwidth",
    "\ud800lone surrogate",
    "trailing \udfff",
    "👩🏽‍💻🇲🇲 emoji \U0001f4a3",
    "Ｆｕｌｌｗｉｄｔｈ ＜script＞",
    "'; DROP TABLE dialogues_programme; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}} {% debug %}",
    "</textarea><b>bold</b>",
    "%(name)s %s {0} %n",
    "../../../etc/passwd",
    '=HYPERLINK("http://example.org")',
    "0",
    "-1",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "9" * 400,
    "1" * 5_000,
    "1.5",
    "1,5",
    "0x10",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31/12/2026",
    "2026-03-29T02:30",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-06-01T25:61",
    "Asia/Nowhere",
    "UTC\x00",
    "00000000-0000-0000-0000-000000000000",
    str(uuid.UUID(int=2**128 - 1)),
)

hostile_text = st.sampled_from(HOSTILE_TEXT)
any_text = st.one_of(hostile_text, st.text(max_size=300))
# Typed passwords, wrong ones included, are secrets the log scan (log_capture.py) looks for in
# every log line: shorter than Parley's minimum, "-0" would be found inside any UUID.
PASSWORD_MIN_LENGTH = 10
password_text = st.one_of(
    st.sampled_from([text for text in HOSTILE_TEXT if len(text) >= PASSWORD_MIN_LENGTH]),
    st.text(min_size=PASSWORD_MIN_LENGTH, max_size=60),
)


def _as_posted(value):
    """A Python value from from_field as a browser would send it: text."""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="minutes")
    if isinstance(value, datetime.date | datetime.time | Decimal | uuid.UUID | int | float):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, ModelChoiceIteratorValue):
        return str(value.value)
    if value is None:
        return ""
    return str(value)


def _choice_values(field):
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an option group
            values.extend(str(inner) for inner, _label in label)
        else:
            values.append(_as_posted(value))
    return values


def valid_values(field):
    """A strategy for text a browser could send for `field` that may well be valid: what
    from_field knows for it, else one of its choices, else any text. None when the field
    takes no typed value (a file)."""
    if isinstance(field, forms.FileField):
        return None
    multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
    if isinstance(field, forms.ModelChoiceField):
        # from_field samples from the queryset when drawing, and fails on an empty one.
        values = [value for value in _choice_values(field) if value]
        if not values:
            return st.just([]) if multiple else st.just("")
        if multiple:
            return st.lists(st.sampled_from(values), max_size=3, unique=True)
        return st.sampled_from(values)
    try:
        strategy = from_field(field)
        if multiple:
            return strategy.map(lambda values: [_as_posted(v) for v in values])
        return strategy.map(_as_posted)
    except HypothesisException:
        pass  # a subclass from_field does not know, or a model choice field
    if hasattr(field, "choices"):
        values = _choice_values(field)
        if values:
            if multiple:
                return st.lists(st.sampled_from(values), max_size=3)
            return st.sampled_from(values)
    return any_text


def field_data(field):
    """Data for one field: a likely valid value, hostile text, or (for a field taking several
    values) a list mixing both. None when the field takes no typed value."""
    if isinstance(field.widget, forms.PasswordInput):
        return password_text
    valid = valid_values(field)
    if valid is None:
        return None
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.one_of(valid, st.lists(any_text, max_size=3))
    # Valid twice over: most examples then reach the service behind the form.
    return st.one_of(valid, valid, hostile_text, any_text)


@st.composite
def form_data(draw, form):
    """{posted name: text or list of texts} for `form`'s fields (with its prefix); each field
    may also be left out, as a hand-made request would. File fields stay absent."""
    data = {}
    for name, field in form.fields.items():
        strategy = field_data(field)
        if strategy is None or draw(st.integers(0, 9)) == 0:
            continue
        data[form.add_prefix(name)] = draw(strategy)
    return data


def urlencoded(data):
    """`data` as an application/x-www-form-urlencoded body. Lone surrogates cannot be UTF-8:
    they go as the invalid bytes a broken client would send (Django reads them as U+FFFD)."""
    pairs = []
    for name, value in data.items():
        for each in value if isinstance(value, list) else [value]:
            pairs.append(
                quote(name.encode("utf-8", "surrogatepass"), safe="")
                + "="
                + quote(each.encode("utf-8", "surrogatepass"), safe="")
            )
    return "&".join(pairs).encode("ascii")


def as_received(text):
    """What Django reads from `text` sent through urlencoded()."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
