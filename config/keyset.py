"""Keyset pagination: a page of a long list read from where the last one ended, not by
OFFSET. PostgreSQL finds the page's first row through the list's index, so the thousandth
page of a national campaign's visits costs what the first does (OFFSET reads and drops
every row before the page).

A page's links carry a cursor: `after=` (the last row's key) for the next page, `before=`
(the first row's key) for the previous one. The key is the list's order, e.g. (starts_at,
id); it ends with the primary key, so it is unique. A cursor that cannot be read is the
first page (the address was typed or cut short: nothing to refuse). The total is counted
apart (`count`), through the same index.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

SEPARATOR = "~"


def _encode(value) -> str:
    return value.isoformat() if isinstance(value, datetime.datetime | datetime.date) else str(value)


@dataclass
class KeysetPage:
    """The rows of one page and the cursors of its neighbours (None when there is none)."""

    object_list: list
    after: str | None = None
    before: str | None = None
    count: int = 0
    query: str = ""  # the page's other parameters, for its links
    size: int = 50

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.after is not None

    @property
    def has_previous(self) -> bool:
        return self.before is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def _href(self, key: str, cursor: str) -> str:
        return "?" + (f"{self.query}&" if self.query else "") + urlencode({key: cursor})

    @property
    def next_href(self) -> str:
        return self._href("after", self.after) if self.after else ""

    @property
    def previous_href(self) -> str:
        return self._href("before", self.before) if self.before else ""


def _cursor(row, keys) -> str:
    return SEPARATOR.join(_encode(getattr(row, key)) for key in keys)


def _parse(cursor: str, queryset, keys) -> tuple | None:
    parts = cursor.split(SEPARATOR)
    if len(parts) != len(keys):
        return None
    try:
        return tuple(queryset.model._meta.get_field(key).to_python(part) for key, part in zip(keys, parts, strict=True))
    except (ValueError, TypeError, ValidationError):
        return None


def keyset_page(queryset, params, *, keys=("starts_at", "id"), size=50, query="") -> KeysetPage:
    """The page of `queryset` (ordered here by `keys`, ascending) that `params` (the request's
    GET) asks for with `after=` or `before=`; the first page without either. One query for the
    rows (size + 1, to know whether a page follows) and one for the total."""
    ordered = queryset.order_by(*keys)
    key = Tuple(*(F(name) for name in keys))
    after = _parse(params.get("after", ""), queryset, keys) if params.get("after") else None
    before = _parse(params.get("before", ""), queryset, keys) if params.get("before") else None
    if before is not None:
        rows = list(ordered.filter(Q(TupleLessThan(key, before))).reverse()[:size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        page = KeysetPage(rows, after=_cursor(rows[-1], keys) if rows else None,
                          before=_cursor(rows[0], keys) if rows and more_before else None)
    else:
        rows = list((ordered.filter(Q(TupleGreaterThan(key, after))) if after is not None else ordered)[:size + 1])
        more_after = len(rows) > size
        rows = rows[:size]
        page = KeysetPage(rows, after=_cursor(rows[-1], keys) if rows and more_after else None,
                          before=_cursor(rows[0], keys) if rows and after is not None else None)
    page.count, page.query, page.size = queryset.count(), query, size
    return page
