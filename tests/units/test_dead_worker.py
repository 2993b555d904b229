"""A job whose worker died is marked failed with "Try again", never left running
(issue #11): one test kills a real `manage.py db_worker` with SIGKILL in the middle of a
parse; the others walk the same paths in the test's own process."""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files import File
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.roles import Role
from config import jobs
from tests.factories import job_held_by_a_worker, make_user
from tests.units.workbook_builders import HEADER, sheet_xml_xlsx, upload
from units import imports
from units.models import ImportBatch, ImportRow, Unit
from units.services import load_divisions

ROW = ["1", "Chợ Hà Tĩnh", "Chợ", "Thành phố Hà Tĩnh", "Phường Trần Phú", "Đường Hà Huy Tập", "0912345678", "", ""]
ROWS = 15_000


def start_worker(media_root) -> subprocess.Popen:
    """`manage.py db_worker` on the test database, as `make run` starts it."""
    db = connection.settings_dict
    url = (f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@/{db['NAME']}"
           f"?host={quote(db['HOST'] or db.get('OPTIONS', {}).get('host', ''), safe='')}&port={db['PORT'] or 5432}")
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media_root)}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload",
         "--verbosity", "0"], cwd=django_settings.BASE_DIR, env=env)


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"waited {seconds} s for {what}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_parse_leaves_a_failed_batch_that_a_fresh_worker_reads_again(
        settings, tmp_path, client):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    coordinator = make_user("coordinator", Role.COORDINATOR)
    load_divisions()
    path = tmp_path / "big.xlsx"
    sheet_xml_xlsx(path, header=HEADER, row=ROW, rows=ROWS)
    with open(path, "rb") as handle:
        batch = imports.start_import(uploaded_file=File(handle, name="danh-sach.xlsx"), by=coordinator)
    batch.refresh_from_db()
    first_task = batch.task_id

    worker = start_worker(settings.MEDIA_ROOT)
    try:
        wait_for(lambda: ImportBatch.objects.filter(pk=batch.pk, status="parsing", progress_done__gt=0).exists(),
                 seconds=20, what="the worker to read rows")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        worker.kill()
    batch.refresh_from_db()
    assert (batch.status, DBTaskResult.objects.get(pk=first_task).status) == ("parsing", TaskResultStatus.RUNNING)

    # PostgreSQL notices the dead connection and lets its lock go within moments.
    wait_for(lambda: jobs.abandoned(jobs.IMPORT_BATCH, batch.pk), seconds=10, what="the lock to be released")
    client.force_login(coordinator)
    page = client.get(reverse("units:import_detail", args=[batch.pk]))

    batch.refresh_from_db()
    assert (batch.status, batch.retry_step) == (ImportBatch.Status.FAILED, ImportBatch.Status.PARSING)
    assert batch.message.startswith("Việc đọc tệp đã dừng")
    assert "Thử lại" in page.content.decode()
    assert ImportRow.objects.filter(batch=batch).count() == 0
    assert DBTaskResult.objects.get(pk=first_task).status == TaskResultStatus.FAILED

    client.post(reverse("units:import_retry", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED and batch.task_id != first_task

    worker = start_worker(settings.MEDIA_ROOT)
    try:
        wait_for(lambda: ImportBatch.objects.filter(pk=batch.pk, status="ready").exists(),
                 seconds=60, what="a fresh worker to read the file again")
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    batch.refresh_from_db()
    assert (batch.counts["new"], batch.counts["duplicate"], batch.rows.count()) == (1, ROWS - 1, ROWS)


def set_status(batch, status):
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    batch.refresh_from_db()


@pytest.fixture
def ready_batch(coordinator, divisions):
    batch = imports.start_import(uploaded_file=upload([ROW[1:]]), by=coordinator)
    with translation.override("en"):
        imports.parse_import(batch)
    batch.refresh_from_db()
    return batch


def test_a_batch_whose_worker_holds_its_lock_is_left_running_and_confirming_it_says_so(
        client, coordinator, ready_batch):
    set_status(ready_batch, ImportBatch.Status.COMMITTING)
    client.force_login(coordinator)

    with job_held_by_a_worker(jobs.IMPORT_BATCH, ready_batch.pk):
        response = client.post(reverse("units:import_confirm", args=[ready_batch.pk]), follow=True)

    ready_batch.refresh_from_db()
    assert ready_batch.status == ImportBatch.Status.COMMITTING
    assert [str(m) for m in response.context["messages"]] == [
        "Lần nhập này đã được xác nhận và đang được lưu: trang này sẽ báo khi lưu xong."]
    # The worker's session has ended; its server process lets the lock go within moments.
    wait_for(lambda: imports.fail_if_abandoned(ready_batch), seconds=5, what="the batch to be marked failed")


def test_confirming_a_batch_whose_save_died_says_so_and_try_again_saves_it(client, coordinator, ready_batch):
    client.force_login(coordinator)
    set_status(ready_batch, ImportBatch.Status.COMMITTING)

    response = client.post(reverse("units:import_confirm", args=[ready_batch.pk]), follow=True)

    ready_batch.refresh_from_db()
    assert (ready_batch.status, ready_batch.retry_step) == ("failed", "committing")
    assert [str(m) for m in response.context["messages"]] == [ready_batch.message]
    assert ready_batch.message.startswith("Việc lưu đã dừng")
    assert Unit.objects.count() == 0

    client.post(reverse("units:import_retry", args=[ready_batch.pk]))

    ready_batch.refresh_from_db()
    assert (ready_batch.status, Unit.objects.count()) == (ImportBatch.Status.DONE, 1)


def test_a_file_that_was_refused_cannot_be_tried_again(client, coordinator, divisions):
    from django.core.files.uploadedfile import SimpleUploadedFile

    batch = imports.start_import(uploaded_file=SimpleUploadedFile("ds.xlsx", b"not a workbook"), by=coordinator)
    imports.parse_import(batch)
    client.force_login(coordinator)

    client.post(reverse("units:import_retry", args=[batch.pk]))

    batch.refresh_from_db()
    assert (batch.status, batch.retry_step) == (ImportBatch.Status.FAILED, "")
    assert "Thử lại" not in client.get(reverse("units:import_detail", args=[batch.pk])).content.decode()
