"""What the print templates (templates/uptake/pdf/) see: the caller's plain dict turned into
runs of text that carry their own direction, paragraphs, and Burmese with break
opportunities. Callers: uptake.pdf.render_html."""

import unicodedata

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from uptake.myanmar import add_syllable_breaks


def print_context(context, *, syllable_breaks):
    """A new dict for the templates: every free text becomes {text, dir} runs or lists of
    paragraphs, with Burmese break opportunities; the caller's dict is left as it was."""
    document_direction = _language_direction(context["language_code"])

    def run(text):
        text = " ".join(str(text or "").split())
        if syllable_breaks:
            text = add_syllable_breaks(text)
        return {"text": text, "dir": _direction(text, document_direction)}

    def paragraphs(text):
        return [run(line) for line in str(text or "").splitlines() if line.strip()]

    prepared = {
        "kind": context["kind"],
        "language_code": context["language_code"],
        "direction": document_direction,
        "title": run(context["title"]),
        "programme_name": run(context["programme_name"]),
        "dialogue_title": run(context["dialogue_title"]),
        "date": context["date"],
        "version": context["version"],
        "revision": context["revision"],
        "status_label": context["status_label"],
        "classification": context["classification"],
    }
    if context["kind"] == "aide_memoire":
        prepared.update(
            reader_name=run(context["reader_name"]),
            # The footer names the reader and the day they took it, so a leak can be traced.
            prepared_on=timezone.localdate(),
            sections=[
                {"title": run(section["title"]), "body": paragraphs(section["body"])}
                for section in context["sections"]
            ],
        )
        return prepared

    step_texts = {step["number"]: step["text"] for step in context["steps"]}
    prepared.update(
        problem=paragraphs(context["problem"]),
        steps=[
            {
                "number": step["number"],
                "text": paragraphs(step["text"]),
                "who": run(step["who"]),
                "when": run(step["when"]),
                "how": paragraphs(step["how"]),
                "ladder_label": step["ladder_label"],
            }
            for step in context["steps"]
        ],
        ladder=[
            {
                "label": rung["label"],
                "steps": [run(_ladder_entry(entry, step_texts)) for entry in rung["steps"]],
            }
            for rung in context["ladder"]
            # An empty rung says nothing on paper and costs a line of the two pages.
            if rung["steps"]
        ],
        legal_notes=paragraphs(context["legal_notes"]),
        operational_notes=paragraphs(context["operational_notes"]),
    )
    return prepared


def _ladder_entry(entry, step_texts):
    """A ladder rung lists steps as ready-made labels ("Step 2: …"), step numbers, or
    {number, text} dicts; all print as "Step 2: …"."""
    if isinstance(entry, dict):
        number, text = entry["number"], entry["text"]
    elif isinstance(entry, int):
        number, text = entry, step_texts.get(entry, "")
    else:
        return entry
    return _("Step %(number)s: %(text)s") % {"number": number, "text": text}


def _direction(text, default):
    """The direction of `text`, "rtl" or "ltr", from its first strong character (what
    dir="auto" would do; WeasyPrint does not support it); `default` when it has none, as
    with only digits."""
    for character in text:
        bidi_class = unicodedata.bidirectional(character)
        if bidi_class == "L":
            return "ltr"
        if bidi_class in ("R", "AL"):
            return "rtl"
    return default


def _language_direction(language_code):
    try:
        return "rtl" if translation.get_language_info(language_code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"
