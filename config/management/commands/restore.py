from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Put back the database and the media of an archive made by `manage.py backup`, replacing "
            "what is there now (README, \"Backup and restore\"). Stop the app servers and the worker first.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true",
                            help="confirm that the current database and media are to be replaced")

    def handle(self, *, archive: Path, yes: bool, **options):
        if not archive.is_file():
            raise CommandError(f"No archive {archive}.")
        if not yes:
            raise CommandError(
                f"This replaces the database {connection.settings_dict['NAME']} and everything in "
                f"{settings.MEDIA_ROOT} with the contents of {archive}. Run again with --yes to do it.")
        try:
            manifest = restore(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest['created_at']}: database "
                          f"{connection.settings_dict['NAME']} and {len(manifest['media'])} media files.")
