from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pipeline.legacy_import import legacy_stores_import
from pipeline.legacy_import_read import FILES
from pipeline.legacy_json import LegacyDataError


class Command(BaseCommand):
    help = (
        f"Migrate the legacy JSON stores ({', '.join(FILES)}) from DIR into the database: all or "
        "nothing, and a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, then roll back")

    def handle(self, *args, directory: Path, dry_run: bool, **options):
        try:
            report = legacy_stores_import(directory=directory, dry_run=dry_run)
        except LegacyDataError as exc:
            raise CommandError(f"{exc} (nothing was written)") from exc
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for model_name, counts in report.counts.items():
            locked = f", {counts.locked} locked (kept)" if counts.locked else ""
            self.stdout.write(
                f"{model_name}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged{locked}"
            )
        if report.activated_model_version:
            self.stdout.write(f"Model version {report.activated_model_version} activated: no version was active.")
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: everything rolled back."))
        elif report.changed:
            self.stdout.write(self.style.SUCCESS(f"Imported the legacy stores from {directory}."))
        else:
            self.stdout.write(self.style.SUCCESS("Nothing changed: the database already holds these stores."))
