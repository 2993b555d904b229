"""A report's files are built by a worker; a worker that died mid-build does not leave the
report saying "being prepared" for ever: the page that polls queues the build again
(reports/provincial_documents.py: recover_files; config/jobs.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from config import jobs
from reports import services
from reports.models import ProvincialReport
from tests.factories import job_held_by_a_worker
from tests.inspections.test_fieldwork import build


@pytest.fixture
def queued_report(db, settings, coordinator):
    """A report whose files wait in the real database queue (no worker runs in the test)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    world = build(coordinator)
    return services.create_report(world["campaign"], as_of=datetime.date(2021, 12, 31), by=coordinator)


def claimed_long_ago(task_id):
    """The queue's row as a worker leaves it when it dies while building: RUNNING, claimed
    two minutes ago."""
    DBTaskResult.objects.filter(pk=task_id).update(status=TaskResultStatus.RUNNING,
                                                   started_at=timezone.now() - datetime.timedelta(minutes=2))


def test_a_build_whose_worker_died_is_queued_again_by_the_polling_page(client, queued_report, coordinator):
    first = queued_report.files_task_id
    claimed_long_ago(first)
    client.force_login(coordinator)

    client.get(reverse("reports:report_files", args=[queued_report.pk]))

    report = ProvincialReport.objects.get(pk=queued_report.pk)
    assert report.files_task_id not in ("", first)
    assert DBTaskResult.objects.get(pk=first).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=report.files_task_id).status == TaskResultStatus.READY


def test_a_build_still_waiting_or_held_by_a_live_worker_is_left_alone(client, queued_report, coordinator):
    client.force_login(coordinator)
    url = reverse("reports:report_files", args=[queued_report.pk])
    waiting = queued_report.files_task_id

    client.get(url)  # waiting for a worker: not dropped
    assert ProvincialReport.objects.get(pk=queued_report.pk).files_task_id == waiting

    claimed_long_ago(waiting)
    with job_held_by_a_worker(jobs.REPORT_FILES, queued_report.pk):
        client.get(url)  # a slow build by a live worker
    assert ProvincialReport.objects.get(pk=queued_report.pk).files_task_id == waiting
    assert DBTaskResult.objects.get(pk=waiting).status == TaskResultStatus.RUNNING
