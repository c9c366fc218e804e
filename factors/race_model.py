"""Race-level predictions: where each entrant of one race at one track finishes. No database.

A driver's *strength* at a track is the demand-weighted sum of their factor z-scores
(``skill_model.raw_fit``), where a track's demand for a factor is how many finish positions one
standard deviation of it was worth in that track's results (``demands_learn``). Before
qualifying, the field is ordered by strength; after qualifying, by the strength's normal score
plus ``grid_weight`` times the qualifying result: the z-score of the car's qualifying gap to pole
(capped at ``GAP_Z_CAP``) when the gaps are known, else the normal score of its grid position.
Normal scores (ranks mapped through the inverse normal CDF) and the cap keep one car with a broken
race or lap from stretching the scale.

Chances: each entrant's race is their score plus Gaussian noise of ``noise`` standard deviations.
The expected finish is exact (1 plus the chances of being beaten by each other car); win and
podium chances come from a seeded simulation, so the same field always gets the same numbers.
"""

from __future__ import annotations

import dataclasses
import random
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from math import erf, sqrt
from statistics import fmean

from factors import skill_model
from factors.model_fit import fit_finish

# A driver with no scored race yet is taken to be this many standard deviations below the mean on
# every factor: newcomers to the series mostly finish in the second half of the field.
NEWCOMER_Z = -1.0
SQRT2 = sqrt(2.0)
GAP_Z_CAP = 2.5
SIMULATIONS = 4000
PODIUM = 3


@dataclass(frozen=True)
class TrackDemandFit:
    """A track's demand profile: finish positions per standard deviation of each factor."""

    demands: dict[str, float]
    r_squared: float | None
    observations: int  # classified results at this track it was learned from


@dataclass(frozen=True)
class DemandProfiles:
    all_tracks: TrackDemandFit
    by_track: dict[str, TrackDemandFit]

    def for_track(self, track: str) -> TrackDemandFit:
        """The track's learned profile; the all-track profile for a track without results."""
        return self.by_track.get(track, self.all_tracks)


@dataclass(frozen=True)
class Entrant:
    key: Hashable
    z: Mapping[str, float] | None  # None: no scores yet (a newcomer); may lack factors
    grid: int | None = None
    qualifying_gap: float | None = None  # percent behind pole in this race's qualifying


@dataclass(frozen=True)
class Forecast:
    key: Hashable
    position: int  # in the predicted order, 1 = winner
    expected_finish: float
    win_probability: float
    podium_probability: float
    grid: int | None


def _demand_fit(observations: Sequence[tuple[Mapping[str, float], float]], factors: Sequence[str]):
    try:
        return fit_finish(observations=observations, factors=factors)
    except ValueError:  # too few results to fit a coefficient per factor
        return None


def demands_learn(
    *,
    observations: Mapping[str, Sequence[tuple[Mapping[str, float], float]]],
    factors: Sequence[str],
    prior_observations: int,
) -> DemandProfiles:
    """Demand profiles from (factor z-scores, finish position relative to mid-field) per track.

    The all-track profile is the finish regression over every track's results (coefficients kept at
    or below zero: a better skill never predicts a worse finish), negated into demands. A track's
    own regression is shrunk toward it: with n results at the track, its profile is
    (n x own + prior x all-track) / (n + prior), so two races' noise cannot make a track demand
    nothing but one factor. A track with too few results to fit keeps the all-track profile.
    """
    pooled = [pair for pairs in observations.values() for pair in pairs]
    overall = _demand_fit(pooled, factors)
    if overall is None:
        # Nothing learned yet: every factor counts alike, one position per standard deviation.
        all_tracks = TrackDemandFit(demands=dict.fromkeys(factors, 1.0), r_squared=None, observations=len(pooled))
    else:
        all_tracks = TrackDemandFit(
            demands={f: max(0.0, -overall.coefficients[f]) for f in factors},
            r_squared=round(overall.r_squared, 4),
            observations=overall.observations,
        )
    by_track = {}
    for track, pairs in observations.items():
        own = _demand_fit(pairs, factors)
        if own is None:
            continue
        n = own.observations
        by_track[track] = TrackDemandFit(
            demands={
                f: (n * max(0.0, -own.coefficients[f]) + prior_observations * all_tracks.demands[f])
                / (n + prior_observations)
                for f in factors
            },
            r_squared=round(own.r_squared, 4),
            observations=n,
        )
    return DemandProfiles(all_tracks=all_tracks, by_track=by_track)


