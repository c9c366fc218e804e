"""GET /api/telemetry/compare and /detailed on laps driven at constant speed per sector, where
the time at every distance, the sector times and the delta are arithmetic (see api_data)."""

import pytest

from tests.telemetry.api_data import SectorLap, WarehouseTraffic, warehouse_delete_track, warehouse_load_laps

TRACK = "comparering"
SECTORS = (1000.0, 1000.0, 1000.0)
CAR_1 = [
    SectorLap(car=1, lap=1, lengths=SECTORS, speeds=(40.0, 40.0, 40.0)),  # 75 s
    SectorLap(car=1, lap=2, lengths=SECTORS, speeds=(50.0, 50.0, 50.0)),
]  # 60 s: 20 + 20 + 20
CAR_2 = [
    SectorLap(car=2, lap=1, lengths=SECTORS, speeds=(40.0, 50.0, 62.5)),  # 61 s: 25 + 20 + 16
    SectorLap(car=2, lap=2, lengths=SECTORS, speeds=(40.0, 40.0, 50.0)),
]  # 70 s
# Stated tolerance of the distance-based delta on 20 Hz samples and 500 bins (6 m): 0.02 s.
TOLERANCE_S = 0.02


@pytest.fixture(scope="module")
def races(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        warehouse_load_laps(track=TRACK, race_number=1, laps=CAR_1 + CAR_2)
        # Race 2: the same laps, and a classification that puts car 2 first.
        warehouse_load_laps(track=TRACK, race_number=2, laps=CAR_1 + CAR_2, positions={2: 1, 1: 2})
        yield
        warehouse_delete_track(track=TRACK)


pytestmark = pytest.mark.usefixtures("races")


def compare(client, **params):
    return client.get("/api/telemetry/compare", {"track_id": TRACK, **params})


def test_legacy_shape_from_the_timing(client, warehouse_db):
    body = compare(client, driver_1=1, driver_2=2).json()

    assert body["track_id"] == TRACK and body["driver_1"] == 1 and body["driver_2"] == 2
    assert body["driver_1_laps"] == [
        {"lap_number": 1, "lap_time": 75.0, "sector_1": 25.0, "sector_2": 25.0, "sector_3": 25.0, "flag_status": "GF"},
        {"lap_number": 2, "lap_time": 60.0, "sector_1": 20.0, "sector_2": 20.0, "sector_3": 20.0, "flag_status": "GF"},
    ]
    assert [lap["lap_time"] for lap in body["driver_2_laps"]] == [61.0, 70.0]
    # Best laps: 60 s (20, 20, 20) against 61 s (25, 20, 16).
    assert body["sector_deltas"] == {"sector_1": -5.0, "sector_2": 0.0, "sector_3": 4.0, "total": -1.0}
    assert body["insights"] == [
        "Driver #1 is faster overall by 1.000s per lap",
        "You gain 5.000s in Sector 1 - this is a strength!",
        "You lose 4.000s in Sector 3 - focus on this area",
        # Lap-time coefficients of variation: stdev(61, 70) / 65.5 and stdev(75, 60) / 67.5.
        "Driver #2 is more consistent (CV: 0.097 vs 0.157)",
    ]


def test_time_delta_along_the_lap_matches_the_arithmetic(client, warehouse_db):
    telemetry = compare(client, driver_1=1, driver_2=2).json()["telemetry"]

    assert telemetry["lap_1"] == 2 and telemetry["lap_2"] == 1  # each driver's fastest lap
    assert telemetry["delta_method"].startswith("approximate")
    fast, other = CAR_1[1], CAR_2[0]
    assert len(telemetry["distance"]) == 500
    for distance, delta, speed_1, speed_2 in zip(
        telemetry["distance"], telemetry["time_delta"], telemetry["speed_1"], telemetry["speed_2"], strict=True
    ):
        assert delta == pytest.approx(fast.time_at(distance) - other.time_at(distance), abs=TOLERANCE_S)
        if 10 < distance % 1000 < 990:  # no speed change inside the bin
            assert speed_1 == pytest.approx(fast.speed_at(distance) * 3.6)
            assert speed_2 == pytest.approx(other.speed_at(distance) * 3.6)


def test_sector_deltas_agree_with_the_timing_within_the_tolerance(client, warehouse_db):
    sectors = compare(client, driver_1=1, driver_2=2).json()["telemetry"]["sector_deltas"]

    assert [sector["timing_s"] for sector in sectors] == [-5.0, 0.0, 4.0]
    for sector, boundary in zip(sectors, (1000, 2000, 3000), strict=True):
        assert sector["telemetry_s"] == pytest.approx(sector["timing_s"], abs=TOLERANCE_S)
        assert abs(sector["difference_s"]) <= TOLERANCE_S
        assert sector["to_m"] == pytest.approx(boundary, abs=5)


def test_where_the_time_is_lost(client, warehouse_db):
    time_lost = compare(client, driver_1=1, driver_2=2).json()["telemetry"]["time_lost"]

    # Sector 3 (2000-3000 m): 50 m/s against 62.5 m/s costs 300/50 - 300/62.5 = 1.2 s per 300 m segment.
    assert [(segment["from_m"], segment["to_m"]) for segment in time_lost] == [
        (2100.0, 2400.0),
        (2400.0, 2700.0),
        (2700.0, 3000.0),
    ]
    assert [segment["seconds"] for segment in time_lost] == pytest.approx([1.2] * 3, abs=TOLERANCE_S)


def test_two_laps_of_one_driver(client, warehouse_db):
    telemetry = compare(client, driver_1=1, driver_2=1, lap_1=1, lap_2=2, points=100).json()["telemetry"]

    # 40 m/s against 50 m/s: 5 s lost per 1000 m sector.
    assert [sector["telemetry_s"] for sector in telemetry["sector_deltas"]] == pytest.approx([5, 5, 5], abs=0.05)
    assert telemetry["time_delta"][-1] == pytest.approx(15 * (telemetry["distance"][-1] / 3000), abs=0.05)


def test_compare_is_two_warehouse_queries_of_few_rows(client, warehouse_db):
    with WarehouseTraffic() as traffic:
        assert compare(client, driver_1=1, driver_2=2, points=200).status_code == 200

    assert len(traffic.queries) == 2
    assert traffic.rows <= 4 + 2 * 200  # the four laps, then two traces of 200 bins


def test_legacy_errors(client, warehouse_db):
    nowhere = client.get("/api/telemetry/compare", {"track_id": "nope", "driver_1": 1, "driver_2": 2})
    missing = compare(client, driver_1=1, driver_2=99)
    bad = compare(client, driver_1=1, driver_2=2, race_num=3)

    assert nowhere.status_code == 404 and nowhere.json()["error"] == "No lap data found for nope race 1"
    assert missing.status_code == 404 and missing.json()["error"] == "Insufficient data for drivers 1 and/or 99"
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"race_num"}
    assert set(client.get("/api/telemetry/compare", {"track_id": TRACK}).json()["details"]) == {"driver_1", "driver_2"}


