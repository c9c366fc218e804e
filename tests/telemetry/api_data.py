"""Telemetry for the API tests, written into the warehouse with the ingestion's own bulk load.

``constant_speed_lap`` makes a lap whose truth is known by hand: the car holds one speed per
sector, so the time at any distance, the sector times and the delta between two such laps are
plain arithmetic.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
from django.db import connections

from hackthetrack.routers import WAREHOUSE
from telemetry.models import Lap, Load, Result, Sample
from telemetry.services import arrow_schema, load_record, warehouse_rows_copy, warehouse_table_copy

SEASON = 2025
HZ = 20
START = datetime(2025, 9, 6, 18, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SectorLap:
    """A lap of ``sum(lengths)`` metres at ``speeds[i]`` m/s through sector i."""

    car: int
    lap: int
    lengths: tuple[float, ...]
    speeds: tuple[float, ...]

    @property
    def sector_times(self) -> list[float]:
        return [length / speed for length, speed in zip(self.lengths, self.speeds, strict=True)]

    @property
    def lap_time(self) -> float:
        return sum(self.sector_times)

    def time_at(self, distance: float) -> float:
        elapsed, start = 0.0, 0.0
        for length, speed in zip(self.lengths, self.speeds, strict=True):
            if distance <= start + length:
                return elapsed + (distance - start) / speed
            elapsed, start = elapsed + length / speed, start + length
        return elapsed

    def speed_at(self, distance: float) -> float:
        start = 0.0
        for length, speed in zip(self.lengths, self.speeds, strict=True):
            if distance < start + length:
                return speed
            start += length
        return self.speeds[-1]

    def samples(self, *, clock: float) -> list[dict]:
        """Samples every 1/HZ s from the line, ``clock`` seconds after START; gear 3 below
        150 km/h, else 4; full throttle; brakes on in the last 5 % of each sector."""
        rows, t, distance = [], 0.0, 0.0
        total = sum(self.lengths)
        while distance < total:
            speed = self.speed_at(distance)
            kph = speed * 3.6
            braking = any(
                start + 0.95 * length <= distance < start + length
                for start, length in zip(_starts(self.lengths), self.lengths, strict=True)
            )
            rows.append(
                {
                    "car_number": self.car,
                    "vehicle_id": f"GR86-000-{self.car}",
                    "lap": self.lap,
                    "timestamp": START + timedelta(seconds=clock + t),
                    "lap_distance_m": distance,
                    "speed_kph": kph,
                    "rpm": kph * 40,
                    "gear": 3 if kph < 150 else 4,
                    "throttle_pct": 0.0 if braking else 100.0,
                    "brake_front_bar": 30.0 if braking else 0.0,
                    "brake_rear_bar": 18.0 if braking else 0.0,
                    "steering_deg": 0.0,
                    "accel_long_g": 0.0,
                    "accel_lat_g": 0.0,
                    "gps_lat": None,
                    "gps_long": None,
                }
            )
            t += 1 / HZ
            distance = self._distance_at(t)
        return rows

    def _distance_at(self, time: float) -> float:
        start, elapsed = 0.0, 0.0
        for length, speed in zip(self.lengths, self.speeds, strict=True):
            if time <= elapsed + length / speed:
                return start + (time - elapsed) * speed
            start, elapsed = start + length, elapsed + length / speed
        return start + (time - elapsed) * self.speeds[-1]


def _blank_row(model) -> dict:
    """Every column of a row the way an export without the value fills it (defaults, empty text)."""
    return {
        field.column: field.get_default() if field.has_default() else ("" if not field.null else None)
        for field in model._meta.concrete_fields
    }


def _starts(lengths: tuple[float, ...]) -> list[float]:
    starts, position = [], 0.0
    for length in lengths:
        starts.append(position)
        position += length
    return starts


def warehouse_load_laps(
    *, track: str, race_number: int, laps: list[SectorLap], timing: bool = True, positions: dict[int, int] | None = None
) -> None:
    """Samples of the laps (each car's laps back to back); with ``timing``, their timing rows; with
    ``positions`` (car number: place), a classification."""
    sample_rows, clocks = [], {}
    for lap in sorted(laps, key=lambda lap: (lap.car, lap.lap)):
        sample_rows += lap.samples(clock=clocks.get(lap.car, 0.0))
        clocks[lap.car] = clocks.get(lap.car, 0.0) + lap.lap_time
    load_id = uuid.uuid4().hex
    common = {"load_id": load_id, "season": SEASON, "track": track, "race_number": race_number}
    with tempfile.TemporaryDirectory() as work_dir, connections[WAREHOUSE].cursor() as cursor:
        schema = arrow_schema(Sample)
        rows = [{**common, "line": line, **row} for line, row in enumerate(sample_rows, start=1)]
        table = pa.table(
            {field.name: pa.array([row[field.name.lower()] for row in rows], field.type) for field in schema},
            schema=schema,
        )
        warehouse_table_copy(cursor=cursor, model=Sample, table=table, work_dir=Path(work_dir))
        if timing:
            warehouse_rows_copy(
                cursor=cursor,
                model=Lap,
                work_dir=Path(work_dir),
                rows=[
                    {
                        **_blank_row(Lap),
                        **common,
                        "line": line,
                        "car_number": lap.car,
                        "lap_number": lap.lap,
                        "lap_time_s": lap.lap_time,
                        "s1_s": lap.sector_times[0],
                        "s2_s": lap.sector_times[1],
                        "s3_s": lap.sector_times[2],
                        "flag": "GF",
                    }
                    for line, lap in enumerate(laps, start=1)
                ],
            )
        if positions:
            warehouse_rows_copy(
                cursor=cursor,
                model=Result,
                work_dir=Path(work_dir),
                rows=[
                    {
                        **_blank_row(Result),
                        **common,
                        "line": line,
                        "car_number": car,
                        "position": place,
                        "status": "Classified",
                    }
                    for line, (car, place) in enumerate(positions.items(), start=1)
                ],
            )
    load_record(
        load_id=load_id,
        kind=Load.Kind.SAMPLES.value,
        source="api tests",
        season=SEASON,
        track=track,
        race_number=race_number,
        row_count=len(rows),
    )


def warehouse_delete_track(*, track: str) -> None:
    with connections[WAREHOUSE].cursor() as cursor:
        for model in (Sample, Lap, Result, Load):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE track = %s", [track])


class WarehouseTraffic:
    """What the telemetry API asked of the warehouse: one entry per query, with the rows it got
    back and its time (an execution wrapper around every query of the ``warehouse`` connection)."""

    def __init__(self):
        self.queries: list[tuple[str, int, float]] = []  # SQL, rows returned, seconds

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        result = execute(sql, params, many, context)
        self.queries.append((sql, context["cursor"].cursor.rowcount, time.perf_counter() - started))
        return result

    @property
    def rows(self) -> int:
        return sum(rows for _, rows, _ in self.queries)

    def __enter__(self):
        self._wrapper = connections[WAREHOUSE].execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
