import unicodedata

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from units.text import matched_spans

register = template.Library()


@register.filter
def highlight(value, query) -> str:
    """`value` escaped, with the words of the search `query` marked (<mark>) where they
    match it ignoring diacritics and case; the text keeps its diacritics (issue #14)."""
    value = unicodedata.normalize("NFC", str(value or ""))
    if not query:
        return escape(value)
    pieces, last = [], 0
    for start, end in matched_spans(value, str(query)):
        pieces.append(escape(value[last:start]))
        pieces.append(f"<mark>{escape(value[start:end])}</mark>")
        last = end
    pieces.append(escape(value[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 (every piece escaped above)
