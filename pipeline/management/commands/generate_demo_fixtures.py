"""manage.py generate_demo_fixtures: (re)write fixtures/*.json from the demo season generator."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pipeline.demo import DEFAULT_SEED, demo_fixtures_write, demo_season


class Command(BaseCommand):
    help = "Generate the demo fixtures (tracks, model definitions, a fictional season) deterministically."

    def add_arguments(self, parser):
        parser.add_argument("--drivers", type=int, default=30, help="Number of fictional drivers (default 30)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED})")
        parser.add_argument(
            "--output", type=Path, default=settings.BASE_DIR / "fixtures", help="Directory (default: fixtures/)"
        )

    def handle(self, *args, drivers: int, seed: int, output: Path, **options):
        try:
            season = demo_season(drivers=drivers, seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for path, rows in demo_fixtures_write(season=season, directory=output).items():
            self.stdout.write(f"{path}: {rows} rows")
