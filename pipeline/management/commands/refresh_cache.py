"""manage.py refresh_cache: rebuild the Postgres read models from the warehouse (nightly, by cron)."""

import logging
import re
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pipeline.refresh.services import RefreshBusy, RefreshError, RefreshReport, refresh_run
from pipeline.refresh.warehouse import RaceKey

logger = logging.getLogger("pipeline.refresh")

# Exit statuses for cron (documented in docs/operations.md "Nightly refresh").
EXIT_OK = 0
EXIT_FAILED = 1  # rolled back: Postgres is as it was
EXIT_USAGE = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the lock; try again later


class Command(BaseCommand):
    help = (
        "Rebuild races, entries and results, season statistics, model variables and factor scores from "
        "the warehouse's timing tables, in one transaction; then invalidate and warm the API cache. "
        f"Exit status: {EXIT_OK} done, {EXIT_FAILED} failed (nothing written), {EXIT_USAGE} bad arguments, "
        f"{EXIT_BUSY} another run is in progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("--season", type=int, default=settings.SEASON)
        parser.add_argument("--race", metavar="TRACK:N", help="only this race's entries (e.g. barber:1)")
        parser.add_argument("--dry-run", action="store_true", help="compute and count, then roll back")

    def handle(self, *args, season: int, race: str | None, dry_run: bool, **options):
        race_key = self._race(race, season)
        started = time.monotonic()

        def progress(message: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {message}")
                self.stdout.flush()

        try:
            report = refresh_run(season=season, race=race_key, dry_run=dry_run, progress=progress)
        except RefreshBusy as exc:
            self.stderr.write(f"refresh_cache: {exc}; this run did nothing (exit {EXIT_BUSY}).")
            sys.exit(EXIT_BUSY)
        except RefreshError as exc:
            logger.error("refresh_cache failed; rolled back: %s", exc)
            raise CommandError(f"refresh_cache failed, nothing was written: {exc}", returncode=EXIT_FAILED) from exc
        except Exception as exc:
            logger.exception("refresh_cache failed; rolled back")
            raise CommandError(
                f"refresh_cache failed, nothing was written: {type(exc).__name__}: {exc}", returncode=EXIT_FAILED
            ) from exc
        self._summary(report)

    def _race(self, text: str | None, season: int) -> RaceKey | None:
        if text is None:
            return None
        match = re.fullmatch(r"([a-z0-9_-]+):([12])", text)
        if not match:
            raise CommandError(f"--race {text!r}: expected TRACK:N, e.g. barber:1", returncode=EXIT_USAGE)
        return RaceKey(season=season, track=match[1], race_number=int(match[2]))

    def _summary(self, report: RefreshReport) -> None:
        self.stdout.write(f"Season {report.season}: {len(report.races)} races written from the warehouse")
        for name, counts in report.counts.items():
            locked = f", {counts.locked} locked (kept)" if counts.locked else ""
            self.stdout.write(
                f"  {name}: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged{locked}"
            )
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for variable, count in report.left_out.items():
            if count:
                self.stdout.write(f"  {variable}: left out of {count} drivers' scores (weights renormalised)")
        if report.correlations:
            rhos = ", ".join(
                f"{factor} {rho:.3f}" if rho is not None else f"{factor} n/a"
                for factor, (rho, _) in report.correlations.items()
            )
            compared = max(n for _, n in report.correlations.values())
            self.stdout.write(f"Rank correlation (Spearman) with the previous scores, {compared} drivers: {rhos}")
        before, after = report.backtest.get("model_before_qualifying"), report.backtest.get("model_after_qualifying")
        if before and before["races"]:
            baseline, grid = report.backtest["mean_previous_finish"], report.backtest["qualifying_order"]
            self.stdout.write(
                f"Backtest over {before['races']} races (Spearman / mean error): before qualifying "
                f"{before['spearman']} / {before['mae']} (mean previous finish {baseline['spearman']} / "
                f"{baseline['mae']}), after {after['spearman']} / {after['mae']} (qualifying order "
                f"{grid['spearman']} / {grid['mae']})"
            )
        outcome = (
            "Dry run: rolled back"
            if report.dry_run
            else f"{report.changed} rows changed"
            if report.changed
            else "Nothing changed"
        )
        warmed = ""
        if report.warm_s:
            warmed = f"; {report.warmed} API answers warmed in {report.warm_s:.1f} s"
        self.stdout.write(self.style.SUCCESS(f"{outcome} in {report.duration_s:.1f} s{warmed}."))
