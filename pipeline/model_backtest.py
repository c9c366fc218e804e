"""The skill model's walk-forward backtest as a service: the season's races read from the warehouse
(or given), the backtest run (factors.backtest), its figures and calibrated noise kept with the
model version."""

from dataclasses import dataclass

from django.utils import timezone

from factors import backtest
from factors.models import ModelVersion
from pipeline.refresh import selectors as refresh_selectors
from pipeline.refresh.records import season_races


@dataclass(frozen=True)
class BacktestRun:
    version: ModelVersion
    result: backtest.Backtest
    pooled: dict
    noise_before: float | None
    noise_after: float | None
    races: list  # the season's races (factors.learning.RaceRecord), in date order


def model_version_backtest(
    *, version: ModelVersion, min_earlier_events: int = 2, store: bool = True, races: list | None = None
) -> BacktestRun:
    """Walk-forward backtest of ``version`` over its season's races (read from the warehouse unless
    given); with ``store``, its pooled figures and the race-day noise calibrated on them are saved
    with the version when they differ from what it holds."""
    if races is None:
        races = season_races(season=version.season)
    variables, _ = refresh_selectors.model_variables(version=version)
    result = backtest.backtest(
        races=races,
        variables=variables,
        parameters=backtest.Parameters(
            grid_weight=version.grid_weight, prior_observations=version.demand_prior_results
        ),
        min_earlier_events=min_earlier_events,
    )
    run = BacktestRun(
        version=version,
        result=result,
        pooled=result.pooled(),
        noise_before=backtest.noise_calibrate(result=result, method=backtest.MODEL_BEFORE),
        noise_after=backtest.noise_calibrate(result=result, method=backtest.MODEL_AFTER),
        races=races,
    )
    figures = {
        "pooled": run.pooled,
        "races": result.races,
        "min_earlier_events": min_earlier_events,
        "shortfalls": backtest.shortfalls(run.pooled),
    }
    noise = (run.noise_before or version.noise_before, run.noise_after or version.noise_after)
    if store and result.races and (version.backtest != figures or (version.noise_before, version.noise_after) != noise):
        version.backtest, version.backtest_at = figures, timezone.now()
        version.noise_before, version.noise_after = noise
        version.save(update_fields=["backtest", "backtest_at", "noise_before", "noise_after"])
    return run
