"""manage.py ingest_timing DIR: load the official timing exports into the warehouse."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from telemetry.parsing import RowError
from telemetry.services import timing_files_load
from telemetry.timing import timing_file_identify


class Command(BaseCommand):
    help = (
        "Load timing exports (analysis_endurance, provisional_results, best_10_laps, qualifying, "
        "lap_timing) found under DIR into the warehouse, all or nothing: every file is parsed before "
        "anything is written, and one transaction loads them all, so a bad file leaves the warehouse as it "
        "was. Each file replaces what the same export loaded before."
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
        known = [timing_file for _, timing_file in recognised if timing_file is not None]
        try:
            loads = timing_files_load(timing_files=known, season=season)
        except RowError as error:
            raise CommandError(f"{error} (nothing of this directory was loaded)") from None
        if options["verbosity"] > 1:
            for load in loads:
                self.stdout.write(
                    f"{load.source}: {load.row_count} {load.kind} rows ({load.track} R{load.race_number})"
                )
        rows = sum(load.row_count for load in loads)
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(loads)} files, {rows} rows, season {season}."))
