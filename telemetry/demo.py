"""Deterministic demo telemetry: physically plausible laps from a circuit's corner layout.

A lap is a speed profile along the track on a 1 m grid: the car accelerates as hard as its power
allows (less as speed rises), must be down to each corner's apex speed at the apex, and brakes at
a constant deceleration before it; the profile is the lowest of those limits (the classic
forward/backward pass). Time follows from distance over speed; samples are taken at a fixed rate
and every channel is derived from the same motion: gear and rpm from speed, throttle from
acceleration, brake pressure from deceleration, longitudinal g from dv/dt, lateral g and steering
from speed and curvature (which also caps the speed: lateral g never exceeds the grip), GPS from
integrating the heading. A driver's skill shifts apex
speeds and braking; a seeded random number generator varies each lap slightly, so the same
arguments always give the same file.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

G = 9.81
TOP_SPEED_KPH = 212.0  # a GR86 on a long straight
MAX_ACCEL_G = 0.55  # from low speed, falling to 0 at top speed (power and drag)
BRAKE_DECEL_G = 1.15
MAX_LATERAL_G = 1.30
# Apex speeds by the layout's speed class, km/h.
APEX_KPH = {"low": 82.0, "medium": 118.0, "high": 158.0}
# Upper speed of each gear (km/h) and rpm per km/h in it: ratios of a six-speed GR86.
GEAR_TOP_KPH = [0.0, 58.0, 92.0, 126.0, 160.0, 190.0, 999.0]
RPM_PER_KPH = [0.0, 118.0, 76.0, 56.0, 44.0, 37.0, 33.0]
WHEELBASE_M, STEERING_RATIO = 2.575, 13.5
WIDE_HEADER = [
    "vehicle_number",
    "lap",
    "timestamp",
    "Laptrigger_lapdist_dls",
    "speed",
    "nmot",
    "gear",
    "aps",
    "pbrake_f",
    "pbrake_r",
    "Steering_Angle",
    "accx_can",
    "accy_can",
    "VBOX_Lat_Min",
    "VBOX_Long_Minutes",
]


@dataclass(frozen=True)
class CornerLayout:
    apex_m: float
    start_m: float
    exit_m: float
    speed_class: str
    direction: int  # +1 right, -1 left


@dataclass(frozen=True)
class DemoCar:
    number: int
    skill: float  # 0 (slowest of the field) .. 1 (fastest)


def corner_curvature(*, corners: Sequence[CornerLayout], length_m: int) -> list[float]:
    """Signed 1/radius at each metre (right positive): rising from the corner's start to its apex
    and falling to its exit, the apex radius the one its speed class is driven at on full grip."""
    curvature = [0.0] * length_m
    for corner in corners:
        apex_speed = APEX_KPH.get(corner.speed_class, APEX_KPH["medium"]) / 3.6
        apex_curvature = corner.direction * MAX_LATERAL_G * G / (apex_speed * apex_speed)
        start, apex, end = corner.start_m, corner.apex_m, max(corner.exit_m, corner.apex_m + 1)
        for metre in range(int(start), int(end) + 1):
            if metre < apex:
                share = (metre - start + 1) / (apex - start + 1)
            else:
                share = (end - metre + 1) / (end - apex + 1)
            index = metre % length_m
            if abs(apex_curvature * share) > abs(curvature[index]):
                curvature[index] = apex_curvature * share
    return curvature


def lap_profile(
    *, corners: Sequence[CornerLayout], length_m: int, skill: float, rng: random.Random
) -> tuple[list[float], list[float]]:
    """Speed (m/s) and curvature (1/m) at each metre of the lap."""
    top = TOP_SPEED_KPH / 3.6
    curvature = corner_curvature(corners=corners, length_m=length_m)
    # A better driver uses more of the tyres' grip and brakes harder; no two laps are the same.
    lateral = MAX_LATERAL_G * G * (0.94 + 0.06 * skill) * rng.uniform(0.985, 1.0)
    brake = BRAKE_DECEL_G * G * (0.92 + 0.08 * skill) * rng.uniform(0.98, 1.0)
    limit = [min(top, math.sqrt(lateral / abs(k))) if k else top for k in curvature]
    speed = list(limit)
    for _ in range(2):  # twice round, so the lap's start continues its end
        for i in range(length_m):  # acceleration
            previous = speed[i - 1]
            accel = MAX_ACCEL_G * G * max(0.0, 1 - previous / top)
            speed[i] = min(limit[i], math.sqrt(previous * previous + 2 * accel))
        for i in range(length_m - 1, -1, -1):  # braking
            following = speed[(i + 1) % length_m]
            speed[i] = min(speed[i], math.sqrt(following * following + 2 * brake))
    return speed, curvature


def _gear(kph: float) -> int:
    return next(gear for gear in range(1, 7) if kph <= GEAR_TOP_KPH[gear])


def demo_telemetry_write(
    *,
    out: Path,
    corners: Sequence[CornerLayout],
    length_m: int,
    cars: Sequence[DemoCar],
    laps: int,
    hz: float = 20.0,
    seed: int = 2025,
    start: datetime = datetime(2025, 9, 6, 18, 0, tzinfo=UTC),
    origin: tuple[float, float] = (33.53, -86.62),
) -> int:
    """Write ``laps`` laps of every car as wide-format CSV; returns the number of samples."""
    rng = random.Random(seed)
    dt = 1.0 / hz
    samples = 0
    with open(out, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(WIDE_HEADER)
        for car in cars:
            clock = 0.0
            for lap in range(1, laps + 1):
                speed, curvature = lap_profile(corners=corners, length_m=length_m, skill=car.skill, rng=rng)
                # Time at each metre, then samples at fixed time steps interpolated along distance.
                times = [0.0]
                for metre in range(1, length_m + 1):
                    times.append(times[-1] + 2.0 / (speed[metre - 1] + speed[metre % length_m]))
                heading, x, y, metre = 0.0, 0.0, 0.0, 0
                t = 0.0
                while t < times[-1]:
                    while times[metre + 1] <= t:
                        heading += curvature[metre]
                        x, y = x + math.cos(heading), y + math.sin(heading)
                        metre += 1
                    share = (t - times[metre]) / (times[metre + 1] - times[metre])
                    v = speed[metre] + (speed[(metre + 1) % length_m] - speed[metre]) * share
                    accel = (speed[(metre + 1) % length_m] ** 2 - speed[metre] ** 2) / 2  # dv/dt = v dv/ds
                    kph = v * 3.6
                    gear = _gear(kph)
                    braking = accel < -0.5
                    lateral = v * v * curvature[metre] / G
                    steering = math.degrees(math.atan(WHEELBASE_M * curvature[metre])) * STEERING_RATIO
                    throttle = 0.0 if braking else (100.0 if accel > 0.3 else 35.0 + 30.0 * abs(lateral))
                    brake_front = max(0.0, -accel / G) * 95.0 if braking else 0.0
                    writer.writerow(
                        [
                            car.number,
                            lap,
                            (start + timedelta(seconds=clock + t)).isoformat().replace("+00:00", "Z"),
                            round(metre + share, 2),
                            round(kph, 2),
                            round(kph * RPM_PER_KPH[gear]),
                            gear,
                            round(min(100.0, throttle), 1),
                            round(brake_front, 2),
                            round(brake_front * 0.62, 2),
                            round(steering, 2),
                            round(accel / G, 3),
                            round(lateral, 3),
                            round(origin[0] + y / 111_320.0, 7),
                            round(origin[1] + x / (111_320.0 * math.cos(math.radians(origin[0]))), 7),
                        ]
                    )
                    samples += 1
                    t += dt
                clock += times[-1]
    return samples


def demo_layout(*, track_id: str) -> tuple[list[CornerLayout], int]:
    """The circuit's corners and length from PostgreSQL (drivers.Track and drivers.Corner)."""
    from drivers.models import Track

    track = Track.objects.get(pk=track_id)
    corners = [
        CornerLayout(
            apex_m=c.distance_apex_m,
            start_m=c.distance_start_m,
            exit_m=c.distance_exit_m,
            speed_class=c.speed_class or "medium",
            direction=-1 if c.type == "left" else 1,
        )
        for c in track.corners.order_by("number")
    ]
    if not corners or not track.length_m:
        raise ValueError(f"track {track_id} has no corner layout or length to drive on")
    return corners, track.length_m


def demo_cars(*, track_id: str, race_number: int, season: int, count: int | None = None) -> list[DemoCar]:
    """The race's entries with a skill from their drivers' mean factor score, ranked across the
    field (0 slowest, 1 fastest); drivers without scores sit in the middle."""
    from django.db.models import Avg

    from drivers.models import RaceEntry

    entries = list(
        RaceEntry.objects.filter(race__track_id=track_id, race__race_number=race_number, race__season=season)
        .annotate(score=Avg("driver__factor_scores__score"))
        .order_by("finish_position", "car_number")
    )
    if not entries:
        raise ValueError(f"no entries for {track_id} race {race_number} ({season})")
    scores = sorted({entry.score for entry in entries if entry.score is not None})
    cars = []
    for entry in entries[:count]:
        rank = scores.index(entry.score) / max(1, len(scores) - 1) if entry.score is not None else 0.5
        cars.append(DemoCar(number=entry.car_number, skill=rank))
    return cars
