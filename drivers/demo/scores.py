"""Model variables measured from the simulated races, and the factor scores built from them.

Each variable's raw value is averaged over the driver's classified races (a retirement says
little about pace). Across drivers it is then oriented (higher = better), min-max normalized to
0..100 and ranked into a percentile. A factor score is the weighted sum of its variables'
normalized values (weights from the loadings), so it lies in 0..100; its z-score is taken against
the field's own mean and population standard deviation.
"""

from collections import defaultdict
from math import sqrt
from statistics import fmean, pstdev

from drivers.demo.definitions import VARIABLES, variable_weights
from drivers.demo.racing import CarResult
from factors.scoring import normalized_0_100, percentiles

LAST_LAPS = 5


def racing_laps(car: CarResult) -> list[int]:
    """Laps after the opening lap, whose time includes the start."""
    return car.lap_ms[1:]


def stdev(values: list[int]) -> float:
    """Sample standard deviation in plain floats (statistics.stdev is exact, and slow at scale)."""
    mean = sum(values) / len(values)
    return sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))


def lap_time_std_s(car: CarResult) -> float | None:
    laps = racing_laps(car)
    return round(stdev(laps) / 1000, 4) if len(laps) >= 2 else None


def raw_variable_values(
    *, races: list[list[CarResult]], braking_spread_m: dict[int, float]
) -> dict[int, dict[str, float]]:
    """Per car number, each variable's raw value averaged over that driver's classified races."""
    samples: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for cars in races:
        classified = [car for car in cars if not car.retired]
        pole_ms = min(car.qualifying_ms for car in cars)
        fastest_ms = min(min(car.lap_ms) for car in cars if car.lap_ms)
        best_top10 = min(_top10_ms(car) for car in classified)
        best_late = min(_late_ms(car) for car in classified)
        for car in classified:
            laps = racing_laps(car)
            values = samples[car.number]
            values["qualifying_pace"].append(_percent_behind(car.qualifying_ms, pole_ms))
            values["best_race_lap"].append(_percent_behind(min(car.lap_ms), fastest_ms))
            values["avg_top10_pace"].append(_percent_behind(_top10_ms(car), best_top10))
            values["stint_consistency"].append(stdev(laps) / 1000)
            values["sector_consistency"].append(
                fmean(stdev([sectors[i] for sectors in car.sector_ms[1:]]) for i in range(3)) / 1000
            )
            values["positions_gained"].append(car.grid - car.finish)
            values["position_changes"].append(car.position_changes)
            values["early_vs_late_pace"].append((_late_ms(car) - fmean(laps[:LAST_LAPS])) / 1000)
            values["late_stint_perf"].append(_percent_behind(_late_ms(car), best_late))
    raw = {}
    for number, values in samples.items():
        raw[number] = {name: round(fmean(series), 4) for name, series in values.items()}
        raw[number]["braking_consistency"] = braking_spread_m[number]
    return raw


def _top10_ms(car: CarResult) -> float:
    return fmean(sorted(car.lap_ms)[:10])


def _late_ms(car: CarResult) -> float:
    return fmean(car.lap_ms[-LAST_LAPS:])


def _percent_behind(value: float, reference: float) -> float:
    return (value - reference) / reference * 100


def variable_scores(raw: dict[int, dict[str, float]]) -> dict[int, dict[str, dict[str, float]]]:
    """Per car number and variable: raw, normalized, percentile, weight and contribution."""
    weights = variable_weights()
    scored: dict[int, dict[str, dict[str, float]]] = defaultdict(dict)
    for definition in VARIABLES:
        oriented = {
            number: values[definition.id] if definition.higher_is_better else -values[definition.id]
            for number, values in raw.items()
        }
        normalized, ranked = normalized_0_100(oriented), percentiles(oriented)
        for number in raw:
            scored[number][definition.id] = {
                "raw_value": raw[number][definition.id],
                "normalized_value": normalized[number],
                "percentile": ranked[number],
                "weight": weights[definition.id],
                "contribution": round(weights[definition.id] * normalized[number], 2),
            }
    return scored


def factor_scores(variables: dict[int, dict[str, dict[str, float]]]) -> dict[int, dict[str, dict[str, float]]]:
    """Per car number and factor: score (0..100), percentile and z-score."""
    factor_ids = list(dict.fromkeys(definition.factor for definition in VARIABLES))
    factor_of = {definition.id: definition.factor for definition in VARIABLES}
    totals: dict[str, dict[int, float]] = {factor: {} for factor in factor_ids}
    for number, values in variables.items():
        for factor in factor_ids:
            total = sum(v["weight"] * v["normalized_value"] for name, v in values.items() if factor_of[name] == factor)
            totals[factor][number] = round(min(100.0, max(0.0, total)), 2)
    scores: dict[int, dict[str, dict[str, float]]] = defaultdict(dict)
    for factor, by_number in totals.items():
        mean, spread = fmean(by_number.values()), pstdev(by_number.values())
        ranked = percentiles(by_number)
        for number, score in by_number.items():
            scores[number][factor] = {
                "score": score,
                "percentile": ranked[number],
                "z_score": round((score - mean) / spread, 4) if spread else 0.0,
            }
    return scores
