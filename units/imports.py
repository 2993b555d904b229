"""The Excel import of units: upload → background parse → preview → commit, all or
nothing, with the background tasks that run it (`manage.py db_worker`).

The workbook is read by `units.importing`; a portal list (reconciliation) is
classified by `units.reconciliation`; the fields a row may set are the registry's
(`units.services.EDITABLE_FIELDS`). None of those imports this module.
"""

import datetime
import json
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from config import jobs
from units import history, text
from units.importing import ImportFileError, open_sheet
from units.models import ImportBatch, ImportRow, Unit
from units.reconciliation import classify_portal_rows
from units.services import EDITABLE_FIELDS

ROW_BATCH = 1000
QR_PROGRESS = [Unit.QRStatus.NONE, Unit.QRStatus.CREATED, Unit.QRStatus.POSTED]
FILE_OUTCOMES = ("new", "update", "duplicate", "error", "skipped")
NOT_WAITING = gettext_lazy("This import is not waiting for confirmation.")
# Why a batch may not be confirmed, by its status: pressing confirm again says what is happening.
NOT_COMMITTABLE = {
    ImportBatch.Status.UPLOADED: gettext_lazy("This file is still being read: confirm once its rows are shown."),
    ImportBatch.Status.PARSING: gettext_lazy("This file is still being read: confirm once its rows are shown."),
    ImportBatch.Status.COMMITTING: gettext_lazy("This import was confirmed and is being saved: this page shows when it "
                                         "is done."),
    ImportBatch.Status.DONE: gettext_lazy("This import has already been saved."),
    ImportBatch.Status.FAILED: gettext_lazy(
        "This import failed: its page says why, and whether it can be tried again."),
}


def start_import(*, uploaded_file, by, kind=ImportBatch.Kind.UNITS) -> ImportBatch:
    """Keep the uploaded workbook (units, or the portal's list for reconciliation) and
    queue its reading. Side effects: an ImportBatch, the file under
    MEDIA_ROOT/imports/, a background task."""
    batch = ImportBatch.objects.create(
        file=uploaded_file, original_name=uploaded_file.name[:255], uploaded_by=by, kind=kind)
    transaction.on_commit(lambda: _enqueue(batch.pk, parse_import_task, batch.pk))
    return batch


def _enqueue(batch_id: int, task, *args) -> None:
    """Queue the batch's task and keep its id, which tells a task claimed by a worker that
    died (config/jobs.py)."""
    result = task.enqueue(*args)
    ImportBatch.objects.filter(pk=batch_id).update(task_id=str(result.id))


def _existing_units_index():
    """The registry as the import compares against it: two dicts, built in one query."""
    by_code, by_name = {}, {}
    fields = ["pk", "commune_id", "name_key", *[f for f in EDITABLE_FIELDS if f not in ("category", "commune")],
              "category_id"]
    for values in Unit.objects.values(*fields).iterator(chunk_size=5000):
        if values["qr_location_code"]:
            by_code[values["qr_location_code"]] = values
        by_name[values["commune_id"], values["name_key"]] = values
    return by_code, by_name


def _as_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _compare(existing: dict, data: dict) -> dict:
    """{field: [old, new]} for the fields the row gives and that differ."""
    changes = {}
    for field, new in data.items():
        if field == "district":
            continue
        key = f"{field}_id" if field in ("category", "commune") else field
        old = existing.get(key)
        if new in (None, "") and field not in ("is_active",):
            continue  # an empty cell does not erase what the registry holds
        if field == "qr_status" and QR_PROGRESS.index(new) < QR_PROGRESS.index(old):
            continue  # a location QR is not un-created by a list that does not know of it
        if _as_json(old) != _as_json(new):
            changes[field] = [_as_json(old), _as_json(new)]
    return changes


