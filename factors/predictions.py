"""Predictions of the active model: circuit fit and race finish, a race's predicted order, adjusted
skills, projected rankings."""

from collections.abc import Mapping

from django.conf import settings
from rest_framework.exceptions import NotFound

from factors import race_model, skill_model
from factors.selectors import CircuitDemand, DriverProfile, SkillPopulation

BEFORE_QUALIFYING, AFTER_QUALIFYING = "before_qualifying", "after_qualifying"


def _explanation(
    population: SkillPopulation, scores: Mapping[str, float], circuit: CircuitDemand, fit: float, finish: float
) -> str:
    names = population.model.display_names
    strongest = max(scores, key=scores.get)
    weakest = min(scores, key=scores.get)
    most, share = circuit.most_demanded
    text = (
        f"Circuit fit: {fit:.0f}/100. Your strongest skill is {names[strongest]} ({scores[strongest]:.0f}/100), "
        f"while {circuit.name} demands {names[most]} most ({share:.0f}% of its demand profile). "
    )
    if fit >= 75:
        text += "This is an excellent track match for your skill profile!"
    elif fit >= 50:
        text += f"Consider focusing on {names[most]} to maximize performance here."
    else:
        text += f"This track challenges your {names[weakest]} ({scores[weakest]:.0f}/100) - an area to work on."
    return text + f" Predicted finish: P{finish:.0f} of {population.field_size}."


def _field_less(population: SkillPopulation, number: int, circuit: CircuitDemand) -> race_model.FieldLessOne:
    """The other ranked drivers' strengths at the circuit, ranked: kept with the population, so a
    prediction before qualifying places one driver among them rather than ranking the whole field."""
    return population.derived(
        ("field less", number, circuit.key),
        lambda: race_model.FieldLessOne.of(
            [s for key, s in population.circuit_strengths(circuit).items() if key != number]
        ),
    )


def _with_grid(strengths: Mapping[int, float], number: int, grid_position: int) -> list[race_model.Entrant]:
    """The driver on ``grid_position``; the others fill the remaining slots in the order the model
    expects them to qualify (their order before qualifying, skill alone). Their strengths are known,
    so the entrants carry only their grid slots."""
    before = race_model.normal_scores(strengths)
    others = sorted((key for key in strengths if key != number), key=lambda key: (-before[key], key))
    slots = [slot for slot in range(1, len(strengths) + 1) if slot != grid_position]
    grids = dict(zip(others, slots, strict=True)) | {number: grid_position}
    return [race_model.Entrant(key=key, z=None, grid=grids[key]) for key in strengths]


def race_finish(
    *,
    population: SkillPopulation,
    number: int,
    strength: float,
    circuit: CircuitDemand,
    grid_position: int | None,
) -> tuple[int, float]:
    """The predicted position and expected finish of driver ``number``, of ``strength`` at the
    circuit (race_model.strength), in a race of the ranked field there, before qualifying or, with
    ``grid_position``, after it (a position behind the field starts last)."""
    model = population.model
    if grid_position is None:
        field = _field_less(population, number, circuit)
        return race_model.finish_among(field, strength=strength, noise=model.noise_before)
    # The field's strengths (kept with the population) in the field's order, the driver's own given.
    strengths = {**population.circuit_strengths(circuit), number: strength}
    grid_position = min(grid_position, len(strengths))
    race_scores = race_model.scores_from_strengths(
        strengths=strengths, entrants=_with_grid(strengths, number, grid_position), grid_weight=model.grid_weight
    )
    mine = race_scores[number]
    position = 1 + sum(1 for key, score in race_scores.items() if key != number and score > mine)
    return position, race_model.expected_finish(scores=race_scores, key=number, noise=model.noise_after)


def predict(
    *,
    population: SkillPopulation,
    driver: DriverProfile,
    circuit: CircuitDemand,
    adjustments: Mapping[str, float] | None = None,
    grid_position: int | None = None,
) -> dict:
    """The driver's circuit fit and finish in a race of the ranked field at the circuit (before
    qualifying, or after it from ``grid_position``); with ``adjustments``, those of the adjusted
    skills beside the driver's own: in the shape PredictionSerializer publishes, which
    POST /api/predict answers as is. Callers must not change the answer (it may be kept, below)."""
    if grid_position is not None:
        grid_position = min(grid_position, population.field_size)  # a position behind the field starts last
    current = _driver_prediction(population, driver, circuit, grid_position)
    if adjustments is None:
        return current
    scores = skill_model.adjusted_scores(scores=driver.scores, adjustments=adjustments)
    return {
        **_prediction(population, driver.number, scores, circuit, grid_position),
        "adjusted_scores": {f: round(v, 2) for f, v in scores.items()},
        "current_circuit_fit_score": current["circuit_fit_score"],
        "current_predicted_finish": current["predicted_finish"],
    }


