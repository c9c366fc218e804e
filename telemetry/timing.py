"""The official timing exports: which file is which race and kind, and each row as model values.

Pure functions (no database): ``timing_file_parse`` reads a whole file into rows, or raises a
RowError naming file, line and field, so nothing is written for a bad file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from telemetry.models import BestLap, Lap, LapEvent, Load, Qualifying, Result
from telemetry.parsing import (
    FieldError,
    Record,
    RowError,
    car_number_from_vehicle,
    parse_duration,
    parse_float,
    parse_gap,
    parse_int,
    parse_timestamp,
    read_records,
)

_ROUND_FILE = re.compile(
    r"^(?P<track>[a-z]+)_r(?P<race>\d)_(?P<kind>analysis_endurance|provisional_results|best_10_laps|"
    r"lap_start|lap_end|lap_time)\.csv$",
    re.IGNORECASE,
)
_QUALIFYING_FILE = re.compile(r"^(?P<track>[A-Za-z]+)rd(?P<race>\d)Qualifying\.csv$")


@dataclass(frozen=True)
class TimingFile:
    """A recognised export: its race, the kind of rows, and which rows a reload replaces."""

    path: Path
    kind: str
    track: str
    race_number: int
    model: type
    # Extra filter of the rows this file owns (lap_start/lap_end/lap_time share one table).
    scope: dict = field(default_factory=dict)


def timing_file_identify(path: Path) -> TimingFile | None:
    """The race and kind of an export from its name; None for a file that is not one."""
    if match := _QUALIFYING_FILE.match(path.name):
        return TimingFile(
            path=path,
            kind=Load.Kind.QUALIFYING.value,
            track=match["track"].lower(),
            race_number=int(match["race"]),
            model=Qualifying,
        )
    if not (match := _ROUND_FILE.match(path.name)):
        return None
    track, race_number, name = match["track"].lower(), int(match["race"]), match["kind"].lower()
    if name.startswith("lap_"):
        event = name.removeprefix("lap_")
        return TimingFile(
            path=path,
            kind=Load.Kind.LAP_EVENTS.value,
            track=track,
            race_number=race_number,
            model=LapEvent,
            scope={"kind": event},
        )
    kind, model = {
        "analysis_endurance": (Load.Kind.LAPS.value, Lap),
        "provisional_results": (Load.Kind.RESULTS.value, Result),
        "best_10_laps": (Load.Kind.BEST_LAPS.value, BestLap),
    }[name]
    return TimingFile(path=path, kind=kind, track=track, race_number=race_number, model=model)


def timing_file_parse(timing_file: TimingFile) -> list[dict]:
    """Every row of the file as model field values (without the load columns), in file order."""
    mapper, required = _MAPPERS[timing_file.model]
    rows = []
    for record in read_records(timing_file.path, required=required):
        for values in mapper(record, timing_file):
            rows.append({"line": record.line, **values})
    return rows


def _value(record: Record, parse: Callable[[str], object], *names: str):
    try:
        return parse(record.get(*names))
    except FieldError as error:
        raise RowError(path=record.path, line=record.line, field=names[0], message=str(error)) from None


def _required(record: Record, parse: Callable[[str], object], name: str):
    value = _value(record, parse, name)
    if value is None:
        raise RowError(path=record.path, line=record.line, field=name, message="missing value")
    return value


def _lap(record: Record, timing_file: TimingFile) -> list[dict]:
    values = {
        "car_number": _required(record, parse_int, "NUMBER"),
        "car_group": record.get("GROUP"),
        "driver_number": _value(record, parse_int, "DRIVER_NUMBER"),
        "lap_number": _required(record, parse_int, "LAP_NUMBER"),
        "lap_time_s": _value(record, parse_duration, "LAP_TIME"),
        "lap_improvement": _value(record, parse_int, "LAP_IMPROVEMENT"),
        "crossing_finish_line_in_pit": bool(record.get("CROSSING_FINISH_LINE_IN_PIT")),
        # S1_SECONDS is the plain-seconds twin of S1 (m:ss.sss); the first one present wins.
        "s1_s": _value(record, parse_duration, "S1_SECONDS", "S1"),
        "s2_s": _value(record, parse_duration, "S2_SECONDS", "S2"),
        "s3_s": _value(record, parse_duration, "S3_SECONDS", "S3"),
        "kph": _value(record, parse_float, "KPH"),
        "elapsed_s": _value(record, parse_duration, "ELAPSED"),
        "hour": record.get("HOUR"),
        "top_speed_kph": _value(record, parse_float, "TOP_SPEED"),
        "pit_time_s": _value(record, parse_duration, "PIT_TIME"),
        "car_class": record.get("CLASS"),
        "manufacturer": record.get("MANUFACTURER"),
        "flag": record.get("FLAG_AT_FL"),
    }
    # Sonoma's exports name the intermediates INT-1 / INT-2 instead of IM1 / IM2.
    for point, names in (
        ("im1a", ("IM1a",)),
        ("im1", ("IM1", "INT-1")),
        ("im2a", ("IM2a",)),
        ("im2", ("IM2", "INT-2")),
        ("im3a", ("IM3a",)),
        ("fl", ("FL",)),
    ):
        values[f"{point}_s"] = _value(record, parse_duration, *(f"{name}_time" for name in names))
        values[f"{point}_elapsed_s"] = _value(record, parse_duration, *(f"{name}_elapsed" for name in names))
    return [values]


def _result(record: Record, timing_file: TimingFile) -> list[dict]:
    gap_first_s, gap_first_laps = _value(record, parse_gap, "GAP_FIRST")
    gap_previous_s, gap_previous_laps = _value(record, parse_gap, "GAP_PREVIOUS")
    return [
        {
            "position": _value(record, parse_int, "POSITION"),
            "car_number": _required(record, parse_int, "NUMBER"),
            "car_group": record.get("GROUP"),
            "status": record.require("STATUS"),
            "laps": _value(record, parse_int, "LAPS"),
            "total_time_s": _value(record, parse_duration, "TOTAL_TIME"),
            "gap_first": record.get("GAP_FIRST"),
            "gap_first_s": gap_first_s,
            "gap_first_laps": gap_first_laps,
            "gap_previous": record.get("GAP_PREVIOUS"),
            "gap_previous_s": gap_previous_s,
            "gap_previous_laps": gap_previous_laps,
            "fastest_lap_number": _value(record, parse_int, "FL_LAPNUM"),
            "fastest_lap_s": _value(record, parse_duration, "FL_TIME"),
            "fastest_lap_kph": _value(record, parse_float, "FL_KPH"),
            "car_class": record.get("CLASS"),
            "division": record.get("DIVISION"),
            "vehicle": record.get("VEHICLE"),
            "driver_first_name": record.get("DRIVER_FIRSTNAME"),
            "driver_last_name": record.get("DRIVER_SECONDNAME"),
        }
    ]


def _qualifying(record: Record, timing_file: TimingFile) -> list[dict]:
    return [
        {
            "position": _value(record, parse_int, "POS"),
            "car_number": _required(record, parse_int, "NUMBER"),
            "car_group": record.get("GROUP"),
            "best_lap_number": _value(record, parse_int, "LAP"),
            "best_lap_s": _value(record, parse_duration, "TIME"),
            "gap_first_s": _value(record, parse_gap, "GAP_FIRST")[0],
            "gap_previous_s": _value(record, parse_gap, "GAP_PREVIOUS")[0],
            "kph": _value(record, parse_float, "KPH"),
            "laps": _value(record, parse_int, "LAPS"),
            "team": record.get("TEAM"),
            "car_class": record.get("CLASS"),
            "division": record.get("DIVISION"),
            "vehicle": record.get("VEHICLE"),
            "driver_first_name": record.get("DRIVER_FIRSTNAME"),
            "driver_last_name": record.get("DRIVER_SECONDNAME"),
            "driver_country": record.get("DRIVER_COUNTRY"),
        }
    ]


def _best_laps(record: Record, timing_file: TimingFile) -> list[dict]:
    """One row per ranked lap; a car with fewer than ten laps has empty BESTLAP_n columns."""
    common = {
        "car_number": _required(record, parse_int, "NUMBER"),
        "vehicle": record.get("VEHICLE"),
        "car_class": record.get("CLASS"),
        "total_driver_laps": _value(record, parse_int, "TOTAL_DRIVER_LAPS"),
        "average_s": _value(record, parse_duration, "AVERAGE"),
    }
    rows = []
    for position in range(1, 11):
        lap_time_s = _value(record, parse_duration, f"BESTLAP_{position}")
        if lap_time_s is not None:
            rows.append(
                {
                    **common,
                    "position": position,
                    "lap_time_s": lap_time_s,
                    "lap_number": _value(record, parse_int, f"BESTLAP_{position}_LAPNUM"),
                }
            )
    return rows


def _lap_event(record: Record, timing_file: TimingFile) -> list[dict]:
    vehicle_id = record.require("vehicle_id")
    return [
        {
            "kind": timing_file.scope["kind"],
            "vehicle_id": vehicle_id,
            "original_vehicle_id": record.get("original_vehicle_id"),
            "car_number": car_number_from_vehicle(vehicle_number=record.get("vehicle_number"), vehicle_id=vehicle_id),
            "lap": _value(record, parse_int, "lap"),
            "outing": _value(record, parse_int, "outing"),
            "value": record.get("value"),
            "timestamp": _required(record, parse_timestamp, "timestamp"),
            "meta_time": _value(record, parse_timestamp, "meta_time"),
            "meta_event": record.get("meta_event"),
            "meta_session": record.get("meta_session"),
            "meta_source": record.get("meta_source"),
        }
    ]


_MAPPERS = {
    Lap: (_lap, ("NUMBER", "LAP_NUMBER", "LAP_TIME")),
    Result: (_result, ("POSITION", "NUMBER", "STATUS")),
    Qualifying: (_qualifying, ("POS", "NUMBER", "TIME")),
    BestLap: (_best_laps, ("NUMBER", "BESTLAP_1")),
    LapEvent: (_lap_event, ("vehicle_id", "lap", "timestamp")),
}
