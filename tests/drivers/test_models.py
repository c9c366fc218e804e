"""The season's rules live in the database: violations raise IntegrityError whatever wrote them."""

import pytest
from django.db import IntegrityError, transaction

from drivers.models import Corner, Driver, DriverSeasonStats, Race, RaceEntry, Track
from factors.models import LegacyScoreComponent, ModelVersion
from tests.drivers.factories import make_factors

pytestmark = pytest.mark.django_db


def violates(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.fixture
def race():
    track = Track.objects.create(id="cota", name="Circuit of The Americas", length_miles=3.41)
    return Race.objects.create(track=track, round=2, race_number=1)


def test_one_car_number_twice_in_a_race_needs_two_groups(race):
    """cota race 1: car 3 raced twice, in group Legends and in no group, two different drivers."""
    legend, rookie = Driver.objects.create(number=3, name="A"), Driver.objects.create(name="B")
    RaceEntry.objects.create(race=race, car_number=3, group="Legends", driver=legend)
    RaceEntry.objects.create(race=race, car_number=3, group="", driver=rookie)
    assert violates(lambda: RaceEntry.objects.create(race=race, car_number=3, group=""))
    assert RaceEntry.objects.filter(race=race, car_number=3).count() == 2


def test_a_driver_has_one_entry_per_race(race):
    driver = Driver.objects.create(number=7, name="A")
    RaceEntry.objects.create(race=race, car_number=7, driver=driver)
    assert violates(lambda: RaceEntry.objects.create(race=race, car_number=77, driver=driver))


def test_positions_start_at_one(race):
    assert violates(lambda: RaceEntry.objects.create(race=race, car_number=1, finish_position=0))
    assert violates(lambda: RaceEntry.objects.create(race=race, car_number=1, grid_position=0))


def test_a_race_is_race_1_or_2_and_unique_per_track_and_round(race):
    assert violates(lambda: Race.objects.create(track=race.track, round=2, race_number=3))
    assert violates(lambda: Race.objects.create(track=race.track, round=9, race_number=1))
    other = Track.objects.create(id="vir", name="VIR")
    assert violates(lambda: Race.objects.create(track=other, round=2, race_number=1))


def test_driver_numbers_are_unique_and_positive():
    Driver.objects.create(number=13, name="A")
    assert violates(lambda: Driver.objects.create(number=13, name="B"))
    assert violates(lambda: Driver.objects.create(number=0, name="C"))
    Driver.objects.create(number=None, name="D")
    Driver.objects.create(number=None, name="E")  # unknown numbers do not collide


def test_corner_distances_run_start_apex_exit():
    track = Track.objects.create(id="barber", name="Barber")
    Corner.objects.create(track=track, number=1, distance_start_m=0, distance_apex_m=80, distance_exit_m=150)
    assert violates(
        lambda: Corner.objects.create(
            track=track, number=2, distance_start_m=100, distance_apex_m=90, distance_exit_m=150
        )
    )
    assert violates(
        lambda: Corner.objects.create(track=track, number=1, distance_start_m=0, distance_apex_m=1, distance_exit_m=2)
    )


def test_season_stats_ladder_and_one_row_per_season():
    driver = Driver.objects.create(number=2, name="A")
    DriverSeasonStats.objects.create(driver=driver, wins=1, podiums=2, top5=3, top10=4)
    assert violates(
        lambda: DriverSeasonStats.objects.create(driver=driver, season=2024, wins=3, podiums=2, top5=3, top10=4)
    )
    assert violates(lambda: DriverSeasonStats.objects.create(driver=driver))


def test_two_active_model_versions_are_refused():
    ModelVersion.objects.create(name="one", finish_intercept=13.01, is_active=True)
    ModelVersion.objects.create(name="two", finish_intercept=13.01)
    assert violates(lambda: ModelVersion.objects.filter(name="two").update(is_active=True))


def test_legacy_score_components_are_unique_per_driver_factor_and_variable():
    make_factors()
    driver = Driver.objects.create(number=2, name="A")
    LegacyScoreComponent.objects.create(driver=driver, factor_id="racecraft", variable_name="position_changes")
    # The legacy composition used one variable under two factors: both rows are kept.
    LegacyScoreComponent.objects.create(driver=driver, factor_id="consistency", variable_name="position_changes")
    assert violates(
        lambda: LegacyScoreComponent.objects.create(
            driver=driver, factor_id="racecraft", variable_name="position_changes"
        )
    )
