"""/api/drivers and /api/drivers/{n} on the synthetic season."""

from statistics import fmean, pstdev

import pytest
from django.core.cache import cache

from tests.factors.conftest import DEMANDS, FACTORS


def test_list_serves_exactly_the_ranked_drivers(client, season):
    body = client.get("/api/drivers").json()
    assert sorted(d["driver_number"] for d in body) == sorted(season.ranked)


def test_list_is_ordered_by_season_average_finish(client, season):
    body = client.get("/api/drivers").json()
    expected = sorted(season.ranked, key=lambda n: (season.avg_finish[n], n))
    assert [d["driver_number"] for d in body] == expected


def test_overall_score_is_the_weighted_sum_of_the_active_weights(client, season):
    for card in client.get("/api/drivers").json():
        scores = season.ranked[card["driver_number"]]
        expected = sum(weight * scores[f] for f, (_, weight, _) in FACTORS.items())
        assert card["overall_score"] == pytest.approx(expected)


def test_z_scores_come_from_the_field_not_from_50_and_10(client, season):
    body = client.get("/api/drivers").json()
    for factor in FACTORS:
        scores = [season.ranked[d["driver_number"]][factor] for d in body]
        mean, std = fmean(scores), pstdev(scores)
        for card in body:
            block = card[factor]
            assert block["name"] == FACTORS[factor][0]
            assert block["z_score"] == pytest.approx((block["score"] - mean) / std, abs=1e-4)


def test_stats_block_comes_from_the_season(client, season):
    card = client.get("/api/drivers/3").json()
    finishes = season.finishes[3]
    assert card["stats"]["races_completed"] == len(finishes)
    assert card["stats"]["average_finish"] == pytest.approx(fmean(finishes))
    assert card["stats"]["best_finish"] == min(finishes)
    assert card["stats"]["worst_finish"] == max(finishes)
    assert card["stats"]["wins"] == finishes.count(1)


def test_unranked_and_unknown_drivers_are_404_in_the_envelope(client, season):
    for number in [*season.unranked_numbers, 999]:
        response = client.get(f"/api/drivers/{number}")
        assert response.status_code == 404
        assert response.json() == {
            "error": f"Driver {number} not found",
            "details": {},
            "path": f"/api/drivers/{number}",
        }


def test_track_fits_are_per_request_and_do_not_leak_into_later_answers(client, season):
    plain_before = client.get("/api/drivers").json()
    with_fits = client.get("/api/drivers?track_id=alpha").json()
    assert all(set(card["circuit_fits"]) == {"alpha"} for card in with_fits)
    cache.clear()  # recompute rather than replay the response cache
    assert client.get("/api/drivers").json() == plain_before
    assert all(card["circuit_fits"] == {} for card in plain_before)
    beta = client.get("/api/drivers?track_id=beta").json()
    assert all(set(card["circuit_fits"]) == {"beta"} for card in beta)
    cache.clear()
    assert client.get("/api/drivers/1").json()["circuit_fits"] == {}


def test_circuit_fit_orders_drivers_by_demand_weighted_z(client, season):
    """The fit is monotone in the demand-weighted sum of z-scores, and inside 0..100."""
    body = client.get("/api/drivers?track_id=alpha").json()
    demands = DEMANDS["alpha"]
    raw = {c["driver_number"]: sum(demands[f] * c[f]["z_score"] for f in FACTORS) for c in body}
    fits = {c["driver_number"]: c["circuit_fits"]["alpha"] for c in body}
    by_raw = sorted(raw, key=raw.get)
    assert [fits[n] for n in by_raw] == sorted(fits.values())
    assert all(0 <= f <= 100 for f in fits.values())


def test_unknown_track_is_404(client, season):
    response = client.get("/api/drivers?track_id=nope")
    assert response.status_code == 404
    assert response.json()["error"] == "Track nope not found"


def test_list_pages_on_request(client, season):
    everything = client.get("/api/drivers").json()
    response = client.get("/api/drivers?limit=5&offset=2")
    assert response.json() == everything[2:7]
    assert response["X-Total-Count"] == str(len(everything))
    assert set(client.get("/api/drivers?limit=0").json()["details"]) == {"limit"}


def test_empty_page_parameters_are_no_page(client, season):
    # As every optional query parameter given empty (the schema's allowEmptyValue): absent.
    response = client.get("/api/drivers?limit=&offset=")
    assert response.json() == client.get("/api/drivers").json()
    assert "X-Total-Count" not in response
    assert client.get("/api/drivers?limit=&offset=2").json() == client.get("/api/drivers?offset=2").json()


def test_a_page_past_the_end_is_empty(client, season):
    total = len(client.get("/api/drivers").json())
    response = client.get(f"/api/drivers?limit=5&offset={total}")
    assert response.json() == []
    assert response["X-Total-Count"] == str(total)


def test_a_page_of_cards_is_the_same_cards_as_in_the_whole_list(client, season):
    # Fits and z-scores on a page are against the whole field, not the page.
    everything = client.get("/api/drivers?track_id=alpha").json()
    assert client.get("/api/drivers?track_id=alpha&limit=3&offset=1").json() == everything[1:4]


@pytest.mark.parametrize(
    "path",
    ["/api/drivers/abc", "/api/drivers/0/skill-gaps", "/api/drivers/x/match", "/api/factors/speed/breakdown/abc"],
)
def test_a_driver_number_that_is_not_a_positive_integer_is_400(client, season, path):
    response = client.get(path)
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"number"}
