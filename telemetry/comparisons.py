"""The trace's bins, the compare and detailed answers, built from the warehouse reads
(telemetry.selectors) and the distance arithmetic (telemetry.lap_delta). Each runs a fixed number of
warehouse queries: compare two, detailed two.

What is built from a lap's distance bins (the trace's rounded rows, a comparison's aligned traces
and deltas, the detailed traces) depends on nothing but the data version and the request's
parameters, so it is kept per data version, shaped: a request then reads it back instead of shaping
some thousand bin values again (most of a computed trace's or comparison's CPU otherwise).
"""

from __future__ import annotations

import statistics

from django.conf import settings
from rest_framework.exceptions import NotFound

from telemetry import lap_delta, selectors
from telemetry.filters import Condition
from telemetry.selectors import RaceKey

LEGACY_LAPS_MAX = 50  # the legacy compare listed at most 50 laps per driver
SIGNIFICANT_S = 0.1  # the legacy's threshold for an insight
TIME_LOST_SHOWN = 3


def rounded(value, digits: int = 3) -> float | None:
    """A warehouse number (float or Decimal) as a JSON float of ``digits`` decimals; None stays."""
    return None if value is None else round(float(value), digits)


def _green(lap: dict) -> bool:
    return lap["lap_time"] is not None and (lap["flag"] or "GF") == "GF"


def _legacy_laps(laps: list[dict]) -> list[dict]:
    return [
        {
            "lap_number": lap["lap"],
            "lap_time": rounded(lap["lap_time"]),
            "sector_1": rounded(lap["s1"]),
            "sector_2": rounded(lap["s2"]),
            "sector_3": rounded(lap["s3"]),
            "flag_status": lap["flag"] or "",
        }
        for lap in laps[:LEGACY_LAPS_MAX]
    ]


def _difference(one, two):
    return None if one is None or two is None else rounded(one - two)


def _legacy_insights(driver_1: int, driver_2: int, deltas: dict, laps_1: list[dict], laps_2: list[dict]) -> list[str]:
    """The legacy's insights, from the best laps' sector deltas and lap-time consistency."""
    total, insights = deltas["total"], []
    if abs(total) < SIGNIFICANT_S:
        insights.append(f"Drivers #{driver_1} and #{driver_2} are extremely closely matched (within 0.1s)!")
    else:
        faster = driver_2 if total > 0 else driver_1
        insights.append(f"Driver #{faster} is faster overall by {abs(total):.3f}s per lap")
    for sector in (1, 2, 3):
        delta = deltas[f"sector_{sector}"]
        if delta is not None and abs(delta) > SIGNIFICANT_S:
            verb, note = ("lose", "focus on this area") if delta > 0 else ("gain", "this is a strength!")
            insights.append(f"You {verb} {abs(delta):.3f}s in Sector {sector} - {note}")
    times_1, times_2 = [lap["lap_time"] for lap in laps_1], [lap["lap_time"] for lap in laps_2]
    if len(times_1) > 1 and len(times_2) > 1:
        cv_1 = statistics.stdev(times_1) / statistics.mean(times_1)
        cv_2 = statistics.stdev(times_2) / statistics.mean(times_2)
        steadier, cvs = (driver_1, (cv_1, cv_2)) if cv_1 < cv_2 else (driver_2, (cv_2, cv_1))
        insights.append(f"Driver #{steadier} is more consistent (CV: {cvs[0]:.3f} vs {cvs[1]:.3f})")
    return insights


def _fastest_complete(laps: list[dict]) -> dict | None:
    candidates = [lap for lap in laps if lap["complete"] and _green(lap)]
    return min(candidates, key=lambda lap: (lap["lap_time"], lap["lap"]), default=None)


def _trace_rows(bins: list[dict], bin_width: float) -> list[dict]:
    return [
        {
            "bin": row["bin"],
            "distance": rounded((row["bin"] + 0.5) * bin_width, 2),
            "samples": row["samples"],
            "elapsed": rounded(row["elapsed"], 3),
            "speed": rounded(row["speed"], 2),
            "throttle": rounded(row["throttle"], 2),
            "brake_front": rounded(row["brake_front"], 2),
            "brake_rear": rounded(row["brake_rear"], 2),
            "steering": rounded(row["steering"], 2),
            "accel_long": rounded(row["accel_long"], 3),
            "accel_lat": rounded(row["accel_lat"], 3),
            "rpm": rounded(row["rpm"], 0),
            "gear": row["gear"],
        }
        for row in bins
    ]


