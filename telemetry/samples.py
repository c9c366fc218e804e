"""Reading car telemetry CSV as a stream of Arrow batches shaped like the Sample table.

Two formats (see ../shared/grcup2025/README.md):
- wide: one row per car per instant, one column per channel;
- long: one row per car per instant per channel (``telemetry_name``, ``telemetry_value``),
  pivoted here into wide rows batch by batch.

Parsing and pivoting run in Arrow (C++), a block of the file at a time, so memory stays bounded
whatever the file size. No database here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from telemetry.parsing import FieldError, RowError, parse_float, parse_int, parse_timestamp

# Channel name in the exports → Sample column.
CHANNELS = {
    "Laptrigger_lapdist_dls": "lap_distance_m",
    "speed": "speed_kph",
    "nmot": "rpm",
    "gear": "gear",
    "aps": "throttle_pct",
    "pbrake_f": "brake_front_bar",
    "pbrake_r": "brake_rear_bar",
    "Steering_Angle": "steering_deg",
    "accx_can": "accel_long_g",
    "accy_can": "accel_lat_g",
    "VBOX_Lat_Min": "gps_lat",
    "VBOX_Long_Minutes": "gps_long",
}
CHANNEL_NAMES = pa.array(list(CHANNELS))
TIMESTAMP = pa.timestamp("us", tz="UTC")
LONG_TYPES = {
    "vehicle_id": pa.string(),
    "vehicle_number": pa.int64(),
    "lap": pa.int64(),
    "timestamp": TIMESTAMP,
    "telemetry_name": pa.string(),
    "telemetry_value": pa.float64(),
}
# Arrow's streaming CSV reader reads up to 32 blocks ahead of its parsing (the queue of its
# background reader), so the block size bounds that read-ahead: 32 MB at 1 MB, where 16 MB blocks
# held most of a 400 MB file. Small blocks also parse faster here (half the time at 1 MB).
BLOCK_BYTES = 1 << 20
# Rows gathered from the blocks before they are converted or pivoted: each Arrow call costs the
# same on 9,000 rows (a 1 MB block of long rows) as on tens of thousands.
READ_ROWS = 100_000


@dataclass
class Progress:
    """Where a stream is: bytes of the file read, samples produced, long rows of unknown channels."""

    bytes_read: int = 0
    total_bytes: int = 0
    samples: int = 0
    ignored_rows: int = 0


def file_format(path: Path) -> str:
    """``long`` or ``wide``, from the header."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header = {name.strip() for name in next(csv.reader([handle.readline()]))}
    if {"telemetry_name", "telemetry_value"} <= header:
        return "long"
    if {"vehicle_number", "timestamp"} <= header and header & set(CHANNELS):
        return "wide"
    raise RowError(
        path=path,
        line=1,
        field="header",
        message="neither the long (telemetry_name, telemetry_value) nor the wide telemetry format",
    )


def sample_batches(path: Path, *, progress: Progress) -> Iterator[pa.Table]:
    """Tables with columns car_number, vehicle_id, lap, timestamp and the channel columns, in file
    order (about READ_ROWS rows of the file each: 100,000 wide samples, or 8,000 long ones)."""
    progress.total_bytes = path.stat().st_size
    reader = _long_batches if file_format(path) == "long" else _wide_batches
    try:
        yield from reader(path, progress)
    except pa.ArrowInvalid as error:
        raise _locate_bad_value(path, error) from None


def _at_least(tables: Iterator[pa.Table], *, rows: int) -> Iterator[pa.Table]:
    """Join consecutive tables into tables of at least ``rows`` rows (the last may have fewer)."""
    pending, count = [], 0
    for table in tables:
        pending.append(table)
        count += len(table)
        if count >= rows:
            yield pa.concat_tables(pending)
            pending, count = [], 0
    if pending:
        yield pa.concat_tables(pending)


