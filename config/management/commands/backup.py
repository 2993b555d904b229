from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Save the database and the media (evidence photos, report files, exports, imported "
            "workbooks) together in one .tar archive (README, \"Backup and restore\").")

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path,
                            help="the archive to write, or a directory to hold pccovid-YYYYMMDD-HHMMSS.tar")

    def handle(self, *, destination: Path, **options):
        if not (destination if destination.is_dir() else destination.parent).is_dir():
            raise CommandError(f"No directory {destination.parent} to write the archive in.")
        if destination.exists() and not destination.is_dir():
            raise CommandError(f"{destination} exists: name a new file or a directory.")
        try:
            archive, manifest = backup(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = archive.stat().st_size / 1024 / 1024
        self.stdout.write(f"{archive}: database {manifest['database']} and {len(manifest['media'])} "
                          f"media files, {size:.1f} MB")
