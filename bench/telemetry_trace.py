"""Trace latency on a race of a million telemetry samples, in the warehouse configured in the
environment (by default the embedded emulator).

    .venv/bin/python bench/telemetry_trace.py [--samples 1000000] [--requests 50]

The race (track ``benchring``, race 1) is made once and kept: the demo generator
(telemetry/demo.py) drives a few laps of a made-up 3.7 km circuit, the ingestion loads them
(``samples_file_load``), and the warehouse copies them under other car numbers until the race
holds ``--samples`` samples. Then ``GET /api/telemetry/trace`` runs ``--requests`` times per
``points`` value through the whole Django stack, never from the response cache: as the first trace
of a data version (the cache cleared before each request, so the race's fastest laps are found
again), then with the fastest laps known; the script prints p50/p99 latency, the warehouse
queries and the rows they returned.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACK, RACE, SEASON = "benchring", 1, 2025
LENGTH_M = 3700
GENERATED_CARS, GENERATED_LAPS = 4, 5
# A made-up circuit: (apex distance m, speed class, direction).
CORNERS = [
    (380, "low", 1),
    (820, "medium", -1),
    (1350, "high", 1),
    (1900, "low", -1),
    (2300, "medium", 1),
    (2750, "high", 1),
    (3150, "low", -1),
    (3500, "medium", 1),
]


def million_sample_race(*, track: str, race_number: int, season: int, samples: int, work_dir: Path) -> dict:
    """Generate, load and multiply demo laps until the race holds at least ``samples`` samples.

    Returns the generated CSV (the first ``GENERATED_CARS`` cars, numbers 1..4, as driven), the
    samples in the race and the car numbers: copy k of car n is car ``n + 100 k``."""
    from django.db import connections

    from hackthetrack.routers import WAREHOUSE
    from telemetry.demo import CornerLayout, DemoCar, demo_telemetry_write
    from telemetry.models import Sample
    from telemetry.services import model_columns, samples_file_load

    corners = [
        CornerLayout(apex_m=apex, start_m=apex - 70, exit_m=apex + 70, speed_class=speed, direction=turn)
        for apex, speed, turn in CORNERS
    ]
    csv_path = work_dir / f"{track}_r{race_number}_generated.csv"
    generated = demo_telemetry_write(
        out=csv_path,
        corners=corners,
        length_m=LENGTH_M,
        laps=GENERATED_LAPS,
        cars=[DemoCar(number=n, skill=n / GENERATED_CARS) for n in range(1, GENERATED_CARS + 1)],
    )
    samples_file_load(path=csv_path, season=season, track=track, race_number=race_number)
    copies = math.ceil(samples / generated) - 1
    columns = model_columns(Sample)
    copied = {"car_number": "s.car_number + 100 * g.k", "line": f"s.line + {generated} * g.k"}
    select = ", ".join(copied.get(column, f"s.{column}") for column in columns)
    with connections[WAREHOUSE].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO telemetry_sample ({', '.join(columns)}) SELECT {select} FROM telemetry_sample s "
            f"CROSS JOIN (SELECT SEQ4() + 1 AS k FROM TABLE(GENERATOR(ROWCOUNT => {copies}))) g "
            "WHERE s.track = %s AND s.race_number = %s AND s.season = %s",
            [track, race_number, season],
        )
    cars = [n + 100 * k for k in range(copies + 1) for n in range(1, GENERATED_CARS + 1)]
    return {"csv": csv_path, "generated": generated, "samples": generated * (copies + 1), "cars": cars}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthetrack.settings.development")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client, override_settings

    from hackthetrack.routers import WAREHOUSE
    from tests.telemetry.api_data import WarehouseTraffic

    call_command("migrate", database=WAREHOUSE, verbosity=0)
    with connections[WAREHOUSE].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM telemetry_sample WHERE track = %s AND race_number = %s AND season = %s",
            [TRACK, RACE, SEASON],
        )
        present = cursor.fetchone()[0]
    if present < args.samples:
        started = time.monotonic()
        with connections[WAREHOUSE].cursor() as cursor:
            cursor.execute("DELETE FROM telemetry_sample WHERE track = %s", [TRACK])
            cursor.execute("DELETE FROM telemetry_load WHERE track = %s", [TRACK])
        with tempfile.TemporaryDirectory() as work_dir:
            race = million_sample_race(
                track=TRACK, race_number=RACE, season=SEASON, samples=args.samples, work_dir=Path(work_dir)
            )
        present = race["samples"]
        print(f"made the race: {present:,} samples in {time.monotonic() - started:.1f}s")
    print(
        f"machine: {platform.platform()}, python {platform.python_version()}, {os.cpu_count()} cores; "
        f"warehouse: {connections[WAREHOUSE].settings_dict['ENGINE']}; race {TRACK} r{RACE}: {present:,} samples"
    )
    client = Client(HTTP_HOST="localhost")
    for points, first_of_version in ((500, True), (500, False), (2000, True), (2000, False)):
        latencies, queries, rows, sql_ms = [], set(), set(), []
        for _ in range(args.requests):
            if first_of_version:
                cache.clear()  # a new data version: the race's fastest laps are found again
            with WarehouseTraffic() as traffic, override_settings(API_CACHE_TIMEOUT=0):
                started = time.perf_counter()
                response = client.get(
                    "/api/telemetry/trace", {"track_id": TRACK, "race_num": RACE, "driver_number": 1, "points": points}
                )
                latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
            queries.add(len(traffic.queries))
            rows.add(traffic.rows)
            sql_ms.append([seconds * 1000 for _, _, seconds in traffic.queries])
        trace = response.json()["trace"]
        p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
        binned = sum(bin["samples"] for bin in trace)
        state = "first of a data version" if first_of_version else "fastest laps known"
        print(
            f"trace points={points}, {state}: p50 {p50:.1f} ms, p99 {p99:.1f} ms over {args.requests} requests; "
            f"{len(trace)} bins of {binned:,} samples; warehouse queries {sorted(queries)}, "
            f"rows returned {sorted(rows)}; {len(response.content):,} bytes; median time of each warehouse query "
            f"{', '.join(f'{statistics.median(times):.1f}' for times in zip(*sql_ms, strict=False))} ms"
        )


if __name__ == "__main__":
    main()