def classify_rows(parsed_rows, *, existing=None):
    """Turn parsed rows into ImportRow objects: new / update / duplicate / error / skipped.

    A row is the same place as a registry unit when the portal location code matches,
    or else the folded name in the same commune; it is a duplicate within the file
    when an earlier row named the same place.
    """
    by_code, by_name = existing if existing is not None else _existing_units_index()
    seen_names, seen_codes = {}, {}
    for parsed in parsed_rows:
        row = ImportRow(row=parsed.row, values=[_as_json(v) for v in parsed.values],
                        data={k: _as_json(v) for k, v in parsed.data.items()},
                        messages=[*parsed.errors, *parsed.warnings])
        if parsed.status == "skipped":
            row.status = ImportRow.Status.SKIPPED
            yield row
            continue
        if parsed.status == "error":
            row.status = ImportRow.Status.ERROR
            yield row
            continue
        if parsed.data.get("qr_location_code") and "qr_status" not in parsed.data:
            # A list that gives the portal's code says that the code exists.
            parsed.data["qr_status"] = Unit.QRStatus.CREATED
            row.data["qr_status"] = Unit.QRStatus.CREATED
        name_key_ = parsed.name_key or text.name_key(parsed.data["name"])
        place = (parsed.data["commune"], name_key_)
        code = parsed.data.get("qr_location_code") or ""
        if place in seen_names:
            row.status = ImportRow.Status.DUPLICATE
            row.messages.insert(0, _("The same place as row %(row)s of this file.") % {"row": seen_names[place]})
            yield row
            continue
        if code and code in seen_codes:
            row.status = ImportRow.Status.ERROR
            row.messages.insert(0, _("Location code %(code)s is also on row %(row)s of this file.")
                                % {"code": code, "row": seen_codes[code]})
            yield row
            continue
        seen_names[place] = parsed.row
        if code:
            seen_codes[code] = parsed.row
        match = by_code.get(code) if code else None
        name_match = by_name.get(place)
        if match and name_match and match["pk"] != name_match["pk"]:
            row.status = ImportRow.Status.ERROR
            row.messages.insert(0, _("Location code %(code)s belongs to another unit of the registry.")
                                % {"code": code})
            yield row
            continue
        match = match or name_match
        if match is None:
            row.status = ImportRow.Status.NEW
        else:
            row.unit_id = match["pk"]
            row.changes = _compare(match, parsed.data)
            row.status = ImportRow.Status.UPDATE if row.changes else ImportRow.Status.DUPLICATE
            if not row.changes:
                row.messages.insert(0, _("Already in the registry; nothing changes."))
        yield row


_ROW_COLUMNS = [field for field in ImportRow._meta.concrete_fields if not field.primary_key]


