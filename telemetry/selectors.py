"""Reads of the telemetry API: SQL that aggregates and resamples in the warehouse.

Every function here sends one query (``fastest_laps``: one per race and data version) and gets back
rows in proportion to what the answer shows (cars, laps, distance bins), never the raw samples.
Distance bins use FLOOR (the emulator has no WIDTH_BUCKET). Divisions and averages of integers are
cast to FLOAT (Snowflake would answer NUMBER(p, s), a Decimal). Column names are the API's; units:
seconds, metres, km/h, bar, percent, g, degrees.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from redis import RedisError

from hackthetrack.cache import data_version
from telemetry.filters import Condition, filters_where
from telemetry.warehouse_reads import warehouse_rows

logger = logging.getLogger("telemetry.selectors")

# A sample counts as braking above this front brake pressure, as full throttle at or above this pedal.
BRAKE_ON_BAR = 2.0
FULL_THROTTLE_PCT = 98.0
# A lap is complete when its samples span this share of the car's longest lap (so out-laps and
# a lap cut by the end of the file are never the "fastest").
COMPLETE_LAP_SHARE = 0.95
# A data version's entries are unreachable once the next starts; this only bounds their stay in Redis.
FASTEST_LAPS_KEPT_S = 24 * 3600

LAP_COLUMNS = {  # API name -> column of the lap summary
    "driver_number": "driver_number",
    "lap": "lap",
    "lap_time": "lap_time",
    "s1": "s1",
    "s2": "s2",
    "s3": "s3",
    "top_speed": "top_speed",
    "avg_speed": "avg_speed",
    "brake_share": "brake_share",
    "max_brake": "max_brake",
    "throttle_avg": "throttle_avg",
    "full_throttle_share": "full_throttle_share",
    "samples": "samples",
    "distance": "distance",
}
TRACE_COLUMNS = {
    "distance": "distance",
    "elapsed": "elapsed",
    "speed": "speed",
    "throttle": "throttle",
    "brake_front": "brake_front",
    "brake_rear": "brake_rear",
    "steering": "steering",
    "accel_long": "accel_long",
    "accel_lat": "accel_lat",
    "rpm": "rpm",
    "gear": "gear",
    "samples": "samples",
}
CAR_COLUMNS = {
    "season": "season",
    "race_num": "race_num",
    "driver_number": "driver_number",
    "laps": "laps",
    "samples": "samples",
}


@dataclass(frozen=True)
class RaceKey:
    """A race in the warehouse; without a season, the latest season loaded for the track and race."""

    track: str
    race_number: int
    season: int | None = None

    def where(self, alias: str) -> tuple[str, list]:
        if self.season is not None:
            season_sql, season_params = "%s", [self.season]
        else:
            season_sql = "(SELECT MAX(season) FROM telemetry_load WHERE track = %s AND race_number = %s)"
            season_params = [self.track, self.race_number]
        sql = f"{alias}.track = %s AND {alias}.race_number = %s AND {alias}.season = {season_sql}"
        return sql, [self.track, self.race_number, *season_params]

    def __str__(self) -> str:
        return f"{self.track}:{self.race_number}" + (f" ({self.season})" if self.season is not None else "")


@dataclass(frozen=True)
class Page:
    rows: list[dict]
    total: int


def _paged(
    *,
    sql: str,
    params: list,
    conditions: list[Condition],
    columns: dict[str, str],
    order_by: str,
    limit: int,
    offset: int,
) -> Page:
    """Filter, count and cut a result in the warehouse: one query."""
    where, where_params = filters_where(conditions=conditions, expressions=columns)
    rows = warehouse_rows(
        sql=f"SELECT q.*, COUNT(*) OVER () AS total_rows FROM ({sql}) q WHERE {where} "
        f"ORDER BY {order_by} LIMIT %s OFFSET %s",
        params=[*params, *where_params, limit, offset],
    )
    total = rows[0]["total_rows"] if rows else 0
    for row in rows:
        del row["total_rows"]
    return Page(rows=rows, total=total)


def telemetry_cars(
    *,
    track: str | None,
    race_number: int | None,
    season: int | None,
    conditions: list[Condition],
    limit: int,
    offset: int,
) -> Page:
    """Cars with telemetry, one row per car and race (all seasons, tracks or races unless given):
    laps and samples."""
    scope = {"s.track": track, "s.race_number": race_number, "s.season": season}
    where = " AND ".join(["TRUE", *(f"{column} = %s" for column, value in scope.items() if value is not None)])
    sql = (
        "SELECT s.season AS season, s.track AS track_id, s.race_number AS race_num, s.car_number AS driver_number, "
        "COUNT(DISTINCT s.lap) AS laps, COUNT(*) AS samples "
        f"FROM telemetry_sample s WHERE {where} GROUP BY s.season, s.track, s.race_number, s.car_number"
    )
    return _paged(
        sql=sql,
        params=[value for value in scope.values() if value is not None],
        conditions=conditions,
        columns=CAR_COLUMNS,
        limit=limit,
        offset=offset,
        order_by="season, track_id, race_num, driver_number",
    )


CHANNEL_AGGREGATES = f"""
    MAX(s.speed_kph) AS top_speed, AVG(s.speed_kph) AS avg_speed,
    AVG(IFF(s.brake_front_bar > {BRAKE_ON_BAR}, 1, 0))::FLOAT AS brake_share, MAX(s.brake_front_bar) AS max_brake,
    AVG(s.throttle_pct) AS throttle_avg,
    AVG(IFF(s.throttle_pct >= {FULL_THROTTLE_PCT}, 1, 0))::FLOAT AS full_throttle_share,
