"""manage.py load_demo_fixtures: load fixtures/*.json unless the database holds other data."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pipeline.demo import demo_fixtures_load

# The demo's telemetry (--telemetry): two laps of one race, enough for every telemetry page.
DEMO_TELEMETRY = {"track": "barber", "race": 1, "laps": 2}


class Command(BaseCommand):
    help = (
        "Load the demo fixtures into an empty database, or reload them over the demo (idempotent). "
        "A database with other data (e.g. from import_legacy) is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, default=settings.BASE_DIR / "fixtures", help="Default: fixtures/")
        parser.add_argument(
            "--telemetry",
            action="store_true",
            help="With the demo loaded, also two demo laps of barber race 1 (unless that race has telemetry)",
        )

    def handle(self, *args, input: Path, telemetry: bool, **options):
        foreign = demo_fixtures_load(directory=input)
        if foreign:
            # Demo laps would be made-up telemetry among real data: none either.
            self.stdout.write(f"Demo fixtures not loaded: the database already holds {foreign}.")
            return
        self.stdout.write(self.style.SUCCESS(f"Demo fixtures loaded from {input}."))
        if telemetry:
            call_command(
                "generate_demo_telemetry",
                **DEMO_TELEMETRY,
                if_empty=True,
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
