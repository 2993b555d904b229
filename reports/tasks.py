"""Background work of the reports, run by `manage.py db_worker`."""

from django_tasks import task

from reports import provincial


@task()
def report_files_task(report_id: int, revision: int) -> None:
    """Build the report's Word draft and annex for this revision (a newer one skips it)."""
    provincial.build_files(report_id, revision)
