"""manage.py load_demo_fixtures: load fixtures/*.json unless the database holds other data."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from pipeline.demo import demo_fixtures_load


class Command(BaseCommand):
    help = (
        "Load the demo fixtures into an empty database, or reload them over the demo (idempotent). "
        "A database with other data (e.g. from import_legacy) is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, default=settings.BASE_DIR / "fixtures", help="Default: fixtures/")

    def handle(self, *args, input: Path, **options):
        foreign = demo_fixtures_load(directory=input)
        if foreign:
            self.stdout.write(f"Demo fixtures not loaded: the database already holds {foreign}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo fixtures loaded from {input}."))