def _store_rows(rows) -> None:
    """INSERT the rows in one statement: the rows as one JSON array that PostgreSQL turns
    into records (jsonb_populate_recordset), as bulk_create would store them but without
    its preparing every value of every row in Python."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _ROW_COLUMNS)
    records = json.dumps([{field.column: getattr(row, field.attname) for field in _ROW_COLUMNS} for row in rows],
                         ensure_ascii=False)
    table = quote(ImportRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608 (the model's own names)
                       f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb)", [records])


def parse_import(batch: ImportBatch) -> None:
    """Read the batch's workbook into ImportRows (in the background task).

    Side effects: ImportRow rows in batches of 1,000, the batch's progress, header and
    counts; status READY, or FAILED with a message (and no rows) if the file cannot
    be read. The batch's worker lock is held throughout (config/jobs.py).
    """
    with jobs.running(jobs.IMPORT_BATCH, batch.pk):
        _parse_import(batch)


def _parse_import(batch: ImportBatch) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.PARSING)
    try:
        with batch.file.open("rb") as handle:
            sheet = open_sheet(handle)
            ImportBatch.objects.filter(pk=batch.pk).update(
                header_row=sheet.header_row, headers=[str(h or "") for h in sheet.headers],
                progress_total=sheet.total_rows)

            def progress(done, total):
                ImportBatch.objects.filter(pk=batch.pk).update(progress_done=done, progress_total=total)

            counts = {status: 0 for status in ImportRow.Status.values}
            pending = []
            classify = classify_portal_rows if batch.kind == ImportBatch.Kind.PORTAL else classify_rows
            for row in classify(sheet.rows(progress=progress)):
                row.batch_id = batch.pk
                counts[row.status] += 1
                pending.append(row)
                if len(pending) >= ROW_BATCH:
                    _store_rows(pending)
                    pending = []
            _store_rows(pending)
    except ImportFileError as error:
        ImportRow.objects.filter(batch=batch).delete()
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=str(error.message))
        return
    done = sum(counts.values())
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.READY, counts={k: v for k, v in counts.items() if v or k in FILE_OUTCOMES},
        progress_done=done, progress_total=done)


def _unit_fields(data: dict) -> dict:
    fields = {field: value for field, value in data.items() if field in EDITABLE_FIELDS}
    for key in ("category", "commune"):
        if key in fields:
            fields[f"{key}_id"] = fields.pop(key)
    if fields.get("qr_created_on"):
        fields["qr_created_on"] = datetime.date.fromisoformat(fields["qr_created_on"])
    return fields


def check_committable(batch: ImportBatch, *, only_valid_rows: bool) -> None:
    """What may be committed: a batch ready for review and, when the file has rows with
    errors, only if the user chose to leave those rows out. Raises ValidationError with
    the reason the user reads; no side effects."""
    if batch.status != ImportBatch.Status.READY:
        raise ValidationError(NOT_COMMITTABLE.get(batch.status, NOT_WAITING))
    if batch.counts.get(ImportRow.Status.ERROR) and not only_valid_rows:
        raise ValidationError(_("The file has rows with errors: fix them and upload it again, "
                                "or choose to import the valid rows only."))


def confirm_import(batch: ImportBatch, *, by, only_valid_rows: bool) -> None:
    """The user's confirmation: queue the commit (commit_import, in the background).

    Side effects: the choice of rows kept on the batch (for "Try again"), commit_import_task
    enqueued. Raises ValidationError, queueing nothing, if the batch may not be committed
    (check_committable).
    """
    check_committable(batch, only_valid_rows=only_valid_rows)
    ImportBatch.objects.filter(pk=batch.pk).update(only_valid_rows=only_valid_rows)
    _enqueue(batch.pk, commit_import_task, batch.pk, by.pk, only_valid_rows)


def commit_import(batch: ImportBatch, *, by, only_valid_rows: bool) -> dict:
    """Write the batch's new and changed units in one transaction: all or nothing.

    Refused as check_committable says. Side effects: units created or changed with
    history naming `by` and provenance pointing at the batch, ROW_BATCH at a time, the
    batch's progress (rows written of rows to write) updated after each chunk where its
    page sees it at once (_progress_outside); the batch marked DONE
    (or FAILED with the reason, nothing written). Returns the counts of created and
    updated units. The batch's worker lock is held throughout (config/jobs.py).
    """
    check_committable(batch, only_valid_rows=only_valid_rows)
    with jobs.running(jobs.IMPORT_BATCH, batch.pk):
        return _commit_import(batch, by=by, only_valid_rows=only_valid_rows)


def _commit_import(batch: ImportBatch, *, by, only_valid_rows: bool) -> dict:
    # Compare-and-set: a second confirmation (a double tap, a retried request) finds
    # the batch no longer READY and writes nothing.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.READY).update(
        status=ImportBatch.Status.COMMITTING)
    if not claimed:
        raise ValidationError(NOT_WAITING)
    total = sum(batch.counts.get(status, 0) for status in (ImportRow.Status.NEW, ImportRow.Status.UPDATE))
    try:
        with _progress_outside(batch.pk, total) as progress, transaction.atomic():
            created = _create_units(batch, by=by, progress=progress)
            updated = _update_units(batch, by=by, progress=lambda done: progress(created + done))
    except (DatabaseError, ValidationError, ValueError) as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, retry_step=ImportBatch.Status.COMMITTING,
            message=_("Nothing was imported: %(reason)s") % {"reason": message})
        raise ValidationError(_("Nothing was imported: %(reason)s") % {"reason": message}) from error
    result = {"created": created, "updated": updated}
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.DONE, only_valid_rows=only_valid_rows, committed_at=timezone.now(),
        counts={**batch.counts, **result})
    return result


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@contextmanager
def _progress_outside(batch_id: int, total: int):
    """`progress(done)` for the commit, which runs in one transaction: written on a database
    connection of its own, in autocommit, so that the batch's page sees the bar move while
    the commit's transaction is still open. A row that the caller's transaction has locked
    is skipped (SKIP LOCKED: the commit never waits on its own bar), so is one that it
    alone can see. One UPDATE per call; the connection is closed at the end. The bar is a
    courtesy: if its connection fails, the bar stops and the commit goes on."""
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    table = own.ops.quote_name(ImportBatch._meta.db_table)
    working = True

    def progress(done: int) -> None:
        nonlocal working
        if not working:
            return
        try:
            with own.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = ("  # noqa: S608
                               f"SELECT id FROM {table} WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED)",
                               [done, total, batch_id])
        except DatabaseError:
            working = False

    try:
        progress(0)
        yield progress
    finally:
        own.close()


def _create_units(batch, *, by, progress=None) -> int:
    """The batch's new units, ROW_BATCH at a time: one INSERT of the units and one of their
    history records per chunk, however many rows; `progress(done)` after each chunk."""
    created = 0
    rows = batch.rows.filter(status=ImportRow.Status.NEW).values_list("data", flat=True)
    for chunk in _chunks(rows.iterator(chunk_size=ROW_BATCH), ROW_BATCH):
        units = []
        for data in chunk:
            unit = Unit(**_unit_fields(data), created_by=by, updated_by=by, source_import=batch)
            unit.set_derived_fields()
            units.append(unit)
        Unit.objects.bulk_create(units, batch_size=ROW_BATCH)
        history.record_bulk([unit.pk for unit in units], created=True, by=by)
        created += len(units)
        if progress:
            progress(created)
    return created


def _update_units(batch, *, by, progress=None) -> int:
    """The batch's changed units, ROW_BATCH at a time: per chunk, the units locked and read
    (one query), updated (one) and their history records written (one); `progress(done)`
    after each chunk."""
    rows = batch.rows.filter(status=ImportRow.Status.UPDATE).values_list("unit_id", "changes")
    updated = 0
    for pairs in _chunks(rows.iterator(chunk_size=ROW_BATCH), ROW_BATCH):
        chunk = dict(pairs)
        units = Unit.objects.select_for_update().in_bulk(chunk.keys())
        fields = set()
        for unit_id, changes in chunk.items():
            unit = units[unit_id]
            for field, value in _unit_fields({f: new for f, (_old, new) in changes.items()}).items():
                setattr(unit, field, value)
                fields.add(field)
            unit.updated_by, unit.source_import = by, batch
            unit.set_derived_fields()
        Unit.objects.bulk_update(
            list(units.values()), [*fields, "updated_by", "source_import", "name_key", "sort_key", "search_text"],
            batch_size=ROW_BATCH)
        history.record_bulk(units.keys(), created=False, by=by)
        updated += len(units)
        if progress:
            progress(updated)
    return updated


# ------------------------------------------------------------------------------ a worker that died


INTERRUPTED = {
    ImportBatch.Status.PARSING: gettext_lazy(
        "Reading the file stopped: the background process that read it ended before it finished (the server "
        "was restarted or the process was stopped). Nothing was kept. Press “Try again” to read it again."),
    ImportBatch.Status.COMMITTING: gettext_lazy(
        "Saving stopped: the background process that saved the units ended before it finished (the server was "
        "restarted or the process was stopped). Nothing was imported: it is all or nothing. Press “Try again” "
        "to save them again."),
}


def fail_if_abandoned(batch: ImportBatch) -> bool:
    """Mark failed, with the reason and "Try again", a batch still said to be read or saved
    whose worker died; called by its page, which polls while the batch is in progress.

    Reading or saving: no worker holds the batch's lock (config/jobs.py). Waiting to be
    read: the queue's task was claimed a minute ago or ended, and no worker holds the lock.
    Side effects: the batch FAILED with retry_step; the rows read so far deleted; the
    queue's task closed. Returns whether the batch was marked failed (then refreshed).
    """
    if batch.status == ImportBatch.Status.UPLOADED:
        if not jobs.claimed_and_dropped(batch.task_id):
            return False
        step = ImportBatch.Status.PARSING
    elif batch.status in INTERRUPTED:
        step = batch.status
    else:
        return False
    if not jobs.abandoned(jobs.IMPORT_BATCH, batch.pk):
        return False
    # Conditional on the status read: a worker that finished meanwhile has changed it.
    failed = ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(
        status=ImportBatch.Status.FAILED, retry_step=step, message=str(INTERRUPTED[step]))
    if failed:
        if step == ImportBatch.Status.PARSING:
            ImportRow.objects.filter(batch=batch).delete()
        jobs.fail_task(batch.task_id)
        batch.refresh_from_db()
    return bool(failed)


@transaction.atomic
def retry_import(batch: ImportBatch, *, by) -> None:
    """"Try again": run again the step a failed batch stopped at, read or save.

    Side effects: reading again, the rows and the header read before deleted, the batch
    waiting to be read and parse_import_task queued; saving again, the batch ready and
    its commit queued as confirm_import does, with the rows chosen before. Raises
    ValidationError for a batch that did not fail that way (its file was refused: the
    same file would be refused again).
    """
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportBatch.Status.FAILED or not locked.retry_step:
        raise ValidationError(_("This import cannot be tried again: upload the file again."))
    batches = ImportBatch.objects.filter(pk=batch.pk)
    if locked.retry_step == ImportBatch.Status.PARSING:
        ImportRow.objects.filter(batch=batch).delete()
        batches.update(status=ImportBatch.Status.UPLOADED, retry_step="", message="", progress_done=0,
                       progress_total=None, header_row=None, headers=[], counts={}, task_id="")
        transaction.on_commit(lambda: _enqueue(batch.pk, parse_import_task, batch.pk))
    else:
        batches.update(status=ImportBatch.Status.READY, retry_step="", message="", task_id="")
        locked.refresh_from_db()
        confirm_import(locked, by=by, only_valid_rows=locked.only_valid_rows)
    batch.refresh_from_db()


# ------------------------------------------------------------------------------ the background tasks


@task()
def parse_import_task(batch_id: int) -> None:
    parse_import(ImportBatch.objects.get(pk=batch_id))


@task()
def commit_import_task(batch_id: int, user_id: int, only_valid_rows: bool) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        commit_import(batch, by=get_user_model().objects.get(pk=user_id), only_valid_rows=only_valid_rows)
    except ValidationError:
        pass  # commit_import has marked the batch FAILED with the reason the user reads
