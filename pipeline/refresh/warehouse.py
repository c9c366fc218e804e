"""Reads of the refresh: the warehouse aggregates laps, results and qualifying into one row per
race entry (and telemetry into one braking figure per car and race). Rows come back in proportion
to the entries, never the laps or samples.

An entry is (season, track, race_number, car_number, car_group), the classification's identity.
Laps and qualifying rows are matched to an entry by car number when the race has that number once,
else by number and group; a match that stays ambiguous (two drivers' laps under one key, two
qualifying rows) leaves the derived fields empty rather than mixing two drivers.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connections

from hackthetrack.routers import WAREHOUSE
from telemetry.selectors import BRAKE_ON_BAR, RaceKey  # noqa: F401 (RaceKey: the refresh's too)

# A lap counts for lap-time statistics and the model variables (a "green racing lap") when the
# flag at its line and at the line before were green (FLAG_AT_FL = GF): so neither the start
# (lap 1) nor a restart lap run partly behind the safety car counts; pit in- and out-laps neither.
GREEN = "GF"
CLASSIFIED = "Classified"
TOP_LAPS = 10  # avg_top10_pace: the ten best green laps
STINT_LAPS = 5  # early/late pace: the first and last five green laps
# Braking: a sample brakes above BRAKE_ON_BAR (telemetry's rule); onsets are grouped into zones of
# this many metres of lap distance, and a zone counts when a car braked there on this many laps.
BRAKE_ZONE_M = 100.0
BRAKE_ZONE_MIN_LAPS = 3

ENTRY_VARIABLES = (
    "qualifying_pace",
    "best_race_lap",
    "avg_top10_pace",
    "stint_consistency",
    "sector_consistency",
    "positions_gained",
    "position_changes",
    "early_vs_late_pace",
    "late_stint_perf",
)


def _in_season(*, alias: str, season: int) -> tuple[str, list]:
    return f"{alias}.season = %s", [season]


def _fetch(sql: str, params: list) -> list[dict]:
    with connections[WAREHOUSE].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0].lower() for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


_PER_RACE = "PARTITION BY season, track, race_number"
_ENTRY = "season, track, race_number, car_number, car_group"


def warehouse_entries(*, season: int) -> list[dict]:
    """Every classified car of the season's races, one row each: the
    classification, grid and qualifying from the race's qualifying, best lap and sectors and
    their gaps to the race's bests, lap-time statistics and the per-race model variables over
    green racing laps. One query."""
    where_r, params_r = _in_season(alias="r", season=season)
    where_q, params_q = _in_season(alias="q", season=season)
    where_l, params_l = _in_season(alias="l", season=season)
    sql = f"""
        WITH res AS (
            SELECT r.*, COUNT(*) OVER (PARTITION BY r.season, r.track, r.race_number, r.car_number) AS same_number
            FROM telemetry_result r WHERE {where_r}
        ), qual AS (
            SELECT q.season, q.track, q.race_number, q.car_number, q.car_group, q.position, q.best_lap_s,
                   q.driver_first_name, q.driver_last_name,
                   COUNT(*) OVER (PARTITION BY q.season, q.track, q.race_number, q.car_number) AS same_number,
                   COUNT(*) OVER (PARTITION BY q.season, q.track, q.race_number, q.car_number, q.car_group)
                       AS same_group,
                   MIN(q.best_lap_s) OVER (PARTITION BY q.season, q.track, q.race_number) AS pole_s
            FROM telemetry_qualifying q WHERE {where_q}
        ), entry_qual AS (
            SELECT res.season, res.track, res.race_number, res.car_number, res.car_group,
                   IFF(COUNT(*) = 1, MIN(qual.position), NULL) AS grid,
                   IFF(COUNT(*) = 1, MIN(qual.best_lap_s), NULL) AS qualifying_s,
                   IFF(COUNT(*) = 1, MIN(qual.pole_s), NULL) AS pole_s,
                   IFF(COUNT(*) = 1, MIN(qual.driver_first_name), '') AS first_name,
                   IFF(COUNT(*) = 1, MIN(qual.driver_last_name), '') AS last_name
            FROM res JOIN qual ON qual.season = res.season AND qual.track = res.track
                AND qual.race_number = res.race_number AND qual.car_number = res.car_number
                AND ((res.same_number = 1 AND qual.same_number = 1)
                     OR (qual.car_group = res.car_group AND qual.same_group = 1))
            GROUP BY res.season, res.track, res.race_number, res.car_number, res.car_group
        ), laps AS (
            SELECT l.season, l.track, l.race_number, l.car_number, res.car_group, l.lap_number, l.lap_time_s,
                   l.s1_s, l.s2_s, l.s3_s, l.elapsed_s,
                   l.flag = '{GREEN}' AND COALESCE(LAG(l.flag) OVER (PARTITION BY l.season, l.track, l.race_number,
                       l.car_number, l.car_group ORDER BY l.lap_number), '') = '{GREEN}'
                       AND NOT l.crossing_finish_line_in_pit AND l.pit_time_s IS NULL
                       AND l.lap_time_s IS NOT NULL AS green
            FROM telemetry_lap l JOIN res ON res.season = l.season AND res.track = l.track
                AND res.race_number = l.race_number AND res.car_number = l.car_number
                AND (res.same_number = 1 OR res.car_group = l.car_group)
            WHERE {where_l}
        ), positioned AS (
            SELECT laps.*,
                   RANK() OVER (PARTITION BY season, track, race_number, lap_number ORDER BY elapsed_s) AS lap_position,
                   ROW_NUMBER() OVER (PARTITION BY {_ENTRY}, green ORDER BY lap_time_s, lap_number) AS fastest_rank,
                   ROW_NUMBER() OVER (PARTITION BY {_ENTRY}, green ORDER BY lap_number) AS early_rank,
                   ROW_NUMBER() OVER (PARTITION BY {_ENTRY}, green ORDER BY lap_number DESC) AS late_rank
            FROM laps
        ), moves AS (
            SELECT positioned.*, ABS(lap_position - LAG(lap_position) OVER (PARTITION BY {_ENTRY}
                ORDER BY lap_number)) AS places_moved
            FROM positioned
        ), lap_stats AS (
            SELECT {_ENTRY},
                   COUNT(*) = COUNT(DISTINCT lap_number) AS unambiguous,
                   MIN(lap_time_s) AS best_lap_s, MIN(s1_s) AS best_s1_s, MIN(s2_s) AS best_s2_s,
                   MIN(s3_s) AS best_s3_s,
                   COUNT_IF(green) AS green_laps,
                   AVG(IFF(green, lap_time_s, NULL)) AS avg_lap_s,
                   MAX(IFF(green, lap_time_s, NULL)) AS worst_lap_s,
                   STDDEV_SAMP(IFF(green, lap_time_s, NULL)) AS lap_time_std_s,
                   MIN(IFF(green, lap_time_s, NULL)) AS best_green_s,
                   AVG(IFF(green AND fastest_rank <= {TOP_LAPS}, lap_time_s, NULL)) AS top10_s,
                   AVG(IFF(green AND early_rank <= {STINT_LAPS}, lap_time_s, NULL)) AS early_s,
                   AVG(IFF(green AND late_rank <= {STINT_LAPS}, lap_time_s, NULL)) AS late_s,
                   (STDDEV_SAMP(IFF(green, s1_s, NULL)) + STDDEV_SAMP(IFF(green, s2_s, NULL))
                    + STDDEV_SAMP(IFF(green, s3_s, NULL))) / 3 AS sector_std_s,
                   SUM(places_moved) AS position_changes
            FROM moves GROUP BY {_ENTRY}
        ), entries AS (
            SELECT res.season, res.track, res.race_number, res.car_number, res.car_group, res.position,
                   res.status, res.laps, res.total_time_s, res.gap_first, res.gap_previous, res.fastest_lap_s,
                   res.fastest_lap_number, res.fastest_lap_kph, res.car_class, res.same_number,
                   COALESCE(NULLIF(res.driver_first_name, ''), eq.first_name, '') AS first_name,
                   COALESCE(NULLIF(res.driver_last_name, ''), eq.last_name, '') AS last_name,
                   eq.grid, eq.qualifying_s, eq.pole_s,
                   IFF(ls.unambiguous, ls.best_lap_s, NULL) AS best_lap_s,
                   IFF(ls.unambiguous, ls.best_s1_s, NULL) AS best_s1_s,
                   IFF(ls.unambiguous, ls.best_s2_s, NULL) AS best_s2_s,
                   IFF(ls.unambiguous, ls.best_s3_s, NULL) AS best_s3_s,
                   IFF(ls.unambiguous, ls.avg_lap_s, NULL) AS avg_lap_s,
                   IFF(ls.unambiguous, ls.worst_lap_s, NULL) AS worst_lap_s,
                   IFF(ls.unambiguous, ls.lap_time_std_s, NULL) AS lap_time_std_s,
                   IFF(ls.unambiguous, ls.best_green_s, NULL) AS best_green_s,
                   IFF(ls.unambiguous AND ls.green_laps >= {TOP_LAPS}, ls.top10_s, NULL) AS top10_s,
                   IFF(ls.unambiguous AND ls.green_laps >= 2 * {STINT_LAPS}, ls.early_s, NULL) AS early_s,
                   IFF(ls.unambiguous AND ls.green_laps >= 2 * {STINT_LAPS}, ls.late_s, NULL) AS late_s,
                   IFF(ls.unambiguous, ls.sector_std_s, NULL) AS sector_std_s,
                   IFF(ls.unambiguous, ls.position_changes, NULL) AS position_changes
            FROM res
            LEFT JOIN entry_qual eq ON eq.season = res.season AND eq.track = res.track
                AND eq.race_number = res.race_number AND eq.car_number = res.car_number
                AND eq.car_group = res.car_group
            LEFT JOIN lap_stats ls ON ls.season = res.season AND ls.track = res.track
                AND ls.race_number = res.race_number AND ls.car_number = res.car_number
                AND ls.car_group = res.car_group
        ), bests AS (
            SELECT entries.*,
                   MIN(best_lap_s) OVER ({_PER_RACE}) AS race_best_lap_s,
                   MIN(best_s1_s) OVER ({_PER_RACE}) AS race_best_s1_s,
                   MIN(best_s2_s) OVER ({_PER_RACE}) AS race_best_s2_s,
                   MIN(best_s3_s) OVER ({_PER_RACE}) AS race_best_s3_s,
                   MIN(best_green_s) OVER ({_PER_RACE}) AS race_best_green_s,
                   MIN(IFF(status = '{CLASSIFIED}', top10_s, NULL)) OVER ({_PER_RACE}) AS race_best_top10_s,
                   MIN(IFF(status = '{CLASSIFIED}', late_s, NULL)) OVER ({_PER_RACE}) AS race_best_late_s
            FROM entries
        )
        SELECT season, track, race_number, car_number, car_group, position, status, laps, total_time_s,
               gap_first, gap_previous, fastest_lap_s, fastest_lap_number, fastest_lap_kph, car_class,
               same_number, first_name, last_name, grid,
               ROUND(qualifying_s, 3)::FLOAT AS qualifying_time_s,
               ROUND(qualifying_s - pole_s, 3)::FLOAT AS gap_to_pole_s,
               ROUND(best_lap_s, 3)::FLOAT AS best_lap_s, ROUND(best_s1_s, 3)::FLOAT AS best_s1_s,
               ROUND(best_s2_s, 3)::FLOAT AS best_s2_s, ROUND(best_s3_s, 3)::FLOAT AS best_s3_s,
               ROUND(best_lap_s - race_best_lap_s, 3)::FLOAT AS gap_to_fastest_lap_s,
               ROUND(best_s1_s - race_best_s1_s, 3)::FLOAT AS gap_to_best_s1_s,
               ROUND(best_s2_s - race_best_s2_s, 3)::FLOAT AS gap_to_best_s2_s,
               ROUND(best_s3_s - race_best_s3_s, 3)::FLOAT AS gap_to_best_s3_s,
               ROUND(avg_lap_s, 3)::FLOAT AS avg_lap_s, ROUND(worst_lap_s, 3)::FLOAT AS worst_lap_s,
               ROUND(lap_time_std_s, 4)::FLOAT AS lap_time_std_s,
               ROUND(100 * (qualifying_s - pole_s) / pole_s, 4)::FLOAT AS qualifying_pace,
               ROUND(100 * (best_green_s - race_best_green_s) / race_best_green_s, 4)::FLOAT AS best_race_lap,
               ROUND(100 * (top10_s - race_best_top10_s) / race_best_top10_s, 4)::FLOAT AS avg_top10_pace,
               ROUND(lap_time_std_s, 4)::FLOAT AS stint_consistency,
               ROUND(sector_std_s, 4)::FLOAT AS sector_consistency,
               grid - position AS positions_gained,
               position_changes,
               ROUND(late_s - early_s, 4)::FLOAT AS early_vs_late_pace,
               ROUND(100 * (late_s - race_best_late_s) / race_best_late_s, 4)::FLOAT AS late_stint_perf
        FROM bests ORDER BY season, track, race_number, position NULLS LAST, car_number, car_group
    """
    return _fetch(sql, [*params_r, *params_q, *params_l])


def warehouse_braking(*, season: int) -> dict[tuple, float]:
    """Braking consistency per (season, track, race_number, car_number) with telemetry: the
    lap-to-lap standard deviation (metres) of where braking starts, averaged over the car's braking
    zones. Cars whose number is shared in the race are left out (samples carry no group)."""
    where_s, params_s = _in_season(alias="s", season=season)
    rows = _fetch(
        f"""
        WITH samples AS (
            SELECT s.season, s.track, s.race_number, s.car_number, s.lap, s.lap_distance_m,
                   s.brake_front_bar > {BRAKE_ON_BAR} AS braking,
                   LAG(s.brake_front_bar > {BRAKE_ON_BAR}) OVER (PARTITION BY s.season, s.track, s.race_number,
                       s.car_number, s.lap ORDER BY s.timestamp, s.line) AS was_braking
            FROM telemetry_sample s WHERE {where_s} AND s.lap_distance_m IS NOT NULL
        ), zones AS (
            SELECT season, track, race_number, car_number, FLOOR(lap_distance_m / {BRAKE_ZONE_M}) AS zone,
                   STDDEV_SAMP(lap_distance_m) AS spread_m
            FROM samples WHERE braking AND NOT COALESCE(was_braking, TRUE)
            GROUP BY season, track, race_number, car_number, zone
            HAVING COUNT(DISTINCT lap) >= {BRAKE_ZONE_MIN_LAPS}
        )
        SELECT season, track, race_number, car_number, ROUND(AVG(spread_m), 3)::FLOAT AS braking_consistency
        FROM zones GROUP BY season, track, race_number, car_number
        """,
        params_s,
    )
    return {(r["season"], r["track"], r["race_number"], r["car_number"]): r["braking_consistency"] for r in rows}


def warehouse_race_dates(*, season: int) -> dict[tuple[str, int], date]:
    """Per (track, race_number) of the season: the day (UTC) most of the race's lap-timing events
    carry. The loggers' clocks stray now and then (a Sonoma race has events on the day before), so
    the most common day wins; on a tie the earlier. Races without lap timing have no date."""
    where, params = _in_season(alias="e", season=season)
    rows = _fetch(
        f"""
        SELECT e.track, e.race_number, TO_DATE(e.timestamp) AS day, COUNT(*) AS events
        FROM telemetry_lap_event e WHERE {where}
        GROUP BY e.track, e.race_number, TO_DATE(e.timestamp)
        """,
        params,
    )
    best: dict[tuple[str, int], tuple[int, date]] = {}
    for row in rows:
        key, day = (row["track"], row["race_number"]), row["day"]
        if isinstance(day, datetime):  # a driver may type DATE as a timestamp
            day = day.date()
        candidate = (-row["events"], day)
        if key not in best or candidate < best[key]:
            best[key] = candidate
    return {key: day for key, (_, day) in best.items()}
