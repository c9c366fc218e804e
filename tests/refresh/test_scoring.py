"""The arithmetic of the refresh's scores, on small inputs whose answers are worked out by hand."""

import pytest

from factors.scoring import VariableSpec, factor_scores, spearman, variable_values

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
