"""The four-factor model's arithmetic, free of the database.

Scores are 0-100 per factor. z-scores are taken against the ranked drivers' own mean and spread
(the legacy code assumed mean 50 and spread 10). The finish regression runs on z-scores with
non-positive coefficients, so raising a skill never worsens the prediction, and the prediction is
clamped to the field. A circuit fit is the demand-weighted sum of z-scores, scaled by its spread
over the field at that circuit and mapped through the normal CDF: it lies inside 0..100 and
spreads like a percentile instead of piling up at clamped ends.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from math import fsum, sqrt
from statistics import NormalDist, fmean

STANDARD_NORMAL = NormalDist()
SCORE_MIN, SCORE_MAX = 0.0, 100.0
# Scores carry two decimals: a standard deviation below this is rounding noise, not a spread.
NO_SPREAD = 1e-6


@dataclass(frozen=True)
class Coefficients:
    """The active model version: per factor its weight and finish coefficient, and the race
    model's parameters (factors.race_model)."""

    name: str
    season: int
    intercept: float
    weights: Mapping[str, float]
    finish: Mapping[str, float]
    display_names: Mapping[str, str]
    grid_weight: float = 2.0
    noise_before: float = 1.0
    noise_after: float = 1.0

    @property
    def factors(self) -> list[str]:
        return list(self.weights)


@dataclass(frozen=True)
class Spread:
    mean: float
    std: float

    def z(self, value: float) -> float:
        # A factor on which the field does not differ tells nothing about a driver.
        return (value - self.mean) / self.std if self.std > NO_SPREAD else 0.0


def population_std(values: list[float]) -> float:
    """Population standard deviation in floats: statistics.pstdev converts every value to an exact
    fraction, which made the field statistics the slowest part of a skill-model request."""
    mean = fmean(values)
    return sqrt(fsum((value - mean) ** 2 for value in values) / len(values))


def spreads_of(*, scores: list[Mapping[str, float]], factors: list[str]) -> dict[str, Spread]:
    """Mean and population standard deviation of each factor over the given score sets."""
    return {
        factor: Spread(mean=fmean(column := [s[factor] for s in scores]), std=population_std(column))
        for factor in factors
    }


def z_scores(*, scores: Mapping[str, float], spreads: Mapping[str, Spread]) -> dict[str, float]:
    return {factor: spread.z(scores[factor]) for factor, spread in spreads.items()}


def overall_score(*, scores: Mapping[str, float], model: Coefficients) -> float:
    return sum(weight * scores[factor] for factor, weight in model.weights.items())


def raw_finish(*, scores: Mapping[str, float], spreads: Mapping[str, Spread], model: Coefficients) -> float:
    """The regression's finish before clamping (used for ranking, where clamping would tie)."""
    z = z_scores(scores=scores, spreads=spreads)
    return model.intercept + sum(coefficient * z[factor] for factor, coefficient in model.finish.items())


def clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def predicted_finish(
    *, scores: Mapping[str, float], spreads: Mapping[str, Spread], model: Coefficients, field_size: int
) -> float:
    return clamp(raw_finish(scores=scores, spreads=spreads, model=model), 1.0, float(max(field_size, 1)))


def raw_fit(*, z: Mapping[str, float], demands: Mapping[str, float]) -> float:
    return sum(demand * z.get(factor, 0.0) for factor, demand in demands.items())


def fit_spread(*, population_z: list[Mapping[str, float]], demands: Mapping[str, float]) -> float:
    """Spread of the raw fit over the field at one circuit (its mean is 0: z-scores are centred)."""
    return population_std([raw_fit(z=z, demands=demands) for z in population_z]) if len(population_z) > 1 else 0.0


def circuit_fit(*, z: Mapping[str, float], demands: Mapping[str, float], spread: float) -> float:
    if spread <= NO_SPREAD:
        return 50.0
    return clamp(100.0 * STANDARD_NORMAL.cdf(raw_fit(z=z, demands=demands) / spread), SCORE_MIN, SCORE_MAX)


def adjusted_scores(*, scores: Mapping[str, float], adjustments: Mapping[str, float]) -> dict[str, float]:
    return {
        factor: clamp(score + adjustments.get(factor, 0.0), SCORE_MIN, SCORE_MAX) for factor, score in scores.items()
    }
