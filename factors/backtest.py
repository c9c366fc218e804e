"""Walk-forward backtest of the race predictions against simple baselines. No database.

Races are taken in date order. For each race with at least ``min_earlier_events`` events (race
weekends: the races at one track) before it,
everything the model learns (variables, factor scores, track demands) is fitted on those earlier
races only, then the race is predicted before qualifying (skills and the track's demands) and after
it (plus the grid). The baselines order the same field by each driver's mean previous finish, by
their previous race's finish, by the qualifying order, and at random.

Measures, over the classified field of each race: Spearman's rank correlation between predicted
and actual order, the mean absolute error in places (predicted rank among the classified against
the finishing position), and how many of the actual top 3 were predicted in the top 3. Pooled:
Spearman averaged over races, the error over every prediction, top-3 hits summed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from math import log, sqrt
from statistics import fmean

from factors import race_model, scoring, skill_model
from factors.learning import RaceRecord, races_fit

MODEL_BEFORE = "model_before_qualifying"
MODEL_AFTER = "model_after_qualifying"
MEAN_PREVIOUS = "mean_previous_finish"
PREVIOUS = "previous_finish"
QUALIFYING = "qualifying_order"
RANDOM = "random"
METHODS = (MODEL_BEFORE, MODEL_AFTER, MEAN_PREVIOUS, PREVIOUS, QUALIFYING, RANDOM)
LABELS = {
    MODEL_BEFORE: "model, before qualifying",
    MODEL_AFTER: "model, after qualifying",
    MEAN_PREVIOUS: "mean previous finish",
    PREVIOUS: "previous race's finish",
    QUALIFYING: "qualifying order",
    RANDOM: "random",
}
# The baseline each model row must beat (issue 14's goal).
COMPARED_WITH = {MODEL_BEFORE: MEAN_PREVIOUS, MODEL_AFTER: QUALIFYING}
QUALIFYING_GAP = "qualifying_pace"  # the race's own variable: percent behind pole
RANDOM_DRAWS = 200  # random orders averaged per race, so the random row is its expectation
TOP = 3


@dataclass(frozen=True)
class Parameters:
    grid_weight: float
    prior_observations: int


@dataclass(frozen=True)
class RaceScore:
    spearman: float | None
    mae: float
    top3_hits: float
    # (driver, predicted rank among the classified, actual position among the classified)
    predictions: tuple[tuple[Hashable, float, int], ...] = ()


@dataclass
class Backtest:
    races: list[str] = field(default_factory=list)
    scores: dict[str, dict[str, RaceScore]] = field(default_factory=dict)  # race -> method -> score
    # race -> model row -> (the model's scores, higher = better; the classified in finishing order)
    model_scores: dict[str, dict[str, tuple[dict, list]]] = field(default_factory=dict)

    def pooled(self) -> dict[str, dict[str, float | int | None]]:
        pooled = {}
        for method in METHODS:
            rows = [self.scores[race][method] for race in self.races]
            spearmans = [row.spearman for row in rows if row.spearman is not None]
            count = sum(max(len(row.predictions), 1) for row in rows)
            pooled[method] = {
                "spearman": round(fmean(spearmans), 4) if spearmans else None,
                # Weighted by field size: the error of every prediction counts alike.
                "mae": round(sum(row.mae * max(len(row.predictions), 1) for row in rows) / count, 4) if rows else None,
                "top3_hits": round(sum(row.top3_hits for row in rows), 2),
                "top3_possible": TOP * len(rows),
                "races": len(rows),
            }
        return pooled


def race_score(*, predicted: Mapping[Hashable, float], actual: Sequence[Hashable]) -> RaceScore:
    """Score a prediction (lower value = better finish) of the classified cars ``actual``, in
    finishing order."""
    ranks = race_model.mid_ranks({key: predicted[key] for key in actual})
    places = {key: place for place, key in enumerate(actual, start=1)}
    predicted_top = {key for key in actual if ranks[key] <= TOP}
    return RaceScore(
        spearman=scoring.spearman([(ranks[key], places[key]) for key in actual]),
        mae=fmean(abs(ranks[key] - places[key]) for key in actual),
        top3_hits=len(predicted_top & set(actual[:TOP])),
        predictions=tuple((key, ranks[key], places[key]) for key in actual),
    )


def _random_score(*, actual: Sequence[Hashable], seed: str) -> RaceScore:
    rng = random.Random(seed)
    draws = []
    for _ in range(RANDOM_DRAWS):
        shuffled = list(actual)
        rng.shuffle(shuffled)
        draws.append(race_score(predicted={key: i for i, key in enumerate(shuffled)}, actual=actual))
    spearmans = [d.spearman for d in draws if d.spearman is not None]
    return RaceScore(
        spearman=round(fmean(spearmans), 4) if spearmans else None,
        mae=fmean(d.mae for d in draws),
        top3_hits=fmean(d.top3_hits for d in draws),
    )


def _history_value(finishes: Mapping[Hashable, list[int]], driver: Hashable, *, mean: bool, back: float) -> float:
    """A driver's mean (or last) earlier finish; a driver without one starts behind all who have one."""
    past = finishes.get(driver)
    if not past:
        return back
    return fmean(past) if mean else past[-1]


