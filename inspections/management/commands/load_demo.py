from django.core.management.base import BaseCommand

from inspections.demo import load_demo


class Command(BaseCommand):
    help = "Load the demonstration data (the 2021 plan, sample units, demo accounts). Idempotent."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write("demo data created: " + ", ".join(f"{k} {v}" for k, v in created.items()))