"""
CHANNEL_COLUMNS = """
    s.top_speed AS top_speed, s.avg_speed AS avg_speed, s.brake_share AS brake_share, s.max_brake AS max_brake,
    s.throttle_avg AS throttle_avg, s.full_throttle_share AS full_throttle_share,
"""


def _lap_summary_sql(*, race: RaceKey, car_numbers: list[int] | None, channels: bool = True) -> tuple[str, list]:
    """Per car and lap: telemetry aggregates joined to the timing (lap and sector times, flag);
    without ``channels`` only times, samples and distance (a lighter query to choose laps).

    A lap may be in either source. Where the timing has a car number twice in the race (two
    drivers sharing it), its timing columns stay empty rather than being guessed."""
    sample_where, sample_params = race.where("s")
    timing_where, timing_params = race.where("t")
    cars_sql, cars_params = "", []
    if car_numbers is not None:
        cars_sql = f" AND {{alias}}.car_number IN ({', '.join(['%s'] * len(car_numbers))})"
        cars_params = list(car_numbers)
    sql = f"""
        WITH samples AS (
            SELECT s.car_number, s.lap, {CHANNEL_AGGREGATES if channels else ""} COUNT(*) AS samples,
                   MAX(s.lap_distance_m) - MIN(s.lap_distance_m) AS distance,
                   (DATEDIFF(millisecond, MIN(s.timestamp), MAX(s.timestamp)) / 1000.0)::FLOAT AS telemetry_time
            FROM telemetry_sample s WHERE {sample_where}{cars_sql.format(alias="s")}
            GROUP BY s.car_number, s.lap
        ), timing AS (
            SELECT t.car_number, t.lap_number,
                   IFF(COUNT(*) = 1, MIN(t.lap_time_s), NULL) AS lap_time, IFF(COUNT(*) = 1, MIN(t.s1_s), NULL) AS s1,
                   IFF(COUNT(*) = 1, MIN(t.s2_s), NULL) AS s2, IFF(COUNT(*) = 1, MIN(t.s3_s), NULL) AS s3,
                   IFF(COUNT(*) = 1, MIN(t.flag), NULL) AS flag
            FROM telemetry_lap t WHERE {timing_where}{cars_sql.format(alias="t")}
            GROUP BY t.car_number, t.lap_number
        )
        SELECT COALESCE(s.car_number, t.car_number) AS driver_number, COALESCE(s.lap, t.lap_number) AS lap,
               COALESCE(t.lap_time, s.telemetry_time) AS lap_time,
               CASE WHEN t.lap_time IS NOT NULL THEN 'timing' WHEN s.telemetry_time IS NOT NULL THEN 'telemetry'
               END AS lap_time_source,
               t.s1 AS s1, t.s2 AS s2, t.s3 AS s3, t.flag AS flag, {CHANNEL_COLUMNS if channels else ""}
               COALESCE(s.samples, 0) AS samples, s.distance AS distance,
               COALESCE(s.distance >= {COMPLETE_LAP_SHARE} * MAX(s.distance) OVER (PARTITION BY s.car_number), FALSE)
                   AS complete
        FROM samples s FULL OUTER JOIN timing t ON t.car_number = s.car_number AND t.lap_number = s.lap
    """
    return sql, [*sample_params, *cars_params, *timing_params, *cars_params]


def lap_summaries(
    *, race: RaceKey, car_numbers: list[int] | None, conditions: list[Condition], limit: int, offset: int
) -> Page:
    """Per lap: time (timing, else telemetry), sectors, top and average speed, brake and throttle use.
    Kept per data version, as the bins: each summary reads every sample of its cars."""

    def find() -> Page:
        sql, params = _lap_summary_sql(race=race, car_numbers=car_numbers)
        return _paged(
            sql=sql,
            params=params,
            conditions=conditions,
            columns=LAP_COLUMNS,
            limit=limit,
            offset=offset,
            order_by="driver_number, lap",
        )

    return kept_per_data_version("lap-summaries", (race, car_numbers, tuple(conditions), limit, offset), find)


def fastest_laps(*, race: RaceKey, car_numbers: list[int] | None = None, positions: bool = False) -> dict[int, dict]:
    """Each car's fastest complete lap with telemetry, green flag or no flag known, by car number
    (lap, lap_time, samples, distance); with ``positions``, also the car's classified ``position``
    (None when unclassified or no classification is loaded).

    Found for the whole race once per data version and kept in the cache (every load into the
    warehouse starts a new version): the trace asks for them on each request, and finding them
    reads every sample of the race."""
    laps = kept_per_data_version(
        "fastest-laps", (race, positions), lambda: _race_fastest_laps(race=race, positions=positions)
    )
    return laps if car_numbers is None else {number: laps[number] for number in car_numbers if number in laps}


def kept_per_data_version(name: str, asked, find):
    """``find()``, kept in the cache under ``name`` and ``asked`` (the arguments its value depends
    on, hashed) until the data version changes (every load into the warehouse starts a new one);
    found again when the cache is unavailable."""
    asked_hash = hashlib.sha256(repr(asked).encode()).hexdigest()
    try:
        return cache.get_or_set(
            f"hackthetrack:telemetry:{name}:{asked_hash}:{data_version()}", find, FASTEST_LAPS_KEPT_S
        )
    except RedisError:
        logger.warning("API cache unavailable, %s not kept", name, exc_info=True)
        return find()


def _race_fastest_laps(*, race: RaceKey, positions: bool) -> dict[int, dict]:
    sql, params = _lap_summary_sql(race=race, car_numbers=None, channels=False)
    best = f"""
        SELECT laps.*, ROW_NUMBER() OVER (PARTITION BY driver_number ORDER BY lap_time, lap) AS rank
        FROM ({sql}) laps WHERE complete AND lap_time IS NOT NULL AND COALESCE(NULLIF(flag, ''), 'GF') = 'GF'
    """
    if positions:
        result_where, result_params = race.where("r")
        sql = f"""
            SELECT best.*, pos.position FROM ({best}) best LEFT JOIN (
                SELECT r.car_number, IFF(COUNT(*) = 1, MIN(r.position), NULL) AS position
                FROM telemetry_result r WHERE {result_where} GROUP BY r.car_number
            ) pos ON pos.car_number = best.driver_number
            WHERE best.rank = 1 ORDER BY best.driver_number
        """
        params = [*params, *result_params]
    else:
        sql = f"SELECT * FROM ({best}) best WHERE best.rank = 1 ORDER BY best.driver_number"
    return {row["driver_number"]: row for row in warehouse_rows(sql=sql, params=params)}


def lap_bins(
    *, race: RaceKey, laps: list[tuple[int, int]], points: int, conditions: list[Condition] = ()
) -> list[dict]:
    """The given (car, lap) pairs resampled onto one grid of ``points`` equal distance bins from 0
    to the longest of them: per lap (``side``, its index in ``laps``) and bin, the mean of each
    continuous channel, the most frequent gear (the higher on a tie), the sample count, and the mean distance and time
    since the lap's first sample. At most ``points`` rows per lap; empty bins are absent.

    One query, not kept: its callers (telemetry.comparisons) keep per data version what they build
    from the bins, so that a request reads the shaped answer instead of shaping the raw bins again."""
    where, race_params = race.where("s")
    picked = " UNION ALL ".join(
        f"SELECT {side} AS side, s.lap_distance_m AS d, s.timestamp AS ts, s.speed_kph, s.throttle_pct, "
        "s.brake_front_bar, s.brake_rear_bar, s.steering_deg, s.accel_long_g, s.accel_lat_g, s.rpm, s.gear "
        f"FROM telemetry_sample s WHERE {where} AND s.car_number = %s AND s.lap = %s AND s.lap_distance_m IS NOT NULL"
        for side in range(len(laps))
    )
    params = [value for car, lap in laps for value in (*race_params, car, lap)]
    where_filters, filter_params = filters_where(conditions=list(conditions), expressions=TRACE_COLUMNS)
    # The gear is the bin's most frequent, the higher on a tie: MODE() breaks ties as the plan
    # happens to, so the same samples could answer another gear in the next data version.
    sql = f"""
        WITH picked AS ({picked}),
        starts AS (SELECT side, MIN(ts) AS t0 FROM picked GROUP BY side),
        span AS (SELECT GREATEST(MAX(d), 1) AS length_m FROM picked),
        binned AS (
            SELECT p.*, span.length_m AS length_m, DATEDIFF(millisecond, st.t0, p.ts) AS elapsed_ms,
                   CAST(LEAST(GREATEST(FLOOR(p.d / (span.length_m / %s)), 0), %s - 1) AS INTEGER) AS bin
            FROM picked p JOIN starts st ON st.side = p.side CROSS JOIN span
        ),
        gears AS (
            SELECT side, bin, gear,
                   ROW_NUMBER() OVER (PARTITION BY side, bin ORDER BY COUNT(*) DESC, gear DESC) AS pick
            FROM binned WHERE gear IS NOT NULL GROUP BY side, bin, gear
        )
        SELECT * FROM (
            SELECT b.side AS side, b.bin AS bin,
                   MAX(b.length_m) AS length_m, COUNT(*) AS samples, AVG(b.d) AS distance,
                   (AVG(b.elapsed_ms) / 1000.0)::FLOAT AS elapsed,
                   AVG(b.speed_kph) AS speed, AVG(b.throttle_pct) AS throttle, AVG(b.brake_front_bar) AS brake_front,
                   AVG(b.brake_rear_bar) AS brake_rear, AVG(b.steering_deg) AS steering,
                   AVG(b.accel_long_g) AS accel_long, AVG(b.accel_lat_g) AS accel_lat, AVG(b.rpm) AS rpm,
                   MAX(g.gear) AS gear
            FROM binned b LEFT JOIN gears g ON g.side = b.side AND g.bin = b.bin AND g.pick = 1
            GROUP BY b.side, b.bin
        ) b WHERE {where_filters} ORDER BY side, bin
    """
    return warehouse_rows(sql=sql, params=[*params, points, points, *filter_params])
