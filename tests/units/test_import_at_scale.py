"""The import at 100,000 rows (issue #16): its preview and its commit run a number of
queries that does not grow with the rows (one more per chunk of ROW_BATCH at most), the
commit's bulk writes leave the registry and its history exactly as django-simple-history's
helpers (bulk_create_with_history / bulk_update_with_history) did, the bar moves while the
commit runs, and the category guessed by runs of words is the one every phrase scanned gave."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.roles import Role
from tests.factories import make_unit, make_user
from tests.units.workbook_builders import upload
from units import history, imports, services
from units.importing import _as_text, _Categories
from units.models import CategorySynonym, ImportBatch, ImportRow, Unit, UnitCategory
from units.services import load_divisions
from units.text import name_key

COMMUNE = ("Thành phố Hà Tĩnh", "Phường Trần Phú")


def new_rows(count, *, start=1):
    return [[f"Cửa hàng số {number}", "Cơ sở sản xuất, kinh doanh", *COMMUNE, f"Số {number} Hà Huy Tập",
             912000000 + number, f"HT-{number:05d}", "05/11/2021"] for number in range(start, start + count)]


def registry_and_file(count):
    """A registry of `count` units and a file of 3 × count rows: a third new, a third
    changing a registry unit (its address, phone, code and QR date), a third repeating
    a row above; and a row with an error."""
    for number in range(1, count + 1):
        make_unit(f"Chợ số {number}", address="", qr_status="none")
    changed = [[f"Chợ số {number}", "Chợ", *COMMUNE, f"Đường {number}", 912100000 + number, f"QR-{number:05d}",
                "20/11/2021"] for number in range(1, count + 1)]
    fresh = new_rows(count)
    return [*fresh, *changed, *fresh, ["Quán lạ", "Chợ", "Huyện Không Có", "Xã Không Có", "", "", "", None]]


def preview(user, rows):
    batch = imports.start_import(uploaded_file=upload(rows), by=user)
    with CaptureQueriesContext(connection) as queries, translation.override("en"):
        imports.parse_import(batch)
    batch.refresh_from_db()
    return batch, len(queries)


def commit(batch, user):
    with CaptureQueriesContext(connection) as queries:
        result = imports.commit_import(ImportBatch.objects.get(pk=batch.pk), by=user, only_valid_rows=True)
    return result, len(queries)


def run_at(count, user):
    batch, preview_queries = preview(user, registry_and_file(count))
    assert batch.counts == {"new": count, "update": count, "duplicate": count, "error": 1, "skipped": 0}
    result, commit_queries = commit(batch, user)
    assert result == {"created": count, "updated": count}
    return preview_queries, commit_queries


def test_preview_and_commit_run_as_many_queries_for_30_rows_as_for_10(coordinator, divisions):
    sid = transaction.savepoint()
    at_10 = run_at(10, coordinator)
    transaction.savepoint_rollback(sid)

    at_30 = run_at(30, coordinator)

    assert at_30 == at_10


def test_past_a_chunk_the_queries_grow_by_chunk_not_by_row(coordinator, divisions, monkeypatch):
    monkeypatch.setattr(imports, "ROW_BATCH", 10)
    counts = {}
    for rows in (10, 30):
        sid = transaction.savepoint()
        batch, preview_queries = preview(coordinator, new_rows(rows))
        result, commit_queries = commit(batch, coordinator)
        assert result == {"created": rows, "updated": 0}
        counts[rows] = (preview_queries, commit_queries)
        transaction.savepoint_rollback(sid)

    # 30 rows are two chunks more than 10: per chunk, the preview stores its rows in one
    # INSERT; the commit inserts the units in one and their history records in another (and
    # moves the bar with one UPDATE on a connection of its own, not counted here: see the
    # last test).
    assert counts[30][0] - counts[10][0] == 2 * 1
    assert counts[30][1] - counts[10][1] == 2 * 2


# ------------------------------------------------------------------------------ the slow path, for reference


def slow_create_units(batch, *, by, progress=None):
    """The commit as it was before issue #16 (units/imports.py at 526983a): django-simple-history's
    bulk helpers, which build a HistoricalUnit object per unit."""
    created = 0
    rows = batch.rows.filter(status=ImportRow.Status.NEW).values_list("data", flat=True)
    pending = []
    for data in rows.iterator(chunk_size=1000):
        unit = Unit(**imports._unit_fields(data), created_by=by, updated_by=by, source_import=batch)
        unit.set_derived_fields()
        pending.append(unit)
    if pending:
        created += len(bulk_create_with_history(pending, Unit, batch_size=1000, default_user=by))
    return created


def slow_update_units(batch, *, by, progress=None):
    rows = list(batch.rows.filter(status=ImportRow.Status.UPDATE).values_list("unit_id", "changes"))
    updated = 0
    for start in range(0, len(rows), 1000):
        chunk = dict(rows[start:start + 1000])
        units = Unit.objects.select_for_update().in_bulk(chunk.keys())
        fields = set()
        for unit_id, changes in chunk.items():
            unit = units[unit_id]
            for field, value in imports._unit_fields({f: new for f, (_old, new) in changes.items()}).items():
                setattr(unit, field, value)
                fields.add(field)
            unit.updated_by, unit.source_import = by, batch
            unit.set_derived_fields()
        bulk_update_with_history(
            list(units.values()), Unit,
            [*fields, "updated_by", "source_import", "name_key", "sort_key", "search_text"],
            batch_size=1000, default_user=by)
        updated += len(units)
    return updated


MOMENTS = {"id", "created_at", "updated_at", "history_id", "history_date"}  # the database's, not the import's


def registry():
    """Every unit (by name) with its fields and its history records, ids and moments left out."""
    units = {}
    for unit in Unit.objects.all():
        fields = {key: value for key, value in model_to_dict(unit).items() if key not in MOMENTS}
        fields.update(name_key=unit.name_key, sort_key=unit.sort_key, search_text=unit.search_text)
        records = [{key: value for key, value in record.items() if key not in MOMENTS}
                   for record in unit.history.order_by("history_date", "history_id").values()]
        units[unit.name] = (fields, records)
    return units


def test_the_bulk_commit_writes_the_units_and_history_the_slow_path_wrote(coordinator, divisions, monkeypatch):
    batch, _queries = preview(coordinator, registry_and_file(4))
    assert batch.counts["new"] == 4 and batch.counts["update"] == 4

    sid = transaction.savepoint()
    commit(batch, coordinator)
    bulk = registry()
    transaction.savepoint_rollback(sid)

    monkeypatch.setattr(imports, "_create_units", slow_create_units)
    monkeypatch.setattr(imports, "_update_units", slow_update_units)
    commit(batch, coordinator)
    slow = registry()

    assert sorted(bulk) == sorted(slow) == sorted([*(f"Chợ số {n}" for n in range(1, 5)),
                                                   *(f"Cửa hàng số {n}" for n in range(1, 5))])
    for name in slow:
        assert bulk[name] == slow[name], name
    changed = slow["Chợ số 2"]
    assert [record["history_type"] for record in changed[1]] == ["+", "~"]
    assert changed[1][1]["address"] == "Đường 2" and changed[1][1]["history_user_id"] == coordinator.pk
    assert changed[1][1]["source_import_id"] == batch.pk
    assert [record["history_type"] for record in slow["Cửa hàng số 3"][1]] == ["+"]


# ------------------------------------------------------------------------------ the bar while saving


def seen_from_another_connection(batch_id):
    """(status, progress done, progress total, units in the registry) as the batch's page reads them."""
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with own.cursor() as cursor:
            cursor.execute("SELECT status, progress_done, progress_total FROM units_importbatch WHERE id = %s",
                           [batch_id])
            status, done, total = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM units_unit")
            return status, done, total, cursor.fetchone()[0]
    finally:
        own.close()


