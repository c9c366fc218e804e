"""Telemetry ingestion rate into the warehouse configured in the environment (by default the
embedded emulator), on a generated file of a million samples and more.

Needs the demo circuits in PostgreSQL (``manage.py load_demo_fixtures``), then:

    .venv/bin/python bench/ingest_telemetry.py [--samples 1000000] [--long-samples 100000]

Generates deterministic demo laps (telemetry/demo.py) as wide CSV under bench/out/ (kept between
runs), converts part of them to the long format (one row per channel), then runs
``manage.py ingest_telemetry`` on each in a child process and prints samples/s and the child's
peak memory. Goal (issue 4): at least 100,000 samples/s into the emulator.
"""

import argparse
import csv
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthetrack.settings.base")

import django  # noqa: E402

django.setup()

from telemetry.demo import DemoCar, demo_layout, demo_telemetry_write  # noqa: E402
from telemetry.samples import CHANNELS  # noqa: E402

OUT = ROOT / "bench" / "out"
TRACK, HZ, LAPS = "barber", 20.0, 25


def wide_file(samples: int) -> Path:
    path = OUT / f"{TRACK}_r1_bench_{samples}.csv"
    if path.exists():
        return path
    corners, length_m = demo_layout(track_id=TRACK)
    lap_samples = 110 * HZ  # about one lap of barber
    cars = [DemoCar(number=n, skill=n / 40) for n in range(1, 1 + math.ceil(samples / (LAPS * lap_samples)))]
    started = time.monotonic()
    written = demo_telemetry_write(out=path, corners=corners, length_m=length_m, cars=cars, laps=LAPS, hz=HZ)
    print(f"generated {written:,} samples ({len(cars)} cars x {LAPS} laps) in {time.monotonic() - started:.1f}s")
    return path


def long_file(wide: Path, samples: int) -> Path:
    """The first ``samples`` rows of the wide file, one row per channel as the loggers export."""
    path = OUT / f"{TRACK}_r2_bench_long_{samples}.csv"
    if path.exists():
        return path
    with open(wide, newline="") as source, open(path, "w", newline="") as target:
        reader, writer = csv.DictReader(source), csv.writer(target)
        writer.writerow(["lap", "meta_event", "meta_session", "meta_source", "meta_time", "original_vehicle_id",
                         "outing", "telemetry_name", "telemetry_value", "timestamp", "vehicle_id", "vehicle_number"])
        for index, row in enumerate(reader):
            if index >= samples:
                break
            vehicle = f"GR86-000-{row['vehicle_number']}"
            for name in CHANNELS:
                writer.writerow([row["lap"], "BENCH", "R2", "bench", row["timestamp"], vehicle, 0, name, row[name],
                                 row["timestamp"], vehicle, row["vehicle_number"]])
    return path


def ingest(path: Path, race: int) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "ingest_telemetry", str(path), "--track", TRACK,
                             "--race", str(race), "-v", "0"], capture_output=True, text=True, cwd=ROOT)
    elapsed = time.monotonic() - started
    if result.returncode:
        sys.exit(result.stderr)
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(f"{path.name}: {result.stdout.strip()}")
    print(f"  wall time with process start {elapsed:.1f}s, file {path.stat().st_size / 1e6:.0f} MB, "
          f"peak memory of the ingesting process {peak_mb:.0f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--long-samples", type=int, default=100_000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.platform()}, python {platform.python_version()}, {os.cpu_count()} cores")
    wide = wide_file(args.samples)
    ingest(wide, race=1)
    if args.long_samples:
        ingest(long_file(wide, args.long_samples), race=2)


if __name__ == "__main__":
    main()
