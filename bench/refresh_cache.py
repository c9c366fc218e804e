"""Duration of refresh_cache: the real 2025 season, and a synthetic season ten times larger.

    DATABASE_URL=postgres://.../scratch .venv/bin/python bench/refresh_cache.py [--repeat 3]

Runs on throw-away databases: a PostgreSQL database beside DATABASE_URL's (``bench_refresh_<name>``,
created and dropped here) and a private warehouse emulator, so no data of yours is touched.
Steps: the real timing (classifications, laps, qualifying of ../shared/grcup2025/timing) is
ingested and the legacy stores imported (the legacy scores to compare against); then
``refresh_run`` is timed cold (everything created), warm (nothing changed) and again; then the
warehouse rows are copied nine more times under other car numbers (ten times the entries and
laps in the same ten races) and timed again. Goal (issue 5): a full-season refresh under 10 s.
The warming of the API cache is timed apart (it follows the commit).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthetrack.settings.test")
os.environ["WAREHOUSE_EMULATOR_EPHEMERAL"] = "true"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from pipeline.refresh.services import refresh_run  # noqa: E402
from telemetry.models import Lap, Qualifying, Result  # noqa: E402
from telemetry.services import timing_file_load  # noqa: E402
from telemetry.timing import timing_file_identify  # noqa: E402

SEASON_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "grcup2025"
COPIES = 10
CAR_NUMBER_OFFSET = 200  # copy k races under car number + k·200 (real numbers are below 200)


def season_ingest() -> None:
    for path in sorted((SEASON_DIR / "timing").rglob("*.csv")):
        timing_file = timing_file_identify(path)
        if timing_file is not None and timing_file.model in (Result, Lap, Qualifying):
            timing_file_load(timing_file=timing_file, season=2025)


def season_multiply(copies: int) -> None:
    """Copy every result, lap and qualifying row ``copies - 1`` more times under other car numbers."""
    if not 1 <= copies <= 10:
        raise ValueError(f"copies must be 1 to 10 (a copy's number is one digit of its load id), got {copies}")
    with connections["warehouse"].cursor() as cursor:
        for model in (Result, Lap, Qualifying):
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields]
            select = ", ".join(
                f"car_number + k.n * {CAR_NUMBER_OFFSET}"
                if c == "car_number"
                # A copy's load id: the original's first 30 of 32 characters, then k and the copy's
                # number (a uuid4 hex never holds a k): 32 characters, as the column allows.
                else "LEFT(load_id, 30) || 'k' || k.n"
                if c == "load_id"
                else c
                for c in columns
            )
            ks = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, copies))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM {table} CROSS JOIN ({ks}) k"
            )


def timed(label: str) -> None:
    started = time.monotonic()
    report = refresh_run(season=2025, progress=lambda message: None)
    total = time.monotonic() - started
    entries = report.counts["Race entries"]
    print(
        f"{label:<38} {report.duration_s:7.2f} s  (+ warming {report.warm_s:5.2f} s, {report.warmed:4d} answers; "
        f"wall {total:6.2f} s)  entries {entries.created} created / {entries.updated} updated / "
        f"{entries.unchanged} unchanged, {report.changed} rows changed",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="unchanged runs timed after each cold run")
    repeat = parser.parse_args().repeat
    if not SEASON_DIR.is_dir():
        sys.exit(f"the real 2025 season is not at {SEASON_DIR}")
    default = connections["default"].settings_dict
    # Not test_<name>: that one may be a --reuse-db test database of the suite.
    default["TEST"]["NAME"] = f"bench_refresh_{default['NAME']}"
    old_config = setup_databases(verbosity=0, interactive=False, aliases={"default", "warehouse"})
    try:
        started = time.monotonic()
        season_ingest()
        call_command("import_legacy", str(SEASON_DIR / "legacy"), stdout=open(os.devnull, "w"))
        print(f"set-up: ingest and import_legacy in {time.monotonic() - started:.1f} s")
        timed("full season, first run")
        for n in range(repeat):
            timed(f"full season, unchanged run {n + 1}")
        season_multiply(COPIES)
        timed(f"{COPIES}x season, first run")
        for n in range(repeat):
            timed(f"{COPIES}x season, unchanged run {n + 1}")
    finally:
        # The emulator has no DROP DATABASE; its throw-away process goes with this one.
        teardown_databases([c for c in old_config if c[0].alias != "warehouse"], verbosity=0)


if __name__ == "__main__":
    main()
