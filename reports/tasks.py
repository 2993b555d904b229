"""Background work of the reports, run by `manage.py db_worker`."""

from django.conf import settings
from django.utils import translation
from django_tasks import task

from reports import rawdata
from reports.models import RawExport


@task()
def raw_export_task(export_id: int, language: str = "") -> None:
    """Write a raw export, its headers and labels in the language it was asked in."""
    with translation.override(language or settings.LANGUAGE_CODE):
        rawdata.write_raw_export(RawExport.objects.select_related("campaign", "requested_by").get(pk=export_id))

