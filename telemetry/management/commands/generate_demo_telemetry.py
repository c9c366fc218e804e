"""manage.py generate_demo_telemetry: deterministic demo laps for a race, written as wide CSV and
(unless --no-ingest) loaded into the warehouse."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from telemetry.demo import demo_cars, demo_layout, demo_telemetry_write
from telemetry.models import Sample


class Command(BaseCommand):
    help = "Generate plausible telemetry for a race from its circuit's corner layout and its entries."

    def add_arguments(self, parser):
        parser.add_argument("--track", required=True)
        parser.add_argument("--race", type=int, choices=[1, 2], default=1)
        parser.add_argument("--season", type=int, default=settings.SEASON)
        parser.add_argument("--laps", type=int, default=5)
        parser.add_argument("--cars", type=int, help="only the first N entries")
        parser.add_argument("--hz", type=float, default=20.0, help="samples per second per car")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--out", type=Path, help="CSV to write (default: a temporary file)")
        parser.add_argument("--no-ingest", action="store_true", help="only write the CSV")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the race has samples already")

    def handle(self, *args, track, race, season, laps, cars, hz, seed, out, no_ingest, if_empty, **options):
        if if_empty and Sample.objects.filter(season=season, track=track, race_number=race).exists():
            self.stdout.write(f"{track} race {race} has telemetry already: nothing generated.")
            return
        try:
            corners, length_m = demo_layout(track_id=track)
            field = demo_cars(track_id=track, race_number=race, season=season, count=cars)
        except Exception as error:  # a missing track, layout or entries
            raise CommandError(str(error)) from None
        with tempfile.TemporaryDirectory(prefix="htt-demo-") as work_dir:
            path = out or Path(work_dir) / f"{track}_r{race}_demo_telemetry.csv"
            samples = demo_telemetry_write(
                out=path, corners=corners, length_m=length_m, cars=field, laps=laps, hz=hz, seed=seed
            )
            self.stdout.write(f"Wrote {samples:,} samples ({len(field)} cars x {laps} laps) to {path}")
            if not no_ingest:
                call_command(
                    "ingest_telemetry",
                    str(path),
                    track=track,
                    race=race,
                    season=season,
                    verbosity=options["verbosity"],
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
