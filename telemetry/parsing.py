"""Pure parsing of the official timing exports: values, headers, files. No database here.

Every error names the file, the line and the field (``RowError``), so a bad export can be fixed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from drivers.race_times import parse_race_time


class RowError(ValueError):
    """A value that cannot be read: where it is and why."""

    def __init__(self, *, path: Path | str, line: int, field: str, message: str):
        self.path, self.line, self.field = str(path), line, field
        super().__init__(f"{path}, line {line}, field {field}: {message}")


class FieldError(ValueError):
    """A bad value, before we know where it is (row mappers turn it into a RowError)."""


_GAP_LAPS = re.compile(r"^(\d+)\s+Laps?$", re.IGNORECASE)


def parse_duration(text: str) -> float | None:
    """``ss.sss``, ``m:ss.sss`` or ``h:mm:ss.sss`` as seconds (drivers.race_times, the one reader of
    race times); empty as None."""
    text = text.strip()
    if not text:
        return None
    try:
        return parse_race_time(text)
    except ValueError as error:
        raise FieldError(str(error)) from None


def parse_gap(text: str) -> tuple[float | None, int | None]:
    """A classification gap as (seconds, laps): ``+2.740`` → (2.74, None), ``1 Lap`` → (None, 1),
    ``-`` (the leader) or empty → (None, None)."""
    text = text.strip()
    if text in ("", "-"):
        return None, None
    if match := _GAP_LAPS.match(text):
        return None, int(match.group(1))
    return parse_duration(text.removeprefix("+")), None


_WHOLE = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def parse_int(text: str) -> int | None:
    """A whole number; some exports write them as ``1.0`` (road america race 2 positions)."""
    text = text.strip()
    if not text:
        return None
    if not _WHOLE.match(text):
        raise FieldError(f"not a whole number: {text!r}")
    return int(text.split(".")[0])


def parse_float(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise FieldError(f"not a number: {text!r}") from None


def parse_timestamp(text: str) -> datetime | None:
    """ISO 8601 as the loggers write it (``2025-09-06T18:40:41.775Z``)."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(f"not an ISO timestamp: {text!r}") from None


def car_number_from_vehicle(*, vehicle_number: str, vehicle_id: str) -> int | None:
    """The car number: ``vehicle_number`` unless 0 or missing, else the last part of the
    vehicle id (``GR86-004-78`` → 78); None when neither tells (``GR86-002-000``)."""
    number = parse_int(vehicle_number) if vehicle_number else None
    if number:
        return number
    suffix = vehicle_id.rsplit("-", 1)[-1]
    return int(suffix) if suffix.isdigit() and int(suffix) else None


@dataclass(frozen=True)
class Record:
    """One data row of an export: its line in the file and its values by (stripped) header."""

    path: Path
    line: int
    values: dict[str, str]

    def get(self, *names: str) -> str:
        """The first of ``names`` the file has (exports rename columns, e.g. IM1 / INT-1)."""
        for name in names:
            if name in self.values:
                return self.values[name]
        return ""

    def require(self, name: str) -> str:
        value = self.values.get(name, "")
        if not value:
            raise RowError(path=self.path, line=self.line, field=name, message="missing value")
        return value


def read_records(path: Path, *, required: tuple[str, ...] = ()) -> Iterator[Record]:
    """The rows of a timing export, whatever its quirks: byte-order mark, ``;`` or ``,``
    separators, quoted or not, spaces around header names, trailing empty columns, blank lines.
    ``required`` headers must be present (checked before any row)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header_line = handle.readline()
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
        header = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
        missing = [name for name in required if name not in header]
        if missing:
            raise RowError(path=path, line=1, field=", ".join(missing), message="column missing from the header")
        reader = csv.reader(handle, delimiter=delimiter)
        for row in reader:
            line = reader.line_num + 1
            if not any(value.strip() for value in row):
                continue
            extra = [value for value in row[len(header) :] if value.strip()]
            if extra:
                raise RowError(
                    path=path,
                    line=line,
                    field=f"column {len(header) + 1}",
                    message=f"value beyond the header's {len(header)} columns: {extra[0]!r}",
                )
            yield Record(
                path=path,
                line=line,
                values={name: value.strip() for name, value in zip(header, row, strict=False) if name},
            )