def _driver_prediction(
    population: SkillPopulation, driver: DriverProfile, circuit: CircuitDemand, grid_position: int | None
) -> dict:
    """The prediction with the driver's own skills. Before qualifying it is kept with the
    population, one per driver and circuit as the field's strengths are; after it, one per grid
    slot too would be the field's size times as many, so it is computed."""
    if grid_position is not None:
        return _prediction(population, driver.number, driver.scores, circuit, grid_position)
    return population.derived(
        ("prediction", driver.number, circuit.key),
        lambda: _prediction(population, driver.number, driver.scores, circuit, None),
    )


def _prediction(
    population: SkillPopulation,
    number: int,
    scores: Mapping[str, float],
    circuit: CircuitDemand,
    grid_position: int | None,
) -> dict:
    z = skill_model.z_scores(scores=scores, spreads=population.spreads)  # the fit's and the strength's
    fit = skill_model.circuit_fit(z=z, demands=circuit.demands, spread=population.fit_spread(circuit))
    strength = race_model.strength(z=z, demands=circuit.demands)
    position, expected = race_finish(
        population=population, number=number, strength=strength, circuit=circuit, grid_position=grid_position
    )
    return {
        "driver_number": number,
        "track_id": circuit.track_id,
        "circuit_fit_score": round(fit, 1),
        "predicted_finish": position,
        "expected_finish": round(expected, 2),
        "grid_position": grid_position,
        "stage": BEFORE_QUALIFYING if grid_position is None else AFTER_QUALIFYING,
        "field_size": population.field_size,
        "model_version": population.model.name,
        "explanation": _explanation(population, scores, circuit, fit, position),
    }


def race_order(*, population: SkillPopulation, circuit: CircuitDemand, grid: list[int] | None = None) -> dict:
    """The ranked field's predicted order in a race at the circuit, with win and podium chances:
    before qualifying, or after it when ``grid`` lists car numbers in starting order (cars it does
    not list start behind them)."""
    model = population.model
    starting = {number: slot for slot, number in enumerate(grid or [], start=1)}
    unknown = sorted(set(starting) - set(population.by_number))
    if unknown:
        # As for any driver the model does not rank (POST /api/predict): not found.
        raise NotFound(f"Cars on the grid not in the ranked field: {', '.join(map(str, unknown))}.")
    entrants = [
        race_model.Entrant(key=d.number, z=population.z_by_number[d.number], grid=starting.get(d.number))
        for d in population.drivers
    ]
    after = bool(starting)
    forecasts = race_model.forecast(
        entrants=entrants,
        demands=circuit.demands,
        grid_weight=model.grid_weight,
        noise=model.noise_after if after else model.noise_before,
        seed=f"{circuit.track_id}:{model.name}",
    )
    return {
        "track_id": circuit.track_id,
        "track_name": circuit.name,
        "stage": AFTER_QUALIFYING if after else BEFORE_QUALIFYING,
        "field_size": population.field_size,
        "model_version": model.name,
        "predictions": [
            {
                "position": f.position,
                "driver_number": f.key,
                "driver_name": population.by_number[f.key].name,
                "grid_position": f.grid,
                "expected_finish": round(f.expected_finish, 2),
                "win_probability": round(f.win_probability, 3),
                "podium_probability": round(f.podium_probability, 3),
            }
            for f in forecasts
        ],
    }


