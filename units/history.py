"""The registry's history as a reader takes it: what changed on a unit, and what an
import would change, named the same way (these read the database only;
`describe_changes` annotates the rows it is given); and `record_bulk`, the history rows
of many units written at once, as an import's commit writes them."""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Unit

HISTORY_HIDDEN = {"updated_by", "source_import"}  # shown as the record's who and provenance instead


def unit_changes(unit):
    """The unit's history as (when, who, [(field label, old, new)]), newest first,
    with choices and related records by name."""
    records = list(unit.history.select_related("history_user").order_by("-history_date", "-history_id"))
    changes = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        if previous is None:
            changes.append((record.history_date, record.history_user, None))
            continue
        delta = record.diff_against(previous)
        fields = [(Unit._meta.get_field(c.field), c.old, c.new) for c in delta.changes if c.field not in HISTORY_HIDDEN]
        if fields:
            changes.append((record.history_date, record.history_user, fields))
    described = readable_changes([fields or [] for _when, _who, fields in changes])
    return [(when, who, fields and labelled) for (when, who, fields), labelled in zip(changes, described, strict=True)]


def readable_changes(groups) -> list[list[tuple]]:
    """For each group of (model field, old, new): (field label, old, new) as a reader takes
    them — choices by their label, related records by name (one query per related model
    whatever the number of changes), yes/no, dates dd/mm/yyyy."""
    wanted = {}
    for fields in groups:
        for field, old, new in fields:
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v not in (None, ""))
    names = {model: {pk: str(obj) for pk, obj in model.objects.in_bulk(pks).items()} for model, pks in wanted.items()}

    def readable(field, value):
        if value in (None, ""):
            return None
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if field.is_relation:
            return names[field.related_model].get(value, value)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if field.get_internal_type() == "DateField" and isinstance(value, str):
            value = datetime.date.fromisoformat(value)  # as an import row stores it
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        return value

    return [[(field.verbose_name, readable(field, old), readable(field, new)) for field, old, new in fields]
            for fields in groups]


def describe_changes(rows) -> None:
    """Give each row `change_list`: (field label, old, new) as the unit's history shows them."""
    rows = list(rows)
    described = readable_changes([[(Unit._meta.get_field(field), old, new) for field, (old, new) in row.changes.items()]
                                  for row in rows])
    for row, change_list in zip(rows, described, strict=True):
        row.change_list = change_list


def record_bulk(unit_ids, *, created: bool, by, when=None) -> int:
    """Write one history record per unit, as the unit now stands in the database, in one
    statement whatever the number of units: what django-simple-history's
    bulk_create_with_history / bulk_update_with_history write ("+" created, "~" changed,
    no change reason), without a Python object per unit. All the records of a call share
    one moment (`when`, by default now). Side effects: rows of units_historicalunit.
    Returns how many were written."""
    unit_ids = list(unit_ids)
    if not unit_ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return 0
    historical = Unit.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in historical.tracked_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(historical._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608 (the models' own names)
            f"history_type, history_user_id) SELECT {columns}, %s, NULL, %s, %s FROM {quote(Unit._meta.db_table)} "
            "WHERE id = ANY(%s) ORDER BY id",
            [when or timezone.now(), "+" if created else "~", by.pk if by else None, unit_ids])
        return cursor.rowcount
