"""Several short lists of a page read by one query.

A visit's page shows its answers, photos, corrections, signatures and QR codes read: five
lists of a few rows each, five round trips. On an idle machine each costs a fraction of a
millisecond; under load each waits its turn at PostgreSQL and then at the interpreter
(docs/benchmarks.md, "Fourth round": 2.6-10 ms a query at 50 requests a second), and the
page pays that wait once a list. `read_together` sends the lists as one query: each
queryset's own SQL (its filters, its order) becomes one part of a UNION ALL, each row
travels as JSON (`to_jsonb`) and comes back as its model's instance, as the queryset
itself would have read it.

It takes plain querysets of model rows: no select_related, no annotations, no values(),
no deferred fields (what a row carries is then exactly its model's concrete fields).
"""

import json
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DecimalField, F, JSONField, Window
from django.db.models.functions import RowNumber

ROW = "together_row"  # the row's place in its queryset's order


def _ordering(queryset) -> list:
    names = queryset.query.order_by or (queryset.model._meta.ordering if queryset.query.default_ordering else [])
    terms = []
    for name in names:
        if not isinstance(name, str) or name == "?":
            raise ValueError(f"read_together orders by field names only, not {name!r}")
        terms.append(F(name[1:]).desc() if name.startswith("-") else F(name).asc())
    return terms + [F("pk").asc()]


def _check(queryset) -> None:
    query = queryset.query
    if query.select_related or query.annotations or query.deferred_loading != (frozenset(), True) or \
            queryset._fields is not None or query.distinct or query.combinator or query.is_sliced:
        raise ValueError("read_together reads plain querysets of model rows")


def _value(field, value):
    if value is None:
        return None
    if isinstance(field, JSONField):
        return value  # jsonb inside jsonb: already what JSONField reads
    if isinstance(field, DecimalField):
        # A JSON number comes as a float; its shortest repr is the digits PostgreSQL printed.
        return Decimal(repr(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    return field.to_python(value)


def read_together(*querysets, using: str | None = None) -> list[list]:
    """The rows of each queryset, in its own order, as one list each, by one query."""
    if not querysets:
        return []
    using = using or querysets[0].db
    parts, params = [], []
    for number, queryset in enumerate(querysets):
        _check(queryset)
        numbered = queryset.annotate(**{ROW: Window(RowNumber(), order_by=_ordering(queryset))}).order_by()
        try:
            sql, part_params = numbered.query.get_compiler(using).as_sql()
        except EmptyResultSet:  # .none(), or a filter on an empty list: no rows, no part
            continue
        # Django's compiled SQL, its parameters apart: nothing typed reaches the text.
        parts.append(f"SELECT {number} AS part, to_jsonb(q) AS row FROM ({sql}) q")  # noqa: S608
        params.extend(part_params)
    lists = [[] for _ in querysets]
    if not parts:
        return lists
    union = " UNION ALL ".join(parts)
    sql = f"SELECT part, row FROM ({union}) parts ORDER BY part, (row->>'{ROW}')::bigint"  # noqa: S608
    fields = [queryset.model._meta.concrete_fields for queryset in querysets]
    attnames = [[field.attname for field in model_fields] for model_fields in fields]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        for number, text in cursor.fetchall():
            row = json.loads(text)  # Django has psycopg hand jsonb over as text (JSONField decodes its own)
            queryset = querysets[number]
            instance = queryset.model.from_db(using, attnames[number],
                                              [_value(field, row[field.column]) for field in fields[number]])
            # As Django's own iterable does: a related manager's rows know the object they came from
            # (an answer read by visit.answers knows its visit without a query).
            for field, objects in queryset._known_related_objects.items():
                if getattr(instance, field.attname) in objects:
                    setattr(instance, field.name, objects[getattr(instance, field.attname)])
            lists[number].append(instance)
    return lists