def improve(*, population: SkillPopulation, driver: DriverProfile, target: Mapping[str, float]) -> dict:
    """The driver with the given skill scores: predicted finish, nearest drivers, where effort pays."""
    factors = population.model.factors
    budget = settings.HACKTHETRACK["SKILLS_BUDGET"]
    current_finish = population.predicted_finish(driver.scores)
    target_finish = population.predicted_finish(target)
    similar = []
    for other in population.drivers:
        if other.number == driver.number:
            continue
        similarity = max(0.0, 100 - sum(abs(target[f] - other.scores[f]) for f in factors) / len(factors))
        similar.append((similarity, other))
    similar.sort(key=lambda s: (-s[0], s[1].number))
    # Positions gained per 10 score points of each factor: -coefficient x 10 / the factor's spread.
    per_ten = {
        f: -population.model.finish[f] * 10 / population.spreads[f].std if population.spreads[f].std else 0.0
        for f in factors
    }
    order = sorted(factors, key=lambda f: -per_ten[f])
    return {
        "driver_number": driver.number,
        "current_skills": dict(driver.scores),
        "adjusted_skills": dict(target),
        "points_used": round(sum(abs(target[f] - driver.scores[f]) for f in factors), 2),
        "skills_budget": budget,
        "points_available": round(budget - sum(target.values()), 2),
        "prediction": {
            "predicted_finish": round(target_finish, 2),
            "current_predicted_finish": round(current_finish, 2),
            "positions_gained": round(current_finish - target_finish, 2),
            "field_size": population.field_size,
            "model_version": population.model.name,
        },
        "similar_drivers": [
            {
                "driver_number": other.number,
                "driver_name": other.name,
                "similarity_score": round(similarity, 1),
                "skill_differences": {f: round(target[f] - other.scores[f], 1) for f in factors},
                "predicted_finish": round(population.predicted_finish(other.scores), 2),
            }
            for similarity, other in similar[: settings.HACKTHETRACK["TOP_DRIVERS_COUNT"]]
        ],
        "recommendations": [
            {
                "factor_name": f,
                "display_name": population.model.display_names[f],
                "current_score": round(driver.scores[f], 1),
                "priority": priority,
                "impact_estimate": f"+{per_ten[f]:.1f} positions per 10 points",
            }
            for priority, f in enumerate(order, start=1)
        ],
    }


def _ranking_row(population: SkillPopulation, number: int, name: str, scores: Mapping[str, float]) -> dict:
    row = {"driver_number": number, "driver_name": name}
    row.update({f: round(scores[f], 1) for f in population.model.factors})
    row["overall_score"] = round(population.overall(scores), 1)
    row["avg_finish"] = round(population.predicted_finish(scores), 2)
    return row


def rankings_projected(*, population: SkillPopulation, driver_number: int, skills: Mapping[str, float]) -> dict:
    """The field ranked by predicted finish, with the driver once as they are and once projected."""
    driver = population.driver(driver_number)
    others = [d for d in population.drivers if d.number != driver_number]
    finishes = {d.number: population.raw_finish(d.scores) for d in others}
    current_raw = population.raw_finish(driver.scores)
    projected_raw = population.raw_finish(skills)
    current_rank = 1 + sum(1 for f in finishes.values() if f < current_raw)
    projected_rank = 1 + sum(1 for f in finishes.values() if f < projected_raw)
    entries = [
        (finishes[d.number], 0, _ranking_row(population, d.number, d.name, d.scores), False, False) for d in others
    ]
    entries.append((current_raw, 0, _ranking_row(population, driver.number, driver.name, driver.scores), True, False))
    entries.append(
        (projected_raw, 1, _ranking_row(population, driver.number, f"{driver.name} (PROJECTED)", skills), True, True)
    )
    entries.sort(key=lambda e: (e[0], e[1], e[2]["driver_number"]))
    table = [
        {"rank": rank, **row, "is_user": is_user, "is_projected": is_projected}
        for rank, (_, _, row, is_user, is_projected) in enumerate(entries, start=1)
    ]
    observed = {f: [d.scores[f] for d in population.drivers] for f in population.model.factors}
    inside = all(min(observed[f]) <= skills[f] <= max(observed[f]) for f in observed)
    return {
        "user_driver_number": driver_number,
        "current_rank": current_rank,
        "projected_rank": projected_rank,
        "positions_gained": current_rank - projected_rank,
        "projected_avg_finish": round(population.predicted_finish(skills), 2),
        "current_avg_finish": round(population.predicted_finish(driver.scores), 2),
        "rankings_table": table,
        # Inside the range of skills the model was fitted on, or extrapolating beyond it.
        "confidence_level": "high" if inside else "low",
    }
