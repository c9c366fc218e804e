"""GET /api/telemetry/drivers, /laps and /trace on hand-made laps in the emulator: values from
the laps' definitions, CSV, operator filters, unknown parameters, caps and warehouse traffic."""

import csv
import io
import math
from collections import Counter, defaultdict

import pytest

from tests.telemetry.api_data import (
    HZ,
    SEASON,
    SectorLap,
    WarehouseTraffic,
    warehouse_delete_track,
    warehouse_load_laps,
)

TRACK = "listring"
SECTORS = (1000.0, 1000.0, 1000.0)
LAPS = [
    SectorLap(car=7, lap=1, lengths=SECTORS, speeds=(40.0, 40.0, 40.0)),  # 75 s
    SectorLap(car=7, lap=2, lengths=SECTORS, speeds=(50.0, 50.0, 50.0)),  # 60 s, the fastest
    SectorLap(car=9, lap=1, lengths=SECTORS, speeds=(40.0, 50.0, 62.5)),  # 61 s
]


@pytest.fixture(scope="module")
def race(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        warehouse_load_laps(track=TRACK, race_number=1, laps=LAPS)
        yield
        warehouse_delete_track(track=TRACK)


pytestmark = pytest.mark.usefixtures("race")


def get(client, path, **params):
    return client.get(f"/api/telemetry/{path}", params)


def assert_400(response, *names):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"error", "details", "path"}
    assert set(body["details"]) == set(names)
    return body


def test_drivers_keep_the_legacy_keys_with_the_cars_per_race(client, warehouse_db):
    response = get(client, "drivers", track_id=TRACK)

    assert response.status_code == 200
    body = response.json()
    assert body["drivers_with_telemetry"] == [7, 9]
    assert body["count"] == 2
    samples_7 = sum(len(lap.samples(clock=0)) for lap in LAPS if lap.car == 7)
    assert body["cars"][0] == {
        "season": SEASON,
        "track_id": TRACK,
        "race_num": 1,
        "driver_number": 7,
        "laps": 2,
        "samples": samples_7,
    }
    assert response["X-Total-Count"] == "2"


def test_drivers_filter_by_operator(client, warehouse_db):
    body = get(client, "drivers", track_id=TRACK, laps__gte=2).json()

    assert body["drivers_with_telemetry"] == [7]


def test_laps_from_the_timing_and_the_samples(client, warehouse_db):
    response = get(client, "laps", track_id=TRACK, race_num=1)

    assert response.status_code == 200
    laps = {(row["driver_number"], row["lap"]): row for row in response.json()}
    assert set(laps) == {(lap.car, lap.lap) for lap in LAPS}
    for lap in LAPS:
        row = laps[(lap.car, lap.lap)]
        assert row["lap_time"] == pytest.approx(lap.lap_time)
        assert row["lap_time_source"] == "timing"
        assert [row["s1"], row["s2"], row["s3"]] == pytest.approx(lap.sector_times)
        assert row["top_speed"] == pytest.approx(max(lap.speeds) * 3.6)
        # Time-weighted mean speed of a lap is its length over its time.
        assert row["avg_speed"] == pytest.approx(3000 / lap.lap_time * 3.6, rel=0.01)
        # Brakes on over the last 5 % of each sector's distance, so 5 % of the time at constant speed.
        assert row["brake_share"] == pytest.approx(0.05, abs=0.01)
        assert row["full_throttle_share"] == pytest.approx(0.95, abs=0.01)
        assert row["samples"] == len(lap.samples(clock=0))
        assert row["complete"] is True


def test_laps_operator_filters(client, warehouse_db):
    by_lap = get(client, "laps", track_id=TRACK, lap__in="2,3").json()
    fast = get(client, "laps", track_id=TRACK, lap_time__lt=65, driver_number=7).json()
    top = get(client, "laps", track_id=TRACK, top_speed__gte=200).json()

    assert [(row["driver_number"], row["lap"]) for row in by_lap] == [(7, 2)]
    assert [(row["driver_number"], row["lap"]) for row in fast] == [(7, 2)]
    assert [(row["driver_number"], row["lap"]) for row in top] == [(9, 1)]  # only car 9 reaches 225 km/h


def test_laps_page_with_a_total(client, warehouse_db):
    response = get(client, "laps", track_id=TRACK, limit=1, offset=1)

    assert [(row["driver_number"], row["lap"]) for row in response.json()] == [(7, 2)]
    assert response["X-Total-Count"] == "3"


def test_laps_as_streamed_csv(client, warehouse_db):
    response = get(client, "laps", track_id=TRACK, format="csv", driver_number=9)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["driver_number"], row["lap"]) for row in rows] == [("9", "1")]
    assert float(rows[0]["lap_time"]) == pytest.approx(61.0)


