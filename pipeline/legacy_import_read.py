"""Read and validate the legacy application's six JSON stores into rows for the models.

Nothing here touches the database: ``read_legacy_stores(directory)`` either returns every row the
import will write, keyed by natural keys, or raises LegacyDataError naming file, record and field.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from drivers.race_times import parse_race_time
from factors.definitions import FINISH_COEFFICIENTS, FINISH_INTERCEPT, WEIGHTS
from pipeline.legacy_json import (
    LegacyDataError,
    Location,
    integer,
    load_json,
    mapping,
    number,
    number_key,
    sequence,
    text,
)

# The legacy stores carry no season: they are the 2025 season.
LEGACY_SEASON = 2025

# dashboardData.json names two factors differently from every other store.
DASHBOARD_FACTOR_IDS = {
    "raw_speed": "speed",
    "consistency": "consistency",
    "racecraft": "racecraft",
    "tire_mgmt": "tire_management",
}

# The legacy model's coefficients lived in its code, not in its data: they are the model's
# definitions (factors.definitions). The finish coefficients are stored negative: finish =
# intercept + sum(coefficient * z) then falls (improves) as a skill rises; the legacy code added them
# with a positive sign, predicting worse finishes for better drivers.
LEGACY_MODEL_NAME = "legacy-2025"

FILES = (
    "dashboardData.json",
    "track_layouts.json",
    "driver_factors.json",
    "factor_breakdowns.json",
    "driver_season_stats.json",
    "driver_race_results.json",
)


@dataclass
class LegacyRows:
    """Field values per model, keyed by each row's natural key; foreign keys by natural key too."""

    drivers: dict[int, dict] = field(default_factory=dict)
    tracks: dict[str, dict] = field(default_factory=dict)
    corners: dict[tuple[str, int], dict] = field(default_factory=dict)
    races: dict[tuple[int, str, int], dict] = field(default_factory=dict)
    entries: dict[tuple[tuple[int, str, int], int, str], dict] = field(default_factory=dict)
    season_stats: dict[tuple[int, int], dict] = field(default_factory=dict)
    factors: dict[str, dict] = field(default_factory=dict)
    variables: dict[str, dict] = field(default_factory=dict)
    track_demands: dict[tuple[str, str], dict] = field(default_factory=dict)
    factor_scores: dict[tuple[int, str], dict] = field(default_factory=dict)
    variable_values: dict[tuple[int, str], dict] = field(default_factory=dict)
    score_components: dict[tuple[int, str, str], dict] = field(default_factory=dict)
    model_version: dict = field(default_factory=dict)
    coefficients: dict[str, dict] = field(default_factory=dict)
    # What the stores hold that is deliberately not stored, said out loud.
    notes: list[str] = field(default_factory=list)


class _DriverNames:
    """Each store's name for each driver number; two different names for one number is an error."""

    def __init__(self):
        self.seen: dict[int, tuple[str, Location]] = {}
        self.numbers: set[int] = set()

    def add(self, driver_number: int, name: str | None, at: Location) -> None:
        self.numbers.add(driver_number)
        if not name:
            return
        if driver_number in self.seen and self.seen[driver_number][0] != name:
            first_name, first_at = self.seen[driver_number]
            raise at.error(
                f"driver {driver_number} is named {name!r} here but {first_name!r} in "
                f"{first_at.file}: {first_at.path}: a car number must not merge two people"
            )
        self.seen.setdefault(driver_number, (name, at))


