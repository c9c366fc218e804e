"""A small, made-up season for tests that need many rows (query counts, pagination)."""

from drivers.models import Driver, DriverSeasonStats, Race, RaceEntry, Track
from factors.models import Factor, TrackDemand

FACTOR_IDS = ("speed", "consistency", "racecraft", "tire_management")


def make_factors() -> list[Factor]:
    factors = [
        Factor(id=factor_id, display_name=factor_id.replace("_", " ").title(), sort_order=order)
        for order, factor_id in enumerate(FACTOR_IDS, start=1)
    ]
    Factor.objects.bulk_create(factors, ignore_conflicts=True)
    return factors


def make_season(*, drivers: int, events: int, season: int = 2025) -> list[Driver]:
    """``drivers`` drivers (numbers 1..drivers) who all race both races of ``events`` events at
    circuits ``track-1``..; finishing order rotates from race to race; season stats per driver."""
    make_factors()
    tracks = Track.objects.bulk_create(
        Track(id=f"track-{index}", name=f"Track {index}", length_miles=2.0 + index / 10)
        for index in range(1, events + 1)
    )
    TrackDemand.objects.bulk_create(
        TrackDemand(track=track, factor_id=factor_id, demand=float(order))
        for track in tracks
        for order, factor_id in enumerate(FACTOR_IDS, start=1)
    )
    people = Driver.objects.bulk_create(
        Driver(number=number, name=f"Driver {number}") for number in range(1, drivers + 1)
    )
    races = Race.objects.bulk_create(
        Race(track=track, season=season, round=event, race_number=race_number)
        for event, track in enumerate(tracks, start=1)
        for race_number in (1, 2)
    )
    RaceEntry.objects.bulk_create(
        RaceEntry(
            race=race,
            car_number=driver.number,
            driver=driver,
            status="Classified",
            grid_position=(index + race_index + 1) % drivers + 1,
            finish_position=(index + race_index) % drivers + 1,
            laps=20,
            fastest_lap_s=98.0 + index / 1000,
            best_lap_s=98.0 + index / 1000,
        )
        for race_index, race in enumerate(races)
        for index, driver in enumerate(people)
    )
    DriverSeasonStats.objects.bulk_create(
        DriverSeasonStats(driver=driver, season=season, races=len(races)) for driver in people
    )
    return people
