"""Writes to the warehouse: bulk loads (Parquet, PUT + COPY INTO) that replace a race's rows atomically."""

from __future__ import annotations

import logging
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Full, Queue
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db import DatabaseError, connections, models, transaction
from django.utils import timezone

from hackthetrack.cache import invalidate_api_cache
from hackthetrack.routers import WAREHOUSE
from telemetry.models import Load, Sample
from telemetry.parsing import RowError
from telemetry.samples import Progress, missing_car_error, sample_batches
from telemetry.timing import TimingFile, timing_file_parse

logger = logging.getLogger("telemetry.services")

T = TypeVar("T")
# Samples per warehouse load: each PUT + COPY costs about 50 ms on the emulator whatever its size,
# plus about 80 ms per 100,000 samples.
BATCH_SAMPLES = 100_000


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


def warehouse_parquet_put(*, cursor, table: str, parquet_path: Path) -> None:
    """Upload a Parquet file to ``table``'s stage. Only the role that owns a table may PUT into its
    stage: migrate and the loads run as one role (docs/snowflake-account.md)."""
    cursor.execute(f"PUT 'file://{parquet_path}' @%{table} AUTO_COMPRESS = FALSE OVERWRITE = TRUE")


def warehouse_staged_copy(*, cursor, table: str, name: str) -> int:
    """COPY exactly one staged file (by path: the emulator lacks ``FILES = (...)``) into ``table``,
    matching columns by name, and purge it; returns the rows loaded. USE_LOGICAL_TYPE: the
    Parquet timestamps are UTC instants (Arrow's ``timestamp[us, tz=UTC]``), read as such. A file
    that fails to load is removed from the stage."""
    try:
        cursor.execute(
            f"COPY INTO {table} FROM @%{table}/{name} FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE) "
            "MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE PURGE = TRUE"
        )
    except DatabaseError:
        warehouse_staged_remove(cursor=cursor, table=table, names=[name])
        raise
    # One result row per file: (file, status, rows_parsed, rows_loaded, ...).
    return sum(int(row[3]) for row in cursor.fetchall() if len(row) > 3)


def warehouse_staged_remove(*, cursor, table: str, names: list[str]) -> None:
    """Remove staged files that will not be loaded (PURGE removes only the loaded ones); a failure
    here is logged, never raised over the error that led here."""
    for name in names:
        try:
            cursor.execute(f"REMOVE @%{table}/{name}")
        except DatabaseError:
            logger.warning("Could not remove %s from the stage of %s", name, table, exc_info=True)


def warehouse_parquet_copy(*, cursor, table: str, parquet_path: Path) -> int:
    """Bulk-load a Parquet file into ``table`` through its table stage (PUT, then COPY INTO).

    Parquet rather than CSV: typed, NULL and empty text kept apart, and the emulator mislabels the
    columns of CSV files wider than ten columns. Each load stages its own uniquely named file, so
    concurrent loads never pick up each other's."""
    warehouse_parquet_put(cursor=cursor, table=table, parquet_path=parquet_path)
    return warehouse_staged_copy(cursor=cursor, table=table, name=parquet_path.name)


def text_lengths_check(*, model, rows: list[dict], path: Path) -> None:
    """Raise RowError naming file, line and field of the first text longer than its column:
    Snowflake refuses it at COPY (VARCHAR(n)), the emulator would store it; checked before any upload."""
    limits = {
        field.column: field.max_length
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and field.max_length
    }
    for row in rows:
        for column, limit in limits.items():
            value = row.get(column)
            if isinstance(value, str) and len(value) > limit:
                raise RowError(
                    path=path,
                    line=row["line"],
                    field=column,
                    message=f"{len(value)} characters, more than the {limit} its column holds",
                )


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


def load_record(
    *, load_id: str, kind: str, source: str, season: int, track: str, race_number: int, row_count: int
) -> Load:
    return Load.objects.using(WAREHOUSE).create(
        id=load_id,
        kind=kind,
        source=source,
        season=season,
        track=track,
        race_number=race_number,
        row_count=row_count,
        loaded_at=timezone.now(),
    )


