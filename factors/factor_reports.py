"""Per-factor reads: field statistics, a driver's comparison with the best, data-driven coaching."""

from django.conf import settings

from factors import selectors
from factors.selectors import DriverProfile, SkillPopulation


def _top_count() -> int:
    return settings.HACKTHETRACK["TOP_DRIVERS_COUNT"]


def _readable(factor_id: str) -> str:
    return factor_id.replace("_", " ")


def factor_stats(*, population: SkillPopulation, factor_id: str) -> dict:
    population.require_factor(factor_id)
    scores = [d.scores[factor_id] for d in population.drivers]
    count = len(scores)
    return {
        "factor": factor_id,
        # Legacy key name; the number of top drivers comes from settings (3).
        "top_3_average": round(population.top_average(factor_id, _top_count()), 2),
        "league_average": round(sum(scores) / count, 2) if count else None,
        "min": round(min(scores), 2) if count else None,
        "max": round(max(scores), 2) if count else None,
        "count": count,
    }


def _comparison_entry(driver: DriverProfile, factor_id: str, variables: dict) -> dict:
    return {
        "driver_number": driver.number,
        "driver_name": driver.name,
        "percentile": driver.percentiles[factor_id],
        "variables": variables.get(driver.driver_id, {}),
    }


def _standing(population: SkillPopulation, factor_id: str, number: int) -> tuple[DriverProfile, int, list]:
    driver = population.driver(number)
    ordered = population.ranked_by(factor_id)
    rank = next(i for i, d in enumerate(ordered, start=1) if d.number == number)
    return driver, rank, ordered


def factor_comparison(*, population: SkillPopulation, factor_id: str, driver_number: int) -> dict:
    population.require_factor(factor_id)
    driver, rank, ordered = _standing(population, factor_id, driver_number)
    top = ordered[: _top_count()]
    variables, _ = selectors.variable_percentiles(factor_id=factor_id, driver_ids=[d.driver_id for d in [driver, *top]])
    name = _readable(factor_id)
    percentile = driver.percentiles[factor_id]
    if percentile >= 75:
        insights = [f"You're in the top 25% of drivers for {name}!"]
    elif percentile >= 50:
        insights = [f"You're above average in {name}."]
    else:
        insights = [f"{name.title()} is an area for improvement."]
    insights.append(f"You rank #{rank} out of {len(ordered)} drivers in {name}.")
    if top and percentile < top[0].percentiles[factor_id]:
        gap = top[0].percentiles[factor_id] - percentile
        insights.append(f"You're {gap:.1f} percentile points behind the leader in this factor.")
    return {
        "factor_name": factor_id,
        "user_driver": _comparison_entry(driver, factor_id, variables),
        "top_drivers": [_comparison_entry(d, factor_id, variables) for d in top],
        "insights": insights,
    }


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def factor_coaching(*, population: SkillPopulation, factor_id: str, driver_number: int) -> dict:
    """Coaching from the data alone: the driver's strongest and weakest variable of the factor and
    the gap, variable by variable, to the average of the top drivers."""
    population.require_factor(factor_id)
    driver, rank, ordered = _standing(population, factor_id, driver_number)
    top = ordered[: _top_count()]
    values, variables = selectors.variable_percentiles(
        factor_id=factor_id, driver_ids=[d.driver_id for d in [driver, *top]]
    )
    own = {k: v for k, v in values[driver.driver_id].items() if v is not None}
    gaps = []
    for variable, percentile in own.items():
        top_values = [values[d.driver_id].get(variable) for d in top]
        top_values = [v for v in top_values if v is not None]
        top_average = sum(top_values) / len(top_values) if top_values else None
        gaps.append(
            {
                "variable": variable,
                "display_name": variables[variable].display_name,
                "percentile": round(percentile, 1),
                "top_average": round(top_average, 1) if top_average is not None else None,
                "gap": round(max(top_average - percentile, 0.0), 1) if top_average is not None else None,
            }
        )
    gaps.sort(key=lambda g: -(g["gap"] or 0.0))
    strongest = max(gaps, key=lambda g: g["percentile"], default=None)
    weakest = min(gaps, key=lambda g: g["percentile"], default=None)
    percentile = driver.percentiles[factor_id]
    display = population.model.display_names[factor_id]
    text = [
        f"{driver.name} ranks {_ordinal(rank)} of {len(ordered)} drivers in {display} ({percentile:.1f}th percentile)."
    ]
    if strongest and weakest and strongest is not weakest:
        text.append(
            f"Strongest: {strongest['display_name']} ({strongest['percentile']:.1f}th percentile); "
            f"weakest: {weakest['display_name']} ({weakest['percentile']:.1f}th percentile)."
        )
    if gaps and gaps[0]["gap"]:
        text.append(
            f"Largest gap to the top {len(top)} average: {gaps[0]['display_name']}, "
            f"{gaps[0]['gap']:.1f} percentile points."
        )
    elif gaps:
        text.append(f"At or above the top {len(top)} average on every {display} variable.")
    return {
        "driver_number": driver.number,
        "factor_name": factor_id,
        "factor_percentile": percentile,
        "factor_rank": rank,
        "total_drivers": len(ordered),
        "coaching_analysis": " ".join(text),
        "strongest_variable": strongest,
        "weakest_variable": weakest,
        "variable_gaps": gaps,
        "generated_at": None,
    }