def _read(path: Path, column_types: dict, progress: Progress) -> Iterator[pa.Table]:
    """The file's ``column_types`` columns, typed, in tables of at least READ_ROWS rows."""
    source = pa.OSFile(str(path))
    reader = pacsv.open_csv(
        source,
        read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding="utf8"),
        convert_options=pacsv.ConvertOptions(
            column_types=column_types,
            include_columns=list(column_types),
            include_missing_columns=True,
            strings_can_be_null=True,
        ),
    )

    def blocks() -> Iterator[pa.Table]:
        for batch in reader:
            progress.bytes_read = source.tell()
            yield pa.Table.from_batches([batch])

    return _at_least(blocks(), rows=READ_ROWS)


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [name.strip() for name in next(csv.reader([handle.readline()]))]


def _wide_batches(path: Path, progress: Progress) -> Iterator[pa.Table]:
    header = _header(path)
    has_vehicle_id = "vehicle_id" in header
    types = {
        "vehicle_number": pa.int64(),
        "lap": pa.int64(),
        "timestamp": TIMESTAMP,
        "gear": pa.int64(),
        **{name: pa.float64() for name in CHANNELS if name != "gear"},
    }
    if has_vehicle_id:
        types["vehicle_id"] = pa.string()
    for table in _read(path, types, progress):
        columns = {
            "car_number": table["vehicle_number"],
            "vehicle_id": pc.fill_null(table["vehicle_id"], "") if has_vehicle_id else pa.repeat("", len(table)),
            "lap": table["lap"],
            "timestamp": table["timestamp"],
            **{column: table[name] for name, column in CHANNELS.items()},
        }
        progress.samples += len(table)
        yield pa.table(columns)


def _long_batches(path: Path, progress: Progress) -> Iterator[pa.Table]:
    """Pivot long rows into samples, one (vehicle, timestamp) per sample. The rows of one sample
    must be consecutive in the file (they are in the loggers' exports); a sample cut by a block
    boundary is completed with the next block."""
    carry = None
    for table in _read(path, LONG_TYPES, progress):
        if carry is not None:
            table = pa.concat_tables([carry, table])
        # Hold back the last sample's rows: its other channels may be in the next block.
        last_vehicle, last_time = table["vehicle_id"][-1], table["timestamp"][-1]
        tail = pc.and_(pc.equal(table["vehicle_id"], last_vehicle), pc.equal(table["timestamp"], last_time))
        carry, table = table.filter(tail), table.filter(pc.invert(tail))
        if len(table):
            yield _pivot(table, progress)
    if carry is not None and len(carry):
        yield _pivot(carry, progress)


def _pivot(table: pa.Table, progress: Progress) -> pa.Table:
    """One row per (vehicle_id, timestamp), in file order, each channel the largest of its values
    (nulls ignored). The rows of a sample are consecutive, so the pivot is a scatter by run
    (a few vectorised passes) rather than a hash aggregation, which cost several times more;
    the aggregation remains for the blocks where runs would differ from it (a sample's rows
    apart or repeating a channel, a missing key)."""
    channel_index = pc.index_in(table["telemetry_name"], value_set=CHANNEL_NAMES)
    known = pc.is_valid(channel_index)
    known_rows = pc.sum(known).as_py() or 0
    progress.ignored_rows += len(table) - known_rows
    if known_rows < len(table):
        table, channel_index = table.filter(known), channel_index.filter(known)
    grouped = _runs_pivot(table, channel_index)
    if grouped is None:
        grouped = _grouped_pivot(table)
    vehicle_number = grouped["vehicle_number"]
    numbered = pc.greater(vehicle_number, 0)
    if not pc.all(numbered).as_py():  # the regular expression only where some sample needs it
        vehicle_number = pc.if_else(numbered, vehicle_number, _number_from_id(grouped["vehicle_id"]))
    columns = {
        "car_number": vehicle_number,
        "vehicle_id": grouped["vehicle_id"],
        "lap": grouped["lap"],
        "timestamp": grouped["timestamp"],
        **{column: grouped[column] for column in CHANNELS.values()},
    }
    columns["gear"] = pc.cast(pc.round(columns["gear"]), pa.int64())
    progress.samples += len(grouped)
    return pa.table(columns)


