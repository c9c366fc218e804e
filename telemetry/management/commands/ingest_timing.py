"""manage.py ingest_timing DIR: load the official timing exports into the warehouse."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from telemetry.parsing import RowError
from telemetry.services import timing_file_load
from telemetry.timing import timing_file_identify


class Command(BaseCommand):
    help = (
        "Load timing exports (analysis_endurance, provisional_results, best_10_laps, qualifying, "
        "lap_timing) found under DIR into the warehouse. Each file is loaded whole or not at all and "
        "replaces what the same export loaded before."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--season", type=int, default=settings.SEASON)

    def handle(self, *args, directory: Path, season: int, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        files = sorted(path for path in directory.rglob("*.csv") if path.is_file())
        recognised = [(path, timing_file_identify(path)) for path in files]
        for path, timing_file in recognised:
            if timing_file is None:
                self.stderr.write(f"skipped {path}: not a timing export this command knows")
        loads = []
        for path, timing_file in recognised:
            if timing_file is None:
                continue
            try:
                load = timing_file_load(timing_file=timing_file, season=season)
            except RowError as error:
                raise CommandError(f"{error} (this file was not loaded; {len(loads)} files before it were)") from None
            loads.append(load)
            if options["verbosity"] > 1:
                self.stdout.write(f"{path.name}: {load.row_count} {load.kind} rows ({load.track} R{load.race_number})")
        rows = sum(load.row_count for load in loads)
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(loads)} files, {rows} rows, season {season}."))
