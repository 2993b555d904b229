"""What the visit page hands its script: an item's rules as JSON (the phone applies the
same rules as inspections/fieldwork.py while offline; tests/e2e/test_offline_visit.py
checks that both agree)."""

import hashlib
import json

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def as_json(value) -> str:
    """The value as JSON ('' for none), for a data- attribute (autoescaped there)."""
    return "" if value is None else json.dumps(value, ensure_ascii=False)


@register.filter
def answer_key(item, answer) -> str:
    """Every field of an item and its answer that its form (_answer.html) shows, and the time
    zone its times are shown in, as one digest: the form's cached HTML is keyed by it, so a
    changed answer, note or checklist text is drawn anew, never served stale."""
    shown = (item.pk, item.code, item.kind, item.section.code, item.required, item.noncompliant_if,
             item.photo_required_if, item.text, item.text_en, item.help_text, item.help_text_en, item.choices,
             None if answer is None else (answer.pk, answer.value, answer.note, answer.saved_at),
             timezone.get_current_timezone_name())
    return hashlib.sha256(repr(shown).encode()).hexdigest()
