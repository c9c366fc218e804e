"""/api/factors/... on the synthetic season."""

from statistics import fmean

import pytest

from tests.factors.conftest import FACTORS


def _top(values, n=3):
    return sorted(values, reverse=True)[:n]


@pytest.mark.parametrize("factor", list(FACTORS))
def test_stats_over_the_ranked_drivers(client, season, factor):
    scores = [s[factor] for s in season.ranked.values()]
    assert client.get(f"/api/factors/{factor}/stats").json() == {
        "factor": factor,
        "top_3_average": round(fmean(_top(scores)), 2),
        "league_average": round(fmean(scores), 2),
        "min": round(min(scores), 2),
        "max": round(max(scores), 2),
        "count": len(scores),
    }


@pytest.mark.parametrize("limit", [1, 3, 12])
def test_top_average_in_one_query(client, season, django_assert_num_queries, limit):
    scores = [s["speed"] for s in season.ranked.values()]
    with django_assert_num_queries(2):  # the data version, then the ranking
        response = client.get(f"/api/factors/speed/top-average?limit={limit}")
    assert response.json() == {"factor": "speed", "top_average": round(fmean(_top(scores, limit)), 2), "count": limit}
    assert len(response.content) < 200


def test_top_average_defaults_to_the_top_drivers_count(client, season, settings):
    scores = [s["racecraft"] for s in season.ranked.values()]
    settings.HACKTHETRACK = {**settings.HACKTHETRACK, "TOP_DRIVERS_COUNT": 4}
    body = client.get("/api/factors/racecraft/top-average").json()
    assert body == {"factor": "racecraft", "top_average": round(fmean(_top(scores, 4)), 2), "count": 4}


# 2770621305796250.0: what schemathesis found answered 200 (docs/api.md).
@pytest.mark.parametrize("limit", ["0", "x", "-1", "3.0", "2770621305796250.0"])
def test_top_average_rejects_a_limit_that_is_no_whole_number_from_1(client, season, limit):
    response = client.get(f"/api/factors/speed/top-average?limit={limit}")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"limit"}


def test_top_average_beyond_the_field_averages_the_whole_field(client, season):
    scores = [s["speed"] for s in season.ranked.values()]
    body = client.get(f"/api/factors/speed/top-average?limit={len(scores) + 1}").json()
    assert body == {"factor": "speed", "top_average": round(fmean(scores), 2), "count": len(scores)}


@pytest.mark.parametrize(
    "path",
    [
        "/api/factors/nope/stats",
        "/api/factors/nope/top-average",
        "/api/factors/nope/breakdown/1",
        "/api/factors/nope/comparison/1",
        "/api/factors/nope/coaching/1",
    ],
)
def test_unknown_factor_is_404(client, season, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"].startswith("Factor nope not found")
    assert response.json()["path"] == path


def test_breakdown_lists_the_factor_variables_of_the_driver(client, season):
    body = client.get("/api/factors/consistency/breakdown/2").json()
    assert body["factor_name"] == "consistency"
    assert body["explanation"] == "What Consistency measures"
    assert [v["name"] for v in body["variables"]] == ["consistency_v1", "consistency_v2"]
    for variable in body["variables"]:
        assert variable["percentile"] == season.variable_percentiles[2][variable["name"]]
        assert variable["loading"] == 0.7


def test_breakdown_of_an_unknown_driver_is_404(client, season):
    assert client.get("/api/factors/speed/breakdown/999").status_code == 404


def test_comparison_against_the_top_three(client, season):
    by_speed = sorted(season.ranked, key=lambda n: (-season.ranked[n]["speed"], n))
    number = by_speed[5]
    body = client.get(f"/api/factors/speed/comparison/{number}").json()
    assert [d["driver_number"] for d in body["top_drivers"]] == by_speed[:3]
    assert body["user_driver"]["driver_number"] == number
    assert body["user_driver"]["variables"] == {
        k: v for k, v in season.variable_percentiles[number].items() if k.startswith("speed_")
    }
    assert f"You rank #6 out of {len(season.ranked)} drivers in speed." in body["insights"]


def test_comparison_and_coaching_of_unranked_driver_are_404(client, season):
    for number in season.unranked_numbers:
        assert client.get(f"/api/factors/speed/comparison/{number}").status_code == 404
        assert client.get(f"/api/factors/speed/coaching/{number}").status_code == 404


def test_coaching_names_the_weakest_variable_and_the_gap_to_the_top(client, season):
    by_tire = sorted(season.ranked, key=lambda n: (-season.ranked[n]["tire_management"], n))
    number = by_tire[-1]
    body = client.get(f"/api/factors/tire_management/coaching/{number}").json()
    own = {k: v for k, v in season.variable_percentiles[number].items() if k.startswith("tire_management_")}
    weakest = min(own, key=own.get)
    assert body["factor_rank"] == len(season.ranked) == body["total_drivers"]
    assert body["weakest_variable"]["variable"] == weakest
    top = by_tire[:3]
    for gap in body["variable_gaps"]:
        top_average = fmean(season.variable_percentiles[n][gap["variable"]] for n in top)
        assert gap["gap"] == pytest.approx(round(max(top_average - own[gap["variable"]], 0), 1))
