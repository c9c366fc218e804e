"""A small synthetic season for the skill-model tests: built here, from numbers the tests know."""

import random
from dataclasses import dataclass, field

import pytest

from drivers.models import Driver, DriverSeasonStats, Race, RaceEntry, Track
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)

FACTORS = {
    "speed": ("Speed", 0.466, -6.079),
    "consistency": ("Consistency", 0.291, -3.792),
    "racecraft": ("Racecraft", 0.149, -1.943),
    "tire_management": ("Tire Management", 0.095, -1.237),
}
INTERCEPT = 13.01
MIN_RACES = 4
DEMANDS = {
    "alpha": {"speed": 5.3, "consistency": 4.2, "racecraft": 1.2, "tire_management": 2.0},
    "beta": {"speed": 5.2, "consistency": 6.1, "racecraft": -0.4, "tire_management": 5.4},
}


@dataclass
class Season:
    """What the factory wrote, for tests to derive their expectations from."""

    ranked: dict[int, dict[str, float]] = field(default_factory=dict)  # number -> factor -> score
    avg_finish: dict[int, float] = field(default_factory=dict)
    finishes: dict[int, list[int]] = field(default_factory=dict)
    variable_percentiles: dict[int, dict[str, float]] = field(default_factory=dict)
    unranked_numbers: list[int] = field(default_factory=list)


def build_season(*, drivers: int, seed: int = 7) -> Season:
    rng = random.Random(seed)
    season = Season()
    factors = [
        Factor.objects.create(id=fid, display_name=name, description=f"What {name} measures", sort_order=i)
        for i, (fid, (name, _, _)) in enumerate(FACTORS.items())
    ]
    version = ModelVersion.objects.create(name="test-model", is_active=True, finish_intercept=INTERCEPT)
    for factor in factors:
        _, weight, finish = FACTORS[factor.id]
        ModelCoefficient.objects.create(model_version=version, factor=factor, weight=weight, finish_coefficient=finish)
    variables = [
        Variable.objects.create(
            id=f"{factor.id}_v{j}", factor=factor, display_name=f"{factor.display_name} V{j}", loading=0.7, sort_order=j
        )
        for factor in factors
        for j in (1, 2)
    ]
    for track_id, demands in DEMANDS.items():
        track = Track.objects.create(id=track_id, name=f"{track_id.title()} Park", length_miles=2.5)
        for factor in factors:
            TrackDemand.objects.create(track=track, factor=factor, demand=demands[factor.id])
    races = [
        Race.objects.create(track_id=track_id, round=i + 1, race_number=n)
        for i, track_id in enumerate(DEMANDS)
        for n in (1, 2)
    ]
    # Two unranked drivers: too few races, and no factor scores at all.
    for number in range(1, drivers + 3):
        driver = Driver.objects.create(number=number, name=f"Driver {number}")
        ranked = number <= drivers
        races_run = rng.randint(MIN_RACES, len(races)) if ranked else 2
        finishes = rng.sample(range(1, drivers + 1), races_run)
        for race, finish in zip(races, finishes, strict=False):
            RaceEntry.objects.create(race=race, car_number=number, driver=driver, finish_position=finish)
        DriverSeasonStats.objects.create(
            driver=driver,
            races=races_run,
            avg_finish=sum(finishes) / races_run,
            wins=finishes.count(1),
            podiums=sum(f <= 3 for f in finishes),
            top5=sum(f <= 5 for f in finishes),
            top10=sum(f <= 10 for f in finishes),
        )
        if number == drivers + 2:
            season.unranked_numbers.append(number)
            continue
        scores = {fid: round(rng.uniform(3, 97), 2) for fid in FACTORS}
        for factor in factors:
            DriverFactorScore.objects.create(
                driver=driver, factor=factor, score=scores[factor.id], percentile=scores[factor.id]
            )
        percentiles = {v.id: round(rng.uniform(0, 100), 2) for v in variables}
        for variable in variables:
            DriverVariableValue.objects.create(
                driver=driver,
                variable=variable,
                normalized_value=percentiles[variable.id],
                percentile=percentiles[variable.id],
            )
        if ranked:
            season.ranked[number] = scores
            season.avg_finish[number] = sum(finishes) / races_run
            season.finishes[number] = finishes
            season.variable_percentiles[number] = percentiles
        else:
            season.unranked_numbers.append(number)
    return season


@pytest.fixture
def season(db) -> Season:
    return build_season(drivers=12)
