"""The model variables of one simulated race, measured the way the warehouse measures a real one
(pipeline.refresh.warehouse): over green racing laps, which in a simulated race are every lap after
the opening one (it has no caution and no pit stop). The scores are then built from them by the one
scoring module (factors.learning, factors.scoring), as refresh_cache builds them from real timing.
"""

from math import sqrt
from statistics import fmean

from pipeline.demo.racing import CarResult
from pipeline.refresh.warehouse import STINT_LAPS, TOP_LAPS

DIGITS = 4  # the warehouse rounds the variables it computes so


def racing_laps(car: CarResult) -> list[int]:
    """Green racing laps: the laps after the opening lap, whose time includes the start."""
    return car.lap_ms[1:]


def stdev(values: list[int]) -> float:
    """Sample standard deviation in plain floats (statistics.stdev is exact, and slow at scale)."""
    mean = sum(values) / len(values)
    return sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))


def lap_time_std_s(car: CarResult) -> float | None:
    laps = racing_laps(car)
    return round(stdev(laps) / 1000, DIGITS) if len(laps) >= 2 else None


def _percent_behind(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return round(100 * (value - reference) / reference, DIGITS)


def race_variables(cars: list[CarResult]) -> dict[int, dict[str, float | None]]:
    """Per car number, the race's model variables (None where the race does not measure one: the
    top-10 average needs ten green laps, early and late pace ten)."""
    green = {car.number: racing_laps(car) for car in cars}
    classified = {car.number for car in cars if not car.retired}
    best = {n: min(laps) for n, laps in green.items() if laps}
    top10 = {n: fmean(sorted(laps)[:TOP_LAPS]) for n, laps in green.items() if len(laps) >= TOP_LAPS}
    stint = {n: laps for n, laps in green.items() if len(laps) >= 2 * STINT_LAPS}
    early = {n: fmean(laps[:STINT_LAPS]) for n, laps in stint.items()}
    late = {n: fmean(laps[-STINT_LAPS:]) for n, laps in stint.items()}
    pole = min(car.qualifying_ms for car in cars)
    race_best = min(best.values(), default=None)
    best_top10 = min((v for n, v in top10.items() if n in classified), default=None)
    best_late = min((v for n, v in late.items() if n in classified), default=None)
    variables = {}
    for car in cars:
        laps, n = green[car.number], car.number
        sectors = [[s[i] for s in car.sector_ms[1:]] for i in range(3)]
        variables[n] = {
            "qualifying_pace": _percent_behind(car.qualifying_ms, pole),
            "best_race_lap": _percent_behind(best.get(n), race_best),
            "avg_top10_pace": _percent_behind(top10.get(n), best_top10),
            "stint_consistency": round(stdev(laps) / 1000, DIGITS) if len(laps) >= 2 else None,
            "sector_consistency": round(fmean(stdev(s) for s in sectors) / 1000, DIGITS) if len(laps) >= 2 else None,
            "positions_gained": car.grid - car.finish,
            "position_changes": car.position_changes,
            "early_vs_late_pace": round((late[n] - early[n]) / 1000, DIGITS) if n in stint else None,
            "late_stint_perf": _percent_behind(late.get(n), best_late),
        }
    return variables