def test_trace_defaults_to_the_fastest_lap_and_bins_it(client, warehouse_db):
    response = get(client, "trace", track_id=TRACK, driver_number=7, points=100)

    assert response.status_code == 200
    body = response.json()
    assert body["lap"] == 2 and body["lap_time"] == pytest.approx(60.0)
    trace = body["trace"]
    assert len(trace) == 100  # 30 m bins, a sample every 2.5 m: none empty
    assert body["bin_width"] == pytest.approx(body["length"] / 100)
    assert sum(row["samples"] for row in trace) == len(LAPS[1].samples(clock=0))
    assert {row["speed"] for row in trace} == {180.0}
    # Gear is the bin's most frequent value, never an average: 4 above 150 km/h.
    assert {row["gear"] for row in trace} == {4}
    # Mean time in a bin at constant speed: the mean sample distance over the speed.
    middle = trace[50]
    assert middle["elapsed"] == pytest.approx(middle["distance"] / 50, abs=1 / HZ)


def test_trace_of_a_given_lap_with_a_filter_and_csv(client, warehouse_db):
    fast = get(client, "trace", track_id=TRACK, driver_number=9, lap=1, points=30, speed__gte=200).json()
    as_csv = get(client, "trace", track_id=TRACK, driver_number=9, lap=1, points=30, format="csv")

    # Car 9 is at 225 km/h only in sector 3: the last ten of 30 bins.
    assert [row["bin"] for row in fast["trace"]] == list(range(20, 30))
    assert all(isinstance(row["bin"], int) for row in fast["trace"])
    rows = list(csv.DictReader(io.StringIO(b"".join(as_csv.streaming_content).decode())))
    assert len(rows) == 30
    assert {row["gear"] for row in rows[:10]} == {"3"}  # 144 km/h


def test_a_bins_gear_is_its_most_frequent_the_higher_on_a_tie(client, warehouse_db):
    # Car 9 changes from 3rd to 4th at 1,000 m: a bin across that line holds both gears.
    samples = LAPS[2].samples(clock=0)
    length = max(row["lap_distance_m"] for row in samples)

    def gears_by_bin(points: int) -> dict[int, Counter]:
        bins = defaultdict(Counter)
        for row in samples:
            bins[min(math.floor(row["lap_distance_m"] / (length / points)), points - 1)][row["gear"]] += 1
        return bins

    def tied(gears: Counter) -> bool:
        return len(gears) > 1 and len(set(gears.values())) == 1

    points = next(points for points in range(20, 2000) if any(map(tied, gears_by_bin(points).values())))
    trace = get(client, "trace", track_id=TRACK, driver_number=9, lap=1, points=points).json()["trace"]

    expected = gears_by_bin(points)
    assert [row["gear"] for row in trace] == [
        max(expected[row["bin"]], key=lambda gear: (expected[row["bin"]][gear], gear)) for row in trace
    ]


def test_trace_points_are_capped(client, warehouse_db):
    assert_400(get(client, "trace", track_id=TRACK, driver_number=7, points=2001), "points")
    assert_400(get(client, "trace", track_id=TRACK, driver_number=7, points=0), "points")


def test_whole_number_parameters_are_written_in_digits(client, warehouse_db):
    assert_400(get(client, "trace", track_id=TRACK, driver_number="7.0", points="500.0"), "driver_number", "points")
    assert_400(get(client, "laps", track_id=TRACK, race_num="1_0", offset=" 1"), "race_num", "offset")


def test_unknown_parameters_and_bad_filters_are_400_naming_each(client, warehouse_db):
    body = assert_400(
        get(client, "laps", track_id=TRACK, colour="red", speed__near=3, lap__in="3,x"),
        "colour",
        "speed__near",
        "lap__in",
    )
    assert body["path"] == "/api/telemetry/laps"
    assert_400(get(client, "trace", driver_number=7, nope=1), "track_id", "nope")
    assert_400(get(client, "drivers", lap_time__gte=1), "lap_time__gte")  # not a column of that list
    assert get(client, "laps", track_id=TRACK, limit=5001).status_code == 200  # capped, not refused


def test_unknown_car_or_lap_is_404(client, warehouse_db):
    assert get(client, "trace", track_id=TRACK, driver_number=99).status_code == 404
    assert get(client, "trace", track_id=TRACK, driver_number=7, lap=9).status_code == 404
    assert get(client, "laps", track_id=TRACK, driver_number=99).json() == []


@pytest.mark.parametrize(
    "path, params, queries",
    [
        ("drivers", {"track_id": TRACK}, 1),
        ("laps", {"track_id": TRACK}, 1),
        ("trace", {"track_id": TRACK, "driver_number": 7, "points": 50}, 2),
        ("trace", {"track_id": TRACK, "driver_number": 7, "lap": 1, "points": 50}, 2),
    ],
)
def test_each_list_is_a_fixed_number_of_queries_of_few_rows(client, warehouse_db, path, params, queries):
    with WarehouseTraffic() as traffic:
        assert get(client, path, **params).status_code == 200

    assert len(traffic.queries) == queries
    assert traffic.rows <= 50 + 3  # bins, or the handful of cars and laps; never the ~5,300 samples
