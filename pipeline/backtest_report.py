"""The backtest's outputs: a text table, a JSON document and a PNG plot of predicted against actual."""

from __future__ import annotations

from pathlib import Path

from factors import backtest
from pipeline.model_backtest import BacktestRun


def _number(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def table(run: BacktestRun) -> str:
    """Per race and pooled: Spearman, mean absolute error (places), top-3 hits, per method."""
    result = run.result
    header = f"{'method':<26}" + "".join(f"{race:>18}" for race in result.races) + f"{'pooled':>22}"
    lines = [
        f"Walk-forward backtest of {run.version.name}: {len(result.races)} races "
        f"(Spearman / mean absolute error in places / top-3 hits)",
        header,
    ]
    pooled = run.pooled
    for method in backtest.METHODS:
        cells = "".join(
            f"{_number(s.spearman, 2):>6} /{s.mae:5.2f} /{s.top3_hits:4.1f}"
            for s in (result.scores[race][method] for race in result.races)
        )
        total = pooled[method]
        lines.append(
            f"{backtest.LABELS[method]:<26}{cells}"
            f"{_number(total['spearman'], 3):>8} /{_number(total['mae'], 2):>6} /{total['top3_hits']:5.1f}"
        )
    return "\n".join(lines)


def document(run: BacktestRun) -> dict:
    """Everything the table shows, per race and pooled, with the model's parameters."""
    result = run.result
    dates = {race.key: race.date for race in run.races}
    return {
        "model_version": run.version.name,
        "season": run.version.season,
        "parameters": {
            "grid_weight": run.version.grid_weight,
            "demand_prior_results": run.version.demand_prior_results,
        },
        "calibrated_noise": {"before_qualifying": run.noise_before, "after_qualifying": run.noise_after},
        "races": [
            {
                "race": race,
                "date": dates[race].isoformat() if dates.get(race) else None,
                "methods": {
                    method: {"spearman": s.spearman, "mae": round(s.mae, 4), "top3_hits": s.top3_hits}
                    for method, s in result.scores[race].items()
                },
            }
            for race in result.races
        ],
        "pooled": run.pooled,
        "shortfalls": backtest.shortfalls(run.pooled),
    }


def plot(run: BacktestRun, path: Path) -> None:
    """Predicted rank against actual position, every prediction of both model rows, one panel each."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(1, 2, figsize=(11, 5.2), sharex=True, sharey=True)
    for axis, method in zip(axes, (backtest.MODEL_BEFORE, backtest.MODEL_AFTER), strict=True):
        points = [
            (predicted, actual)
            for race in run.result.races
            for _, predicted, actual in run.result.scores[race][method].predictions
        ]
        top = max((max(p, a) for p, a in points), default=1)
        axis.plot([1, top], [1, top], color="grey", linewidth=1, linestyle="--")
        axis.scatter([a for _, a in points], [p for p, _ in points], s=14, alpha=0.6)
        total = run.pooled[method]
        axis.set_title(
            f"{backtest.LABELS[method]}\n"
            f"Spearman {_number(total['spearman'], 2)}, mean error {_number(total['mae'], 2)} places"
        )
        axis.set_xlabel("actual finishing position")
        axis.invert_yaxis()
    axes[0].set_ylabel("predicted position")
    figure.suptitle(f"{run.version.name}: walk-forward backtest, {len(run.result.races)} races")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
