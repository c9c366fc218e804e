"""Two laps compared along the distance: the time delta, its sector split, where time is lost.

Pure arithmetic on the distance bins the warehouse returns (telemetry.selectors.lap_bins); no
database. The delta is an approximation, as every distance-based delta is: each lap's time at a
bin's centre is its samples' mean time in the bin moved to the centre at the bin's mean speed,
counted from the lap's crossing of distance 0 (extrapolated from its first bin). Its error grows
with the bin width and with errors of the logged lap distance; the comparison reports, at each
sector boundary the timing knows, how far it is from the timing's sector-time differences.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

MIN_SPEED_MS = 0.5  # below this, a bin's time is not moved to its centre (standing car)
TIME_LOST_SEGMENTS = 10
DELTA_METHOD = (
    "approximate: distance-based. Each lap's time at a bin centre is its samples' mean time in the bin "
    "moved to the centre at the bin's mean speed, from the lap's crossing of distance 0; "
    "delta = driver 1 minus driver 2 (positive: driver 1 behind)."
)


@dataclass(frozen=True)
class LapTimes:
    """One lap's time at the centre of each of its bins, ascending in distance."""

    centres: list[float]
    times: list[float]

    def at(self, distance: float) -> float | None:
        return _interpolate(self.centres, self.times, distance)

    def distance_at(self, time: float) -> float | None:
        return _interpolate(self.times, self.centres, time)


def _interpolate(xs: list[float], ys: list[float], x: float) -> float | None:
    """Linear interpolation inside ``xs`` (ascending); None outside."""
    if not xs or x < xs[0] or x > xs[-1]:
        return None
    i = bisect_left(xs, x)
    if xs[i] == x or i == 0:
        return ys[i]
    share = (x - xs[i - 1]) / (xs[i] - xs[i - 1])
    return ys[i - 1] + share * (ys[i] - ys[i - 1])


def _speed_ms(row: dict) -> float:
    return (row["speed"] or 0.0) / 3.6


def lap_times(*, bins: list[dict], bin_width: float, length_m: float) -> LapTimes:
    """Times at the bin centres, from 0 at distance 0 to the time at ``length_m`` (the last bin's
    time carried on at its speed)."""
    if not bins:
        return LapTimes(centres=[], times=[])
    centres, times = [0.0], [0.0]
    first, last = bins[0], bins[-1]
    start = first["elapsed"] - first["distance"] / _speed_ms(first) if _speed_ms(first) > MIN_SPEED_MS else 0.0
    for row in bins:
        centre = (row["bin"] + 0.5) * bin_width
        shift = (centre - row["distance"]) / _speed_ms(row) if _speed_ms(row) > MIN_SPEED_MS else 0.0
        centres.append(centre)
        times.append(row["elapsed"] + shift - start)
    if length_m > centres[-1] and _speed_ms(last) > MIN_SPEED_MS:
        centres.append(length_m)
        times.append(times[-1] + (length_m - centres[-2]) / _speed_ms(last))
    return LapTimes(centres=centres, times=times)


@dataclass(frozen=True)
class SectorDelta:
    sector: int
    from_m: float | None
    to_m: float | None
    telemetry_s: float | None
    timing_s: float | None

    @property
    def difference_s(self) -> float | None:
        if self.telemetry_s is None or self.timing_s is None:
            return None
        return self.telemetry_s - self.timing_s


def delta_at(first: LapTimes, second: LapTimes, distance: float) -> float | None:
    one, two = first.at(distance), second.at(distance)
    return None if one is None or two is None else one - two


def sector_boundaries(*, laps: list[tuple[LapTimes, list[float | None]]]) -> list[float | None]:
    """Distances of the ends of sectors 1 and 2: where each lap's time reaches its own timed
    S1 and S1+S2, averaged over the laps that have them."""
    boundaries = []
    for sector in (1, 2):
        found = []
        for times, sectors in laps:
            if all(value is not None for value in sectors[:sector]):
                distance = times.distance_at(sum(sectors[:sector]))
                if distance is not None:
                    found.append(distance)
        boundaries.append(sum(found) / len(found) if found else None)
    return boundaries


def sector_deltas(
    *,
    first: LapTimes,
    second: LapTimes,
    boundaries: list[float | None],
    end_m: float,
    first_sectors: list[float | None],
    second_sectors: list[float | None],
) -> list[SectorDelta]:
    """Per sector: the telemetry delta gained over it and the timing's sector-time difference."""
    edges = [0.0, *boundaries, end_m]
    result = []
    for index in range(3):
        start, stop = edges[index], edges[index + 1]
        telemetry = None
        if start is not None and stop is not None:
            at_start, at_stop = delta_at(first, second, start), delta_at(first, second, stop)
            if at_start is not None and at_stop is not None:
                telemetry = at_stop - at_start
        one, two = first_sectors[index], second_sectors[index]
        timing = one - two if one is not None and two is not None else None
        result.append(SectorDelta(sector=index + 1, from_m=start, to_m=stop, telemetry_s=telemetry, timing_s=timing))
    return result


def time_lost(*, first: LapTimes, second: LapTimes, end_m: float, segments: int = TIME_LOST_SEGMENTS) -> list[dict]:
    """The lap cut into equal segments, each with the time driver 1 loses there (negative:
    gains), largest loss first."""
    width = end_m / segments
    result = []
    for index in range(segments):
        start, stop = index * width, (index + 1) * width
        at_start, at_stop = delta_at(first, second, start), delta_at(first, second, stop)
        if at_start is not None and at_stop is not None:
            result.append({"from_m": round(start, 1), "to_m": round(stop, 1), "seconds": at_stop - at_start})
    # Largest loss first; losses equal to the millisecond in lap order.
    return sorted(result, key=lambda segment: (-round(segment["seconds"], 3), segment["from_m"]))