def read_legacy_stores(directory: Path) -> LegacyRows:
    stores = {name: load_json(directory / name) for name in FILES}
    rows = LegacyRows()
    names = _DriverNames()
    _read_factor_definitions(stores["factor_breakdowns.json"], rows)
    dashboard_scores = _read_dashboard(stores["dashboardData.json"], rows, names)
    _read_layouts(stores["track_layouts.json"], rows)
    _read_driver_factors(stores["driver_factors.json"], rows, names, dashboard_scores)
    _read_factor_breakdowns(stores["factor_breakdowns.json"], rows, names)
    _read_season_stats(stores["driver_season_stats.json"], rows, names)
    _read_race_results(stores["driver_race_results.json"], rows, names)
    for driver_number in sorted(names.numbers):
        rows.drivers[driver_number] = {"name": names.seen.get(driver_number, ("",))[0]}
    for driver_number, (at, _) in sorted(dashboard_scores.items()):
        rows.notes.append(
            f"{at.file}: {at.path}: factor scores of driver {driver_number} not imported: driver_factors.json "
            "has none for this driver (the legacy API did not serve the driver either)"
        )
    return rows


def _top(store, file: str) -> tuple[dict, Location]:
    at = Location(file)
    if not isinstance(store, dict):
        raise at.error("expected a JSON object at the top level")
    return store, at


def _read_factor_definitions(store, rows: LegacyRows) -> None:
    store, at = _top(store, "factor_breakdowns.json")
    definitions = mapping(store, at, "factor_definitions")
    at = at.child("factor_definitions")
    for order, (factor_id, definition) in enumerate(definitions.items(), start=1):
        if factor_id not in WEIGHTS:
            raise at.child(factor_id).error(f"unknown factor {factor_id!r}, expected one of {list(WEIGHTS)}")
        factor_at = at.child(factor_id)
        rows.factors[factor_id] = {
            "display_name": factor_id.replace("_", " ").title(),
            "description": text(definition, factor_at, "explanation"),
            "sort_order": order,
        }
        for variable_order, variable in enumerate(sequence(definition, factor_at, "variables"), start=1):
            variable_at = factor_at.child("variables").child(variable_order - 1)
            variable_id = text(variable, variable_at, "name")
            if variable_id in rows.variables:
                raise variable_at.error(f"variable {variable_id!r} is defined twice", field="name")
            loading = number(variable, variable_at, "loading")
            if not -1 <= loading <= 1:
                raise variable_at.error(f"a loading lies in -1..1, got {loading}", field="loading")
            rows.variables[variable_id] = {
                "factor_id": factor_id,
                "display_name": text(variable, variable_at, "display_name"),
                "description": text(variable, variable_at, "description"),
                "loading": loading,
                "sort_order": variable_order,
            }
    missing = set(WEIGHTS) - set(rows.factors)
    if missing:
        raise at.error(f"factors missing: {sorted(missing)}")


