"""Background work of the registry, run by `manage.py db_worker`."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django_tasks import task

from units import services
from units.models import ImportBatch


@task()
def parse_import_task(batch_id: int) -> None:
    services.parse_import(ImportBatch.objects.get(pk=batch_id))


@task()
def commit_import_task(batch_id: int, user_id: int, only_valid_rows: bool) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        services.commit_import(batch, by=get_user_model().objects.get(pk=user_id), only_valid_rows=only_valid_rows)
    except ValidationError:
        pass  # commit_import has marked the batch FAILED with the reason the user reads
