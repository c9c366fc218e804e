"""Predictions, rankings, similar drivers and skill gaps on the synthetic season."""

from statistics import fmean, pstdev

import pytest

from tests.factors.conftest import DEMANDS, FACTORS, INTERCEPT


def expected_finish(season, scores):
    """intercept + sum(coefficient x z), z against the ranked drivers, clamped to 1..field: the
    season-average finish of improve and the projected rankings."""
    field = list(season.ranked.values())
    raw = INTERCEPT
    for factor, (_, _, coefficient) in FACTORS.items():
        values = [s[factor] for s in field]
        raw += coefficient * (scores[factor] - fmean(values)) / pstdev(values)
    return min(max(raw, 1), len(field))


PREDICTION_KEYS = (
    "driver_number",
    "track_id",
    "circuit_fit_score",
    "predicted_finish",
    "expected_finish",
    "grid_position",
    "stage",
    "field_size",
    "model_version",
    "explanation",
)


def race_place(season, track_id, number, scores):
    """1 plus the ranked drivers whose demand-weighted z-sum at the track beats the driver's."""
    field = list(season.ranked.values())
    spreads = {f: (fmean(s[f] for s in field), pstdev([s[f] for s in field])) for f in FACTORS}

    def strength(profile):
        return sum(DEMANDS[track_id][f] * (profile[f] - spreads[f][0]) / spreads[f][1] for f in FACTORS)

    mine = strength(scores)
    return 1 + sum(1 for other, profile in season.ranked.items() if other != number and strength(profile) > mine)


def test_predict(client, season):
    response = client.post("/api/predict", {"driver_number": 4, "track_id": "alpha"}, content_type="application/json")
    body = response.json()
    assert response.status_code == 200
    assert body["predicted_finish"] == race_place(season, "alpha", 4, season.ranked[4])
    assert body["stage"] == "before_qualifying" and body["grid_position"] is None
    assert 1 <= body["expected_finish"] <= len(season.ranked)
    assert body["field_size"] == len(season.ranked)
    assert 0 <= body["circuit_fit_score"] <= 100
    assert body["explanation"].startswith(f"Circuit fit: {body['circuit_fit_score']:.0f}/100.")
    assert set(body) == set(PREDICTION_KEYS)


def test_predict_with_adjustments(client, season):
    payload = {"driver_number": 4, "track_id": "beta", "skill_adjustments": {"speed": 20, "racecraft": -50}}
    body = client.post("/api/predict", payload, content_type="application/json").json()
    scores = dict(season.ranked[4])
    adjusted = {**scores, "speed": min(scores["speed"] + 20, 100), "racecraft": max(scores["racecraft"] - 50, 0)}
    assert body["adjusted_scores"] == pytest.approx(adjusted, abs=0.01)
    assert body["predicted_finish"] == race_place(season, "beta", 4, adjusted)
    assert body["current_predicted_finish"] == race_place(season, "beta", 4, scores)
    assert set(body) == {*PREDICTION_KEYS, "adjusted_scores", "current_circuit_fit_score", "current_predicted_finish"}


def test_predict_after_qualifying_moves_with_the_grid(client, season):
    places = []
    for grid in (len(season.ranked), 1):
        payload = {"driver_number": 4, "track_id": "alpha", "grid_position": grid}
        body = client.post("/api/predict", payload, content_type="application/json").json()
        assert body["stage"] == "after_qualifying" and body["grid_position"] == grid
        places.append(body["predicted_finish"])
    assert places[1] < places[0]  # from pole rather than from the back
    # A grid position behind the field starts last.
    behind = {"driver_number": 4, "track_id": "alpha", "grid_position": len(season.ranked) + 5}
    body = client.post("/api/predict", behind, content_type="application/json").json()
    assert body["grid_position"] == len(season.ranked) and body["predicted_finish"] == places[0]
    too_far = {"driver_number": 4, "track_id": "alpha", "grid_position": 1000}
    response = client.post("/api/predict", too_far, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["details"]) == {"grid_position"}