def _read_dashboard(store, rows: LegacyRows, names: _DriverNames) -> dict[int, tuple[Location, dict]]:
    """Tracks, demand profiles, factor display names, model statistics; returns each driver's
    factor block (score, percentile, z_score) by number, for the driver_factors.json cross-check."""
    store, top = _top(store, "dashboardData.json")
    info_at = top.child("factor_info")
    for dashboard_id, info in mapping(store, top, "factor_info").items():
        if dashboard_id not in DASHBOARD_FACTOR_IDS:
            raise info_at.child(dashboard_id).error(f"unknown factor {dashboard_id!r}")
        rows.factors[DASHBOARD_FACTOR_IDS[dashboard_id]]["display_name"] = text(
            info, info_at.child(dashboard_id), "name"
        )

    for index, track in enumerate(sequence(store, top, "tracks")):
        at = top.child("tracks").child(index)
        track_id = text(track, at, "id")
        if track_id in rows.tracks:
            raise at.error(f"track {track_id!r} appears twice", field="id")
        length = text(track, at, "length")
        try:
            value, unit = length.split()
            length_miles = float(value)
            if unit != "miles" or length_miles <= 0:
                raise ValueError
        except ValueError:
            raise at.error(f'expected "<positive number> miles", got {length!r}', field="length") from None
        rows.tracks[track_id] = {
            "name": text(track, at, "name"),
            "location": text(track, at, "location", nullable=True) or "",
            "length_miles": length_miles,
            "description": text(track, at, "description", nullable=True) or "",
            "image": text(track, at, "image", nullable=True) or "",
            "demand_r_squared": number(track, at, "r2", nullable=True),
        }
        demands = mapping(track, at, "demands")
        if set(demands) != set(DASHBOARD_FACTOR_IDS):
            raise at.error(f"expected the keys {sorted(DASHBOARD_FACTOR_IDS)}, got {sorted(demands)}", field="demands")
        for dashboard_id, factor_id in DASHBOARD_FACTOR_IDS.items():
            rows.track_demands[(track_id, factor_id)] = {"demand": number(demands, at.child("demands"), dashboard_id)}

    stats = mapping(store, top, "model_stats")
    stats_at = top.child("model_stats")
    rows.model_version = {
        "description": "The legacy application's model (dashboardData.json model_stats; coefficients from its code).",
        "finish_intercept": FINISH_INTERCEPT,
        "season": LEGACY_SEASON,
        "r_squared": number(stats, stats_at, "r_squared", nullable=True),
        "cv_r_squared": number(stats, stats_at, "cross_val_r_squared", nullable=True),
        "mae": number(stats, stats_at, "mae", nullable=True),
        "races_analyzed": integer(stats, stats_at, "races_analyzed", nullable=True, minimum=0),
    }
    rows.coefficients = {
        factor_id: {"weight": WEIGHTS[factor_id], "finish_coefficient": FINISH_COEFFICIENTS[factor_id]}
        for factor_id in WEIGHTS
    }

    scores: dict[int, tuple[Location, dict]] = {}
    for index, driver in enumerate(sequence(store, top, "drivers")):
        at = top.child("drivers").child(index)
        driver_number = integer(driver, at, "number", minimum=1)
        if driver_number in scores:
            raise at.error(f"driver {driver_number} appears twice", field="number")
        names.add(driver_number, text(driver, at, "name", nullable=True), at)
        factors = mapping(driver, at, "factors")
        block = {}
        for dashboard_id, factor_id in DASHBOARD_FACTOR_IDS.items():
            factor_at = at.child("factors").child(dashboard_id)
            values = mapping(factors, at.child("factors"), dashboard_id)
            block[factor_id] = {
                "score": number(values, factor_at, "score"),
                "percentile": number(values, factor_at, "percentile"),
                "z_score": number(values, factor_at, "z_score", nullable=True),
            }
        scores[driver_number] = (at, block)
    return scores


def _read_layouts(store, rows: LegacyRows) -> None:
    store, top = _top(store, "track_layouts.json")
    for track_id, layout in mapping(store, top, "tracks").items():
        at = top.child("tracks").child(track_id)
        direction = text(layout, at, "direction", nullable=True) or ""
        if direction not in ("", "clockwise", "counterclockwise"):
            raise at.error(f"expected clockwise or counterclockwise, got {direction!r}", field="direction")
        # dashboardData.json names and places the circuits the API serves; a layout only adds to them.
        track = rows.tracks.setdefault(
            track_id,
            {"name": text(layout, at, "name"), "location": text(layout, at, "location", nullable=True) or ""},
        )
        track["length_m"] = integer(layout, at, "track_length_m", nullable=True, minimum=1)
        track["direction"] = direction
        corner_numbers = set()
        for index, corner in enumerate(sequence(layout, at, "corners")):
            corner_at = at.child("corners").child(index)
            corner_number = integer(corner, corner_at, "number", minimum=0)
            if corner_number in corner_numbers:
                raise corner_at.error(f"corner {corner_number} appears twice", field="number")
            corner_numbers.add(corner_number)
            start, apex, exit_ = (
                number(corner, corner_at, name) for name in ("distance_start_m", "distance_apex_m", "distance_exit_m")
            )
            if not start <= apex <= exit_:
                raise corner_at.error(f"expected start <= apex <= exit, got {start}, {apex}, {exit_}")
            rows.corners[(track_id, corner_number)] = {
                "name": text(corner, corner_at, "name", nullable=True) or "",
                "type": text(corner, corner_at, "type", nullable=True) or "",
                "distance_start_m": start,
                "distance_apex_m": apex,
                "distance_exit_m": exit_,
                "speed_class": text(corner, corner_at, "speed_classification", nullable=True) or "",
                "typical_gear": integer(corner, corner_at, "typical_gear", nullable=True, minimum=0),
                "notes": text(corner, corner_at, "notes", nullable=True) or "",
            }


