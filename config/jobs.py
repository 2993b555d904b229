"""Which background job still has a live worker (docs/decisions.md, "A job whose worker died").

A worker holds a PostgreSQL advisory lock, keyed by the job, for as long as it runs the job
(`running`). PostgreSQL releases the lock when the worker's connection ends, however the
worker ended: `kill -KILL`, a crash, a lost machine. A page that finds the job still marked
as running asks `abandoned`, which tries the lock: if it gets it, no worker is on the job. The
job's service then marks the job failed and offers to try again. A job is marked as running
only by its worker, after it took the lock, and marked finished before the lock is let go: a
page that gets the lock and still reads "running" knows the worker died.

The task queue's row of a job whose worker died stays RUNNING: `fail_task` closes it, so the
queue's admin tells the same story as the job's page.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

# The first key of the lock names the kind of job; the second is its primary key.
IMPORT_BATCH = 1101
RAW_EXPORT = 1102
REPORT_FILES = 1103


@contextmanager
def running(kind: int, pk: int) -> Iterator[None]:
    """Hold the job's lock while the block runs: what `abandoned` asks (a session lock, so it
    holds across the job's transactions)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [kind, pk])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [kind, pk])
        except DatabaseError:
            pass  # the connection is gone, and the lock with it


def abandoned(kind: int, pk: int) -> bool:
    """True when no worker holds the job's lock. Takes and at once gives back the lock, so
    two pages asking at the same time both see the truth. One statement (CASE evaluates in
    order), so that behind PgBouncer's transaction pooling the lock is taken and given back
    on the same server connection (docs/scaling.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CASE WHEN pg_try_advisory_lock(%s, %s) THEN pg_advisory_unlock(%s, %s) ELSE false END",
                       [kind, pk, kind, pk])
        return cursor.fetchone()[0]


def _queue_keeps_rows() -> bool:
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def claimed_and_dropped(task_id: str, *, grace_seconds: int = 60) -> bool:
    """True when the queue's row of a job not yet started says it ended, or was claimed by a
    worker more than `grace_seconds` ago (the worker then died before it took the job's
    lock). False when the queue keeps no rows (the immediate backend of the tests)."""
    if not task_id or not _queue_keeps_rows():
        return False
    result = DBTaskResult.objects.filter(pk=task_id).values("status", "started_at").first()
    if result is None:
        return False
    if result["status"] in (TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL):
        return True
    return (result["status"] == TaskResultStatus.RUNNING and result["started_at"] is not None
            and (timezone.now() - result["started_at"]).total_seconds() > grace_seconds)


def fail_task(task_id: str) -> None:
    """Close the queue's row of a job whose worker died, if it still says RUNNING."""
    if not task_id or not _queue_keeps_rows():
        return
    DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(),
        exception_class_path="config.jobs.WorkerGone", traceback="The worker ended while it ran this task.")