def test_race_prediction_orders_the_field_with_chances(client, season):
    body = client.get("/api/tracks/alpha/prediction").json()
    rows = body["predictions"]
    assert body["stage"] == "before_qualifying" and len(rows) == len(season.ranked)
    expected = sorted(season.ranked, key=lambda n: race_place(season, "alpha", n, season.ranked[n]))
    assert [row["driver_number"] for row in rows] == expected
    assert sum(row["win_probability"] for row in rows) == pytest.approx(1.0, abs=0.01)
    assert sum(row["podium_probability"] for row in rows) == pytest.approx(3.0, abs=0.01)
    last = expected[-1]
    after = client.get(f"/api/tracks/alpha/prediction?grid={last}").json()
    assert after["stage"] == "after_qualifying"
    moved = next(row for row in after["predictions"] if row["driver_number"] == last)
    assert moved["grid_position"] == 1 and moved["position"] < len(rows)
    assert client.get("/api/tracks/alpha/prediction?grid=").json()["stage"] == "before_qualifying"
    for bad in ("0", "1,1", "x", "99999", ",".join(map(str, range(1, 202)))):
        response = client.get(f"/api/tracks/alpha/prediction?grid={bad}")
        assert response.status_code == 400 and set(response.json()["details"]) == {"grid"}, bad
    # A car the model does not rank is not found, as by POST /api/predict.
    unranked = season.unranked_numbers[0]
    response = client.get(f"/api/tracks/alpha/prediction?grid={last},{unranked}")
    assert response.status_code == 404
    assert response.json()["error"] == f"Cars on the grid not in the ranked field: {unranked}."
    assert client.get("/api/tracks/nowhere/prediction").status_code == 404


@pytest.mark.parametrize(
    "payload, fields",
    [
        ({}, {"driver_number", "track_id"}),
        ({"driver_number": "abc", "track_id": "alpha"}, {"driver_number"}),
        ({"driver_number": 0, "track_id": "alpha"}, {"driver_number"}),
        ({"driver_number": 2.5, "track_id": "alpha"}, {"driver_number"}),
        ({"driver_number": True, "track_id": "alpha"}, {"driver_number"}),
        ({"driver_number": "4", "track_id": "alpha"}, {"driver_number"}),  # the schema's integer is no string
        ({"driver_number": 4, "track_id": "alpha", "grid_position": "3"}, {"grid_position"}),
        ({"driver_number": 4, "track_id": ""}, {"track_id"}),
        ({"driver_number": 4, "track_id": "x" * 51}, {"track_id"}),
        ({"driver_number": 4, "track_id": "alpha", "skill_adjustments": {"speed": 51}}, {"skill_adjustments"}),
        ({"driver_number": 4, "track_id": "alpha", "skill_adjustments": {"luck": 5}}, {"skill_adjustments"}),
        ({"driver_number": 4, "track_id": "alpha", "skill_adjustments": {"speed": "5"}}, {"skill_adjustments"}),
        ({"driver_number": 4, "track_id": "alpha", "skill_adjustments": [1]}, {"skill_adjustments"}),
        (
            {"driver_number": "x", "track_id": "", "skill_adjustments": {"x": 1}},
            {"driver_number", "track_id", "skill_adjustments"},
        ),
    ],
)
def test_predict_names_each_bad_field(client, season, payload, fields):
    response = client.post("/api/predict", payload, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["details"]) == fields


def test_predict_takes_a_json_integer_written_with_a_zero_fraction(client, season):
    """JSON Schema counts 4.0 as an integer, as the schema's ``integer`` then does."""
    answers = [
        client.post("/api/predict", {"driver_number": number, "track_id": "alpha"}, content_type="application/json")
        for number in (4, 4.0)
    ]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()


@pytest.mark.parametrize("body", ["{not json", "", "[1, 2]", "null"])
def test_predict_rejects_a_body_that_is_not_a_json_object(client, season, body):
    response = client.post("/api/predict", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"error", "details", "path"}