def _read_driver_factors(store, rows: LegacyRows, names: _DriverNames, dashboard_scores: dict) -> None:
    store, top = _top(store, "driver_factors.json")
    for index, driver in enumerate(sequence(store, top, "drivers")):
        at = top.child("drivers").child(index)
        driver_number = integer(driver, at, "driver_number", minimum=1)
        names.add(driver_number, text(driver, at, "driver_name", nullable=True), at)
        dashboard_at, dashboard_block = dashboard_scores.pop(driver_number, (None, {}))
        for factor_id, values in mapping(driver, at, "factors").items():
            factor_at = at.child("factors").child(factor_id)
            if factor_id not in rows.factors:
                raise factor_at.error(f"unknown factor {factor_id!r}")
            if (driver_number, factor_id) in rows.factor_scores:
                raise at.error(f"driver {driver_number} appears twice", field="driver_number")
            score = number(values, factor_at, "score")
            percentile = number(values, factor_at, "percentile")
            for name, value in (("score", score), ("percentile", percentile)):
                if not 0 <= value <= 100:
                    raise factor_at.error(f"expected 0..100, got {value}", field=name)
            dashboard = dashboard_block.get(factor_id)
            if dashboard and (dashboard["score"], dashboard["percentile"]) != (score, percentile):
                raise factor_at.error(
                    f"score {score} / percentile {percentile} disagree with dashboardData.json "
                    f"{dashboard_at.path}: {dashboard['score']} / {dashboard['percentile']}"
                )
            rows.factor_scores[(driver_number, factor_id)] = {
                "score": score,
                "percentile": percentile,
                # The z-score only dashboardData.json has.
                "z_score": dashboard["z_score"] if dashboard else None,
            }
    for index, component in enumerate(sequence(store, top, "detailed_breakdowns")):
        at = top.child("detailed_breakdowns").child(index)
        driver_number = integer(component, at, "driver_number", minimum=1)
        names.numbers.add(driver_number)
        factor_id = text(component, at, "factor_name")
        if factor_id not in rows.factors:
            raise at.error(f"unknown factor {factor_id!r}", field="factor_name")
        key = (driver_number, factor_id, text(component, at, "variable_name"))
        if key in rows.score_components:
            raise at.error(f"driver {key[0]}, {key[1]}/{key[2]} appears twice")
        rows.score_components[key] = {
            "display_name": text(component, at, "variable_display_name", nullable=True) or "",
            **{
                name: number(component, at, name, nullable=True)
                for name in ("raw_value", "normalized_value", "percentile", "weight", "contribution")
            },
        }


