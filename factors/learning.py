"""What the model learns from a set of races: each driver's variables and factor scores, and each
track's demand profile. No database: the nightly refresh feeds it the season, the backtest the
races before the one it predicts, so both learn the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from factors import race_model, scoring

CLASSIFIED = "Classified"


@dataclass(frozen=True)
class ResultRecord:
    """One car's result in one race. ``driver`` is the driver's id, or a key of the entry alone when
    it is linked to no driver; ``variables`` are the race's model variables (None: not measured)."""

    driver: Hashable
    status: str
    position: int | None
    grid: int | None
    variables: Mapping[str, float | None]

    @property
    def classified(self) -> bool:
        return self.status == CLASSIFIED and self.position is not None


@dataclass(frozen=True)
class RaceRecord:
    key: str
    track: str
    date: date | None
    results: tuple[ResultRecord, ...]

    def classified(self) -> list[ResultRecord]:
        """Classified results in finishing order."""
        return sorted((r for r in self.results if r.classified), key=lambda r: r.position)


@dataclass(frozen=True)
class RacesFit:
    values: dict[Hashable, dict[str, scoring.VariableValue]]
    scores: dict[Hashable, dict[str, scoring.FactorScore]]
    z: dict[Hashable, dict[str, float]]  # per driver, the factors they have a score in
    demands: race_model.DemandProfiles


def scores_fit(
    *, races: Sequence[RaceRecord], variables: Sequence[scoring.VariableSpec]
) -> tuple[dict, dict, dict[Hashable, dict[str, float]]]:
    """Variable values, factor scores and z-scores (of the factors each driver has a score in), from
    the drivers' classified results."""
    samples: dict[Hashable, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for race in races:
        for result in race.classified():
            for spec in variables:
                if (value := result.variables.get(spec.id)) is not None:
                    samples[result.driver][spec.id].append(float(value))
    values = scoring.variable_values(raw=scoring.driver_means(samples), variables=list(variables))
    scores = scoring.factor_scores(values=values, variables=list(variables))
    z = {driver: {f: score.z_score for f, score in by_factor.items()} for driver, by_factor in scores.items()}
    return values, scores, z


def races_fit(
    *, races: Sequence[RaceRecord], variables: Sequence[scoring.VariableSpec], prior_observations: int
) -> RacesFit:
    """Scores from every race; demands from how the scores known *before* each race finished it.

    A race's own results shape its variables (positions gained is grid minus finish), so scores that
    include a race would explain its result better than any score can explain a race to come:
    demands learned that way would overrate the factors measured in the race itself.
    """
    values, scores, z = scores_fit(races=races, variables=variables)
    factors = list(dict.fromkeys(spec.factor_id for spec in variables))
    observations: dict[str, list] = defaultdict(list)
    for index in range(1, len(races)):
        _, _, z_before = scores_fit(races=races[:index], variables=variables)
        for track, pairs in demand_observations(races=[races[index]], z=z_before, factors=factors).items():
            observations[track].extend(pairs)
    demands = race_model.demands_learn(
        observations=observations, factors=factors, prior_observations=prior_observations
    )
    return RacesFit(values=values, scores=scores, z=z, demands=demands)


def demand_observations(
    *, races: Sequence[RaceRecord], z: Mapping[Hashable, Mapping[str, float]], factors: Sequence[str]
) -> dict[str, list[tuple[Mapping[str, float], float]]]:
    """Per track: (factor z-scores, places behind mid-field) of every classified finisher with a
    score (a factor they have no score in counts as a newcomer's)."""
    observations: dict[str, list] = defaultdict(list)
    for race in races:
        classified = race.classified()
        middle = (len(classified) + 1) / 2
        for place, result in enumerate(classified, start=1):
            if (known := z.get(result.driver)) is not None:
                z_all = {f: known.get(f, race_model.NEWCOMER_Z) for f in factors}
                observations[race.track].append((z_all, place - middle))
    return dict(observations)