def mid_ranks(values: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """1-based rank of each value, lowest first; ties share their mid-rank."""
    ordered = sorted(values.values())
    return {key: (bisect_left(ordered, v) + 1 + bisect_right(ordered, v)) / 2 for key, v in values.items()}


def normal_scores(values: Mapping[Hashable, float]) -> dict[Hashable, float]:
    """Each value's mid-rank among all of them (higher value, higher rank) through the inverse
    normal CDF: evenly spread, bounded, and ties share a score."""
    count = len(values)
    return {key: _normal_score(rank, count) for key, rank in mid_ranks(values).items()}


@cache
def _normal_score(rank: float, count: int) -> float:
    # A field of n cars has 2n mid-ranks: kept, since every prediction ranks a field again.
    return skill_model.STANDARD_NORMAL.inv_cdf((rank - 0.5) / count)


def strength(*, z: Mapping[str, float] | None, demands: Mapping[str, float]) -> float:
    """Demand-weighted z-scores; a factor the driver has no score in counts as a newcomer's."""
    known = z or {}
    return sum(demand * known.get(factor, NEWCOMER_Z) for factor, demand in demands.items())


def _qualifying_scores(entrants: Sequence[Entrant]) -> dict[Hashable, float] | None:
    """How well each car qualified (higher = better), or None before qualifying. A car without a
    time or a grid position starts behind every car with one."""
    gaps = {e.key: e.qualifying_gap for e in entrants}
    known = [gap for gap in gaps.values() if gap is not None]
    if len(known) > 1:
        worst, mean = max(known), fmean(known)
        spread = skill_model.population_std(known)
        if spread > skill_model.NO_SPREAD:
            return {
                key: -skill_model.clamp(((worst if gap is None else gap) - mean) / spread, -GAP_Z_CAP, GAP_Z_CAP)
                for key, gap in gaps.items()
            }
    grids = {e.key: e.grid for e in entrants}
    if all(grid is None for grid in grids.values()):
        return None
    back = max(grid for grid in grids.values() if grid is not None) + 1
    return normal_scores({key: -(grid if grid is not None else back) for key, grid in grids.items()})


def race_scores(*, entrants: Sequence[Entrant], demands: Mapping[str, float], grid_weight: float) -> dict:
    """Each entrant's score (higher = better finish): skill alone before qualifying, skill plus
    ``grid_weight`` times the qualifying result after it."""
    strengths = {e.key: strength(z=e.z, demands=demands) for e in entrants}
    return scores_from_strengths(strengths=strengths, entrants=entrants, grid_weight=grid_weight)


def scores_from_strengths(
    *, strengths: Mapping[Hashable, float], entrants: Sequence[Entrant], grid_weight: float
) -> dict:
    """``race_scores`` from the entrants' strengths, known already (a field's are kept per circuit);
    ``entrants`` give only the qualifying results (none: before qualifying)."""
    skill = normal_scores(strengths)
    qualifying = _qualifying_scores(entrants)
    if qualifying is None:
        return skill
    # Divided by the spread the sum would have were qualifying and skill unrelated: a constant, so
    # a better qualifying result can only raise a car's score relative to the others.
    scale = sqrt(1 + grid_weight**2)
    return {key: (skill[key] + grid_weight * qualifying[key]) / scale for key in skill}


def expected_finish(*, scores: Mapping[Hashable, float], key: Hashable, noise: float) -> float:
    """1 plus, for every other car, the chance that it finishes ahead."""
    mine, pair_spread = scores[key], noise * sqrt(2)
    # The standard normal CDF as statistics.NormalDist computes it, without a method call per car.
    return 1 + sum(
        0.5 * (1.0 + erf((score - mine) / pair_spread / SQRT2)) for other, score in scores.items() if other != key
    )


@dataclass(frozen=True)
class FieldLessOne:
    """A field's strengths less one car's, in the field's order, ranked once so that the car can be
    placed among them again and again (``finish_among``)."""

    strengths: tuple[float, ...]
    ordered: tuple[float, ...]
    # Each one's normal score once the car joins the field: the car above it, level with it, below
    # it. Joining moves its mid-rank up by a half for being above the car, and again for not being
    # below it.
    joined_scores: tuple[tuple[float, float, float], ...]
    # Expected finishes by the car's place among them (see finish_among), as they are asked for.
    expected_at: dict[tuple[int, int, float], float] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, strengths: Sequence[float]) -> FieldLessOne:
        ordered = tuple(sorted(strengths))
        count = len(ordered) + 1
        twice_ranks = (bisect_left(ordered, v) + 1 + bisect_right(ordered, v) for v in strengths)
        joined = tuple(tuple(_normal_score((twice + up) / 2, count) for up in (0, 1, 2)) for twice in twice_ranks)
        return cls(tuple(strengths), ordered, joined)