def _read_factor_breakdowns(store, rows: LegacyRows, names: _DriverNames) -> None:
    store, top = _top(store, "factor_breakdowns.json")
    for key, breakdown in mapping(store, top, "driver_breakdowns").items():
        driver_number = number_key(key, top.child("driver_breakdowns"))
        at = top.child("driver_breakdowns").child(key)
        names.add(driver_number, text(breakdown, at, "driver_name", nullable=True), at)
        for factor_id, variables in breakdown.items():
            if factor_id == "driver_name":
                continue
            factor_at = at.child(factor_id)
            if factor_id not in rows.factors:
                raise factor_at.error(f"unknown factor {factor_id!r}")
            if not isinstance(variables, dict):
                raise factor_at.error("expected an object of variables")
            for variable_id, values in variables.items():
                variable_at = factor_at.child(variable_id)
                definition = rows.variables.get(variable_id)
                if definition is None or definition["factor_id"] != factor_id:
                    raise variable_at.error(f"{factor_id}/{variable_id} is not in factor_definitions")
                for name in ("display_name", "description"):
                    if text(values, variable_at, name, nullable=True) not in (None, definition[name]):
                        raise variable_at.error("disagrees with factor_definitions", field=name)
                if number(values, variable_at, "loading", nullable=True) not in (None, definition["loading"]):
                    raise variable_at.error("disagrees with factor_definitions", field="loading")
                rows.variable_values[(driver_number, variable_id)] = {
                    "raw_value": number(values, variable_at, "raw_value", nullable=True),
                    "normalized_value": number(values, variable_at, "normalized_value", nullable=True),
                    "percentile": number(values, variable_at, "percentile", nullable=True),
                    # factor_breakdowns.json has no weights; the composition with weights is kept
                    # apart (LegacyScoreComponent), as it normalizes over other drivers.
                    "weight": None,
                    "contribution": None,
                }


SEASON_STATS_FIELDS = {
    "total_races": "races",
    "wins": "wins",
    "podiums": "podiums",
    "top5": "top5",
    "top10": "top10",
    "pole_positions": "poles",
    "fastest_laps": "fastest_laps",
    "dnfs": "dnfs",
}


def _read_season_stats(store, rows: LegacyRows, names: _DriverNames) -> None:
    store, top = _top(store, "driver_season_stats.json")
    for key, stats in mapping(store, top, "data").items():
        driver_number = number_key(key, top.child("data"))
        at = top.child("data").child(key)
        names.numbers.add(driver_number)
        values = {model_field: integer(stats, at, name, minimum=0) for name, model_field in SEASON_STATS_FIELDS.items()}
        ladder = ("wins", "podiums", "top5", "top10")
        for lower, upper in pairwise(ladder):
            if values[lower] > values[upper]:
                raise at.error(f"{lower} ({values[lower]}) exceeds {upper} ({values[upper]})", field=lower)
        values.update(
            avg_finish=number(stats, at, "avg_finish", nullable=True),
            avg_grid=number(stats, at, "avg_qualifying", nullable=True),
            avg_positions_gained=number(stats, at, "avg_positions_gained", nullable=True),
            points=integer(stats, at, "points", nullable=True, minimum=0),
            championship_position=integer(stats, at, "championship_position", nullable=True, minimum=1),
        )
        rows.season_stats[(driver_number, LEGACY_SEASON)] = values


# Result fields kept as seconds: legacy name -> RaceEntry field.
RESULT_TIMES = {
    "fastest_lap": "fastest_lap_s",
    "qualifying_time": "qualifying_time_s",
    "gap_to_pole": "gap_to_pole_s",
    "avg_lap_time": "avg_lap_s",
    "best_lap_time": "best_lap_s",
    "worst_lap_time": "worst_lap_s",
    "gap_to_fastest_lap": "gap_to_fastest_lap_s",
    "driver_s1_best": "best_s1_s",
    "gap_to_s1_best": "gap_to_best_s1_s",
    "driver_s2_best": "best_s2_s",
    "gap_to_s2_best": "gap_to_best_s2_s",
    "driver_s3_best": "best_s3_s",
    "gap_to_s3_best": "gap_to_best_s3_s",
}


def _race_time(record: dict, at: Location, name: str) -> float | None:
    value = text(record, at, name, nullable=True)
    if value is None:
        return None
    try:
        return parse_race_time(value, signed=True)  # times and gaps alike
    except ValueError:
        raise at.error(f"expected a time like 1:38.326, 26.842 or +0.432, got {value!r}", field=name) from None


