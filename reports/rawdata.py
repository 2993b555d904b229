"""The analysts' raw data export: a campaign's visits and every answer of them, one row
each, in an .xlsx written in the background (a `RawExport` job) from the visits the
requester may see.

Each sheet is a `units.exporters.ListExporter` (`headers()` and a `rows()` generator);
`render_xlsx` writes both into one write-only workbook (openpyxl keeps only the current
row in memory) and reports its progress. Rows come from `values_list(...).iterator()`
and small lookups built before the loop, so memory stays flat and the number of
queries does not depend on the number of rows.
"""

import csv
import datetime
import io
import json
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django_tasks import task

from accounts.roles import has_role
from config import jobs
from config.dbrouter import replica_reads
from inspections.models import Answer, Campaign, ChecklistItem, Visit
from inspections.vocabulary import CONCLUSION_LABELS, CRITERIA
from reports.documents import LOCAL_TIMEZONE  # visits are dated in Hà Tĩnh, whatever the server's zone
from reports.models import REPORT_READERS, RawExport
from units.exporters import ListExporter, render_xlsx
from units.models import UnitCategory

logger = logging.getLogger(__name__)

IN_PROGRESS = (RawExport.Status.QUEUED, RawExport.Status.RUNNING)
CHUNK_SIZE = 2000


# ------------------------------------------------------------------------------ who


def can_export_raw_data(user) -> bool:
    """The DIC's Inspectorate, leadership and administrators analyse the raw data: the
    report's readers."""
    return has_role(user, *REPORT_READERS)


# ------------------------------------------------------------------------------ the sheets


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    # A spreadsheet has no timezones: the local wall-clock time, naive, to the second.
    return timezone.localtime(moment, LOCAL_TIMEZONE).replace(tzinfo=None, microsecond=0) if moment else None


class VisitSheet(ListExporter):
    """One row per visit: where, when, its status, conclusion and the unit's figures."""

    def __init__(self, visits):
        self.visits = visits

    def title(self) -> str:
        return pgettext("raw data sheet", "Visits")

    def headers(self) -> list[str]:
        return [_("Visit ID"), _("Unit"), _("Category"), _("District"), _("Commune"), _("Date"), _("Status"),
                _("Conclusion a"), _("Conclusion b"), _("Conclusion c"), _("Overall conclusion"),
                _("Staff"), _("Staff with PC-Covid installed"), _("Location QR codes"),
                _("Scans in the last 7 days"), _("Portal accounts"), _("Shortcomings"), _("Recommendations")]

    def count(self) -> int:
        return self.visits.count()

    def rows(self):
        categories = {category.pk: str(category) for category in UnitCategory.objects.all()}
        statuses = {value: str(label) for value, label in Visit.Status.choices}
        conclusions = {value: str(label) for value, label in CONCLUSION_LABELS.items()}
        visits = self.visits.order_by("starts_at", "position", "pk").values_list(
            "pk", "unit__name", "unit__category_id", "unit__commune__parent__name", "unit__commune__name",
            "starts_at", "status", "conclusion", "staff_total", "staff_with_app", "qr_codes", "scans_last_7_days",
            "portal_accounts", "shortcomings", "recommendations")
        for (pk, unit, category, district, commune, starts_at, status, conclusion, *figures, shortcomings,
             recommendations) in visits.iterator(chunk_size=CHUNK_SIZE):
            conclusion = conclusion or {}
            yield [
                pk, unit, categories.get(category, ""), district, commune, _local(starts_at).date(),
                statuses.get(status, status),
                *[conclusions.get(conclusion.get(code), conclusion.get(code)) for code in CRITERIA],
                *figures, shortcomings, recommendations,
            ]


