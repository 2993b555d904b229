import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from units import imports
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
        try:
            by = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"no user {user!r} (use --user)") from error
        if dry_run:
            rows = self._classify(file)
        else:
            batch = self._parse(file, by)
            rows = list(batch.rows.order_by("row"))
        counts = {status: sum(row.status == status for row in rows) for status in ImportRow.Status.values}
        result = {"new": counts["new"], "update": counts["update"], "duplicate": counts["duplicate"],
                  "error": counts["error"],
                  "rows": [{"row": row.row, "status": row.status, "message": "; ".join(row.messages)}
                           for row in rows]}
        if not dry_run:
            try:
                result.update(imports.commit_import(batch, by=by, only_valid_rows=True))
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        if json:
            self.stdout.write(self._json(result))
        else:
            self.stdout.write(" ".join(f"{key}: {result[key]}" for key in ("new", "update", "duplicate", "error")))
            for row in result["rows"]:
                if row["status"] == "error":
                    self.stdout.write(f"  row {row['row']}: {row['message']}")

    @staticmethod
    def _classify(file) -> list:
        """Classify the rows only (a dry run writes nothing)."""
        try:
            with open(file, "rb") as handle:
                return list(imports.classify_rows(open_sheet(handle).rows()))
        except ImportFileError as error:
            raise CommandError(str(error.message)) from error
        except OSError as error:
            raise CommandError(str(error)) from error

    @staticmethod
    def _parse(file, by) -> ImportBatch:
        """Keep a batch as the web import does (provenance, headers for the error report)
        and read it with the same service."""
        name = file.rsplit("/", 1)[-1]
        try:
            with open(file, "rb") as handle:
                batch = ImportBatch.objects.create(file=File(handle, name=name), original_name=name, uploaded_by=by)
        except OSError as error:
            raise CommandError(str(error)) from error
        imports.parse_import(batch)
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(batch.message)
        return batch

    @staticmethod
    def _json(result):
        return json.dumps(result, ensure_ascii=False)