def detailed(client, **params):
    return client.get("/api/telemetry/detailed", {"track_id": TRACK, "race_num": 1, **params})


def test_detailed_three_tiers_by_pace_without_a_classification(client, warehouse_db):
    body = detailed(client, driver_number=2, points=50).json()

    # Race 1 has no classification: the order of the fastest laps (car 1: 60 s, car 2: 61 s).
    assert body["comparison_drivers"] == {"next_tier": 1, "leader": 1, "user_position": 2}
    assert body["metadata"]["user_position"] == 2
    traces = body["traces"]
    assert set(traces) == {"user", "next_tier", "leader"}
    assert traces["user"]["driver_number"] == 2 and traces["user"]["lap"] == 1
    assert traces["leader"]["driver_number"] == 1 and traces["leader"]["lap"] == 2
    assert traces["user"]["distance"][0] == pytest.approx(30)  # 3000 m / 50 bins, centre of the first
    assert traces["user"]["speed"][0] == pytest.approx(144.0) and traces["user"]["speed"][-1] == pytest.approx(225.0)
    assert len(traces["user"]["brake_pressure"]) == len(traces["user"]["steering_angle"]) == 50
    assert "steering_angle" not in traces["leader"]


def test_detailed_follows_the_classification(client, warehouse_db):
    body = detailed(client, race_num=2, driver_number=1, lap_number=1).json()

    assert body["comparison_drivers"] == {"next_tier": 2, "leader": 2, "user_position": 2}
    assert body["traces"]["user"]["lap"] == 1 and body["traces"]["leader"]["lap"] == 1


def test_detailed_legacy_answers(client, warehouse_db):
    unknown = detailed(client, driver_number=99).json()
    unsupported = detailed(client, driver_number=1, data_type="brake_comparison")

    assert unknown["comparison_drivers"] == {"next_tier": None, "leader": None, "user_position": None}
    assert unknown["traces"] == {}
    assert unsupported.status_code == 400
    assert unsupported.json()["details"] == {
        "data_type": ["Unsupported data_type: brake_comparison. Supported: speed_trace"]
    }


def test_detailed_runs_two_warehouse_queries_then_one(client, warehouse_db):
    with WarehouseTraffic() as cold:
        detailed(client, driver_number=2, points=50)
    with WarehouseTraffic() as warm:
        detailed(client, driver_number=1, points=50)

    # The race's fastest laps (one row a car, kept for the data version), then the bins of three laps.
    assert len(cold.queries) == 2 and cold.rows <= 2 + 3 * 50
    assert len(warm.queries) == 1 and warm.rows <= 3 * 50