class AnswerSheet(ListExporter):
    """One row per answer of those visits, in the visits' order, then the checklist's."""

    def __init__(self, visits):
        self.answers = Answer.objects.filter(visit__in=visits)

    def title(self) -> str:
        return pgettext("raw data sheet", "Answers")

    def headers(self) -> list[str]:
        return [_("Visit ID"), _("Unit"), _("District"), _("Criterion"), _("Item code"), _("Question"),
                _("Answer"), _("Note"), _("Saved at")]

    def count(self) -> int:
        return self.answers.count()

    def rows(self):
        # The few items those answers refer to, once, rather than joined into every row.
        items = {item.pk: item for item in ChecklistItem.objects.filter(
            pk__in=self.answers.values("item_id")).select_related("section")}
        yes_no = {"yes": _("Yes"), "no": _("No"), "na": _("Not applicable")}
        answers = self.answers.order_by(
            "visit__starts_at", "visit__position", "visit_id", "item__section__order", "item__order", "item__code",
        ).values_list("visit_id", "visit__unit__name", "visit__unit__commune__parent__name", "item_id", "value",
                      "note", "saved_at")
        for visit_id, unit, district, item_id, value, note, saved_at in answers.iterator(chunk_size=CHUNK_SIZE):
            item = items[item_id]
            yield [visit_id, unit, district, item.section.code, item.code, item.text,
                   answer_value(item.kind, value, yes_no), note, _local(saved_at)]


def answer_value(kind: str, value, yes_no: dict):
    """An answer as a reader takes it: "Có" / "Không" / "Không áp dụng", the text typed,
    a list joined; numbers stay numbers so that analysts can sum and sort them (which
    is why `reports.documents.answer_text`, made for the printed minutes, is not used)."""
    if value is None or value == "":
        return None
    if kind == ChecklistItem.Kind.YES_NO:
        return yes_no.get(value, str(value))
    if isinstance(value, bool):
        return yes_no["yes" if value else "no"]
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# ------------------------------------------------------------------------------ CSV and Parquet, any size

# The sheets an analyst may download on their own, streamed as they are read (no job, no file kept).
SHEETS = {"visits": VisitSheet, "answers": AnswerSheet}
FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet opening the CSV would take these for formulas
STREAM_EVERY = 500  # rows per piece of a streamed CSV
PARQUET_BATCH = 10_000  # rows per Parquet row group


def sheet_for(campaign: Campaign, user, name: str) -> ListExporter:
    """The named sheet (SHEETS) of the campaign's visits this person may see."""
    return SHEETS[name](Visit.objects.visible_to(user).filter(campaign=campaign))


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"  # text stays text (OWASP's CSV injection advice)
    return value


def csv_pieces(exporter: ListExporter):
    """The sheet as UTF-8 CSV text, in pieces of STREAM_EVERY rows, for a StreamingHttpResponse:
    a byte-order mark first (so that Excel reads the diacritics), then the header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(exporter.headers())
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(exporter.rows(), start=1):
        writer.writerow([_csv_value(value) for value in row])
        if count % STREAM_EVERY == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _parquet_value(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def write_parquet(exporter: ListExporter, handle) -> int:
    """The sheet as a Parquet file (pyarrow), PARQUET_BATCH rows per row group, so that memory
    stays flat whatever the size; every column text (an answer is a number, a word or a
    list: the analyst casts), the visit's ID an integer. Returns the rows written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    headers = exporter.headers()
    schema = pa.schema([(headers[0], pa.int64()), *((name, pa.string()) for name in headers[1:])])
    written = 0
    with pq.ParquetWriter(handle, schema) as writer:
        batch = []
        for row in exporter.rows():
            batch.append(row)
            if len(batch) == PARQUET_BATCH:
                writer.write_batch(_record_batch(batch, schema))
                written, batch = written + len(batch), []
        if batch or not written:
            writer.write_batch(_record_batch(batch, schema))
            written += len(batch)
    return written


def _record_batch(rows, schema):
    import pyarrow as pa

    columns = [[row[0] for row in rows], *([_parquet_value(row[index]) for row in rows]
                                           for index in range(1, len(schema)))]
    return pa.record_batch(columns, schema=schema)


# ------------------------------------------------------------------------------ the job


@transaction.atomic
def request_raw_export(campaign: Campaign, *, by, language: str = "") -> RawExport:
    """Queue a raw export of the campaign for this person. Side effects: a RawExport
    (queued), and its task enqueued once the transaction commits."""
    export = RawExport.objects.create(campaign=campaign, requested_by=by)
    transaction.on_commit(lambda: _enqueue(export.pk, language))
    return export