def finish_among(field: FieldLessOne, *, strength: float, noise: float) -> tuple[int, float]:
    """The predicted position and expected finish, before qualifying, of a car of ``strength`` in
    ``field``: exactly what ``normal_scores`` and ``expected_finish`` over the whole field give (the
    same arithmetic, in the same order), without ranking the field again."""
    below, not_above = bisect_left(field.ordered, strength), bisect_right(field.ordered, strength)
    # Every term of the sum depends on the car's strength only through where it falls among the
    # others (below, level with or above each), so cars that fall in one place share the sum: kept.
    place = (below, not_above, noise)
    if (expected := field.expected_at.get(place)) is None:
        mine = _normal_score((below + 1 + not_above + 1) / 2, len(field.strengths) + 1)
        pair_spread = noise * sqrt(2)
        expected = field.expected_at[place] = 1 + sum(
            0.5 * (1.0 + erf((joined[(strength < v) + (strength <= v)] - mine) / pair_spread / SQRT2))
            for v, joined in zip(field.strengths, field.joined_scores, strict=True)
        )
    return 1 + len(field.ordered) - not_above, expected


def forecast(
    *, entrants: Sequence[Entrant], demands: Mapping[str, float], grid_weight: float, noise: float, seed: str
) -> list[Forecast]:
    """The predicted order of a race, best first, with each car's chances."""
    scores = race_scores(entrants=entrants, demands=demands, grid_weight=grid_weight)
    wins, podiums = _simulate(scores=scores, noise=noise, seed=seed)
    grids = {e.key: e.grid for e in entrants}
    order = sorted(scores, key=lambda key: (-scores[key], str(key)))
    return [
        Forecast(
            key=key,
            position=position,
            expected_finish=expected_finish(scores=scores, key=key, noise=noise),
            win_probability=wins[key],
            podium_probability=podiums[key],
            grid=grids[key],
        )
        for position, key in enumerate(order, start=1)
    ]


def _simulate(*, scores: Mapping[Hashable, float], noise: float, seed: str) -> tuple[dict, dict]:
    rng = random.Random(seed)
    keys = list(scores)
    wins = dict.fromkeys(keys, 0)
    podiums = dict.fromkeys(keys, 0)
    for _ in range(SIMULATIONS):
        finish = sorted(keys, key=lambda key: scores[key] + rng.gauss(0.0, noise), reverse=True)
        wins[finish[0]] += 1
        for key in finish[:PODIUM]:
            podiums[key] += 1
    return (
        {key: count / SIMULATIONS for key, count in wins.items()},
        {key: count / SIMULATIONS for key, count in podiums.items()},
    )
