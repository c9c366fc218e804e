"""manage.py ingest_telemetry FILE --track T --race N: stream car telemetry into the warehouse."""

import re
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from telemetry.parsing import RowError
from telemetry.samples import Progress
from telemetry.services import samples_file_load

_RACE_IN_NAME = re.compile(r"(?P<track>[a-z]+)_r(?P<race>\d)", re.IGNORECASE)


class Command(BaseCommand):
    help = (
        "Load a telemetry CSV, long (one channel per row) or wide (one column per channel), into the "
        "warehouse's samples, streamed in blocks. Replaces the race's earlier samples of the cars in the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--track", help="track id, e.g. barber (default: from a name like barber_r1_...)")
        parser.add_argument("--race", type=int, choices=[1, 2], help="race number (default: from the name)")
        parser.add_argument("--season", type=int, default=settings.SEASON)

    def handle(self, *args, file: Path, track: str | None, race: int | None, season: int, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        named = _RACE_IN_NAME.search(file.name)
        track = track or (named and named["track"].lower())
        race = race or (named and int(named["race"]))
        if not track or not race:
            raise CommandError("give --track and --race (the file name does not say them, as in barber_r1_...)")
        started = time.monotonic()
        show_progress = (options["verbosity"] > 0 and sys.stderr.isatty()) or options["verbosity"] > 1

        def report(progress: Progress) -> None:
            if show_progress:
                elapsed = time.monotonic() - started
                share = progress.bytes_read / progress.total_bytes if progress.total_bytes else 1
                self.stderr.write(
                    f"\r{share:6.1%}  {progress.samples:>12,} samples  {progress.samples / elapsed:>10,.0f}/s",
                    ending="",
                )
                self.stderr.flush()

        try:
            load = samples_file_load(path=file, season=season, track=track, race_number=race, on_batch=report)
        except RowError as error:
            raise CommandError(f"{error} (nothing was loaded)") from None
        if show_progress:
            self.stderr.write("")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {load.row_count:,} samples from {file.name} into {track} R{race} ({season}) in {elapsed:.1f}s "
                f"({load.row_count / elapsed:,.0f} samples/s), load {load.id}."
            )
        )
