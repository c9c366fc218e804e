"""The race's fastest laps are found once per data version: the trace reuses them until a load
into the warehouse starts a new version, and finds them on each request while Redis is down."""

import pytest

from hackthetrack.cache import invalidate_api_cache
from tests.telemetry.api_data import SectorLap, WarehouseTraffic, warehouse_delete_track, warehouse_load_laps

TRACK = "keptring"
SECTORS = (1000.0, 1000.0, 1000.0)


@pytest.fixture
def race(warehouse_db):
    warehouse_load_laps(
        track=TRACK,
        race_number=1,
        laps=[
            SectorLap(car=7, lap=1, lengths=SECTORS, speeds=(40.0, 40.0, 40.0)),
            SectorLap(car=7, lap=2, lengths=SECTORS, speeds=(50.0, 50.0, 50.0)),
        ],
    )
    yield
    warehouse_delete_track(track=TRACK)


def fastest_traced_lap(client, *, points: int) -> int:
    # Each call asks for other points, so that no answer comes from the response cache.
    response = client.get(
        "/api/telemetry/trace", {"track_id": TRACK, "race_num": 1, "driver_number": 7, "points": points}
    )
    assert response.status_code == 200
    return response.json()["lap"]


def test_a_new_data_version_finds_the_fastest_laps_anew(client, race):
    assert fastest_traced_lap(client, points=10) == 2
    # A faster lap arrives (as a load does, it starts a new data version).
    warehouse_load_laps(
        track=TRACK,
        race_number=1,
        laps=[
            SectorLap(car=7, lap=3, lengths=SECTORS, speeds=(60.0, 60.0, 60.0)),
        ],
    )
    with WarehouseTraffic() as kept:
        assert fastest_traced_lap(client, points=11) == 2  # the version the laps were found in: kept
    invalidate_api_cache()

    with WarehouseTraffic() as found:
        assert fastest_traced_lap(client, points=12) == 3

    assert len(kept.queries) == 1 and len(found.queries) == 2


def test_without_redis_the_trace_finds_them_each_time(client, race, unreachable_redis):
    with WarehouseTraffic() as traffic:
        assert fastest_traced_lap(client, points=10) == 2

    assert len(traffic.queries) == 2