def race_predict(
    *,
    history: Sequence[RaceRecord],
    race: RaceRecord,
    variables: Sequence[scoring.VariableSpec],
    parameters: Parameters,
) -> dict[str, dict[Hashable, float]]:
    """Before- and after-qualifying scores of the race's entrants, learned from ``history`` only."""
    fit = races_fit(races=history, variables=variables, prior_observations=parameters.prior_observations)
    demands = fit.demands.for_track(race.track).demands
    before = [race_model.Entrant(key=r.driver, z=fit.z.get(r.driver)) for r in race.results]
    entrants = [
        race_model.Entrant(
            key=r.driver, z=fit.z.get(r.driver), grid=r.grid, qualifying_gap=r.variables.get(QUALIFYING_GAP)
        )
        for r in race.results
    ]
    return {
        MODEL_BEFORE: race_model.race_scores(entrants=before, demands=demands, grid_weight=parameters.grid_weight),
        MODEL_AFTER: race_model.race_scores(entrants=entrants, demands=demands, grid_weight=parameters.grid_weight),
    }


def backtest(
    *,
    races: Sequence[RaceRecord],
    variables: Sequence[scoring.VariableSpec],
    parameters: Parameters,
    min_earlier_events: int = 2,
) -> Backtest:
    """Walk forward through ``races`` (in date order) and score every method on each race that has
    at least ``min_earlier_events`` earlier events."""
    result = Backtest()
    finishes: dict[Hashable, list[int]] = defaultdict(list)
    for index, race in enumerate(races):
        actual = [r.driver for r in race.classified()]
        earlier_events = {earlier.track for earlier in races[:index] if earlier.track != race.track}
        if len(earlier_events) >= min_earlier_events and actual:
            model = race_predict(history=races[:index], race=race, variables=variables, parameters=parameters)
            back = max((max(past) for past in finishes.values() if past), default=0) + 1
            grids = {r.driver: r.grid for r in race.results}
            no_grid = max((g for g in grids.values() if g is not None), default=0) + 1
            predicted = {
                MODEL_BEFORE: {key: -score for key, score in model[MODEL_BEFORE].items()},
                MODEL_AFTER: {key: -score for key, score in model[MODEL_AFTER].items()},
                MEAN_PREVIOUS: {d: _history_value(finishes, d, mean=True, back=back) for d in actual},
                PREVIOUS: {d: _history_value(finishes, d, mean=False, back=back) for d in actual},
                QUALIFYING: {d: grids[d] if grids[d] is not None else no_grid for d in actual},
            }
            scores = {method: race_score(predicted=values, actual=actual) for method, values in predicted.items()}
            scores[RANDOM] = _random_score(actual=actual, seed=race.key)
            result.races.append(race.key)
            result.scores[race.key] = scores
            result.model_scores[race.key] = {method: (model[method], actual) for method in model}
        for place_result in race.classified():
            finishes[place_result.driver].append(place_result.position)
    return result


def noise_calibrate(*, result: Backtest, method: str) -> float | None:
    """The race-day noise (standard deviations of the score) under which the model's out-of-sample
    scores best explain who finished ahead of whom: the maximum of the pairwise log-likelihood
    over a grid of 0.1 to 4.0. None without two classified cars in any race."""
    pairs = []
    for race in result.races:
        scores, actual = result.model_scores[race][method]
        for ahead_index, ahead in enumerate(actual):
            pairs.extend(scores[ahead] - scores[behind] for behind in actual[ahead_index + 1 :])
    if not pairs:
        return None
    cdf = skill_model.STANDARD_NORMAL.cdf

    def log_likelihood(noise: float) -> float:
        return sum(log(max(cdf(margin / (noise * sqrt(2))), 1e-12)) for margin in pairs)

    return max((step / 20 for step in range(2, 81)), key=log_likelihood)


def shortfalls(pooled: Mapping[str, Mapping[str, float | None]]) -> list[str]:
    """Where a model row does worse than the baseline it is compared with (Spearman: higher is
    better; mean absolute error: lower is better). Empty when it beats each on both."""
    found = []
    for model, baseline in COMPARED_WITH.items():
        ours, theirs = pooled[model], pooled[baseline]
        if ours["spearman"] is None or theirs["spearman"] is None:
            continue
        if ours["spearman"] <= theirs["spearman"]:
            found.append(f"{model}: Spearman {ours['spearman']:.3f} <= {baseline} {theirs['spearman']:.3f}")
        if ours["mae"] >= theirs["mae"]:
            found.append(f"{model}: mean error {ours['mae']:.2f} >= {baseline} {theirs['mae']:.2f} places")
    return found
