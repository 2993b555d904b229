"""What the visit page hands its script: an item's rules as JSON (the phone applies the
same rules as inspections/fieldwork.py while offline; tests/e2e/test_offline_visit.py
checks that both agree)."""

import json

from django import template

register = template.Library()


@register.filter
def as_json(value) -> str:
    """The value as JSON ('' for none), for a data- attribute (autoescaped there)."""
    return "" if value is None else json.dumps(value, ensure_ascii=False)