@pytest.mark.parametrize(
    "payload, error",
    [
        ({"driver_number": 999, "track_id": "alpha"}, "Driver 999 not found"),
        ({"driver_number": 4, "track_id": "nope"}, "Track nope not found"),
        ({"driver_number": 999, "track_id": "nope"}, "Driver 999 not found"),
    ],
)
def test_predict_unknown_driver_or_track_is_404(client, season, payload, error):
    response = client.post("/api/predict", payload, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"] == error


def test_improve_predict(client, season):
    scores = season.ranked[5]
    target = {f: min(v + 5, 100) for f, v in scores.items()}
    response = client.post("/api/drivers/5/improve/predict", target, content_type="application/json")
    body = response.json()
    assert response.status_code == 200, body
    assert body["prediction"]["predicted_finish"] == pytest.approx(round(expected_finish(season, target), 2))
    assert body["prediction"]["predicted_finish"] <= body["prediction"]["current_predicted_finish"]
    assert body["points_available"] == pytest.approx(round(320 - sum(target.values()), 2))


def test_improve_predict_over_the_skills_budget_says_so_in_points_available(client, season):
    response = client.post(
        "/api/drivers/5/improve/predict",
        {"speed": 90, "consistency": 90, "racecraft": 90, "tire_management": 90},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["points_available"] == 320 - 4 * 90


def test_improve_predict_requires_every_skill(client, season):
    response = client.post("/api/drivers/5/improve/predict", {"speed": 50}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"consistency", "racecraft", "tire_management"}


def test_rankings_projected_ranks_by_predicted_finish(client, season):
    scores = season.ranked[6]
    better = {f: min(v + 10, 100) for f, v in scores.items()}
    query = "&".join(f"{f}={v}" for f, v in better.items())
    body = client.get(f"/api/rankings/projected?driver_number=6&{query}").json()
    finishes = {n: expected_finish(season, s) for n, s in season.ranked.items()}
    assert body["current_avg_finish"] == pytest.approx(round(finishes[6], 2))
    assert body["projected_avg_finish"] <= body["current_avg_finish"]
    assert body["projected_rank"] <= body["current_rank"]
    assert len(body["rankings_table"]) == len(season.ranked) + 1
    table_finishes = [row["avg_finish"] for row in body["rankings_table"]]
    assert table_finishes == sorted(table_finishes)


def test_rankings_projected_validation(client, season):
    response = client.get("/api/rankings/projected?driver_number=6&speed=150")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"speed", "consistency", "racecraft", "tire_management"}
    query = "speed=50&consistency=50&racecraft=50&tire_management=50"
    assert client.get(f"/api/rankings/projected?driver_number=999&{query}").status_code == 404


def test_find_similar_returns_only_better_finishers_nearest_first(client, season):
    number = max(season.ranked, key=lambda n: season.avg_finish[n])
    target = season.ranked[number]
    body = client.post(
        "/api/drivers/find-similar",
        {"current_driver_number": number, "target_skills": target},
        content_type="application/json",
    ).json()
    better = [n for n in season.ranked if season.avg_finish[n] < season.avg_finish[number]]
    distance = {n: sum((season.ranked[n][f] - target[f]) ** 2 for f in FACTORS) ** 0.5 for n in better}
    assert [d["driver_number"] for d in body["similar_drivers"]] == sorted(better, key=distance.get)[:3]
    assert body["total_better_drivers"] == len(better)
    assert body["similar_drivers"][0]["match_score"] == 100.0


def test_find_similar_for_the_best_finisher_answers_a_self_match_and_a_message(client, season):
    best = min(season.ranked, key=lambda n: season.avg_finish[n])
    body = client.post(
        "/api/drivers/find-similar",
        {"current_driver_number": best, "target_skills": season.ranked[best]},
        content_type="application/json",
    ).json()
    (row,) = body["similar_drivers"]
    assert row["driver_number"] == best and row["is_elite_self_match"] is True
    assert row["target_factor"] == min(FACTORS, key=lambda f: season.ranked[best][f])
    assert body["total_better_drivers"] == 0
    assert f"Driver {best} has the best average finish" in body["message"]


def test_find_similar_validation(client, season):
    response = client.post(
        "/api/drivers/find-similar",
        {"current_driver_number": 1, "target_skills": {"speed": 101, "luck": 3}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"target_skills"}
    response = client.post("/api/drivers/find-similar", {"current_driver_number": 1}, content_type="application/json")
    assert set(response.json()["details"]) == {"target_skills"}


def test_match_by_cosine_similarity(client, season):
    body = client.get("/api/drivers/1/match?top_n=3").json()
    target = season.ranked[1]

    def cosine(other):
        dot = sum(target[f] * other[f] for f in FACTORS)
        norm = (sum(v * v for v in target.values()) * sum(v * v for v in other.values())) ** 0.5
        return round(100 * dot / norm, 1)

    expected = sorted((n for n in season.ranked if n != 1), key=lambda n: (-cosine(season.ranked[n]), n))[:3]
    assert [d["driver_number"] for d in body["similar_drivers"]] == expected
    assert body["adjusted_profile"] is False


def test_match_with_adjusted_profile_and_bounds(client, season):
    body = client.get("/api/drivers/1/match?speed=90&consistency=90&racecraft=90&tire_management=90").json()
    assert body["adjusted_profile"] is True
    assert len(body["similar_drivers"]) == 5
    assert set(client.get("/api/drivers/1/match?top_n=11").json()["details"]) == {"top_n"}
    assert client.get("/api/drivers/999/match").status_code == 404


def test_skill_gaps_and_recommendations(client, season):
    weakest = max(season.ranked, key=lambda n: expected_finish(season, season.ranked[n]))
    gaps = client.get(f"/api/drivers/{weakest}/skill-gaps").json()
    assert gaps["total_drivers"] == len(season.ranked)
    impacts = [g["position_impact"] for g in gaps["skill_gaps"]]
    assert impacts == sorted(impacts, reverse=True) and all(i > 0 for i in impacts)

    def overall(n):
        return sum(weight * season.ranked[n][f] for f, (_, weight, _) in FACTORS.items())

    best = sorted(season.ranked, key=lambda n: (-overall(n), n))[:3]
    assert {g["factor_name"] for g in gaps["skill_gaps"]} == {
        f for f in FACTORS if season.ranked[weakest][f] < fmean(season.ranked[n][f] for n in best)
    }
    for gap in gaps["skill_gaps"]:
        top3 = fmean(season.ranked[n][gap["factor_name"]] for n in best)
        assert gap["top3_average"] == pytest.approx(round(top3, 1))
    assert gaps["estimated_potential_rank"] <= gaps["current_overall_rank"]
    recommendations = client.get(f"/api/drivers/{weakest}/coach-recommendations").json()
    assert [r["skill_area"] for r in recommendations["recommendations"]] == [
        g["display_name"] for g in gaps["skill_gaps"]
    ]
    assert set(recommendations["track_specific_insights"]) == {"alpha", "beta"}
    for number in [*season.unranked_numbers, 999]:
        assert client.get(f"/api/drivers/{number}/skill-gaps").status_code == 404
        assert client.get(f"/api/drivers/{number}/coach-recommendations").status_code == 404


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e400"])
def test_skills_in_query_parameters_must_be_finite(client, season, value):
    skills = f"speed={value}&consistency=50&racecraft=50&tire_management=50"
    response = client.get(f"/api/rankings/projected?driver_number=6&{skills}")
    assert response.status_code == 400 and set(response.json()["details"]) == {"speed"}
    response = client.get(f"/api/drivers/6/match?speed={value}")
    assert response.status_code == 400 and set(response.json()["details"]) == {"speed"}
