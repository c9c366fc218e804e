"""The real 2025 timing in the test warehouse: ``season_in_warehouse`` loads, once per module
(committed, emptied at the end), the classifications, laps and qualifying of every race but the
last one, which a test ingests itself ("one more race")."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from telemetry.models import Lap, Load, Qualifying, Result, Sample
from telemetry.services import timing_file_load
from telemetry.timing import timing_file_identify

LAST_RACE = ("sonoma", 2)
REFRESH_KINDS = (Result, Lap, Qualifying)  # what refresh_cache reads


def race_files(timing_dir: Path) -> dict[tuple[str, int], list]:
    """The timing files refresh_cache reads, by (track, race number)."""
    files: dict[tuple[str, int], list] = {}
    for path in sorted(timing_dir.rglob("*.csv")):
        timing_file = timing_file_identify(path)
        if timing_file is not None and timing_file.model in REFRESH_KINDS:
            files.setdefault((timing_file.track, timing_file.race_number), []).append(timing_file)
    return files


def race_ingest(timing_files: list) -> None:
    for timing_file in timing_files:
        timing_file_load(timing_file=timing_file, season=2025)


def warehouse_empty() -> None:
    with connections["warehouse"].cursor() as cursor:
        for model in (*REFRESH_KINDS, Sample, Load):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


@pytest.fixture(scope="module")
def season_in_warehouse(season_dir, django_db_setup, django_db_blocker):
    """Every race but LAST_RACE in the warehouse; yields the timing files by race."""
    files = race_files(season_dir / "timing")
    with django_db_blocker.unblock():
        warehouse_empty()
        for race, timing_files in files.items():
            if race != LAST_RACE:
                race_ingest(timing_files)
    yield files
    with django_db_blocker.unblock():
        warehouse_empty()


@pytest.fixture
def legacy_season(season_dir, warehouse_db):
    """PostgreSQL as import_legacy leaves it (tracks, drivers, the legacy-2025 model and scores)."""
    call_command("import_legacy", str(season_dir / "legacy"), stdout=open(os.devnull, "w"))


@pytest.fixture
def demo_model(warehouse_db):
    """Tracks and the demo's model definitions (the project's own fixtures), no race yet."""
    call_command("loaddata", "fixtures/tracks.json", "fixtures/model.json", verbosity=0)
