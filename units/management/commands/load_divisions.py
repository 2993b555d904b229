from django.conf import settings
from django.core.management.base import BaseCommand

from units.services import load_divisions


class Command(BaseCommand):
    help = (
        "Load provinces, districts and communes as of December 2021 (vietnam-provinces 0.5.0). "
        "Hà Tĩnh by default; --all for all 63 provinces. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", type=int, action="append", dest="provinces",
                            help=f"national code of a province (default {settings.REGISTRY_PROVINCE_CODE}); repeatable")
        parser.add_argument("--all", action="store_true", help="all 63 provinces")

    def handle(self, *args, provinces=None, all=False, **options):
        codes = None if all else set(provinces or [settings.REGISTRY_PROVINCE_CODE])
        result = load_divisions(province_codes=codes)
        self.stdout.write(
            f"divisions: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
