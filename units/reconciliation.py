"""Reconciliation with the PC-Covid portal's list of registered location QR codes.

The portal's export is read like any unit workbook (units.importing); each location
is then matched to a registry unit: by portal location code (certain), else by the
folded name in the same commune (likely), else in the same district (possible).
Accepting a match records the code on the unit; a location the registry lacks can
be added with one click.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from units import text
from units.models import ImportBatch, ImportRow, Unit, UnitCategory
from units.services import EDITABLE_FIELDS, create_unit, update_unit

CERTAIN, LIKELY, POSSIBLE = 100, 90, 60
WITH_QR = Q(qr_status__in=[Unit.QRStatus.CREATED, Unit.QRStatus.POSTED])


def _registry_index():
    by_code, by_commune, by_district = {}, {}, {}
    for pk, code, commune, district, key in Unit.objects.values_list(
            "pk", "qr_location_code", "commune_id", "commune__parent_id", "name_key").iterator(chunk_size=5000):
        if code:
            by_code[code] = pk
        by_commune.setdefault((commune, key), pk)
        by_district.setdefault((district, key), []).append(pk)
    return by_code, by_commune, by_district


def classify_portal_rows(parsed_rows):
    """ImportRows for a portal list: matched (with a confidence) / missing / error / skipped."""
    by_code, by_commune, by_district = _registry_index()
    for parsed in parsed_rows:
        # The category is not on the portal's list: no warning about it.
        warnings = [w for w in parsed.warnings if "category" not in w.lower() and "loại" not in w.lower()]
        row = ImportRow(row=parsed.row, values=[_json(v) for v in parsed.values],
                        data={k: _json(v) for k, v in parsed.data.items()}, messages=[*parsed.errors, *warnings])
        if parsed.status in ("skipped", "error"):
            row.status = parsed.status
            yield row
            continue
        key = text.name_key(parsed.data["name"])
        code = parsed.data.get("qr_location_code") or ""
        candidates = [
            (by_code.get(code) if code else None, CERTAIN),
            (by_commune.get((parsed.data["commune"], key)), LIKELY),
            (_only(by_district.get((parsed.data.get("district"), key), [])), POSSIBLE),
        ]
        unit_id, confidence = next(((pk, c) for pk, c in candidates if pk), (None, None))
        row.unit_id, row.confidence = unit_id, confidence
        row.status = ImportRow.Status.MATCHED if unit_id else ImportRow.Status.MISSING
        yield row


def _only(pks):
    return pks[0] if len(pks) == 1 else None


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def accept_match(row: ImportRow, *, by) -> Unit:
    """Record the portal's location code (and its date) on the matched unit.

    Side effects: the unit's QR status becomes "created" unless it was "posted"; a
    history record naming `by`; the row marked accepted. Raises ValidationError if
    another unit holds the code.
    """
    row = ImportRow.objects.select_for_update().get(pk=row.pk)
    unit = Unit.objects.select_for_update().get(pk=row.unit_id)
    fields = {"qr_location_code": row.data.get("qr_location_code") or unit.qr_location_code}
    if unit.qr_status == Unit.QRStatus.NONE:
        fields["qr_status"] = Unit.QRStatus.CREATED
    if row.data.get("qr_created_on") and not unit.qr_created_on:
        fields["qr_created_on"] = row.data["qr_created_on"]
    update_unit(unit, by=by, **fields)
    row.status = ImportRow.Status.ACCEPTED
    row.save(update_fields=["status"])
    return unit


@transaction.atomic
def add_from_portal(row: ImportRow, *, by) -> Unit:
    """Create a registry unit from a portal location the registry lacks. Side effects:
    the unit (category as read, "Khác" when the list has none), its history, the row
    marked added."""
    row = ImportRow.objects.select_for_update().get(pk=row.pk)
    data = row.data
    fields = {field: data[field] for field in EDITABLE_FIELDS if field in data and field not in ("category", "commune")}
    fields.setdefault("qr_status", Unit.QRStatus.CREATED)
    unit = create_unit(by=by, category_id=data["category"], commune_id=data["commune"], **fields)
    row.unit, row.status = unit, ImportRow.Status.ADDED
    row.save(update_fields=["unit", "status"])
    return unit


def unregistered_units(batch: ImportBatch, units):
    """Active registry units that no location of this portal list matched and that
    hold no portal code."""
    matched = batch.rows.filter(unit__isnull=False).values("unit_id")
    return units.filter(is_active=True, qr_location_code="").exclude(pk__in=matched)


def qr_coverage(units, by: str):
    """Units with a location QR (created or posted) per district or per category:
    rows of (label, total, with QR, percent), and a total row that is their sum."""
    group = {"district": ("commune__parent__name", "commune__parent__code"),
             "category": ("category__name", "category__order", "category__name_en")}[by]
    rows = (units.filter(is_active=True).values(*group).annotate(total=Count("id"), with_qr=Count("id", filter=WITH_QR))
            .order_by(group[1]))
    # A district is a proper name; a category has its English label (issue #14).
    return qr_table([(UnitCategory.label(row[group[0]], row[group[2]]) if by == "category" else row[group[0]],
                      row["total"], row["with_qr"]) for row in rows])


def qr_table(rows) -> tuple[list[tuple], tuple]:
    """Rows of (label, total, with QR) as qr_coverage shows them: each with its percent, and
    their total row (the dashboard's tallies give the same rows: reports/tallies.py)."""
    table = [(label, total, with_qr, _percent(with_qr, total)) for label, total, with_qr in rows]
    total, with_qr = sum(r[1] for r in table), sum(r[2] for r in table)
    return table, (_("Total"), total, with_qr, _percent(with_qr, total))


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else 0.0
