"""Per-driver reads of the skill model: the driver card, skill gaps, coaching, similar drivers."""

import math
from collections.abc import Mapping

from django.conf import settings
from rest_framework.exceptions import ValidationError

from factors import selectors
from factors.selectors import CircuitDemand, DriverProfile, SkillPopulation

# The legacy wording, kept: the frontend shows it.
EUCLIDEAN_DESCRIPTION = (
    "We calculate the distance between your target skills and every other driver's skills using the formula: "
    "√[(speed₁-speed₂)² + (consistency₁-consistency₂)² + (racecraft₁-racecraft₂)² + (tire_mgmt₁-tire_mgmt₂)²]"
)


def _top_count() -> int:
    return settings.HACKTHETRACK["TOP_DRIVERS_COUNT"]


def driver_card(
    *, population: SkillPopulation, driver: DriverProfile, results: Mapping | None, fits: Mapping[str, float]
) -> dict:
    """The legacy /api/drivers entry: four factor blocks with z-scores from the field's own spread."""
    overall = population.overall(driver.scores)
    z = population.z_by_number[driver.number]
    results = results or {}
    card = {"driver_number": driver.number, "driver_name": driver.name, "overall_score": overall}
    for factor in population.model.factors:
        card[factor] = {
            "name": population.model.display_names[factor],
            "score": driver.scores[factor],
            "percentile": driver.percentiles[factor],
            "z_score": round(z[factor], 4),
        }
    card["stats"] = {
        "driver_number": driver.number,
        "overall_score": overall,
        "races_completed": results.get("races", 0),
        "average_finish": results.get("avg_finish"),
        "best_finish": results.get("best_finish"),
        "worst_finish": results.get("worst_finish"),
        "wins": results.get("wins", 0),
        "top10": results.get("top10", 0),
        "dnfs": results.get("dnfs", 0),
    }
    card["circuit_fits"] = dict(fits)
    return card


def driver_cards(*, population: SkillPopulation, track_id: str | None, drivers: list[DriverProfile]) -> list[dict]:
    """The cards of ``drivers``, in their order, with the fit at ``track_id`` when given (404 for an
    unknown track). Only these drivers' cards are built: a page of the field costs a page."""
    circuits = population.circuits(track_id) if track_id is not None else []
    fits = circuit_fits(population=population, circuits=circuits, drivers=drivers)
    results = population.season_results
    return [
        driver_card(population=population, driver=d, results=results.get(d.driver_id), fits=fits[d.number])
        for d in drivers
    ]


def circuit_fits(
    *, population: SkillPopulation, circuits: list[CircuitDemand], drivers: list[DriverProfile]
) -> dict[int, dict[str, float]]:
    """Fit of each of ``drivers`` at each circuit (against the whole field's spread)."""
    fits: dict[int, dict[str, float]] = {d.number: {} for d in drivers}
    for circuit in circuits:
        spread = population.fit_spread(circuit)
        for driver in drivers:
            fits[driver.number][circuit.track_id] = round(population.circuit_fit(driver.scores, circuit, spread), 1)
    return fits


def _overall_rank(population: SkillPopulation, number: int, overall: float) -> int:
    return 1 + sum(1 for d in population.drivers if d.number != number and population.overall(d.scores) > overall)


def _top_overall(population: SkillPopulation) -> list[DriverProfile]:
    """The model's best drivers: the top ``TOP_DRIVERS_COUNT`` by overall score."""
    ordered = sorted(population.drivers, key=lambda d: (-population.overall(d.scores), d.number))
    return ordered[: _top_count()]


def skill_gaps(*, population: SkillPopulation, driver_number: int) -> dict:
    """Per factor where the driver trails the average of the top drivers (by overall score): the
    gap and the finish positions the model says closing it is worth, biggest first."""
    driver = population.driver(driver_number)
    top = _top_overall(population)
    current_finish = population.raw_finish(driver.scores)
    potential = dict(driver.scores)
    gaps = []
    for factor in population.model.factors:
        top_percentile = sum(d.percentiles[factor] for d in top) / len(top)
        gap = top_percentile - driver.percentiles[factor]
        if gap <= 0:
            continue
        top_score = sum(d.scores[factor] for d in top) / len(top)
        closed = {**driver.scores, factor: max(driver.scores[factor], top_score)}
        potential[factor] = closed[factor]
        gaps.append(
            {
                "factor_name": factor,
                "display_name": population.model.display_names[factor],
                "current_percentile": round(driver.percentiles[factor], 1),
                "top3_average": round(top_percentile, 1),
                "gap_percentile": round(gap, 1),
                "position_impact": round(current_finish - population.raw_finish(closed), 2),
                "telemetry_evidence": [],
            }
        )
    gaps.sort(key=lambda g: -g["position_impact"])
    for rank, gap in enumerate(gaps, start=1):
        gap["priority_rank"] = rank
    current_rank = _overall_rank(population, driver.number, population.overall(driver.scores))
    potential_rank = _overall_rank(population, driver.number, population.overall(potential))
    total_gain = current_finish - population.raw_finish(potential)
    if gaps:
        first = gaps[0]
        summary = (
            f"Focus on {first['display_name']} - closing the {first['gap_percentile']:.1f} percentile gap to the "
            f"top {len(top)} average could gain you {first['position_impact']:.1f} positions. Total potential "
            f"improvement: {total_gain:.1f} positions (from P{current_rank} to ~P{potential_rank})."
        )
    else:
        summary = f"At or above the top {len(top)} drivers' average in every factor: hold that level."
    return {
        "driver_number": driver.number,
        "driver_name": driver.name,
        "current_overall_rank": current_rank,
        "total_drivers": population.field_size,
        "skill_gaps": gaps,
        "primary_weakness": gaps[0]["display_name"] if gaps else None,
        "estimated_potential_rank": potential_rank,
        "coach_summary": summary,
    }