def _enqueue(export_id: int, language: str) -> None:
    result = raw_export_task.enqueue(export_id, language)
    RawExport.objects.filter(pk=export_id).update(task_id=str(result.id))


INTERRUPTED = gettext_lazy("The export stopped: the background process that wrote it ended before it finished "
                           "(the server was restarted or the process was stopped). Try again.")


def fail_if_abandoned(export: RawExport) -> bool:
    """Mark failed a job still said to be written whose worker died (config/jobs.py: no
    worker holds its lock; or, still waiting, its queue task ended or was claimed a minute
    ago); called by its page, which polls while the job runs. Side effects: the job FAILED
    with the reason, its queue task closed. Returns whether it was marked (then refreshed)."""
    if export.status == RawExport.Status.QUEUED and not jobs.claimed_and_dropped(export.task_id):
        return False
    if export.status not in IN_PROGRESS or not jobs.abandoned(jobs.RAW_EXPORT, export.pk):
        return False
    failed = RawExport.objects.filter(pk=export.pk, status=export.status).update(
        status=RawExport.Status.FAILED, message=str(INTERRUPTED), finished_at=timezone.now())
    if failed:
        jobs.fail_task(export.task_id)
        export.refresh_from_db()
    return bool(failed)


def export_filename(campaign_id: int, moment: datetime.datetime) -> str:
    return f"du-lieu-tho-{campaign_id}-{_local(moment):%Y%m%d-%H%M}.xlsx"


def write_raw_export(export: RawExport) -> None:
    """Write the export's workbook from the visits its requester may see, in the active
    language.

    Side effects: the job becomes "running" with its total of rows, its progress is
    updated every units.exporters.PROGRESS_EVERY rows (one cheap UPDATE each), then it is "done" with its file (under
    MEDIA_ROOT/exports/) and finished_at; on any error it is "failed" with a message
    the requester reads, and the error is logged. The job's worker lock is held
    throughout (config/jobs.py).
    """
    with jobs.running(jobs.RAW_EXPORT, export.pk):
        _write_raw_export(export)


def _write_raw_export(export: RawExport) -> None:
    this_job = RawExport.objects.filter(pk=export.pk)
    started_at = timezone.now()
    this_job.update(status=RawExport.Status.RUNNING, progress_done=0, message="")
    try:
        # The rows from the read replica when there is one (config/dbrouter.py): the export is
        # the data as of when it runs, and the replica is at most seconds behind. The job's own
        # row is written (progress) and read on the primary.
        with replica_reads(), tempfile.TemporaryFile() as handle:
            visits = Visit.objects.visible_to(export.requested_by).filter(campaign=export.campaign_id)
            sheets = [VisitSheet(visits), AnswerSheet(visits)]
            total = sum(sheet.count() for sheet in sheets)
            this_job.update(progress_total=total)
            written = render_xlsx(sheets, handle, progress=lambda done: this_job.update(progress_done=done))
            handle.seek(0)
            export.file.save(export_filename(export.campaign_id, started_at), File(handle), save=False)
        # The rows written, which is the total counted unless answers were saved meanwhile.
        export.status, export.progress_done, export.progress_total = RawExport.Status.DONE, written, written
        export.message, export.finished_at = "", timezone.now()
        export.save(update_fields=["status", "progress_done", "progress_total", "file", "message", "finished_at"])
    except Exception:
        logger.exception("Raw export %s failed", export.pk)
        export.status, export.finished_at = RawExport.Status.FAILED, timezone.now()
        export.message = _("The export could not be written. Try again; if it fails again, "
                           "tell the administrator.")
        this_job.update(status=export.status, message=export.message, finished_at=export.finished_at)


@task()
def raw_export_task(export_id: int, language: str = "") -> None:
    """Write a raw export (`manage.py db_worker`), its headers and labels in the language
    it was asked in."""
    with translation.override(language or settings.LANGUAGE_CODE):
        write_raw_export(RawExport.objects.select_related("campaign", "requested_by").get(pk=export_id))


def download_name(export: RawExport) -> str:
    return Path(export.file.name).name