def trace_bins(
    *, race: RaceKey, car: int, lap: int, points: int, conditions: list[Condition]
) -> tuple[float | None, list[dict]]:
    """One lap on ``points`` distance bins as the trace answers them (rounded), and the bins'
    length in metres (None when the lap has no bin). Kept per data version."""

    def build() -> tuple[float | None, list[dict]]:
        bins = selectors.lap_bins(race=race, laps=[(car, lap)], points=points, conditions=conditions)
        if not bins:
            return None, []
        length = float(bins[0]["length_m"])
        return length, _trace_rows(bins, length / points)

    return selectors.kept_per_data_version("trace-bins", (race, car, lap, points, tuple(conditions)), build)


def _telemetry_comparison(*, race: RaceKey, lap_1: dict, lap_2: dict, points: int) -> dict:
    """Kept per data version: the laps' sector times come from the same version's lap summaries."""
    laps = ((lap_1["driver_number"], lap_1["lap"]), (lap_2["driver_number"], lap_2["lap"]))
    return selectors.kept_per_data_version(
        "lap-comparison",
        (race, laps, points),
        lambda: _telemetry_comparison_built(race=race, lap_1=lap_1, lap_2=lap_2, points=points),
    )


def _telemetry_comparison_built(*, race: RaceKey, lap_1: dict, lap_2: dict, points: int) -> dict:
    bins = selectors.lap_bins(
        race=race, laps=[(lap_1["driver_number"], lap_1["lap"]), (lap_2["driver_number"], lap_2["lap"])], points=points
    )
    by_side = [[row for row in bins if row["side"] == side] for side in (0, 1)]
    length = float(bins[0]["length_m"])
    width = length / points
    times = [lap_delta.lap_times(bins=side, bin_width=width, length_m=length) for side in by_side]
    speeds = [{row["bin"]: row["speed"] for row in side} for side in by_side]
    common = sorted(set(speeds[0]) & set(speeds[1]))
    distances = [(index + 0.5) * width for index in common]
    sectors = [[lap["s1"], lap["s2"], lap["s3"]] for lap in (lap_1, lap_2)]
    boundaries = lap_delta.sector_boundaries(laps=list(zip(times, sectors, strict=True)))
    sector_deltas = lap_delta.sector_deltas(
        first=times[0],
        second=times[1],
        boundaries=boundaries,
        end_m=length,
        first_sectors=sectors[0],
        second_sectors=sectors[1],
    )
    return {
        "lap_1": lap_1["lap"],
        "lap_2": lap_2["lap"],
        "points": points,
        "bin_width": rounded(width),
        "length": rounded(length, 2),
        "delta_method": lap_delta.DELTA_METHOD,
        "distance": [rounded(distance, 2) for distance in distances],
        "speed_1": [rounded(speeds[0][index], 2) for index in common],
        "speed_2": [rounded(speeds[1][index], 2) for index in common],
        "time_delta": [rounded(lap_delta.delta_at(times[0], times[1], distance)) for distance in distances],
        "sector_deltas": [
            {
                "sector": delta.sector,
                "from_m": rounded(delta.from_m, 1),
                "to_m": rounded(delta.to_m, 1),
                "telemetry_s": rounded(delta.telemetry_s),
                "timing_s": rounded(delta.timing_s),
                "difference_s": rounded(delta.difference_s),
            }
            for delta in sector_deltas
        ],
        "time_lost": [
            {**segment, "seconds": rounded(segment["seconds"])}
            for segment in lap_delta.time_lost(first=times[0], second=times[1], end_m=length)
        ][:TIME_LOST_SHOWN],
    }


