"""Writes to the warehouse: bulk loads (Parquet, PUT + COPY INTO) that replace a race's rows atomically."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connections, models, transaction
from django.utils import timezone

from hackthetrack.routers import WAREHOUSE
from telemetry.models import Load
from telemetry.timing import TimingFile, timing_file_parse

class LoadError(RuntimeError):
    """The warehouse did not take a load as expected (nothing of it was kept)."""


def model_columns(model) -> list[str]:
    """The model's table columns in declaration order."""
    return [field.column for field in model._meta.concrete_fields]


def arrow_schema(model) -> pa.Schema:
    """The Parquet schema of a model's loads: one typed, nullable column per table column."""
    return pa.schema([(field.column.upper(), _arrow_type(field)) for field in model._meta.concrete_fields])


def _arrow_type(field) -> pa.DataType:
    if isinstance(field, models.BooleanField):
        return pa.bool_()
    if isinstance(field, models.DateTimeField):
        return pa.timestamp("us", tz="UTC")
    if isinstance(field, models.FloatField):
        return pa.float64()
    if isinstance(field, models.IntegerField):  # and its Small/Big/Positive kinds
        return pa.int64()
    return pa.string()


def warehouse_parquet_copy(*, cursor, table: str, parquet_path: Path) -> int:
    """Bulk-load a Parquet file into ``table`` through its table stage: PUT uploads it, COPY INTO
    loads exactly that file (by path: the emulator lacks ``FILES = (...)``), matching columns by
    name, and purges it. Returns the rows loaded.

    Parquet rather than CSV: typed, NULL and empty text kept apart, and the emulator mislabels the
    columns of CSV files wider than ten columns. Each load stages its own uniquely named file, so
    concurrent loads never pick up each other's."""
    cursor.execute(f"PUT 'file://{parquet_path}' @%{table} AUTO_COMPRESS = FALSE OVERWRITE = TRUE")
    cursor.execute(
        f"COPY INTO {table} FROM @%{table}/{parquet_path.name} FILE_FORMAT = (TYPE = PARQUET) "
        "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE PURGE = TRUE"
    )
    # One result row per file: (file, status, rows_parsed, rows_loaded, ...).
    return sum(int(row[3]) for row in cursor.fetchall() if len(row) > 3)


def warehouse_table_copy(*, cursor, model, table: pa.Table, work_dir: Path) -> int:
    """Write an Arrow table (``arrow_schema(model)``) to Parquet and bulk-load it into ``model``."""
    parquet_path = work_dir / f"{model._meta.db_table}-{uuid.uuid4().hex}.parquet"
    pq.write_table(table, parquet_path, compression="snappy")
    try:
        return warehouse_parquet_copy(cursor=cursor, table=model._meta.db_table, parquet_path=parquet_path)
    finally:
        parquet_path.unlink(missing_ok=True)


def warehouse_rows_copy(*, cursor, model, rows: list[dict], work_dir: Path) -> int:
    """Bulk-load ``rows`` (dicts of column values) into ``model``."""
    schema = arrow_schema(model)
    columns = {name.upper(): [row.get(name) for row in rows] for name in model_columns(model)}
    table = pa.table({field.name: pa.array(columns[field.name], field.type) for field in schema}, schema=schema)
    return warehouse_table_copy(cursor=cursor, model=model, table=table, work_dir=work_dir)


def load_record(*, load_id: str, kind: str, source: str, season: int, track: str, race_number: int,
                row_count: int) -> Load:
    return Load.objects.using(WAREHOUSE).create(
        id=load_id, kind=kind, source=source, season=season, track=track, race_number=race_number,
        row_count=row_count, loaded_at=timezone.now())


def race_rows_delete(*, cursor, model, season: int, track: str, race_number: int, scope: dict | None = None,
                     keep_load_id: str | None = None) -> int:
    """Delete a race's rows of ``model`` (narrowed by ``scope`` columns; sparing ``keep_load_id``)."""
    conditions = {"season": season, "track": track, "race_number": race_number, **(scope or {})}
    where = " AND ".join(f"{column} = %s" for column in conditions)
    params = list(conditions.values())
    if keep_load_id:
        where += " AND load_id <> %s"
        params.append(keep_load_id)
    cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)
    return cursor.rowcount or 0


def timing_file_load(*, timing_file: TimingFile, season: int) -> Load:
    """Load one timing export, replacing the rows the same export loaded before.

    The file is parsed whole first (a bad row raises RowError and nothing is written); then the
    race's previous rows of this kind are deleted and the new ones bulk-loaded in one transaction."""
    rows = timing_file_parse(timing_file)
    load_id = uuid.uuid4().hex
    load_columns = {"load_id": load_id, "season": season, "track": timing_file.track,
                    "race_number": timing_file.race_number}
    with tempfile.TemporaryDirectory(prefix="htt-load-") as work_dir, transaction.atomic(using=WAREHOUSE):
        with connections[WAREHOUSE].cursor() as cursor:
            race_rows_delete(cursor=cursor, model=timing_file.model, season=season, track=timing_file.track,
                             race_number=timing_file.race_number, scope=timing_file.scope)
            loaded = warehouse_rows_copy(cursor=cursor, model=timing_file.model, work_dir=Path(work_dir),
                                         rows=[{**load_columns, **row} for row in rows])
        if loaded != len(rows):
            raise LoadError(f"{timing_file.path}: the warehouse loaded {loaded} of {len(rows)} rows")
        return load_record(load_id=load_id, kind=timing_file.kind, source=timing_file.path.name, season=season,
                           track=timing_file.track, race_number=timing_file.race_number, row_count=loaded)
