"""The demo measures a simulated race's variables as the warehouse measures a real one: over green
racing laps (every lap but the opening one), by hand on two constructed cars."""

import pytest

from pipeline.demo.racing import CarResult
from pipeline.demo.scores import race_variables


def car(number, *, qualifying_ms, laps, grid, finish, retired=False, changes=0):
    return CarResult(
        number=number,
        qualifying_ms=qualifying_ms,
        grid=grid,
        lap_ms=laps,
        sector_ms=[(lap // 4, lap // 4, lap - 2 * (lap // 4)) for lap in laps],
        retired=retired,
        finish=finish,
        position_changes=changes,
    )


def test_the_opening_lap_counts_for_nothing():
    # Car 1's opening lap is the fastest of all (a start it could never race to): it must not count.
    fast = car(1, qualifying_ms=100_000, laps=[90_000] + [100_000 + 100 * i for i in range(12)], grid=1, finish=1)
    slow = car(2, qualifying_ms=101_000, laps=[120_000] + [101_000 + 200 * i for i in range(12)], grid=2, finish=2)
    variables = race_variables([fast, slow])
    assert variables[1]["best_race_lap"] == 0.0
    assert variables[2]["best_race_lap"] == pytest.approx(1.0)  # 101.0 s behind 100.0 s
    assert variables[2]["qualifying_pace"] == pytest.approx(1.0)
    # Ten best green laps: car 1's laps 2..11 average 100.45 s; car 2's 101.9 s.
    assert variables[2]["avg_top10_pace"] == pytest.approx(round(100 * (101_900 - 100_450) / 100_450, 4))
    # Early and late: the first and last five green laps (car 1: 100.2 and 100.9 s).
    assert variables[1]["early_vs_late_pace"] == pytest.approx(0.7)
    assert variables[1]["positions_gained"] == 0 and variables[2]["positions_gained"] == 0


def test_short_races_leave_the_top10_and_stint_figures_unmeasured():
    short = car(7, qualifying_ms=100_000, laps=[110_000] + [100_000] * 9, grid=1, finish=1)
    variables = race_variables([short])
    assert variables[7]["avg_top10_pace"] is None  # nine green laps
    assert variables[7]["early_vs_late_pace"] is None and variables[7]["late_stint_perf"] is None
    assert variables[7]["stint_consistency"] == 0.0
