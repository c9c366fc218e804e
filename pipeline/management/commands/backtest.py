"""manage.py backtest: walk-forward backtest of the race predictions against simple baselines."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from factors.backtest import shortfalls
from factors.models import ModelVersion
from pipeline import backtest_report
from pipeline.model_backtest import model_version_backtest


class Command(BaseCommand):
    help = (
        "Walk forward through the season's races in date order: for each race with enough earlier events, "
        "fit scores, track demands and the race model on the earlier races only, predict the race before and "
        "after qualifying, and score it beside the baselines (mean previous finish, previous race's finish, "
        "qualifying order, random). Prints a table; stores the pooled figures and the calibrated race-day "
        "noise with the model version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--model-version", help="model version name (default: the active one)")
        parser.add_argument(
            "--min-earlier-events",
            type=int,
            default=2,
            help="predict only races with at least this many earlier events (race weekends); default 2",
        )
        parser.add_argument("--json", type=Path, help="write the figures, per race and pooled, to this file")
        parser.add_argument("--plot", type=Path, help="draw predicted against actual positions into this PNG")
        parser.add_argument("--no-store", action="store_true", help="leave the model version as it is")

    def handle(self, *args, model_version: str | None, min_earlier_events: int, no_store: bool, **options):
        if min_earlier_events < 0:
            raise CommandError("--min-earlier-events must be 0 or more")
        versions = ModelVersion.objects.all()
        model = (
            versions.filter(name=model_version).first() if model_version else versions.filter(is_active=True).first()
        )
        if model is None:
            raise CommandError(
                f"no model version named {model_version!r}" if model_version else "no active model version"
            )
        run = model_version_backtest(version=model, min_earlier_events=min_earlier_events, store=not no_store)
        if not run.result.races:
            raise CommandError(
                f"no race of season {model.season} has {min_earlier_events} earlier events in the warehouse: "
                "load timing with ingest_timing, then run refresh_cache"
            )
        self.stdout.write(backtest_report.table(run))
        self.stdout.write(
            f"Calibrated race-day noise: before qualifying {run.noise_before}, after qualifying {run.noise_after}"
        )
        if options["json"]:
            options["json"].write_text(json.dumps(backtest_report.document(run), indent=2) + "\n", encoding="utf-8")
            self.stdout.write(f"wrote {options['json']}")
        if options["plot"]:
            backtest_report.plot(run, options["plot"])
            self.stdout.write(f"wrote {options['plot']}")
        for shortfall in shortfalls(run.pooled):
            self.stderr.write(self.style.WARNING(f"warning: {shortfall}"))
        if not no_store:
            self.stdout.write(self.style.SUCCESS(f"Stored the pooled figures with {model.name}."))
