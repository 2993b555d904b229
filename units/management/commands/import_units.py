import json

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from units import services
from units.importing import ImportFileError, open_sheet
from units.models import ImportBatch, ImportRow


class Command(BaseCommand):
    help = ("Import units from an Excel workbook, as the registry's import page does: every row is "
            "classified new / update / duplicate / error / skipped; without --dry-run the valid rows are "
            "written in one transaction (all or nothing).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="classify the rows, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--user", default="admin", help="the account named in the units' history")

    def handle(self, *args, file, dry_run=False, json=False, user="admin", **options):
        from django.contrib.auth import get_user_model

        try:
            by = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"no user {user!r} (use --user)") from error
        try:
            with open(file, "rb") as handle:
                rows = list(services.classify_rows(open_sheet(handle).rows()))
        except ImportFileError as error:
            raise CommandError(str(error.message)) from error
        except OSError as error:
            raise CommandError(str(error)) from error

        counts = {status: sum(row.status == status for row in rows) for status in ImportRow.Status.values}
        result = {"new": counts["new"], "update": counts["update"], "duplicate": counts["duplicate"],
                  "error": counts["error"],
                  "rows": [{"row": row.row, "status": row.status, "message": "; ".join(row.messages)}
                           for row in rows]}
        if not dry_run:
            result.update(self._commit(file, rows, counts, by))
        if json:
            self.stdout.write(self._json(result))
        else:
            self.stdout.write(" ".join(f"{key}: {result[key]}" for key in ("new", "update", "duplicate", "error")))
            for row in result["rows"]:
                if row["status"] == "error":
                    self.stdout.write(f"  row {row['row']}: {row['message']}")

    def _commit(self, file, rows, counts, by) -> dict:
        """Keep a batch as the web import does (provenance) and commit the valid rows."""
        with open(file, "rb") as handle, transaction.atomic():
            batch = ImportBatch.objects.create(file=File(handle, name=file.rsplit("/", 1)[-1]),
                                               original_name=file.rsplit("/", 1)[-1], uploaded_by=by,
                                               status=ImportBatch.Status.READY, counts=counts)
            for row in rows:
                row.batch = batch
            ImportRow.objects.bulk_create(rows, batch_size=1000)
        try:
            return services.commit_import(batch, by=by, only_valid_rows=True)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    @staticmethod
    def _json(result):
        return json.dumps(result, ensure_ascii=False)
