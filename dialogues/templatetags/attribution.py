"""{{ text|names_withheld:redact }}: a dialogue's free text as the reader may see it.

`redact` is the view's Redactor (dialogues.services.attribution), built once per request for
what the reader may see. A view that forgets to give one fails to render (the argument does
not resolve); given something else, the template shows "[name withheld]" instead of the
text: a mistake must hide a name, never show it."""

from django import template

from dialogues.services.attribution import NAME_WITHHELD, Redactor

register = template.Library()


@register.filter
def names_withheld(text, redact):
    if not text:
        return text
    if not isinstance(redact, Redactor):
        return NAME_WITHHELD
    return redact(text)
