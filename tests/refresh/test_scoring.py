"""The arithmetic of the refresh's scores, on small inputs whose answers are worked out by hand."""

import pytest

from factors.scoring import (
    VariableSpec,
    driver_means,
    factor_scores,
    normalized_0_100,
    percentiles,
    spearman,
    variable_values,
)

CONSISTENCY = [
    VariableSpec("stint_consistency", "consistency", -0.469),
    VariableSpec("sector_consistency", "consistency", -0.796),
    VariableSpec("braking_consistency", "consistency", -0.934),
]


def test_a_variable_left_out_has_its_weight_spread_over_the_others():
    raw = {
        1: {"stint_consistency": 0.3, "sector_consistency": 0.1, "braking_consistency": 2.0},
        2: {"stint_consistency": 0.6, "sector_consistency": 0.3, "braking_consistency": 4.0},
        3: {"stint_consistency": 0.9, "sector_consistency": 0.2},  # no telemetry
    }
    values = variable_values(raw=raw, variables=CONSISTENCY)
    total = 0.469 + 0.796 + 0.934
    assert values[1]["braking_consistency"].weight == pytest.approx(0.934 / total, abs=1e-4)
    assert values[3]["braking_consistency"].weight == 0
    assert values[3]["braking_consistency"].raw_value is None
    assert values[3]["stint_consistency"].weight == pytest.approx(0.469 / (0.469 + 0.796), abs=1e-4)
    for driver in raw:
        assert sum(v.weight for v in values[driver].values()) == pytest.approx(1, abs=1e-3)
    # Lower is better: the smallest spread normalizes to 100, the largest to 0.
    stint = {driver: values[driver]["stint_consistency"].normalized_value for driver in raw}
    assert (stint[1], stint[3]) == (100, 0)
    assert values[1]["braking_consistency"].normalized_value == 100  # among the two drivers that have it

    scores = factor_scores(values=values, variables=CONSISTENCY)
    # Driver 3: stint 0 (worst), sector 50 (middle of 0.1..0.3), braking left out.
    expected = 0.469 / (0.469 + 0.796) * 0 + 0.796 / (0.469 + 0.796) * 50
    assert scores[3]["consistency"].score == pytest.approx(expected, abs=0.01)
    assert scores[3]["consistency"].variables_used == ("stint_consistency", "sector_consistency")
    assert scores[1]["consistency"].score == 100
    assert [scores[d]["consistency"].percentile for d in (1, 2, 3)] == [100, 0, 50]


def test_spearman_against_hand_computed_values():
    assert spearman([(1, 10), (2, 20), (3, 30)]) == 1
    assert spearman([(1, 30), (2, 20), (3, 10)]) == -1
    # Untied ranks: 1 - 6·Σd² / (n(n² - 1)) with d = (1, -1, 1, -1, 0): 1 - 24/120.
    assert spearman([(1, 2), (2, 1), (3, 4), (4, 3), (5, 5)]) == pytest.approx(0.8)
    assert spearman([(1, 1), (2, 2)]) is None


def test_percentiles_are_mid_ranks_and_ties_share_theirs():
    assert percentiles({"a": 10.0, "b": 20.0, "c": 30.0}) == {"a": 0.0, "b": 50.0, "c": 100.0}
    # Two tied at the bottom share ranks 0 and 1 of 0..2: 0.5 / 2 of the way.
    assert percentiles({"a": 10.0, "b": 10.0, "c": 30.0}) == {"a": 25.0, "b": 25.0, "c": 100.0}
    assert percentiles({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}) == {"a": 0.0, "b": 33.33, "c": 66.67, "d": 100.0}
    assert percentiles({"alone": 7.0}) == {"alone": 50.0}


def test_normalized_0_100_scales_between_the_extremes():
    assert normalized_0_100({1: -2.0, 2: 0.0, 3: 6.0}) == {1: 0.0, 2: 25.0, 3: 100.0}
    assert normalized_0_100({1: 3.0, 2: 3.0}) == {1: 50.0, 2: 50.0}


def test_driver_means_average_each_variable_over_the_races_that_have_it():
    samples = {7: {"positions_gained": [1.0, 2.0, 4.0], "late_stint_perf": []}, 8: {"positions_gained": [1 / 3]}}

    assert driver_means(samples) == {7: {"positions_gained": 2.3333}, 8: {"positions_gained": 0.3333}}


def test_a_variable_where_higher_is_better_is_not_turned_over():
    racecraft = [VariableSpec("positions_gained", "racecraft", 0.8), VariableSpec("position_changes", "racecraft", 0.2)]
    raw = {
        1: {"positions_gained": 4.0, "position_changes": 1.0},
        2: {"positions_gained": -2.0, "position_changes": 3.0},
        3: {"positions_gained": 1.0, "position_changes": 2.0},
    }

    values = variable_values(raw=raw, variables=racecraft)

    gained = {driver: values[driver]["positions_gained"] for driver in raw}
    assert [gained[d].normalized_value for d in (1, 2, 3)] == [100.0, 0.0, 50.0]
    assert [gained[d].percentile for d in (1, 2, 3)] == [100.0, 0.0, 50.0]
    assert (gained[3].weight, gained[3].contribution) == (0.8, 40.0)
    scores = factor_scores(values=values, variables=racecraft)
    # Driver 1: 0.8·100 + 0.2·0; driver 2: 0.8·0 + 0.2·100; driver 3: 0.8·50 + 0.2·50.
    assert [scores[d]["racecraft"].score for d in (1, 2, 3)] == [80.0, 20.0, 50.0]
    # z against the three scores' own mean (50) and population spread (√600).
    assert [scores[d]["racecraft"].z_score for d in (1, 2, 3)] == pytest.approx(
        [30 / 600**0.5, -30 / 600**0.5, 0], abs=1e-4
    )
    assert [scores[d]["racecraft"].percentile for d in (1, 2, 3)] == [100.0, 0.0, 50.0]


def test_a_driver_without_any_variable_of_a_factor_has_no_score_on_it():
    raw = {1: {"stint_consistency": 0.3}, 2: {"stint_consistency": 0.5}, 3: {}}

    scores = factor_scores(values=variable_values(raw=raw, variables=CONSISTENCY), variables=CONSISTENCY)

    assert set(scores[1]) == set(scores[2]) == {"consistency"} and 3 not in scores


def test_spearman_with_ties_uses_mid_ranks():
    # x ranks 0.5, 0.5, 2 and y ranks 0, 1, 2: Pearson's r of those, √3/2.
    assert spearman([(1, 1), (1, 2), (2, 3)]) == pytest.approx(3**0.5 / 2, abs=1e-4)
    assert spearman([(1, 1), (1, 2), (1, 3)]) is None  # no spread in x: no correlation
