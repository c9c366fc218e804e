"""ingest_timing on the real 2025 exports (../shared/grcup2025/timing), into the test emulator."""

import csv
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from hackthetrack.cache import data_version
from telemetry.models import BestLap, Lap, LapEvent, Load, Qualifying, Result
from telemetry.timing import timing_file_identify


def _count(model, **where):
    conditions = " AND ".join(f"{column} = %s" for column in where) or "TRUE"
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table} WHERE {conditions}", list(where.values()))
        return cursor.fetchone()[0]


def _data_lines(path):
    """Non-blank lines after the header, counted straight from the file (no parser involved)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()[1:]
    return sum(1 for line in lines if line.strip(" ;,\r\n"))


@pytest.mark.parametrize(
    ("name", "track", "race_number", "model"),
    [
        ("barber_r1_analysis_endurance.csv", "barber", 1, Lap),
        ("roadamerica_r2_provisional_results.csv", "roadamerica", 2, Result),
        ("cota_r1_best_10_laps.csv", "cota", 1, BestLap),
        ("RoadAmericard1Qualifying.csv", "roadamerica", 1, Qualifying),
        ("sonoma_r2_lap_time.csv", "sonoma", 2, LapEvent),
    ],
)
def test_files_are_recognised_by_name(tmp_path, name, track, race_number, model):
    timing_file = timing_file_identify(tmp_path / name)
    assert (timing_file.track, timing_file.race_number, timing_file.model) == (track, race_number, model)
    assert timing_file_identify(tmp_path / "notes.csv") is None


@pytest.fixture
def cota_r1(season_dir, tmp_path):
    """cota race 1's exports (the race where car 3 was raced by two drivers), copied to a folder."""
    folder = tmp_path / "timing"
    folder.mkdir()
    for path in (season_dir / "timing").rglob("*.csv"):
        if path.name.lower().startswith(("cota_r1_", "cotard1")):
            shutil.copy(path, folder / path.name)
    return folder


def test_a_race_loads_with_one_row_per_data_line(warehouse_db, cota_r1):
    call_command("ingest_timing", str(cota_r1))
    for model, name in [
        (Lap, "cota_r1_analysis_endurance.csv"),
        (Result, "cota_r1_provisional_results.csv"),
        (Qualifying, "Cotard1Qualifying.csv"),
    ]:
        assert _count(model, track="cota", race_number=1) == _data_lines(cota_r1 / name), name
    for kind in ("start", "end", "time"):
        assert _count(LapEvent, track="cota", race_number=1, kind=kind) == _data_lines(
            cota_r1 / f"cota_r1_lap_{kind}.csv"
        )
    # Best laps: one row per filled BESTLAP_n cell (read with the csv module, not the parser under test).
    with open(cota_r1 / "cota_r1_best_10_laps.csv", encoding="utf-8-sig", newline="") as handle:
        best = list(csv.DictReader(handle, delimiter=";"))
    filled = sum(1 for row in best for n in range(1, 11) if row[f"BESTLAP_{n}"].strip())
    assert _count(BestLap, track="cota") == filled
    assert _count(Load, track="cota") == len(list(cota_r1.iterdir()))  # one load per file


def test_the_duplicated_car_number_stays_two_entries(warehouse_db, cota_r1):
    call_command("ingest_timing", str(cota_r1))
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(
            "SELECT car_group, position, total_time_s FROM telemetry_result "
            "WHERE track = 'cota' AND race_number = 1 AND car_number = 3 ORDER BY position"
        )
        rows = cursor.fetchall()
    # From the file: 15;3;...;46:11.933;...;Legends  and  19;3;...;46:19.358;... (no group).
    assert rows == [("Legends", 15, pytest.approx(46 * 60 + 11.933)), ("", 19, pytest.approx(46 * 60 + 19.358))]


def test_reloading_replaces_instead_of_duplicating(warehouse_db, cota_r1):
    call_command("ingest_timing", str(cota_r1))
    laps = _count(Lap, track="cota")
    call_command("ingest_timing", str(cota_r1))
    assert _count(Lap, track="cota") == laps
    assert _count(Load, track="cota") == 2 * len(list(cota_r1.iterdir()))  # the audit keeps both loads


def test_a_corrupted_file_is_rejected_whole_with_file_line_and_field(warehouse_db, cota_r1):
    call_command("ingest_timing", str(cota_r1))
    before = _count(Lap, track="cota")
    path = cota_r1 / "cota_r1_analysis_endurance.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    fields = lines[40].split(";")
    fields[3] = "1:5x.123"  # LAP_TIME
    lines[40] = ";".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match=r"cota_r1_analysis_endurance\.csv, line 41, field LAP_TIME"):
        call_command("ingest_timing", str(cota_r1))
    assert _count(Lap, track="cota") == before


def test_every_real_export_parses_and_loads(warehouse_db, season_dir):
    """The whole season: every row of every file arrives, counted per file."""
    call_command("ingest_timing", str(season_dir / "timing"))
    with connections["warehouse"].cursor() as cursor:
        cursor.execute("SELECT source, row_count FROM telemetry_load")
        loads = dict(cursor.fetchall())
    files = sorted((season_dir / "timing").rglob("*.csv"))
    assert len(loads) == len(files)
    for path in files:
        if "best_10_laps" not in path.name:
            assert loads[path.name] == _data_lines(path), path.name
    assert _count(Lap) == sum(_data_lines(p) for p in files if "analysis_endurance" in p.name)


def test_a_load_invalidates_the_cached_api_answers(warehouse_db, cota_r1, django_capture_on_commit_callbacks):
    before = data_version()
    with django_capture_on_commit_callbacks(using="warehouse", execute=True):
        call_command("ingest_timing", str(cota_r1))
    assert data_version() != before


def test_a_directory_loads_all_or_nothing(warehouse_transactional_db, cota_r1, season_dir, tmp_path):
    """A bad file after a good one: nothing of that run is loaded, nothing stored before is lost."""
    call_command("ingest_timing", str(cota_r1))
    stored = {model: _count(model) for model in (Lap, Result, Load)}
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(season_dir / "timing" / "analysis_endurance" / "barber_r1_analysis_endurance.csv", run)
    bad = run / "cota_r1_analysis_endurance.csv"  # sorted after barber's
    lines = (cota_r1 / bad.name).read_text(encoding="utf-8-sig").splitlines()
    fields = lines[12].split(";")
    fields[3] = "not a time"  # LAP_TIME
    lines[12] = ";".join(fields)
    bad.write_text("\n".join(lines) + "\n")

    with pytest.raises(CommandError, match=r"cota_r1_analysis_endurance\.csv, line 13, field LAP_TIME.*nothing"):
        call_command("ingest_timing", str(run))

    assert _count(Lap, track="barber") == 0
    assert {model: _count(model) for model in (Lap, Result, Load)} == stored


def test_a_text_longer_than_its_column_is_refused_before_any_upload(warehouse_db, cota_r1):
    """Snowflake refuses it at COPY (the emulator would store it): named by file, line and field."""
    path = cota_r1 / "cota_r1_analysis_endurance.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    fields = lines[5].split(";")
    fields[[name.strip() for name in header].index("MANUFACTURER")] = "M" * 81
    lines[5] = ";".join(fields)
    path.write_text("\n".join(lines) + "\n")

    with pytest.raises(
        CommandError,
        match=r"cota_r1_analysis_endurance\.csv, line 6, field manufacturer: 81 "
        r"characters, more than the 80",
    ):
        call_command("ingest_timing", str(cota_r1))
    assert _count(Load) == 0
