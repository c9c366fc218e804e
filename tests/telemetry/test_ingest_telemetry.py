"""ingest_telemetry: long and wide CSV streamed into the warehouse's samples."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from telemetry import samples, services
from telemetry.services import LoadError

WIDE_HEADER = (
    "vehicle_number,lap,timestamp,Laptrigger_lapdist_dls,speed,nmot,gear,aps,pbrake_f,pbrake_r,"
    "Steering_Angle,accx_can,accy_can,VBOX_Lat_Min,VBOX_Long_Minutes"
)
LONG_HEADER = (
    "lap,meta_event,meta_session,meta_source,meta_time,original_vehicle_id,outing,telemetry_name,"
    "telemetry_value,timestamp,vehicle_id,vehicle_number"
)
SAMPLE_COLUMNS = (
    "car_number, vehicle_id, lap, lap_distance_m, speed_kph, rpm, gear, throttle_pct, brake_front_bar, "
    "brake_rear_bar, steering_deg, accel_long_g, accel_lat_g, gps_lat, gps_long"
)


def _samples(where="TRUE"):
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(f"SELECT {SAMPLE_COLUMNS} FROM telemetry_sample WHERE {where} ORDER BY car_number, timestamp")
        return cursor.fetchall()


def _long_rows(vehicle_id, number, lap, timestamp, channels):
    return [
        f"{lap},E,R1,src,{timestamp},{vehicle_id},0,{name},{value},{timestamp},{vehicle_id},{number}"
        for name, value in channels.items()
    ]


def test_wide_rows_arrive_column_for_column(warehouse_db, tmp_path):
    path = tmp_path / "barber_r1_wide.csv"
    path.write_text(
        f"{WIDE_HEADER}\n"
        "13,4,2025-09-06T18:40:41.775Z,812.5,151.2,6050,4,98.5,0,0,-12.5,0.21,-1.1,33.5301,-86.6112\n"
        "72,4,2025-09-06T18:40:41.825Z,,88.0,5000,2,0,61.3,38.1,90,-1.05,0.4,33.53,-86.61\n"
    )
    call_command("ingest_telemetry", str(path))
    assert _samples() == [
        (13, "", 4, 812.5, 151.2, 6050.0, 4, 98.5, 0.0, 0.0, -12.5, 0.21, -1.1, 33.5301, -86.6112),
        (72, "", 4, None, 88.0, 5000.0, 2, 0.0, 61.3, 38.1, 90.0, -1.05, 0.4, 33.53, -86.61),
    ]


def test_long_rows_are_pivoted_into_samples(warehouse_db, tmp_path):
    path = tmp_path / "t.csv"
    rows = _long_rows(
        "GR86-004-78", 78, 3, "2025-09-06T18:40:41.775Z", {"speed": 150.5, "gear": 4, "ath": 7}
    ) + _long_rows("GR86-004-78", 0, 3, "2025-09-06T18:40:41.825Z", {"speed": 151.5, "aps": 99})
    path.write_text(LONG_HEADER + "\n" + "\n".join(rows) + "\n")
    call_command("ingest_telemetry", str(path), track="cota", race=2)
    # "ath" is not a channel of the samples; vehicle_number 0 falls back to the id's suffix.
    got = _samples("track = 'cota' AND race_number = 2")
    assert [(r[0], r[1], r[2], r[4], r[6], r[7]) for r in got] == [
        (78, "GR86-004-78", 3, 150.5, 4, None),
        (78, "GR86-004-78", 3, 151.5, None, 99.0),
    ]


def test_a_sample_cut_by_a_block_boundary_is_joined(warehouse_db, tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "BLOCK_BYTES", 4096)  # about 40 long rows a block
    monkeypatch.setattr(samples, "READ_ROWS", 1)  # each block pivoted by itself
    channels = list(samples.CHANNELS)
    lines = []
    for i in range(120):
        values = {name: float(i * 100 + k) for k, name in enumerate(channels)}
        lines += _long_rows("GR86-001-7", 7, 1, f"2025-09-06T18:00:{i // 20:02d}.{i % 20 * 50:03d}Z", values)
    path = tmp_path / "barber_r1_long.csv"
    path.write_text(LONG_HEADER + "\n" + "\n".join(lines) + "\n")
    call_command("ingest_telemetry", str(path))
    got = _samples()
    assert len(got) == 120
    # Every channel of sample i holds i*100 + its channel index: nothing lost or mixed up.
    assert all(row[3] == i * 100 + 0 and row[14] == i * 100 + 11 for i, row in enumerate(got))
    assert all(None not in row for row in got)


def test_a_load_of_several_files_numbers_its_samples_in_file_order(warehouse_db, tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "BLOCK_BYTES", 1024)  # about 10 samples a block, each written as a part
    monkeypatch.setattr(samples, "READ_ROWS", 1)
    monkeypatch.setattr(services, "BATCH_SAMPLES", 25)  # five loads of up to 32 samples
    lines = []
    for i in range(120):
        timestamp = f"2025-09-06T18:00:{i // 20:02d}.{i % 20 * 50:03d}Z"
        lines += _long_rows("GR86-001-7", 7, 1, timestamp, {"speed": float(i)})
    path = tmp_path / "barber_r1_long.csv"
    path.write_text(LONG_HEADER + "\n" + "\n".join(lines) + "\n")
    copies = []

    def count_copies(execute, sql, params, many, context):
        copies.extend([sql] if sql.startswith("COPY INTO") else [])
        return execute(sql, params, many, context)

    with connections["warehouse"].execute_wrapper(count_copies):
        call_command("ingest_telemetry", str(path))
    assert len(copies) == 5
    with connections["warehouse"].cursor() as cursor:
        cursor.execute("SELECT line, speed_kph FROM telemetry_sample ORDER BY line")
        rows = cursor.fetchall()
        cursor.execute("SELECT row_count FROM telemetry_load")
        assert cursor.fetchall() == [(120,)]
    assert rows == [(i + 1, float(i)) for i in range(120)]


def test_long_rows_apart_or_repeated_are_joined_into_one_sample(warehouse_db, tmp_path):
    t1, t2 = "2025-09-06T18:00:00.000Z", "2025-09-06T18:00:00.050Z"
    rows = (
        _long_rows("GR86-001-7", 7, 3, t1, {"speed": 100.0, "gear": 3})
        + _long_rows("GR86-001-8", 8, 3, t1, {"speed": 90.0})
        + _long_rows("GR86-001-7", 7, 3, t1, {"aps": 50.0})  # car 7's first sample, apart
        + _long_rows("GR86-001-7", 7, 4, t2, {"speed": 101.0})
        + _long_rows("GR86-001-7", 7, 5, t2, {"speed": 105.0, "nmot": ""})
    )  # repeated channel, two laps
    path = tmp_path / "barber_r1_long.csv"
    path.write_text(LONG_HEADER + "\n" + "\n".join(rows) + "\n")
    call_command("ingest_telemetry", str(path))
    # One sample per car and instant; a repeated value keeps the largest, an empty one is no value.
    assert [(r[0], r[2], r[4], r[5], r[6], r[7]) for r in _samples()] == [
        (7, 3, 100.0, None, 3, 50.0),
        (7, 5, 105.0, None, None, None),
        (8, 3, 90.0, None, None, None),
    ]


def test_the_run_pivot_equals_the_grouped_pivot_on_consecutive_rows():
    channels = list(samples.CHANNELS)
    rows = {name: [] for name in samples.LONG_TYPES}
    for i in range(50):
        for k, name in enumerate(channels[: 3 + i % 10]):  # samples with fewer channels too
            values = (
                f"GR86-00{i % 3}-{i % 3}",
                i % 3,
                i // 7,
                1_000_000 * i,
                name,
                None if (i + k) % 9 == 0 else i + k / 10,
            )
            for column, value in zip(samples.LONG_TYPES, values, strict=True):
                rows[column].append(value)
    table = pa.table({**rows, "timestamp": pa.array(rows["timestamp"], samples.TIMESTAMP)})
    channel_index = pc.index_in(table["telemetry_name"], value_set=samples.CHANNEL_NAMES)
    by_runs, grouped = samples._runs_pivot(table, channel_index), samples._grouped_pivot(table)
    assert by_runs is not None and len(by_runs) == 50
    assert by_runs.to_pylist() == grouped.select(by_runs.column_names).to_pylist()


def test_reloading_replaces_the_cars_samples_and_keeps_other_cars(warehouse_db, tmp_path):
    first = tmp_path / "barber_r1_a.csv"
    first.write_text(
        f"{WIDE_HEADER}\n13,1,2025-09-06T18:00:00Z,1,100,,,,,,,,,,\n13,1,2025-09-06T18:00:01Z,2,101,,,,,,,,,,\n"
    )
    other_car = tmp_path / "barber_r1_b.csv"
    other_car.write_text(f"{WIDE_HEADER}\n72,1,2025-09-06T18:00:00Z,1,90,,,,,,,,,,\n")
    call_command("ingest_telemetry", str(first))
    call_command("ingest_telemetry", str(other_car))
    call_command("ingest_telemetry", str(first))
    assert [(row[0], row[4]) for row in _samples()] == [(13, 100.0), (13, 101.0), (72, 90.0)]


def test_a_bad_value_names_file_line_and_field_and_writes_nothing(warehouse_transactional_db, tmp_path):
    """Transactional: the error rolls back the load's own transaction (the warehouse has no
    savepoints, so a test transaction around it could not go on)."""
    path = tmp_path / "barber_r1_bad.csv"
    path.write_text(
        f"{WIDE_HEADER}\n13,1,2025-09-06T18:00:00Z,1,100,,,,,,,,,,\n13,1,2025-09-06T18:00:01Z,2,fast,,,,,,,,,,\n"
    )
    with pytest.raises(CommandError, match=r"barber_r1_bad\.csv, line 3, field speed: not a number"):
        call_command("ingest_telemetry", str(path))
    assert _samples() == []


def test_a_sample_without_a_car_is_refused_with_its_line(warehouse_transactional_db, tmp_path):
    path = tmp_path / "barber_r1_nocar.csv"
    path.write_text(
        f"{WIDE_HEADER}\n13,1,2025-09-06T18:00:00Z,1,100,,,,,,,,,,\n,1,2025-09-06T18:00:01Z,2,101,,,,,,,,,,\n"
    )
    with pytest.raises(CommandError, match=r"barber_r1_nocar\.csv, line 3, field vehicle_number: missing value"):
        call_command("ingest_telemetry", str(path))
    assert _samples() == []


def test_the_race_comes_from_the_name_or_the_options(warehouse_db, tmp_path):
    path = tmp_path / "telemetry.csv"
    path.write_text(f"{WIDE_HEADER}\n13,1,2025-09-06T18:00:00Z,1,100,,,,,,,,,,\n")
    with pytest.raises(CommandError, match="--track and --race"):
        call_command("ingest_telemetry", str(path))
    with pytest.raises(CommandError, match="neither the long"):
        bad = tmp_path / "barber_r1_x.csv"
        bad.write_text("a,b\n1,2\n")
        call_command("ingest_telemetry", str(bad))


def test_a_bad_block_after_copied_ones_rolls_back_over_the_rows_before(
    warehouse_transactional_db, tmp_path, monkeypatch, warehouse_emulator
):
    """The warehouse's rollback after COPY: two blocks of the file were already deleted over and
    copied when the third one's COPY fails (its staged file is gone from the emulator's stage); the
    transaction ends, the car's earlier samples are as they were, and every staged file not loaded
    is removed (REMOVE, which the emulator ignores: there they stay)."""
    before = tmp_path / "barber_r1_before.csv"
    before.write_text(f"{WIDE_HEADER}\n13,1,2025-09-06T18:00:00Z,1,100,,,,,,,,,,\n")
    call_command("ingest_telemetry", str(before))
    monkeypatch.setattr(samples, "BLOCK_BYTES", 1024)
    monkeypatch.setattr(samples, "READ_ROWS", 1)
    monkeypatch.setattr(services, "BATCH_SAMPLES", 25)
    lines = [f"13,1,2025-09-06T18:00:{i // 20:02d}.{i % 20 * 50:03d}Z,{i},{i},,,,,,,,,," for i in range(200)]
    path = tmp_path / "barber_r1_lost_block.csv"
    path.write_text(WIDE_HEADER + "\n" + "\n".join(lines) + "\n")
    copies, removes = [], []

    def third_copy_fails(execute, sql, params, many, context):
        removes.extend([sql.split("/")[-1]] if sql.startswith("REMOVE") else [])
        if sql.startswith("COPY INTO"):
            copies.append(sql)
            if len(copies) == 3:
                staged = sql.split("@%telemetry_sample/")[1].split()[0]
                for file in warehouse_emulator.data_dir.rglob(staged):
                    file.unlink()
        return execute(sql, params, many, context)

    with connections["warehouse"].execute_wrapper(third_copy_fails), pytest.raises(LoadError):
        call_command("ingest_telemetry", str(path))

    assert len(copies) == 3
    assert [(row[0], row[4]) for row in _samples()] == [(13, 100.0)]
    with connections["warehouse"].cursor() as cursor:
        cursor.execute("SELECT source FROM telemetry_load")
        assert cursor.fetchall() == [("barber_r1_before.csv",)]
        cursor.execute("LIST @%telemetry_sample")
        left = {row[0] for row in cursor.fetchall()}
    assert left and set(removes) >= left
