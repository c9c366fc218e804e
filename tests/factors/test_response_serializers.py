"""The skill-model endpoints answer through response serializers (the schema's source). A serializer
must neither drop nor change what the report functions build: each answer equals its report."""

import json

import pytest

from factors import driver_reports, factor_reports, predictions, selectors

SKILLS = {"speed": 70.0, "consistency": 60.0, "racecraft": 55.0, "tire_management": 50.0}


def _json(value):
    return json.loads(json.dumps(value))


def _requests(population, number):
    """(method, path, body, what the report functions build for that request)."""
    driver = population.driver(number)
    field = population.by_average_finish
    best = field[0].number  # no better finisher: find-similar answers a self-match
    circuit = population.circuits("alpha")[0]
    similar_body = {"current_driver_number": number, "target_skills": SKILLS}
    best_similar_body = {"current_driver_number": best, "target_skills": SKILLS}
    predict_body = {"driver_number": number, "track_id": "alpha", "grid_position": 2, "skill_adjustments": {"speed": 5}}
    skills_query = "&".join(f"{factor}={value}" for factor, value in SKILLS.items())
    grid = [d.number for d in reversed(field)]
    return [
        ("get", "/api/drivers", None, driver_reports.driver_cards(population=population, track_id=None, drivers=field)),
        (
            "get",
            "/api/drivers?track_id=alpha",
            None,
            driver_reports.driver_cards(population=population, track_id="alpha", drivers=field),
        ),
        (
            "get",
            f"/api/drivers/{number}",
            None,
            driver_reports.driver_cards(population=population, track_id=None, drivers=[driver])[0],
        ),
        (
            "get",
            f"/api/drivers/{number}/skill-gaps",
            None,
            driver_reports.skill_gaps(population=population, driver_number=number),
        ),
        (
            "get",
            f"/api/drivers/{number}/coach-recommendations",
            None,
            driver_reports.coach_recommendations(population=population, driver_number=number),
        ),
        (
            "get",
            f"/api/drivers/{number}/match?speed=90",
            None,
            driver_reports.match(population=population, driver_number=number, top_n=5, adjusted={"speed": 90.0}),
        ),
        (
            "get",
            "/api/factors/speed/stats",
            None,
            factor_reports.factor_stats(population=population, factor_id="speed"),
        ),
        (
            "get",
            f"/api/factors/speed/comparison/{number}",
            None,
            factor_reports.factor_comparison(population=population, factor_id="speed", driver_number=number),
        ),
        (
            "get",
            f"/api/factors/racecraft/coaching/{number}",
            None,
            factor_reports.factor_coaching(population=population, factor_id="racecraft", driver_number=number),
        ),
        (
            "post",
            f"/api/drivers/{number}/improve/predict",
            SKILLS,
            predictions.improve(population=population, driver=driver, target=SKILLS),
        ),
        (
            "post",
            "/api/drivers/find-similar",
            similar_body,
            driver_reports.find_similar(population=population, driver_number=number, target=SKILLS),
        ),
        (
            "post",
            "/api/drivers/find-similar",
            best_similar_body,
            driver_reports.find_similar(population=population, driver_number=best, target=SKILLS),
        ),
        (
            "post",
            "/api/predict",
            {"driver_number": number, "track_id": "alpha"},
            predictions.predict(population=population, driver=driver, circuit=circuit),
        ),
        (
            "post",
            "/api/predict",
            predict_body,
            predictions.predict(
                population=population, driver=driver, circuit=circuit, adjustments={"speed": 5.0}, grid_position=2
            ),
        ),
        (
            "get",
            f"/api/rankings/projected?driver_number={number}&{skills_query}",
            None,
            predictions.rankings_projected(population=population, driver_number=number, skills=SKILLS),
        ),
        ("get", "/api/tracks/alpha/prediction", None, predictions.race_order(population=population, circuit=circuit)),
        (
            "get",
            f"/api/tracks/alpha/prediction?grid={','.join(map(str, grid))}",
            None,
            predictions.race_order(population=population, circuit=circuit, grid=grid),
        ),
    ]


def test_each_answer_is_exactly_what_the_reports_build(client, season):
    population = selectors.build_skill_population()
    worst = max(season.avg_finish, key=season.avg_finish.get)  # better drivers exist for find-similar

    for method, path, body, expected in _requests(population, worst):
        if method == "post":
            response = client.post(path, body, content_type="application/json")
        else:
            response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        assert response.json() == _json(expected), path


@pytest.mark.parametrize("number", [1, 2])
def test_breakdown_names_each_variable_with_its_definition(client, season, number):
    definition, values = selectors.factor_with_values(factor_id="speed", driver_number=number)

    body = client.get(f"/api/factors/speed/breakdown/{number}").json()

    assert body == {
        "factor_name": "speed",
        "explanation": definition.description,
        "variables": [
            {
                "name": value.variable_id,
                "display_name": value.variable.display_name,
                "normalized_value": value.normalized_value,
                "percentile": value.percentile,
                "loading": value.variable.loading,
                "description": value.variable.description,
            }
            for value in values
        ],
    }