def _read_race_results(store, rows: LegacyRows, names: _DriverNames) -> None:
    """Races and entries. The stores know no car groups, so every entry has the empty group; the
    legacy ``round`` numbers the races of the season (1..12), ours the events (1..6)."""
    store, top = _top(store, "driver_race_results.json")
    race_at: dict[tuple[int, str, int], Location] = {}
    event_tracks: dict[int, tuple[str, Location]] = {}
    for key, results in mapping(store, top, "data").items():
        driver_number = number_key(key, top.child("data"))
        names.numbers.add(driver_number)
        if not isinstance(results, list):
            raise top.child("data").child(key).error("expected a list of results")
        previous_round = 0
        for index, result in enumerate(results):
            at = top.child("data").child(key).child(index)
            track_id = text(result, at, "track_id")
            if track_id not in rows.tracks:
                raise at.error(f"unknown track {track_id!r}", field="track_id")
            race_number = integer(result, at, "race_number")
            if race_number not in (1, 2):
                raise at.error(f"expected 1 or 2, got {race_number}", field="race_number")
            season_round = integer(result, at, "round", minimum=1)
            if (season_round - race_number) % 2:
                raise at.error(f"round {season_round} cannot be race {race_number} of an event", field="round")
            # The API numbers a driver's results 1, 2, ... in season order, as the legacy did.
            if integer(result, at, "race_id") != index + 1 or season_round <= previous_round:
                raise at.error("results must be in season order with race_id 1, 2, ...", field="race_id")
            previous_round = season_round
            event_round = (season_round + 1) // 2
            known_track, known_at = event_tracks.setdefault(event_round, (track_id, at))
            if known_track != track_id:
                raise at.error(f"round {season_round} is at {known_track!r} in {known_at.path}", field="track_id")
            race_key = (LEGACY_SEASON, track_id, race_number)
            if rows.races.setdefault(race_key, {"round": event_round})["round"] != event_round:
                raise at.error(f"the race was round {rows.races[race_key]['round']} in {race_at[race_key].path}")
            race_at.setdefault(race_key, at)

            grid = integer(result, at, "start_position", nullable=True, minimum=1)
            finish = integer(result, at, "finish_position", nullable=True, minimum=1)
            gained = integer(result, at, "positions_gained", nullable=True)
            expected_gain = grid - finish if grid is not None and finish is not None else None
            if gained != expected_gain:
                raise at.error(f"expected start_position - finish_position = {expected_gain}", field="positions_gained")
            times = {model_field: _race_time(result, at, name) for name, model_field in RESULT_TIMES.items()}
            if text(result, at, "driver_fastest_lap", nullable=True) != text(
                result, at, "best_lap_time", nullable=True
            ):
                raise at.error(
                    "differs from best_lap_time (the API serves one value for both)", field="driver_fastest_lap"
                )
            for name in ("s1_best_time", "s2_best_time", "s3_best_time"):
                if result.get(name) is not None:
                    raise at.error("expected null: these legacy fields were never filled", field=name)
            entry_key = (race_key, driver_number, "")
            if entry_key in rows.entries:
                raise at.error(f"driver {driver_number} has two results in {track_id} race {race_number}")
            rows.entries[entry_key] = {
                "driver_number": driver_number,
                "status": text(result, at, "status"),
                "grid_position": grid,
                "finish_position": finish,
                "laps": integer(result, at, "total_laps", nullable=True, minimum=0),
                "gap_to_winner": text(result, at, "gap_to_winner", nullable=True) or "",
                "lap_time_std_s": number(result, at, "lap_time_std_dev", nullable=True),
                **times,
            }
    _check_unique_positions(rows)


def _check_unique_positions(rows: LegacyRows) -> None:
    """Two cars cannot finish a race in the same place."""
    finishers: dict[tuple, dict[int, int]] = defaultdict(dict)
    for (race_key, car_number, _group), entry in rows.entries.items():
        finish = entry["finish_position"]
        if finish is None:
            continue
        other = finishers[race_key].setdefault(finish, car_number)
        if other != car_number:
            raise LegacyDataError(
                f'driver_race_results.json: data["{car_number}"]: {race_key[1]} race {race_key[2]}: '
                f"finish_position {finish} is also driver {other}'s"
            )
