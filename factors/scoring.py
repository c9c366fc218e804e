"""From per-race variable values to driver variable values and factor scores (no database).

A driver's raw value of a variable is its mean over their classified races that have one. Across
drivers each variable is oriented (higher = better), min-max normalized to 0..100 and ranked into a
percentile. A factor score is the weighted sum of the driver's normalized variables of that factor,
the weights being each variable's share of the factor's absolute loadings *among the variables the
driver has*: a variable left out (no telemetry for braking_consistency, too few green laps) has its weight spread
over the others, and the weights used are recorded per driver and variable.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean

from factors import skill_model
from factors.definitions import VARIABLES

# Which way each variable the refresh computes points (higher raw value = better driver?).
HIGHER_IS_BETTER = {variable.id: variable.higher_is_better for variable in VARIABLES}


@dataclass(frozen=True)
class VariableSpec:
    id: str
    factor_id: str
    loading: float


@dataclass(frozen=True)
class VariableValue:
    raw_value: float | None
    normalized_value: float | None
    percentile: float | None
    weight: float
    contribution: float


@dataclass(frozen=True)
class FactorScore:
    score: float
    percentile: float
    z_score: float
    variables_used: tuple[str, ...]


def percentiles(values: dict) -> dict:
    """Mid-rank percentile (0..100) of each value among all of them; a tie shares its rank."""
    if len(values) == 1:
        return {key: 50.0 for key in values}
    ordered = sorted(values.values())
    result = {}
    for key, value in values.items():
        below, up_to = bisect_left(ordered, value), bisect_right(ordered, value)
        ties = up_to - below - 1
        result[key] = round(100 * (below + ties / 2) / (len(ordered) - 1), 2)
    return result


def normalized_0_100(values: dict) -> dict:
    """Min-max scale onto 0..100 (50 for every key when all values are equal)."""
    low, high = min(values.values()), max(values.values())
    if high == low:
        return {key: 50.0 for key in values}
    return {key: round(100 * (value - low) / (high - low), 2) for key, value in values.items()}


def driver_means(samples: dict[int, dict[str, list[float]]]) -> dict[int, dict[str, float]]:
    """Per driver and variable: the mean of their per-race values (variables with no value absent)."""
    return {
        driver: {name: round(fmean(values), 4) for name, values in by_name.items() if values}
        for driver, by_name in samples.items()
    }


def variable_values(
    *, raw: dict[int, dict[str, float]], variables: list[VariableSpec]
) -> dict[int, dict[str, VariableValue]]:
    """Per driver and variable: raw, normalized and percentile among the drivers that have the
    variable, and the renormalised weight and contribution it has in the driver's factor score."""
    ranked: dict[str, tuple[dict[int, float], dict[int, float]]] = {}
    for spec in variables:
        sign = 1 if HIGHER_IS_BETTER[spec.id] else -1
        oriented = {driver: sign * values[spec.id] for driver, values in raw.items() if spec.id in values}
        if oriented:
            ranked[spec.id] = (normalized_0_100(oriented), percentiles(oriented))
    result: dict[int, dict[str, VariableValue]] = defaultdict(dict)
    for driver, values in raw.items():
        present = [spec for spec in variables if spec.id in values]
        totals: dict[str, float] = defaultdict(float)
        for spec in present:
            totals[spec.factor_id] += abs(spec.loading)
        for spec in variables:
            if spec.id not in values or not totals[spec.factor_id]:
                result[driver][spec.id] = VariableValue(None, None, None, 0.0, 0.0)
                continue
            normalized, percentile = ranked[spec.id][0][driver], ranked[spec.id][1][driver]
            weight = round(abs(spec.loading) / totals[spec.factor_id], 4)
            result[driver][spec.id] = VariableValue(
                raw_value=values[spec.id],
                normalized_value=normalized,
                percentile=percentile,
                weight=weight,
                contribution=round(weight * normalized, 2),
            )
    return result


def factor_scores(
    *, values: dict[int, dict[str, VariableValue]], variables: list[VariableSpec]
) -> dict[int, dict[str, FactorScore]]:
    """Per driver and factor with at least one variable: score (0..100, the sum of the variables'
    contributions), percentile and z-score among the drivers scored on that factor."""
    factor_ids = list(dict.fromkeys(spec.factor_id for spec in variables))
    totals: dict[str, dict[int, float]] = {factor: {} for factor in factor_ids}
    used: dict[tuple[int, str], tuple[str, ...]] = {}
    for driver, by_variable in values.items():
        for factor in factor_ids:
            names = tuple(s.id for s in variables if s.factor_id == factor and by_variable[s.id].weight > 0)
            if names:
                score = sum(by_variable[name].weight * by_variable[name].normalized_value for name in names)
                score = skill_model.clamp(score, skill_model.SCORE_MIN, skill_model.SCORE_MAX)
                totals[factor][driver] = round(score, 2)
                used[driver, factor] = names
    result: dict[int, dict[str, FactorScore]] = defaultdict(dict)
    for factor, by_driver in totals.items():
        if not by_driver:
            continue
        spread = skill_model.spreads_of(scores=[{factor: s} for s in by_driver.values()], factors=[factor])[factor]
        ranked = percentiles(by_driver)
        for driver, score in by_driver.items():
            result[driver][factor] = FactorScore(
                score=score,
                percentile=ranked[driver],
                z_score=round(spread.z(score), 4),
                variables_used=used[driver, factor],
            )
    return result


def spearman(pairs: list[tuple[float, float]]) -> float | None:
    """Spearman's rank correlation (Pearson's on mid-ranks, so ties are handled); None below 3 pairs."""
    if len(pairs) < 3:
        return None
    xs = percentiles(dict(enumerate(x for x, _ in pairs)))
    ys = percentiles(dict(enumerate(y for _, y in pairs)))
    mean_x, mean_y = fmean(xs.values()), fmean(ys.values())
    cov = sum((xs[i] - mean_x) * (ys[i] - mean_y) for i in xs)
    var_x = sum((v - mean_x) ** 2 for v in xs.values())
    var_y = sum((v - mean_y) ** 2 for v in ys.values())
    return round(cov / (var_x * var_y) ** 0.5, 4) if var_x and var_y else None
