"""factors.skill_model's arithmetic on small inputs worked out by hand (the properties over random
fields are in test_model_properties.py)."""

from statistics import NormalDist

import pytest

from factors.skill_model import (
    NO_SPREAD,
    Coefficients,
    Spread,
    adjusted_scores,
    circuit_fit,
    clamp,
    fit_spread,
    overall_score,
    population_std,
    predicted_finish,
    raw_finish,
    raw_fit,
    spreads_of,
    z_scores,
)

MODEL = Coefficients(
    name="m",
    season=2025,
    intercept=10.0,
    weights={"a": 0.5, "b": 0.25},
    finish={"a": -2.0, "b": -1.0},
    display_names={"a": "A", "b": "B"},
)
SPREADS = {"a": Spread(mean=50.0, std=10.0), "b": Spread(mean=50.0, std=20.0)}


def test_a_z_score_is_against_the_field_and_zero_without_a_spread():
    assert Spread(mean=50.0, std=10.0).z(70.0) == 2.0
    assert Spread(mean=50.0, std=10.0).z(45.0) == -0.5
    assert Spread(mean=50.0, std=NO_SPREAD).z(70.0) == 0.0
    assert Spread(mean=50.0, std=0.0).z(70.0) == 0.0


def test_population_std_and_spreads():
    assert population_std([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]) == 2.0
    spreads = spreads_of(scores=[{"a": 0.0, "b": 10.0}, {"a": 10.0, "b": 10.0}], factors=["a", "b"])
    assert spreads == {"a": Spread(mean=5.0, std=5.0), "b": Spread(mean=10.0, std=0.0)}
    assert z_scores(scores={"a": 10.0, "b": 3.0}, spreads=spreads) == {"a": 1.0, "b": 0.0}


def test_overall_score_is_the_weighted_sum():
    assert overall_score(scores={"a": 80.0, "b": 40.0}, model=MODEL) == 0.5 * 80 + 0.25 * 40


def test_the_finish_is_the_intercept_plus_coefficients_times_z_clamped_to_the_field():
    # z: a = (70 - 50) / 10 = 2, b = (30 - 50) / 20 = -1; 10 - 2·2 - 1·(-1) = 7.
    assert raw_finish(scores={"a": 70.0, "b": 30.0}, spreads=SPREADS, model=MODEL) == 7.0
    assert predicted_finish(scores={"a": 70.0, "b": 30.0}, spreads=SPREADS, model=MODEL, field_size=20) == 7.0
    # z 5 and -2: 10 - 10 + 2 = 2. Above P1 (10 - 10 - 2) is P1; beyond the field (22.5 of 20) is last.
    assert raw_finish(scores={"a": 100.0, "b": 10.0}, spreads=SPREADS, model=MODEL) == 2.0
    assert predicted_finish(scores={"a": 100.0, "b": 90.0}, spreads=SPREADS, model=MODEL, field_size=20) == 1.0
    assert predicted_finish(scores={"a": 0.0, "b": 0.0}, spreads=SPREADS, model=MODEL, field_size=20) == 20.0
    assert predicted_finish(scores={"a": 0.0, "b": 0.0}, spreads=SPREADS, model=MODEL, field_size=0) == 1.0


def test_clamp():
    assert [clamp(v, 1.0, 3.0) for v in (0.0, 1.0, 2.5, 3.0, 4.0)] == [1.0, 1.0, 2.5, 3.0, 3.0]


def test_a_fit_is_the_demand_weighted_z_through_the_normal_cdf():
    assert raw_fit(z={"a": 1.5, "b": -1.0}, demands={"a": 2.0, "b": 1.0, "c": 4.0}) == 2.0  # c: no z, 0
    # Raw fits 2 and -2 over the field: spread 2; a raw fit of 2 is one spread above, Φ(1).
    assert fit_spread(population_z=[{"a": 1.0}, {"a": -1.0}], demands={"a": 2.0}) == 2.0
    assert fit_spread(population_z=[{"a": 1.0}], demands={"a": 2.0}) == 0.0
    assert fit_spread(population_z=[], demands={"a": 2.0}) == 0.0
    assert circuit_fit(z={"a": 1.0}, demands={"a": 2.0}, spread=2.0) == pytest.approx(100 * NormalDist().cdf(1.0))
    assert circuit_fit(z={"a": -1.0}, demands={"a": 2.0}, spread=2.0) == pytest.approx(100 * NormalDist().cdf(-1.0))
    assert circuit_fit(z={"a": 1.0}, demands={"a": 2.0}, spread=NO_SPREAD) == 50.0


def test_adjusted_scores_stay_in_0_to_100():
    scores = {"a": 95.0, "b": 10.0, "c": 50.0}
    assert adjusted_scores(scores=scores, adjustments={"a": 10.0, "b": -20.0}) == {"a": 100.0, "b": 0.0, "c": 50.0}
    assert adjusted_scores(scores=scores, adjustments={"c": 5.5}) == {"a": 95.0, "b": 10.0, "c": 55.5}