def _runs_pivot(table: pa.Table, channel_index: pa.ChunkedArray) -> pa.Table | None:
    """The pivot of consecutive rows by (vehicle_id, timestamp) run, or None when it would not
    equal the aggregation's."""
    keys = table.select(["vehicle_id", "timestamp", "vehicle_number", "lap"]).combine_chunks()
    if not len(table) or any(column.null_count for column in keys.columns):
        return None
    vehicle_ids, timestamps = keys["vehicle_id"].chunk(0), keys["timestamp"].chunk(0)
    changes = pc.or_(pc.not_equal(vehicle_ids[1:], vehicle_ids[:-1]), pc.not_equal(timestamps[1:], timestamps[:-1]))
    is_start = pa.concat_arrays([pa.array([True]), changes])
    starts = pc.indices_nonzero(is_start)
    samples = len(starts)
    sample_of_row = pc.subtract(pc.cumulative_sum(pc.cast(is_start, pa.int64())), 1)
    slots = pc.add(pc.multiply(pc.cast(channel_index, pa.int64()), samples), sample_of_row)  # channel-major
    every_row = pc.fill_null(pa.nulls(len(table), pa.bool_()), True)
    if pc.scatter(every_row, slots, max_index=len(CHANNELS) * samples - 1).null_count != (
        len(CHANNELS) * samples - len(table)
    ):
        return None  # a channel twice in a sample: the aggregation keeps the largest
    first = keys.take(starts)
    if len(first.group_by(["vehicle_id", "timestamp"], use_threads=False).aggregate([])) != samples:
        return None  # a sample's rows apart: the aggregation joins them
    for name in ("vehicle_number", "lap"):
        if not pc.all(pc.equal(pc.take(first[name], sample_of_row), keys[name])).as_py():
            return None  # differing within a sample: the aggregation keeps the largest
    grid = pc.scatter(table["telemetry_value"].combine_chunks(), slots, max_index=len(CHANNELS) * samples - 1)
    return pa.table(
        {
            **{name: first[name] for name in first.column_names},
            **{column: grid[i * samples : (i + 1) * samples] for i, column in enumerate(CHANNELS.values())},
        }
    )


def _grouped_pivot(table: pa.Table) -> pa.Table:
    """The pivot by hash aggregation on (vehicle_id, timestamp), whatever the row order."""
    names, values = table["telemetry_name"], table["telemetry_value"]
    wide = table.select(["vehicle_id", "timestamp", "vehicle_number", "lap"]).append_column(
        "row", pa.array(range(len(table)), pa.int64())
    )
    for name, column in CHANNELS.items():
        wide = wide.append_column(column, pc.if_else(pc.equal(names, name), values, None))
    grouped = wide.group_by(["vehicle_id", "timestamp"], use_threads=False).aggregate(
        [("vehicle_number", "max"), ("lap", "max"), ("row", "min")] + [(column, "max") for column in CHANNELS.values()]
    )
    grouped = grouped.sort_by("row_min")  # file order
    return grouped.rename_columns([name.removesuffix("_max") for name in grouped.column_names])


def _number_from_id(vehicle_ids: pa.ChunkedArray) -> pa.ChunkedArray:
    """``GR86-004-78`` → 78 (used where vehicle_number is 0)."""
    suffix = pc.struct_field(pc.extract_regex(vehicle_ids, r"-(?P<n>\d+)$"), "n")
    return pc.cast(suffix, pa.int64())


def missing_car_error(path: Path) -> RowError:
    """The first row without a car number, found the slow way (only when a block had one)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if not (row.get("vehicle_number") or "").strip() and not (row.get("vehicle_id") or "").strip():
                return RowError(path=path, line=reader.line_num, field="vehicle_number", message="missing value")
    return RowError(path=path, line=0, field="vehicle_number", message="a sample without a car number")


def _locate_bad_value(path: Path, error: pa.ArrowInvalid) -> RowError:
    """Arrow says what failed but not on which line: find the first bad value the slow way."""
    numeric = {
        "vehicle_number": parse_int,
        "lap": parse_int,
        "gear": parse_int,
        "timestamp": parse_timestamp,
        "telemetry_value": parse_float,
        **{name: parse_float for name in CHANNELS if name != "gear"},
    }
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader)]
        for row in reader:
            for name, value in zip(header, row, strict=False):
                if name in numeric:
                    try:
                        numeric[name](value)
                    except FieldError as field_error:
                        return RowError(path=path, line=reader.line_num, field=name, message=str(field_error))
    return RowError(path=path, line=0, field="?", message=str(error).splitlines()[0])