def compare_build(
    *, race: RaceKey, driver_1: int, driver_2: int, lap_1: int | None, lap_2: int | None, points: int
) -> dict:
    """The legacy comparison (timing laps, best-lap sector deltas, insights) plus, where both laps
    have telemetry, the two laps aligned by distance (``telemetry``)."""
    laps = selectors.lap_summaries(
        race=race, car_numbers=sorted({driver_1, driver_2}), conditions=[], limit=settings.TELEMETRY_MAX_ROWS, offset=0
    ).rows
    if not laps:
        raise NotFound(f"No lap data found for {race.track} race {race.race_number}")
    laps_of = {driver: [lap for lap in laps if lap["driver_number"] == driver] for driver in (driver_1, driver_2)}
    green = {driver: [lap for lap in rows if _green(lap)] for driver, rows in laps_of.items()}
    if not green[driver_1] or not green[driver_2]:
        raise NotFound(f"Insufficient data for drivers {driver_1} and/or {driver_2}")
    best_1, best_2 = (min(green[driver], key=lambda lap: lap["lap_time"]) for driver in (driver_1, driver_2))
    deltas = {f"sector_{n}": _difference(best_1[f"s{n}"], best_2[f"s{n}"]) for n in (1, 2, 3)}
    deltas["total"] = _difference(best_1["lap_time"], best_2["lap_time"])
    chosen = [
        next((row for row in laps_of[driver] if row["lap"] == lap and row["samples"]), None)
        if lap is not None
        else _fastest_complete(laps_of[driver])
        for driver, lap in ((driver_1, lap_1), (driver_2, lap_2))
    ]
    return {
        "track_id": race.track,
        "driver_1": driver_1,
        "driver_2": driver_2,
        "driver_1_laps": _legacy_laps(green[driver_1]),
        "driver_2_laps": _legacy_laps(green[driver_2]),
        "sector_deltas": deltas,
        "insights": _legacy_insights(driver_1, driver_2, deltas, green[driver_1], green[driver_2]),
        "race_num": race.race_number,
        "telemetry": _telemetry_comparison(race=race, lap_1=chosen[0], lap_2=chosen[1], points=points)
        if all(chosen)
        else None,
    }


def _comparison_drivers(best: dict[int, dict], driver: int) -> dict:
    """The legacy's three tiers among the cars with telemetry: the nearest car ahead (P2 for the
    winner) and the best-placed other car. Places are the classification's, else the order of
    the cars' fastest laps when no classification is loaded."""
    if driver not in best:
        return {"next_tier": None, "leader": None, "user_position": None}
    if any(row["position"] is not None for row in best.values()):
        order = sorted((row for row in best.values() if row["position"] is not None), key=lambda row: row["position"])
    else:
        order = sorted(best.values(), key=lambda row: (row["lap_time"], row["driver_number"]))
    cars = [row["driver_number"] for row in order]
    if driver not in cars:
        return {"next_tier": None, "leader": None, "user_position": None}
    index = cars.index(driver)
    ahead = cars[index - 1] if index > 0 else (cars[1] if len(cars) > 1 else None)
    leader = next((car for car in cars if car != driver), None)
    position = order[index]["position"] if order[index]["position"] is not None else index + 1
    return {"next_tier": ahead, "leader": leader, "user_position": position}


def detailed_build(*, race: RaceKey, driver: int, lap_number: int | None, points: int) -> dict:
    """The legacy three-tier speed traces (you, the car ahead, the leader), on one distance grid."""
    best = selectors.fastest_laps(race=race, positions=True)
    tiers = _comparison_drivers(best, driver)
    wanted = {"user": driver, "next_tier": tiers["next_tier"], "leader": tiers["leader"]}
    wanted = {tier: car for tier, car in wanted.items() if car is not None and (tier == "user" or car != driver)}
    traces = {}
    if tiers["user_position"] is not None:
        laps = {tier: (car, lap_number if lap_number is not None else best[car]["lap"]) for tier, car in wanted.items()}
        traces = selectors.kept_per_data_version(
            "detailed-traces", (race, laps, points), lambda: _detailed_traces(race=race, laps=laps, points=points)
        )
    return {
        "track_id": race.track,
        "race_num": race.race_number,
        "data_type": "speed_trace",
        "comparison_drivers": tiers,
        "traces": traces,
        "metadata": {
            "user_position": tiers["user_position"],
            "description": "Three-tier comparison: You → Next Tier → Leader",
        },
    }


def _detailed_traces(*, race: RaceKey, laps: dict[str, tuple[int, int]], points: int) -> dict:
    bins = selectors.lap_bins(race=race, laps=list(laps.values()), points=points)
    width = float(bins[0]["length_m"]) / points if bins else 0.0
    traces = {}
    for side, (tier, (car, lap)) in enumerate(laps.items()):
        rows = [row for row in bins if row["side"] == side]
        if not rows:
            continue
        traces[tier] = {
            "driver_number": car,
            "lap": lap,
            "speed": [rounded(row["speed"], 2) for row in rows],
            "distance": [rounded((row["bin"] + 0.5) * width, 2) for row in rows],
            "brake_pressure": [rounded(row["brake_front"], 2) for row in rows],
        }
        if tier == "user":
            traces[tier]["steering_angle"] = [rounded(row["steering"], 2) for row in rows]
    return traces
