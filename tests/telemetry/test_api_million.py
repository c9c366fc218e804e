"""The trace on a race of a million generated samples: at most ``points`` rows whatever the raw
count, two warehouse queries (one when the race's fastest laps are known) returning O(points) rows
beside one row a car, and bins that agree with the generated file (means of the continuous
channels, the most frequent gear)."""

import csv
import math
import statistics
import time
from collections import Counter, defaultdict
from datetime import datetime

import pytest
from django.db import connections

from bench.telemetry_trace import million_sample_race
from tests.telemetry.api_data import SEASON, WarehouseTraffic, warehouse_delete_track

TRACK = "millionring"
CAR = 1


@pytest.fixture(scope="module")
def race(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        started = time.monotonic()
        made = million_sample_race(
            track=TRACK, race_number=1, season=SEASON, samples=1_000_000, work_dir=tmp_path_factory.mktemp("million")
        )
        print(f"\nmade a race of {made['samples']:,} samples in {time.monotonic() - started:.1f}s")
        yield made
        warehouse_delete_track(track=TRACK)


@pytest.fixture(scope="module")
def generated_laps(race):
    """Car 1's samples from the generated file, by lap."""
    laps = defaultdict(list)
    with open(race["csv"], newline="") as handle:
        for row in csv.DictReader(handle):
            if int(row["vehicle_number"]) == CAR:
                laps[int(row["lap"])].append(row)
    return laps


@pytest.fixture(scope="module")
def fastest_lap(generated_laps):
    """Car 1's fastest complete lap, from the file: first to last timestamp."""

    def duration(rows):
        times = [datetime.fromisoformat(row["timestamp"]) for row in rows]
        return (max(times) - min(times)).total_seconds()

    return min(generated_laps, key=lambda lap: duration(generated_laps[lap]))


def trace(client, **params):
    return client.get("/api/telemetry/trace", {"track_id": TRACK, "driver_number": CAR, **params})


def test_the_race_holds_a_million_samples(race, warehouse_db):
    with connections["warehouse"].cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT car_number) FROM telemetry_sample WHERE track = %s", [TRACK])
        samples, cars = cursor.fetchone()

    assert samples == race["samples"] >= 1_000_000
    assert cars == len(race["cars"])


@pytest.mark.parametrize("points", [10, 500, 2000])
def test_trace_rows_are_bounded_by_points_whatever_the_raw_count(
    client, warehouse_db, race, generated_laps, fastest_lap, points
):
    with WarehouseTraffic() as traffic:
        response = trace(client, points=points)
    with WarehouseTraffic() as again:
        # Other bins of the same lap (the bins asked before are kept for the data version).
        trace(client, points=points - 1, format="csv")

    assert response.status_code == 200
    body = response.json()
    raw = len(generated_laps[fastest_lap])
    assert body["lap"] == fastest_lap
    assert len(body["trace"]) <= points
    # One row per distance bin the file's samples fall in (bins counted from the file).
    width = max(float(row["Laptrigger_lapdist_dls"]) for row in generated_laps[fastest_lap]) / points
    occupied = {
        min(math.floor(float(row["Laptrigger_lapdist_dls"]) / width), points - 1) for row in generated_laps[fastest_lap]
    }
    assert len(body["trace"]) == len(occupied)
    assert sum(row["samples"] for row in body["trace"]) == raw  # every sample of the lap, binned
    # The race's fastest laps (one row a car), then the lap's bins; the fastest laps are kept for
    # the data version, so the next trace of the race runs the bins' query alone.
    assert len(traffic.queries) == 2 and len(again.queries) == 1
    assert traffic.rows <= len(race["cars"]) + points
    assert again.rows <= points


def test_bins_agree_with_the_generated_samples(client, warehouse_db, generated_laps, fastest_lap):
    points = 100
    body = trace(client, points=points).json()
    rows = generated_laps[fastest_lap]
    width = max(float(row["Laptrigger_lapdist_dls"]) for row in rows) / points
    bins = defaultdict(list)
    for row in rows:
        bins[min(math.floor(float(row["Laptrigger_lapdist_dls"]) / width), points - 1)].append(row)

    assert [row["bin"] for row in body["trace"]] == sorted(bins)
    for row in body["trace"]:
        expected = bins[row["bin"]]
        assert row["samples"] == len(expected)
        assert row["speed"] == pytest.approx(statistics.fmean(float(r["speed"]) for r in expected), abs=0.01)
        assert row["brake_front"] == pytest.approx(statistics.fmean(float(r["pbrake_f"]) for r in expected), abs=0.01)
        gears = Counter(int(r["gear"]) for r in expected)
        assert row["gear"] == max(gears, key=lambda gear: (gears[gear], gear))  # the most frequent, the higher on a tie


def test_laps_and_drivers_stay_small_on_a_million_samples(client, warehouse_db, race, generated_laps):
    with WarehouseTraffic() as traffic:
        laps = client.get("/api/telemetry/laps", {"track_id": TRACK, "driver_number": CAR}).json()
        drivers = client.get("/api/telemetry/drivers", {"track_id": TRACK}).json()

    assert [row["lap"] for row in laps] == sorted(generated_laps)
    assert [row["samples"] for row in laps] == [len(generated_laps[lap]) for lap in sorted(generated_laps)]
    assert drivers["drivers_with_telemetry"] == sorted(race["cars"])
    assert len(traffic.queries) == 2
    assert traffic.rows == len(laps) + len(race["cars"])
