"""The demo telemetry generator: deterministic, and physically consistent with its own layout."""

import csv
import random
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connections

from telemetry.demo import (
    APEX_KPH,
    BRAKE_DECEL_G,
    MAX_LATERAL_G,
    CornerLayout,
    DemoCar,
    demo_telemetry_write,
    lap_profile,
)

# A 2 km loop: a slow right at 600 m after the straight, a fast left at 1500 m.
CORNERS = [
    CornerLayout(apex_m=600, start_m=560, exit_m=650, speed_class="low", direction=1),
    CornerLayout(apex_m=1500, start_m=1450, exit_m=1560, speed_class="high", direction=-1),
]
LENGTH = 2000


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.csv"
    demo_telemetry_write(out=path, corners=CORNERS, length_m=LENGTH, cars=[DemoCar(7, 0.5)], laps=2, hz=20)
    with open(path, newline="") as handle:
        return [{k: float(v) if k != "timestamp" else v for k, v in row.items()} for row in csv.DictReader(handle)]


def test_the_same_arguments_give_the_same_file(tmp_path):
    paths = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for path in paths:
        demo_telemetry_write(out=path, corners=CORNERS, length_m=LENGTH, cars=[DemoCar(7, 0.3)], laps=1, seed=11)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_the_car_slows_to_each_apex_and_is_fastest_on_the_straight(rows):
    lap = [r for r in rows if r["lap"] == 1]
    near = lambda metre: min(lap, key=lambda r: abs(r["Laptrigger_lapdist_dls"] - metre))  # noqa: E731
    slow_apex, fast_apex = near(600)["speed"], near(1500)["speed"]
    assert slow_apex == pytest.approx(APEX_KPH["low"], rel=0.05)
    assert fast_apex == pytest.approx(APEX_KPH["high"], rel=0.05)
    # Top speed comes at the end of the long straight (from the fast corner's exit at 1560 m,
    # round through the line, to the slow corner at 560 m), where braking begins.
    fastest = max(lap, key=lambda r: r["speed"])
    assert fastest["speed"] > fast_apex and 0 <= fastest["Laptrigger_lapdist_dls"] < 560


def test_braking_comes_before_the_apex_and_throttle_after(rows):
    lap = [r for r in rows if r["lap"] == 1]
    before = [r for r in lap if 450 <= r["Laptrigger_lapdist_dls"] < 590]
    after = [r for r in lap if 620 < r["Laptrigger_lapdist_dls"] < 760]
    assert any(r["pbrake_f"] > 50 for r in before) and all(r["aps"] == 0 for r in before if r["pbrake_f"] > 0)
    assert all(r["pbrake_f"] == 0 for r in after) and any(r["aps"] == 100 for r in after)
    # Never harder than the braking limit.
    assert min(r["accx_can"] for r in lap) >= -BRAKE_DECEL_G * 1.03 - 1e-9


def test_longitudinal_g_matches_the_change_of_speed(rows):
    lap = [r for r in rows if r["lap"] == 1]
    agree = 0
    for previous, current in pairwise(lap):
        dv = (current["speed"] - previous["speed"]) / 3.6 / 0.05  # m/s^2 over one 20 Hz step
        agree += abs(dv / 9.81 - previous["accx_can"]) < 0.15
    assert agree / (len(lap) - 1) > 0.95


def test_lateral_g_and_steering_only_in_corners_with_their_direction(rows):
    lap = [r for r in rows if r["lap"] == 1]
    right = [r for r in lap if 560 <= r["Laptrigger_lapdist_dls"] < 650]
    left = [r for r in lap if 1450 <= r["Laptrigger_lapdist_dls"] < 1560]
    straight = [r for r in lap if 800 <= r["Laptrigger_lapdist_dls"] < 1400]
    assert all(r["accy_can"] > 0 and r["Steering_Angle"] > 0 for r in right)
    assert all(r["accy_can"] < 0 and r["Steering_Angle"] < 0 for r in left)
    assert all(r["accy_can"] == 0 for r in straight)
    assert max(abs(r["accy_can"]) for r in lap) <= MAX_LATERAL_G + 0.01


def test_gear_and_rpm_follow_speed(rows):
    by_speed = sorted(rows, key=lambda r: r["speed"])
    gears = [r["gear"] for r in by_speed]
    assert gears == sorted(gears)
    assert all(2000 < r["nmot"] < 7600 for r in rows if r["speed"] > 40)


def test_a_more_skilled_driver_laps_faster():
    def lap_time(skill):
        speed, _ = lap_profile(corners=CORNERS, length_m=LENGTH, skill=skill, rng=random.Random(3))
        return sum(1 / v for v in speed)

    assert lap_time(1.0) < lap_time(0.5) < lap_time(0.0)


def test_the_command_drives_the_race_entries_on_the_circuit_and_loads_them(warehouse_db):
    from drivers.models import Corner, Driver, Race, RaceEntry, Track

    track = Track.objects.create(id="testring", name="Test Ring", length_m=LENGTH)
    for number, corner in enumerate(CORNERS, start=1):
        Corner.objects.create(
            track=track,
            number=number,
            type="right" if corner.direction > 0 else "left",
            distance_start_m=corner.start_m,
            distance_apex_m=corner.apex_m,
            distance_exit_m=corner.exit_m,
            speed_class=corner.speed_class,
        )
    race = Race.objects.create(track=track, round=9, race_number=1)
    for car in (7, 13):
        RaceEntry.objects.create(race=race, car_number=car, driver=Driver.objects.create(number=car, name=f"D{car}"))
    call_command("generate_demo_telemetry", track="testring", race=1, laps=1)
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(
            "SELECT car_number, COUNT(*), MAX(lap_distance_m) FROM telemetry_sample "
            "WHERE track = 'testring' GROUP BY car_number ORDER BY car_number"
        )
        counts = cursor.fetchall()
    assert [car for car, _, _ in counts] == [7, 13]
    # About a lap of the 2 km loop at 20 Hz: between 20 s and 2 min of samples each.
    assert all(400 < n < 2400 and 1900 < furthest <= LENGTH for _, n, furthest in counts)