def race_rows_delete(
    *,
    cursor,
    model,
    season: int,
    track: str,
    race_number: int,
    scope: dict | None = None,
    keep_load_id: str | None = None,
) -> int:
    """Delete a race's rows of ``model``, narrowed by ``scope`` (column → value, or a list of values),
    sparing the rows of ``keep_load_id``."""
    conditions = {"season": season, "track": track, "race_number": race_number, **(scope or {})}
    clauses, params = [], []
    for column, value in conditions.items():
        if isinstance(value, list | tuple | set):
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(value))})")
            params.extend(value)
        else:
            clauses.append(f"{column} = %s")
            params.append(value)
    where = " AND ".join(clauses)
    if keep_load_id:
        where += " AND load_id <> %s"
        params.append(keep_load_id)
    cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", params)
    return cursor.rowcount or 0


def timing_file_load(*, timing_file: TimingFile, season: int) -> Load:
    """Load one timing export, replacing the rows the same export loaded before (see timing_files_load)."""
    return timing_files_load(timing_files=[timing_file], season=season)[0]


def timing_files_load(*, timing_files: list[TimingFile], season: int) -> list[Load]:
    """Load timing exports all or nothing, each replacing the rows the same export loaded before.

    Every file is parsed whole first (a bad row raises RowError naming file, line and field, and
    nothing is written), outside any transaction, so no lock is held meanwhile; then, in one
    transaction, each race's previous rows of each kind are deleted and the new ones bulk-loaded:
    a failure of any load leaves the warehouse as it was."""
    parsed = [(timing_file, timing_file_parse(timing_file)) for timing_file in timing_files]
    for timing_file, rows in parsed:
        text_lengths_check(model=timing_file.model, rows=rows, path=timing_file.path)
    loads = []
    with tempfile.TemporaryDirectory(prefix="htt-load-") as work_dir, transaction.atomic(using=WAREHOUSE):
        for timing_file, rows in parsed:
            load_id = uuid.uuid4().hex
            load_columns = {
                "load_id": load_id,
                "season": season,
                "track": timing_file.track,
                "race_number": timing_file.race_number,
            }
            with connections[WAREHOUSE].cursor() as cursor:
                race_rows_delete(
                    cursor=cursor,
                    model=timing_file.model,
                    season=season,
                    track=timing_file.track,
                    race_number=timing_file.race_number,
                    scope=timing_file.scope,
                )
                loaded = warehouse_rows_copy(
                    cursor=cursor,
                    model=timing_file.model,
                    work_dir=Path(work_dir),
                    rows=[{**load_columns, **row} for row in rows],
                )
            if loaded != len(rows):
                raise LoadError(f"{timing_file.path}: the warehouse loaded {loaded} of {len(rows)} rows")
            loads.append(
                load_record(
                    load_id=load_id,
                    kind=timing_file.kind,
                    source=timing_file.path.name,
                    season=season,
                    track=timing_file.track,
                    race_number=timing_file.race_number,
                    row_count=loaded,
                )
            )
        # Telemetry answers are cached: they must not outlive the data they were computed from.
        transaction.on_commit(invalidate_api_cache, using=WAREHOUSE)
    return loads


@contextmanager
def prefetched(items: Iterator[T], *, depth: int = 2) -> Iterator[Iterator[T]]:
    """Run the iterator ``items`` in a background thread, started on entry so that it works while
    the caller gets ready (opens its connection), at most ``depth`` items ahead of the consumer
    (bounded memory); its exceptions are raised in the consumer; the thread is stopped on exit.
    Arrow and file work release the GIL, so parsing the next block overlaps the warehouse
    loading this one."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(done)
        except BaseException as error:  # handed to the consumer
            put(error)

    def consume() -> Iterator[T]:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item

    thread = threading.Thread(target=produce, name="prefetch", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()


def _sample_parquet_files(*, path: Path, work_dir: Path, constants: dict) -> Iterator[tuple[Path, int, set, Progress]]:
    """The telemetry file as Parquet files of Sample rows, each of at least BATCH_SAMPLES samples
    but the last: (file, rows, cars, progress). The samples are appended to the open file as they
    are parsed, so no load is ever held in memory whole and only the last part is written after
    the file's last block."""
    schema = arrow_schema(Sample)
    progress = Progress()
    batches = sample_batches(path, progress=progress)
    line = 0
    batch = next(batches, None)
    while batch is not None:
        parquet_path = work_dir / f"telemetry_sample-{uuid.uuid4().hex}.parquet"
        rows, cars = 0, set()
        with pq.ParquetWriter(parquet_path, schema, compression="snappy") as writer:
            while batch is not None and rows < BATCH_SAMPLES:
                writer.write_table(_sample_table(batch, schema=schema, constants=constants, first_line=line + rows + 1))
                rows += len(batch)
                cars |= set(pc.unique(batch["car_number"]).to_pylist())
                batch = next(batches, None)
        line += rows
        yield parquet_path, rows, cars, progress


