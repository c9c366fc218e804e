"""Telemetry ingestion rate into the warehouse configured in the environment (by default the
embedded emulator), on a generated file of at least a million samples.

Needs the demo circuits in PostgreSQL (``manage.py load_demo_fixtures``), then:

    .venv/bin/python bench/ingest_telemetry.py [--samples 1000000] [--long-samples 100000 300000] [--runs 3]

Generates deterministic demo laps (telemetry/demo.py) as wide CSV under bench/out/ (kept between
runs), converts part of them to the long format (one row per channel), then runs
``manage.py ingest_telemetry`` on each in a child process and prints samples/s, the child's CPU
time and its own peak memory. Goal (issue 4): at least 100,000 samples/s into the emulator.
"""

import argparse
import csv
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthetrack.settings.development")

import django  # noqa: E402

django.setup()

from bench.endpoints import TELEMETRY_RACE, TELEMETRY_TRACK  # noqa: E402
from telemetry.demo import DemoCar, demo_layout, demo_telemetry_write, lap_profile  # noqa: E402
from telemetry.samples import CHANNELS  # noqa: E402

OUT = ROOT / "bench" / "out"
HZ, LAPS = 20.0, 25
# The wide file goes into the race whose trace bench/run measures, the long files into the next one.
WIDE_RACE, LONG_RACE = TELEMETRY_RACE, TELEMETRY_RACE + 1


class _BestDraw(random.Random):
    """The draw of a lap on the tyres' and brakes' best day: the fastest lap the demo can drive."""

    def uniform(self, a: float, b: float) -> float:
        return b


def _fewest_lap_samples(corners, length_m: int) -> int:
    """Samples of the fastest lap any demo car drives (skill 1, best draw): a lower bound per lap."""
    speed, _ = lap_profile(corners=corners, length_m=length_m, skill=1.0, rng=_BestDraw())
    seconds = sum(2.0 / (speed[metre - 1] + speed[metre % length_m]) for metre in range(1, length_m + 1))
    return math.floor(seconds * HZ)


def wide_file(samples: int) -> Path:
    """At least ``samples`` samples: enough cars (their skills spread over the field's 0..1) that even
    laps as fast as the fastest add up to them."""
    corners, length_m = demo_layout(track_id=TELEMETRY_TRACK)
    count = math.ceil(samples / (LAPS * _fewest_lap_samples(corners, length_m)))
    path = OUT / f"{TELEMETRY_TRACK}_r{WIDE_RACE}_bench_{samples}_{count}x{LAPS}.csv"
    if path.exists():
        return path
    cars = [DemoCar(number=n, skill=(n - 1) / max(1, count - 1)) for n in range(1, count + 1)]
    started = time.monotonic()
    written = demo_telemetry_write(out=path, corners=corners, length_m=length_m, cars=cars, laps=LAPS, hz=HZ)
    print(f"generated {written:,} samples ({count} cars x {LAPS} laps) in {time.monotonic() - started:.1f}s")
    if written < samples:
        path.unlink()
        sys.exit(f"generated {written:,} samples, fewer than the {samples:,} asked for: the lap bound is wrong")
    return path


def long_file(wide: Path, samples: int) -> Path:
    """The first ``samples`` rows of the wide file, one row per channel as the loggers export."""
    path = OUT / f"{TELEMETRY_TRACK}_r{LONG_RACE}_bench_long_{samples}.csv"
    if path.exists():
        return path
    with open(wide, newline="") as source, open(path, "w", newline="") as target:
        reader, writer = csv.DictReader(source), csv.writer(target)
        writer.writerow(
            [
                "lap",
                "meta_event",
                "meta_session",
                "meta_source",
                "meta_time",
                "original_vehicle_id",
                "outing",
                "telemetry_name",
                "telemetry_value",
                "timestamp",
                "vehicle_id",
                "vehicle_number",
            ]
        )
        for index, row in enumerate(reader):
            if index >= samples:
                break
            vehicle = f"GR86-000-{row['vehicle_number']}"
            for name in CHANNELS:
                writer.writerow(
                    [
                        row["lap"],
                        "BENCH",
                        f"R{LONG_RACE}",
                        "bench",
                        row["timestamp"],
                        vehicle,
                        0,
                        name,
                        row[name],
                        row["timestamp"],
                        vehicle,
                        row["vehicle_number"],
                    ]
                )
    return path


def ingest(path: Path, race: int) -> None:
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        command = [
            sys.executable,
            str(ROOT / "manage.py"),
            "ingest_telemetry",
            str(path),
            "--track",
            TELEMETRY_TRACK,
            "--race",
            str(race),
            "-v",
            "0",
        ]
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True, cwd=ROOT)
        # This child's own usage: RUSAGE_CHILDREN's peak would be the largest of all children so far.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        out.seek(0), err.seek(0)
        if child.returncode:
            sys.exit(err.read())
        print(f"{path.name}: {out.read().strip()}")
    print(
        f"  wall time with process start {elapsed:.1f}s, file {path.stat().st_size / 1e6:.0f} MB, "
        f"CPU time {usage.ru_utime + usage.ru_stime:.1f}s, peak memory of the ingesting process "
        f"{usage.ru_maxrss / 1024:.0f} MB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument(
        "--long-samples",
        type=int,
        nargs="*",
        default=[100_000],
        help="sizes of the long files (at most --samples each; 0 or none: the wide file only)",
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="ingest each file this many times (a shared machine is noisy)"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.platform()}, python {platform.python_version()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    wide = wide_file(args.samples)
    files = [(wide, WIDE_RACE)] + [(long_file(wide, samples), LONG_RACE) for samples in args.long_samples if samples]
    for _ in range(args.runs):
        for path, race in files:
            ingest(path, race=race)


if __name__ == "__main__":
    main()