def _variable_evidence(population: SkillPopulation, driver: DriverProfile, factor: str, values, variables) -> list:
    """The driver's variables of a factor furthest behind the top drivers, as short sentences."""
    top = population.ranked_by(factor)[: _top_count()]
    lines = []
    for variable_id, percentile in values[driver.driver_id].items():
        variable = variables[variable_id]
        if variable.factor_id != factor or percentile is None:
            continue
        top_values = [values[d.driver_id].get(variable_id) for d in top]
        top_values = [v for v in top_values if v is not None]
        if not top_values:
            continue
        top_average = sum(top_values) / len(top_values)
        if top_average > percentile:
            lines.append((top_average - percentile, variable.display_name, percentile, top_average))
    lines.sort(reverse=True)
    return [
        f"{name}: {percentile:.1f}th percentile vs {top_average:.1f} for the top {len(top)}"
        for _, name, percentile, top_average in lines
    ]


def coach_recommendations(*, population: SkillPopulation, driver_number: int) -> dict:
    gaps = skill_gaps(population=population, driver_number=driver_number)
    driver = population.driver(driver_number)
    top_ids = {d.driver_id for f in population.model.factors for d in population.ranked_by(f)[: _top_count()]}
    values, variables = selectors.variable_percentiles(driver_ids=[driver.driver_id, *top_ids])
    recommendations = [
        {
            "priority": gap["priority_rank"],
            "skill_area": gap["display_name"],
            "recommendation": (
                f"Close the {gap['gap_percentile']:.1f} percentile-point gap to the top {_top_count()} average "
                f"in {gap['display_name']}."
            ),
            "evidence": _variable_evidence(population, driver, gap["factor_name"], values, variables),
            "expected_improvement": f"+{gap['position_impact']:.1f} positions",
        }
        for gap in gaps["skill_gaps"]
    ]
    circuits = population.circuits()
    fits = circuit_fits(population=population, circuits=circuits, drivers=[driver])[driver.number]
    insights = {}
    for circuit in circuits:
        most, share = circuit.most_demanded
        insights[circuit.track_id] = [
            f"Circuit fit {fits[circuit.track_id]:.0f}/100 at {circuit.name}.",
            f"It demands {population.model.display_names[most]} most ({share:.0f}% of its demand profile); "
            f"yours is at the {driver.percentiles[most]:.1f}th percentile.",
        ]
    total = sum(g["position_impact"] for g in gaps["skill_gaps"])
    summary = (
        f"Focus on {gaps['primary_weakness']} as your primary improvement area. "
        f"Combined improvements could gain you ~{total:.1f} positions."
        if gaps["skill_gaps"]
        else "No factor trails the top drivers' average."
    )
    return {
        "driver_number": driver.number,
        "recommendations": recommendations,
        "track_specific_insights": insights,
        "summary": summary,
    }


