"""A small season built in the test (drivers, scores, a race, two model versions) and the users
who curate it."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from drivers.models import Driver, DriverSeasonStats, Race, RaceEntry, Track
from factors.models import DriverFactorScore, Factor, ModelCoefficient, ModelVersion, TrackDemand

# factor id, display name, weight in the active version, finish coefficient
FACTORS = [
    ("speed", "Speed", 0.466, -6.079),
    ("consistency", "Consistency", 0.291, -3.792),
    ("racecraft", "Racecraft", 0.149, -1.943),
    ("tire_management", "Tire management", 0.095, -1.237),
]
WEIGHTS = {factor: weight for factor, _, weight, _ in FACTORS}
# A second, valid version that weighs only speed.
SPEED_ONLY_WEIGHTS = {"speed": 1.0, "consistency": 0.0, "racecraft": 0.0, "tire_management": 0.0}


def score_of(index: int, factor_position: int) -> float:
    """A deterministic score in 20..90 for the index-th driver and a factor."""
    return 20.0 + (index * 7 + factor_position * 13) % 71


@dataclass
class Season:
    active: ModelVersion
    speed_only: ModelVersion
    track: Track
    race: Race


def add_drivers(season: Season, *, count: int, first_number: int = 1) -> list[Driver]:
    drivers = Driver.objects.bulk_create(
        Driver(number=first_number + i, name=f"Driver {first_number + i:03d}", nationality="USA" if i % 2 else "GBR")
        for i in range(count)
    )
    DriverFactorScore.objects.bulk_create(
        DriverFactorScore(driver=driver, factor_id=factor, score=score_of(driver.number, position), percentile=50.0)
        for driver in drivers
        for position, (factor, *_rest) in enumerate(FACTORS)
    )
    RaceEntry.objects.bulk_create(
        RaceEntry(
            race=season.race, car_number=driver.number, driver=driver, finish_position=position, status="Classified"
        )
        for position, driver in enumerate(drivers, start=1)
    )
    DriverSeasonStats.objects.bulk_create(DriverSeasonStats(driver=driver, races=1) for driver in drivers)
    return drivers


@pytest.fixture
def season(db) -> Season:
    for position, (factor, name, *_rest) in enumerate(FACTORS):
        Factor.objects.create(id=factor, display_name=name, sort_order=position)
    active = ModelVersion.objects.create(name="v-2025", is_active=True, finish_intercept=13.01, min_races=1)
    speed_only = ModelVersion.objects.create(name="speed-only", finish_intercept=13.01, min_races=1)
    for factor, _name, weight, finish in FACTORS:
        ModelCoefficient.objects.create(
            model_version=active, factor_id=factor, weight=weight, finish_coefficient=finish
        )
        ModelCoefficient.objects.create(
            model_version=speed_only, factor_id=factor, weight=SPEED_ONLY_WEIGHTS[factor], finish_coefficient=finish
        )
    track = Track.objects.create(id="barber", name="Barber Motorsports Park", length_miles=2.38)
    for factor, *_rest in FACTORS:
        TrackDemand.objects.create(track=track, factor_id=factor, demand=0.25)
    race = Race.objects.create(track=track, round=1, race_number=1)
    return Season(active=active, speed_only=speed_only, track=track, race=race)


@pytest.fixture(autouse=True)
def empty_api_cache():
    """Cached API answers are keyed by data version and path: none may leak in from another test."""
    cache.clear()


@pytest.fixture
def curator(db) -> User:
    user = User.objects.create_user("curator", password="curator-pass-2025", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client