@pytest.mark.django_db(transaction=True)
def test_the_commit_moves_the_bar_chunk_by_chunk_and_still_writes_all_or_nothing(monkeypatch):
    coordinator = make_user("coordinator", Role.COORDINATOR)
    load_divisions()
    monkeypatch.setattr(imports, "ROW_BATCH", 10)
    batch = imports.start_import(uploaded_file=upload(new_rows(25)), by=coordinator)
    batch.refresh_from_db()
    assert (batch.status, batch.counts["new"]) == (ImportBatch.Status.READY, 25)
    seen = []
    record_bulk = history.record_bulk

    def watched(*args, **kwargs):
        seen.append(seen_from_another_connection(batch.pk))
        return record_bulk(*args, **kwargs)

    monkeypatch.setattr(history, "record_bulk", watched)

    assert imports.commit_import(batch, by=coordinator, only_valid_rows=True) == {"created": 25, "updated": 0}

    # Before each chunk's history: the rows written so far of the 25, and not one unit visible yet.
    assert seen == [("committing", 0, 25, 0), ("committing", 10, 25, 0), ("committing", 20, 25, 0)]
    assert seen_from_another_connection(batch.pk) == ("done", 25, 25, 25)


# ------------------------------------------------------------------------------ the category guess


def scanned_guess(phrases, value, *, at_start_only=False):
    """The guess as it was before issue #16 (units/importing.py at 526983a): every phrase
    looked for in the text, for every row."""
    key = name_key(_as_text(value))
    if not key:
        return None
    padded, best = f" {key} ", None
    for phrase, pk, words in phrases:
        position = padded.find(f" {phrase} ")
        if position == -1 or (at_start_only and position):
            continue
        rank = (position == 0, len(phrase.split()))
        if best is None or rank > best[0]:
            best = (rank, pk, words)
    return (best[1], best[2]) if best else None


def test_the_category_guess_by_runs_of_words_is_the_scan_of_every_phrase(db, django_user_model):
    admin = django_user_model.objects.create_superuser("quantri", password="x")
    # A synonym that is also a part of a category's name, and one inside a longer part.
    services.add_category_synonym(category=UnitCategory.objects.get(code="cong_cong_dong_nguoi"), words="Karaoké",
                                  by=admin)
    services.add_category_synonym(category=UnitCategory.objects.get(code="khac"), words="quán", by=admin)
    categories = _Categories()
    phrases = list(CategorySynonym.objects.values_list("key", "category_id", "words"))
    for pk, code, name in UnitCategory.objects.values_list("pk", "code", "name"):
        if code != "khac":
            phrases += [(name_key(part), pk, part.strip()) for part in name.split(",")
                        if len(name_key(part).split()) >= 2]
    words = [words for _key, _pk, words in phrases]
    texts = [*words, *(f"{a} {b}" for a in words[:12] for b in words[-12:]), *(f"Gần {w} Kỳ Anh" for w in words),
             *(f"Gần {a} và {b}" for a in words for b in words),  # ties: the first phrase in order wins
             "Trường THCS Kỳ Anh", "Đồn Biên phòng gần chợ", "quán karaoke", "Karaoke quán cà phê", "", "  ", None, 42]
    assert len(texts) > 150

    for text in texts:
        for at_start_only in (False, True):
            assert categories.guess(text, at_start_only=at_start_only) == scanned_guess(
                phrases, text, at_start_only=at_start_only), (text, at_start_only)