def find_similar(*, population: SkillPopulation, driver_number: int, target: Mapping[str, float]) -> dict:
    """Drivers with a better season average finish whose scores lie closest to the target skills
    (Euclidean distance in factor space), best match first."""
    current = population.driver(driver_number)
    results = population.season_results
    current_avg = (results.get(current.driver_id) or {}).get("avg_finish")
    if not current_avg or current_avg <= 0:
        raise ValidationError({"current_driver_number": [f"Driver {driver_number} has no season average finish."]})
    factors = population.model.factors
    matches = []
    for other in population.drivers:
        avg = (results.get(other.driver_id) or {}).get("avg_finish")
        if other.number == driver_number or not avg or avg <= 0 or avg >= current_avg:
            continue
        distance = math.sqrt(sum((other.scores[f] - target[f]) ** 2 for f in factors))
        matches.append((distance, other, avg))
    matches.sort(key=lambda m: (m[0], m[1].number))
    distances = [m[0] for m in matches]
    low, high = (min(distances), max(distances)) if distances else (0.0, 0.0)
    similar = [
        {
            "driver_number": other.number,
            "driver_name": other.name,
            "skills": {f: round(other.scores[f], 1) for f in factors},
            "match_score": round(max(0.0, 100 * (1 - (distance - low) / (high - low))), 1) if high > low else 100.0,
            "distance": round(distance, 2),
            "avg_finish": round(avg, 2),
            "performance_improvement": round(current_avg - avg, 2),
            "current_avg_finish": round(current_avg, 2),
        }
        for distance, other, avg in matches[: _top_count()]
    ]
    if not matches:
        return _elite_self_match(population=population, current=current, current_avg=current_avg, target=target)
    return {
        "similar_drivers": similar,
        "current_avg_finish": round(current_avg, 2),
        "total_better_drivers": len(matches),
        "matching_algorithm": {
            "method": "Euclidean Distance in 4D Skill Space",
            "description": EUCLIDEAN_DESCRIPTION,
            "filters_applied": [
                f"Only drivers with better avg finish (< P{round(current_avg, 2)})",
                "Sorted by closest skill match",
                f"Top {_top_count()} matches returned",
            ],
            "skill_deltas": {f: round(target[f] - current.scores[f], 1) for f in factors},
        },
    }


def _elite_self_match(*, population: SkillPopulation, current, current_avg: float, target: Mapping[str, float]) -> dict:
    """No driver has a better season average: the driver is matched with themselves, and the
    answer says why (the legacy frontend shows ``message`` when it has nothing else to show)."""
    factors = population.model.factors
    names = population.model.display_names
    focus = min(factors, key=lambda f: current.scores[f])
    message = (
        f"Driver {current.number} has the best average finish of the field (P{current_avg:.2f}): no faster "
        f"driver to compare with. Work on converting podiums into wins; the weakest factor is {names[focus]} "
        f"({current.scores[focus]:.0f}/100)."
    )
    return {
        "similar_drivers": [
            {
                "driver_number": current.number,
                "driver_name": current.name,
                "skills": {f: round(current.scores[f], 1) for f in factors},
                "match_score": 100.0,
                "distance": 0.0,
                "avg_finish": round(current_avg, 2),
                "performance_improvement": 0.0,
                "current_avg_finish": round(current_avg, 2),
                "is_elite_self_match": True,
                "target_factor": focus,
            }
        ],
        "current_avg_finish": round(current_avg, 2),
        "total_better_drivers": 0,
        "message": message,
        "matching_algorithm": {
            "method": "Elite Driver Self-Improvement Analysis",
            "description": "You're already the top performer. Analysis focuses on converting podium finishes to wins.",
            "filters_applied": [
                f"Elite driver threshold (P{round(current_avg, 2)} avg)",
                "Self-improvement analysis",
                f"Focus factor: {names[focus]}",
            ],
            "skill_deltas": {f: round(target[f] - current.scores[f], 1) for f in factors},
        },
    }


def _shared_attributes(target: Mapping[str, float], other: Mapping[str, float]) -> list[str]:
    shared = []
    for factor, value in target.items():
        difference = abs(value - other[factor])
        if difference <= 10 and value >= 70 and other[factor] >= 70:
            shared.append(f"High {factor.replace('_', ' ')}")
        elif difference <= 5:
            shared.append(f"Similar {factor.replace('_', ' ')}")
    return shared[:3]


def match(*, population: SkillPopulation, driver_number: int, top_n: int, adjusted: Mapping[str, float]) -> dict:
    """Drivers whose percentile profile points the same way (cosine similarity), best first."""
    driver = population.driver(driver_number)
    target = {f: adjusted.get(f, driver.percentiles[f]) for f in population.model.factors}
    target_norm = math.sqrt(sum(v * v for v in target.values()))
    rows = []
    for other in population.drivers:
        if other.number == driver_number:
            continue
        other_norm = math.sqrt(sum(v * v for v in other.percentiles.values()))
        dot = sum(target[f] * other.percentiles[f] for f in target)
        cosine = dot / (target_norm * other_norm) if target_norm and other_norm else 0.0
        rows.append(
            {
                "driver_number": other.number,
                "driver_name": other.name,
                "match_percentage": round(cosine * 100, 1),
                "shared_attributes": _shared_attributes(target, other.percentiles),
                "overall_score": population.overall(other.scores),
                "factors": dict(other.percentiles),
            }
        )
    rows.sort(key=lambda r: (-r["match_percentage"], r["driver_number"]))
    return {"target_driver": driver_number, "adjusted_profile": bool(adjusted), "similar_drivers": rows[:top_n]}