def _sample_table(batch: pa.Table, *, schema: pa.Schema, constants: dict, first_line: int) -> pa.Table:
    """A batch of samples as Sample rows: the load's constant columns, LINE numbered from ``first_line``."""
    rows = len(batch)
    columns = {"LINE": pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), rows), start=first_line - 1)}
    columns |= {name: pa.repeat(pa.scalar(value, schema.field(name).type), rows) for name, value in constants.items()}
    columns |= {name.upper(): batch[name] for name in batch.column_names}
    return pa.table({field.name: pc.cast(columns[field.name], field.type) for field in schema}, schema=schema)


def samples_file_load(
    *, path: Path, season: int, track: str, race_number: int, on_batch: Callable[[Progress], None] | None = None
) -> Load:
    """Stream a telemetry CSV (long or wide) into the warehouse, a block at a time: each block is
    pivoted/typed in Arrow and written as Parquet in a background thread while the previous one is
    uploaded to the samples' stage.

    The whole file is parsed and staged before the transaction: so a bad value writes nothing,
    and the transaction, which deletes a car's earlier samples of this race where the file first
    shows that car and copies the staged files, holds its locks only that long. A failure leaves
    the warehouse as it was, and the staged files not loaded are removed."""
    load_id = uuid.uuid4().hex
    constants = {"LOAD_ID": load_id, "SEASON": season, "TRACK": track, "RACE_NUMBER": race_number}
    table = Sample._meta.db_table
    staged: list[tuple[str, int, set]] = []  # (staged file, samples, cars), in file order
    loaded = 0
    with connections[WAREHOUSE].cursor() as cursor:
        try:
            with (
                tempfile.TemporaryDirectory(prefix="htt-samples-") as work_dir,
                prefetched(_sample_parquet_files(path=path, work_dir=Path(work_dir), constants=constants)) as blocks,
            ):
                for parquet_path, rows, cars, progress in blocks:
                    if None in cars:
                        raise missing_car_error(path)
                    staged.append((parquet_path.name, rows, cars))
                    warehouse_parquet_put(cursor=cursor, table=table, parquet_path=parquet_path)
                    parquet_path.unlink()
                    if on_batch:
                        on_batch(progress)
            with transaction.atomic(using=WAREHOUSE):
                cars_replaced: set[int] = set()
                for index, (name, rows, cars) in enumerate(staged):
                    if new_cars := sorted(cars - cars_replaced):
                        race_rows_delete(
                            cursor=cursor,
                            model=Sample,
                            season=season,
                            track=track,
                            race_number=race_number,
                            scope={"car_number": new_cars},
                            keep_load_id=load_id,
                        )
                    cars_replaced |= cars
                    copied = warehouse_staged_copy(cursor=cursor, table=table, name=name)
                    staged[index] = ("", rows, cars)  # loaded (and purged)
                    if copied != rows:
                        raise LoadError(f"{path}: the warehouse loaded {copied} of {rows} samples of a block")
                    loaded += rows
                transaction.on_commit(invalidate_api_cache, using=WAREHOUSE)
                return load_record(
                    load_id=load_id,
                    kind=Load.Kind.SAMPLES.value,
                    source=path.name,
                    season=season,
                    track=track,
                    race_number=race_number,
                    row_count=loaded,
                )
        except BaseException:
            warehouse_staged_remove(cursor=cursor, table=table, names=[name for name, _, _ in staged if name])
            raise
