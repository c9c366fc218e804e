"""The refresh itself: read the warehouse, then write tracks, races (dated, rounds in date order),
entries, season statistics, variable values, factor scores and track demand profiles to Postgres
in one transaction, under an advisory lock. On an empty database it also creates the tracks from
the catalogue and the skill model's definition, so timing alone gives a complete service.

Rows are matched by natural key and written only when a value differs (pipeline.legacy_import's
upsert), so a second run over the same warehouse data changes nothing; rows a curator locked
(``is_locked``) are kept and counted. After the commit the API cache is invalidated and the hot
endpoints are warmed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import F

from drivers.models import Driver, DriverSeasonStats, Race, RaceEntry, Track
from drivers.track_catalogue import CATALOGUE, track_for
from factors import learning, scoring
from factors.definitions import model_objects
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)
from pipeline.model_backtest import model_version_backtest
from pipeline.race_entry_match import EntryMatchError
from pipeline.refresh import selectors
from pipeline.refresh.records import entry_links, race_records
from pipeline.refresh.warehouse import RaceKey, warehouse_braking, warehouse_entries, warehouse_race_dates
from pipeline.refresh.warming import api_cache_warm
from pipeline.upsert import ModelCounts, race_entries_sync, rows_sync

logger = logging.getLogger("pipeline.refresh")

# Rounds are moved this far up while the season is put in date order (PositiveSmallIntegerField).
RENUMBERING_OFFSET = 10_000
# Any fixed 64-bit number works: it names the lock, so every refresh_cache run asks for the same one.
ADVISORY_LOCK_KEY = 0x68747472_65667273  # "httrefrs"

ENTRY_FIELDS = {  # RaceEntry field <- warehouse column
    "car_class": "car_class",
    "status": "status",
    "grid_position": "grid",
    "finish_position": "position",
    "laps": "laps",
    "total_time_s": "total_time_s",
    "gap_to_winner": "gap_first",
    "gap_to_previous": "gap_previous",
    "fastest_lap_s": "fastest_lap_s",
    "fastest_lap_number": "fastest_lap_number",
    "fastest_lap_kph": "fastest_lap_kph",
    "qualifying_time_s": "qualifying_time_s",
    "gap_to_pole_s": "gap_to_pole_s",
    "best_lap_s": "best_lap_s",
    "best_s1_s": "best_s1_s",
    "best_s2_s": "best_s2_s",
    "best_s3_s": "best_s3_s",
    "gap_to_fastest_lap_s": "gap_to_fastest_lap_s",
    "gap_to_best_s1_s": "gap_to_best_s1_s",
    "gap_to_best_s2_s": "gap_to_best_s2_s",
    "gap_to_best_s3_s": "gap_to_best_s3_s",
    "avg_lap_s": "avg_lap_s",
    "worst_lap_s": "worst_lap_s",
    "lap_time_std_s": "lap_time_std_s",
}


class RefreshBusy(Exception):
    """Another refresh holds the lock."""


class RefreshError(Exception):
    """The warehouse data cannot be written (nothing was)."""


@dataclass
class RefreshReport:
    season: int
    dry_run: bool = False
    races: list[str] = field(default_factory=list)
    counts: dict[str, ModelCounts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # factor -> (Spearman's rho of new against previous scores, drivers compared)
    correlations: dict[str, tuple[float | None, int]] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)  # variable -> scores computed without it
    backtest: dict = field(default_factory=dict)  # the active version's pooled figures, per method
    warmed: int = 0
    duration_s: float = 0.0  # the transaction: read, compute, write, commit
    warm_s: float = 0.0

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values())


def refresh_run(
    *, season: int, race: RaceKey | None = None, dry_run: bool = False, progress: Callable[[str], None] = logger.info
) -> RefreshReport:
    """Refresh the season (or, with ``race``, that race's entries; statistics and scores always over
    the whole season). Raises RefreshBusy at once when another run holds the lock, RefreshError
    (or a database error) with Postgres unchanged when something cannot be written."""
    started = time.monotonic()
    report = RefreshReport(season=season, dry_run=dry_run)
    with transaction.atomic():
        _lock(progress)
        progress("reading the warehouse")
        rows = warehouse_entries(season=season)
        braking = warehouse_braking(season=season)
        dates = warehouse_race_dates(season=season)
        progress(f"warehouse: {len(rows)} entries, telemetry for {len(braking)} cars")
        written = [row for row in rows if race is None or _race_key(row) == race]
        if race is not None and not written:
            raise RefreshError(f"race {race} is not in the warehouse")
        _model_definition_ensure(season=season, report=report)
        race_ids = _races_write(rows=written, dates=dates, season=season, report=report)
        progress(f"races: {len(race_ids)}")
        _entries_write(rows=written, race_ids=race_ids, report=report)
        progress(f"race entries: {len(written)}")
        rows_sync(
            model=DriverSeasonStats,
            key_fields=("driver_id", "season"),
            report=report,
            keyed_values={
                (driver_id, season): values
                for driver_id, values in selectors.season_stats_values(season=season).items()
            },
        )
        progress("season statistics")
        _scores_write(rows=rows, braking=braking, dates=dates, season=season, report=report)
        progress("variables, factor scores and track demands")
        if dry_run:
            transaction.set_rollback(True)
        elif report.changed:
            transaction.on_commit(lambda: _after_commit(report, progress, started))
    if not report.duration_s:  # else set at the commit, before warming
        report.duration_s = time.monotonic() - started
    return report


def _lock(progress: Callable[[str], None]) -> None:
    # Transaction-level: released by commit or rollback, and by the server when the process dies.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RefreshBusy("another refresh_cache run is in progress")
    progress("lock taken")


def _race_key(row: dict) -> RaceKey:
    return RaceKey(season=row["season"], track=row["track"], race_number=row["race_number"])


def _model_definition_ensure(*, season: int, report: RefreshReport) -> None:
    """On a database without any skill model, create the project's definition (factors, variables
    and an active version for the season); a curated or imported model is left alone."""
    if Factor.objects.exists() or ModelVersion.objects.exists():
        return
    factors, variables, version, coefficients = model_objects(season=season)
    Factor.objects.bulk_create(factors)
    Variable.objects.bulk_create(variables)
    version.pk = None  # let the sequence number it, as every later version will be
    version.save()
    for coefficient in coefficients:
        coefficient.pk, coefficient.model_version = None, version
    ModelCoefficient.objects.bulk_create(coefficients)
    report.notes.append(
        f"no skill model was defined: created the project's definition (version {version.name}, active)"
    )


def _tracks_ensure(*, track_ids: set[str], report: RefreshReport) -> None:
    """Create the tracks PostgreSQL does not know yet: every catalogue track (so a race can be
    predicted before the series first races there) and any other track the timing names."""
    track_ids = track_ids | set(CATALOGUE)
    counts = report.counts.setdefault("Tracks", ModelCounts())
    known = set(Track.objects.filter(id__in=track_ids).values_list("id", flat=True))
    for track_id in sorted(track_ids - known):
        track, catalogued = track_for(track_id)
        track.full_clean()
        track.save()
        counts.created += 1
        if not catalogued:
            report.notes.append(
                f"track {track_id!r} is not in the track catalogue: created with its timing id as its name; "
                "curators: complete its name, location and length in the admin"
            )


def _races_write(
    *, rows: list[dict], dates: dict[tuple[str, int], date], season: int, report: RefreshReport
) -> dict[RaceKey, int]:
    """Upsert the races with their dates, and number the season's events (the races at one track)
    in date order: an event's round follows the first day of its races; events without a date
    come after the dated ones, in the order of their rounds so far."""
    keys = list(dict.fromkeys(_race_key(row) for row in rows))
    _tracks_ensure(track_ids={k.track for k in keys}, report=report)
    stored = {(r.track_id, r.race_number): r for r in Race.objects.filter(season=season)}
    races = {(k.track, k.race_number) for k in keys} | set(stored)
    date_of = {race: dates.get(race) or (stored[race].date if race in stored else None) for race in races}
    events: dict[str, tuple] = {}
    for track in {track for track, _ in races}:
        first = min((d for (t, _), d in date_of.items() if t == track and d is not None), default=None)
        stored_round = min((r.round for (t, _), r in stored.items() if t == track), default=None)
        events[track] = (first is None, first or date.min, stored_round is None, stored_round or 0, track)
    rounds = {track: number for number, track in enumerate(sorted(events, key=events.get), start=1)}
    moving = [race.pk for (track, _), race in stored.items() if race.round != rounds[track]]
    if moving:
        # Out of the way first: one race per (round, race number) holds at every row written.
        Race.objects.filter(pk__in=moving).update(round=F("round") + RENUMBERING_OFFSET)
    values = {
        (season, track, number): {"round": rounds[track], "date": date_of[track, number]} for track, number in races
    }
    ids = rows_sync(model=Race, key_fields=("season", "track_id", "race_number"), keyed_values=values, report=report)
    report.races = [str(key) for key in keys]
    return {key: ids[key.season, key.track, key.race_number] for key in keys}


def _name_key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _entries_write(*, rows: list[dict], race_ids: dict[RaceKey, int], report: RefreshReport) -> None:
    """Upsert the entries, each linked to the Driver of its car number when the number is the
    car's alone in the race (a Driver is created for a number not known yet). Two cars sharing a
    number are told apart by their timing names: an entry is linked to the Driver of that name (the
    number's own Driver, or another, created without a number when new). An entry without a name of
    its own takes the name its car number and group carry in the season's other races. What still
    has no name is left unlinked, with a note, and listed in the admin; never merged."""
    numbers = {row["car_number"] for row in rows}
    known = {d.number: d for d in Driver.objects.filter(number__in=numbers)}
    new_names: dict[int, str] = {}  # a new Driver takes the first name the timing gives its number
    for row in rows:
        if row["car_number"] not in known and row["same_number"] == 1 and not new_names.get(row["car_number"]):
            new_names[row["car_number"]] = _timing_name(row)
    driver_values = {number: {} for number in known} | {n: {"name": name} for n, name in new_names.items()}
    driver_ids = rows_sync(model=Driver, key_fields=("number",), keyed_values=driver_values, report=report)
    names = {number: _name_key(driver.name) for number, driver in known.items()}
    names |= {number: _name_key(name) for number, name in new_names.items()}
    group_names = _shared_number_names(rows)
    values = {}
    for row in rows:
        number = row["car_number"]
        _entry_validate(row=row, seen=values.keys(), race_id=race_ids[_race_key(row)])
        if row["same_number"] == 1:
            driver_id = driver_ids.get(number)
        else:
            timing_name = _timing_name(row) or group_names.get((number, row["car_group"]), "")
            if not _name_key(timing_name):
                driver_id = None
                report.notes.append(
                    f"{_race_key(row)} car {number} {row['car_group'] or '(no group)'}: the number "
                    "is shared in this race and the timing names neither car: not linked"
                )
            elif names.get(number) == _name_key(timing_name):
                driver_id = driver_ids[number]
            else:
                driver_id = _driver_by_name(timing_name, report=report)
        values[race_ids[_race_key(row)], number, row["car_group"]] = {
            "driver_id": driver_id,
            **{name: row[column] for name, column in ENTRY_FIELDS.items()},
        }
    try:
        race_entries_sync(entries=values, regroup=True, report=report)
    except EntryMatchError as exc:
        raise RefreshError(f"warehouse: {exc}") from exc
    stale = RaceEntry.objects.filter(race_id__in=race_ids.values()).count() - len(values)
    if stale:
        report.notes.append(f"{stale} entries of these races are not in the warehouse's classification: kept")


def _timing_name(row: dict) -> str:
    # Timing marks some names (Kos*); the name is what is left of letters, spaces and hyphens.
    return re.sub(r"[^\w\s'-]", "", f"{row['first_name']} {row['last_name']}").strip()


def _shared_number_names(rows: list[dict]) -> dict[tuple[int, str], str]:
    """(car number, group) -> the one name the season's timing gives that car where its number is
    shared (e.g. car 3 "Legends" is Jason Kos at COTA, whose qualifying names him)."""
    seen: dict[tuple[int, str], set[str]] = {}
    for row in rows:
        if row["same_number"] > 1 and _name_key(name := _timing_name(row)):
            seen.setdefault((row["car_number"], row["car_group"]), set()).add(name)
    return {key: next(iter(found)) for key, found in seen.items() if len({_name_key(n) for n in found}) == 1}


def _driver_by_name(name: str, *, report: RefreshReport) -> int:
    """The Driver of that name (whatever their number), created without a number when there is none."""
    key = _name_key(name)
    for driver_id, stored in Driver.objects.values_list("pk", "name"):
        if _name_key(stored) == key:
            return driver_id
    report.counts.setdefault("Drivers", ModelCounts()).created += 1
    return Driver.objects.create(name=name).pk


def _entry_validate(*, row: dict, seen, race_id: int) -> None:
    """Raise RefreshError naming the warehouse record and field of a value PostgreSQL must not take."""
    where = f"warehouse: {_race_key(row)} car {row['car_number']} group {row['car_group']!r}"
    if (race_id, row["car_number"], row["car_group"]) in seen:
        raise RefreshError(f"{where}: classified twice (telemetry_result)")
    for field_name, table in (("position", "telemetry_result"), ("grid", "telemetry_qualifying position")):
        if row[field_name] is not None and row[field_name] < 1:
            raise RefreshError(f"{where}: {table}: {row[field_name]} is not a position (1 or more)")


def _scores_write(
    *, rows: list[dict], braking: dict[tuple, float], dates: dict, season: int, report: RefreshReport
) -> None:
    """Variable values, factor scores and track demand profiles learned from the drivers' results
    in the warehouse, under the active model version (skipped, with a note, when none is active or
    it ranks another season)."""
    version = selectors.active_model_version()
    if version is None or version.season != season:
        report.notes.append("variables and factor scores not recomputed: no active model version for this season")
        return
    variables, unknown = selectors.model_variables(version=version)
    if unknown:
        report.notes.append(f"variables without a definition here, left as they are: {', '.join(unknown)}")
    races = race_records(rows=rows, braking=braking, links=entry_links(season=season), dates=dates)
    # Only results linked to a driver are scored (an unlinked entry is listed for the curators).
    linked = [
        learning.RaceRecord(
            key=r.key, track=r.track, date=r.date, results=tuple(x for x in r.results if isinstance(x.driver, int))
        )
        for r in races
    ]
    fit = learning.races_fit(races=linked, variables=variables, prior_observations=version.demand_prior_results)
    values, scores = fit.values, fit.scores
    for spec in variables:
        report.left_out[spec.id] = sum(1 for by_variable in values.values() if by_variable[spec.id].weight == 0)
    previous = selectors.factor_scores_by_driver()
    for factor in dict.fromkeys(spec.factor_id for spec in variables):
        pairs = [
            (previous[driver][factor], by_factor[factor].score)
            for driver, by_factor in scores.items()
            if factor in by_factor and factor in previous.get(driver, {})
        ]
        report.correlations[factor] = (scoring.spearman(pairs), len(pairs))
    rows_sync(
        model=DriverVariableValue,
        key_fields=("driver_id", "variable_id"),
        report=report,
        keyed_values={
            (driver_id, name): vars(value)
            for driver_id, by_variable in values.items()
            for name, value in by_variable.items()
        },
    )
    rows_sync(
        model=DriverFactorScore,
        key_fields=("driver_id", "factor_id"),
        report=report,
        keyed_values={
            (driver_id, factor): {
                "score": s.score,
                "percentile": s.percentile,
                "z_score": s.z_score,
                "variables_left_out": sorted(
                    spec.id for spec in variables if spec.factor_id == factor and values[driver_id][spec.id].weight == 0
                ),
            }
            for driver_id, by_factor in scores.items()
            for factor, s in by_factor.items()
        },
    )
    _demands_write(demands=fit.demands, factors=list(dict.fromkeys(s.factor_id for s in variables)), report=report)
    # The race model learns its race-day noise from the walk-forward backtest: run on every refresh,
    # so a new race moves it, and the version's figures stay current for the admin.
    report.backtest = model_version_backtest(version=version, races=races).pooled


def _demands_write(*, demands, factors: list[str], report: RefreshReport) -> None:
    """Every track's demand profile: learned from its results, or the all-track profile for a track
    without enough of them. A curator's locked demand is kept, and so is that track's R²."""
    tracks = list(Track.objects.values_list("id", flat=True))
    locked = set(TrackDemand.objects.filter(is_locked=True).values_list("track_id", flat=True))
    rows_sync(
        model=TrackDemand,
        key_fields=("track_id", "factor_id"),
        report=report,
        keyed_values={
            (track, factor): {"demand": round(demands.for_track(track).demands[factor], 4)}
            for track in tracks
            for factor in factors
        },
    )
    rows_sync(
        model=Track,
        key_fields=("id",),
        report=report,
        keyed_values={
            track: {"demand_r_squared": demands.by_track[track].r_squared if track in demands.by_track else None}
            for track in tracks
            if track not in locked
        },
    )


def _after_commit(report: RefreshReport, progress: Callable[[str], None], started: float) -> None:
    committed = time.monotonic()
    report.duration_s = committed - started
    progress("committed")  # the data version moved on in the refresh's transaction (hackthetrack.data_version)
    try:
        report.warmed = api_cache_warm()
    except Exception:  # the refresh is committed; a cold cache only costs the first requests
        logger.exception("warming the API cache failed")
        report.notes.append("warming the API cache failed (see the log); the refresh is committed")
    report.warm_s = time.monotonic() - committed
    progress(f"{report.warmed} API answers warmed")
