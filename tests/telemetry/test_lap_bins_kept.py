"""What a trace, a comparison and the detailed traces build from distance bins, and a comparison's
lap summaries, are kept per data version like the fastest laps: concurrent requests for the same laps
(the embedded emulator answers one query at a time) read the warehouse once per version, even with
the response cache off, and a new version reads them anew."""

import pytest

from hackthetrack.cache import invalidate_api_cache
from tests.telemetry.api_data import SectorLap, WarehouseTraffic, warehouse_delete_track, warehouse_load_laps

TRACK = "binring"
SECTORS = (1000.0, 1000.0, 1000.0)
TRACE = {"track_id": TRACK, "race_num": 1, "driver_number": 7, "points": 10}


@pytest.fixture
def race(warehouse_db, settings):
    settings.API_CACHE_TIMEOUT = 0  # every answer computed: only the selectors' own keeping is left
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


def test_the_same_trace_reads_the_warehouse_once_per_data_version(client, race):
    with WarehouseTraffic() as first:
        computed = client.get("/api/telemetry/trace", TRACE)
    with WarehouseTraffic() as again:
        repeated = client.get("/api/telemetry/trace", TRACE)
    invalidate_api_cache()
    with WarehouseTraffic() as new_version:
        assert client.get("/api/telemetry/trace", TRACE).json() == computed.json()

    assert computed.status_code == repeated.status_code == 200
    assert repeated.json() == computed.json()
    assert (len(first.queries), len(again.queries), len(new_version.queries)) == (2, 0, 2)


def test_other_points_are_other_bins(client, race):
    client.get("/api/telemetry/trace", TRACE)

    with WarehouseTraffic() as traffic:
        assert client.get("/api/telemetry/trace", {**TRACE, "points": 11}).status_code == 200

    assert len(traffic.queries) == 1  # the bins; the fastest laps are kept


def test_the_same_comparison_reads_the_warehouse_once_per_data_version(client, race):
    warehouse_load_laps(
        track=TRACK,
        race_number=1,
        laps=[
            SectorLap(car=8, lap=1, lengths=SECTORS, speeds=(45.0, 45.0, 45.0)),
        ],
    )
    compare = {"track_id": TRACK, "race_num": 1, "driver_1": 7, "driver_2": 8, "points": 10}
    first = client.get("/api/telemetry/compare", compare)

    with WarehouseTraffic() as again:
        repeated = client.get("/api/telemetry/compare", compare)

    invalidate_api_cache()
    with WarehouseTraffic() as new_version:
        assert client.get("/api/telemetry/compare", compare).json() == first.json()

    assert first.status_code == repeated.status_code == 200
    assert repeated.json() == first.json()
    assert len(again.queries) == 0  # the laps' summaries and what is built from their bins are kept
    assert len(new_version.queries) == 2  # the summaries, then the bins


def test_the_same_detailed_traces_read_the_warehouse_once_per_data_version(client, race):
    detailed = {"track_id": TRACK, "race_num": 1, "driver_number": 7, "points": 10}
    with WarehouseTraffic() as first:
        computed = client.get("/api/telemetry/detailed", detailed)
    with WarehouseTraffic() as again:
        repeated = client.get("/api/telemetry/detailed", detailed)
    invalidate_api_cache()
    with WarehouseTraffic() as new_version:
        assert client.get("/api/telemetry/detailed", detailed).json() == computed.json()

    assert computed.status_code == repeated.status_code == 200
    assert computed.json()["traces"]["user"]["lap"] == 2  # car 7's faster lap: the bins were read
    assert repeated.json() == computed.json()
    # The fastest laps with positions, then the bins; nothing on a repeat.
    assert (len(first.queries), len(again.queries), len(new_version.queries)) == (2, 0, 2)
