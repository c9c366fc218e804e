"""Typed reads from parsed JSON that name the file, the record and the field when the data is wrong.

at = Location("driver_race_results.json", "data")
finish = integer(record, at.child("7").child(3), "finish_position", nullable=True)
# LegacyDataError: driver_race_results.json: data["7"][3]: field "finish_position":
#                  expected an integer, got "x"
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class LegacyDataError(ValueError):
    """The legacy data is malformed or inconsistent; the message names file, record and field."""


@dataclass(frozen=True)
class Location:
    file: str
    path: str = ""

    def child(self, key: str | int) -> "Location":
        if not self.path and isinstance(key, str):
            return Location(self.file, key)  # top-level keys read bare: data["7"][3]
        return Location(self.file, f"{self.path}[{json.dumps(key)}]")

    def error(self, message: str, *, field: str | None = None) -> LegacyDataError:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return LegacyDataError(f"{where}: field {json.dumps(field)}: {message}" if field else f"{where}: {message}")


def load_json(path: Path) -> Any:
    if not path.is_file():
        raise LegacyDataError(f"{path.name}: file not found in {path.parent}")
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LegacyDataError(f"{path.name}: not valid JSON: {exc}") from exc


def _shown(value: Any) -> str:
    return json.dumps(value)[:80]


def _get(obj: Any, at: Location, name: str, *, nullable: bool) -> Any:
    if not isinstance(obj, dict):
        raise at.error(f"expected an object, got {_shown(obj)}")
    if name not in obj:
        if nullable:
            return None
        raise at.error("missing", field=name)
    value = obj[name]
    if value is None and not nullable:
        raise at.error("must not be null", field=name)
    return value


def integer(obj: Any, at: Location, name: str, *, nullable: bool = False, minimum: int | None = None) -> int | None:
    value = _get(obj, at, name, nullable=nullable)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise at.error(f"expected an integer, got {_shown(value)}", field=name)
    if minimum is not None and value < minimum:
        raise at.error(f"expected an integer of at least {minimum}, got {value}", field=name)
    return value


def number(obj: Any, at: Location, name: str, *, nullable: bool = False) -> float | None:
    value = _get(obj, at, name, nullable=nullable)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise at.error(f"expected a number, got {_shown(value)}", field=name)
    return float(value)


def text(obj: Any, at: Location, name: str, *, nullable: bool = False) -> str | None:
    value = _get(obj, at, name, nullable=nullable)
    if value is None:
        return None
    if not isinstance(value, str):
        raise at.error(f"expected a string, got {_shown(value)}", field=name)
    return value


def mapping(obj: Any, at: Location, name: str) -> dict:
    value = _get(obj, at, name, nullable=False)
    if not isinstance(value, dict):
        raise at.error(f"expected an object, got {_shown(value)}", field=name)
    return value


def sequence(obj: Any, at: Location, name: str) -> list:
    value = _get(obj, at, name, nullable=False)
    if not isinstance(value, list):
        raise at.error(f"expected a list, got {_shown(value)}", field=name)
    return value


def number_key(key: str, at: Location) -> int:
    """A driver number used as an object key (``"7"``)."""
    if not key.isdigit() or int(key) < 1:
        raise at.child(key).error(f"key {json.dumps(key)} is not a driver number")
    return int(key)
