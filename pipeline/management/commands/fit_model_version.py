from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from factors.backtest import shortfalls
from factors.services import model_version_activate, model_version_fit
from pipeline.model_backtest import model_version_backtest


class Command(BaseCommand):
    help = (
        "Fit the finish regression to the active version's season (least squares, coefficients at or "
        "below zero) and store it as a new, inactive model version, backtested on the season's races in the "
        "warehouse (manage.py backtest); with --activate it warns when the version does worse than the "
        "baseline its predictions are compared with."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="name of the new model version")
        parser.add_argument("--description", default="")
        parser.add_argument("--activate", action="store_true", help="make the new version the active one")

    def handle(self, *args, name: str, description: str, activate: bool, **options):
        try:
            version = model_version_fit(name=name, description=description)
            if activate:
                model_version_activate(version=version)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        coefficients = ", ".join(
            f"{c.factor_id} {c.finish_coefficient:+.3f}" for c in version.coefficients.order_by("factor__sort_order")
        )
        self.stdout.write(
            f"{version.name}: finish = {version.finish_intercept:.3f} + ({coefficients})·z; "
            f"R² {version.r_squared:.3f}, MAE {version.mae:.2f} positions"
        )
        self._backtest(version, activate)
        self.stdout.write(self.style.SUCCESS(f"{version.name} is {'active' if activate else 'stored, inactive'}."))

    def _backtest(self, version, activate: bool) -> None:
        try:
            run = model_version_backtest(version=version)
        except DatabaseError as exc:
            self.stderr.write(f"backtest skipped: the warehouse could not be read ({exc})")
            return
        if not run.result.races:
            self.stdout.write("backtest skipped: no race in the warehouse has two earlier events")
            return
        pooled = run.pooled
        self.stdout.write(
            "backtest, pooled over {} races: Spearman {} before / {} after qualifying".format(
                len(run.result.races),
                pooled["model_before_qualifying"]["spearman"],
                pooled["model_after_qualifying"]["spearman"],
            )
        )
        if activate:
            for shortfall in shortfalls(pooled):
                self.stderr.write(self.style.WARNING(f"warning: {version.name} scores below its baseline: {shortfall}"))
