"""The race model and its backtest on constructed seasons: arithmetic checked by hand, monotone in
grid and skill, deterministic, and blind to the race it predicts."""

import dataclasses
import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factors import backtest, race_model
from factors.learning import RaceRecord, ResultRecord, races_fit
from factors.scoring import VariableSpec

FACTORS = ["speed", "consistency"]
VARIABLES = [
    VariableSpec("best_race_lap", "speed", -0.8),
    VariableSpec("stint_consistency", "consistency", -0.5),
]
PARAMETERS = backtest.Parameters(grid_weight=2.0, prior_observations=80)


def season(*, races: int = 8, drivers: int = 12, seed: int = 1) -> list[RaceRecord]:
    """A season where driver d's true pace is d (lower is faster) plus noise: pace decides the
    order, qualifying follows pace, consistency is noise."""
    rng = random.Random(seed)
    tracks = ["alpha", "bravo", "charlie", "delta"]
    records = []
    for index in range(races):
        pace = {d: d + rng.gauss(0, 2.5) for d in range(1, drivers + 1)}
        order = sorted(pace, key=pace.get)
        qualifying = sorted(pace, key=lambda d: d + rng.gauss(0, 2))
        results = tuple(
            ResultRecord(
                driver=d,
                status="Classified",
                position=order.index(d) + 1,
                grid=qualifying.index(d) + 1,
                variables={
                    "best_race_lap": round(0.1 * pace[d], 4),
                    "stint_consistency": round(rng.uniform(0.2, 1.0), 4),
                    "qualifying_pace": round(0.1 * (qualifying.index(d)), 4),
                },
            )
            for d in pace
        )
        records.append(
            RaceRecord(
                key=f"{tracks[index // 2 % 4]}:{index % 2 + 1}",
                track=tracks[index // 2 % 4],
                date=date(2025, 3, 1) + timedelta(days=14 * index),
                results=results,
            )
        )
    return records


def test_normal_scores_rank_evenly_and_share_ties():
    scores = race_model.normal_scores({"a": 10.0, "b": 20.0, "c": 20.0, "d": 30.0})
    assert scores["a"] < scores["b"] == scores["c"] < scores["d"]
    assert scores["a"] == pytest.approx(-scores["d"])
    # Four values: mid-ranks 1, 2.5, 2.5, 4 -> quantiles 1/8 and 7/8 at the ends.
    assert scores["d"] == pytest.approx(race_model.skill_model.STANDARD_NORMAL.inv_cdf(7 / 8))


def test_a_track_profile_is_shrunk_toward_the_all_track_one_by_its_results():
    """All-track: finish = -2 z (2 places per standard deviation). The track's own results say 6
    places; with as many results as the prior weighs, it ends half way, at 4."""
    rng = random.Random(3)

    def pairs(places_per_sd, count):
        out = []
        for _ in range(count):
            z = {"speed": rng.uniform(-2, 2), "consistency": rng.uniform(-2, 2)}
            out.append((z, -places_per_sd * z["speed"]))
        return out

    other = pairs(2.0, 400)
    own = pairs(6.0, 40)
    profiles = race_model.demands_learn(
        observations={"other": other, "own": own}, factors=FACTORS, prior_observations=40
    )
    pooled = profiles.all_tracks.demands
    # The track's own results fit exactly: 6 places for speed, none for consistency.
    assert profiles.by_track["own"].demands["speed"] == pytest.approx((6.0 * 40 + pooled["speed"] * 40) / 80)
    assert profiles.by_track["own"].demands["consistency"] == pytest.approx(
        (0.0 * 40 + pooled["consistency"] * 40) / 80
    )
    assert profiles.by_track["own"].r_squared == pytest.approx(1.0)
    assert profiles.for_track("unraced") is profiles.all_tracks


def test_a_track_with_too_few_results_keeps_the_all_track_profile():
    z = {"speed": 1.0, "consistency": 0.0}
    profiles = race_model.demands_learn(
        observations={"busy": [(z, -1.0), ({"speed": -1.0, "consistency": 0.5}, 1.0)] * 10, "thin": [(z, 0.0)]},
        factors=FACTORS,
        prior_observations=10,
    )
    assert "thin" not in profiles.by_track
    assert profiles.for_track("thin").demands == profiles.all_tracks.demands


def test_expected_finish_is_one_plus_the_chances_of_being_beaten():
    scores = {"a": 1.0, "b": 0.0, "c": -1.0}
    # Pair spread sqrt(2) at noise 1: P(b beats a) = Phi(-1/sqrt 2), P(c beats a) = Phi(-2/sqrt 2).
    phi = race_model.skill_model.STANDARD_NORMAL.cdf
    expected = 1 + phi(-1 / 2**0.5) + phi(-2 / 2**0.5)
    assert race_model.expected_finish(scores=scores, key="a", noise=1.0) == pytest.approx(expected)
    total = sum(race_model.expected_finish(scores=scores, key=k, noise=1.0) for k in scores)
    assert total == pytest.approx(1 + 2 + 3)  # expected places add up to the places there are


def test_forecast_chances_add_up_and_repeat():
    entrants = [race_model.Entrant(key=n, z={"speed": 1.5 - n / 4, "consistency": 0.0}) for n in range(8)]
    first = race_model.forecast(
        entrants=entrants, demands={"speed": 3.0, "consistency": 1.0}, grid_weight=2.0, noise=1.0, seed="x"
    )
    again = race_model.forecast(
        entrants=entrants, demands={"speed": 3.0, "consistency": 1.0}, grid_weight=2.0, noise=1.0, seed="x"
    )
    assert first == again
    assert [f.key for f in first] == list(range(8))  # the strongest first
    assert sum(f.win_probability for f in first) == pytest.approx(1.0)
    assert sum(f.podium_probability for f in first) == pytest.approx(3.0)
    assert first[0].win_probability > first[-1].win_probability


skill = st.floats(min_value=-3, max_value=3, allow_nan=False)
fields = st.lists(st.tuples(skill, skill), min_size=2, max_size=25)


@given(field=fields, data=st.data())
def test_a_better_grid_position_never_worsens_the_after_qualifying_prediction(field, data):
    entrants = [
        race_model.Entrant(key=i, z={"speed": s, "consistency": c}, grid=i + 1) for i, (s, c) in enumerate(field)
    ]
    driver = data.draw(st.integers(0, len(field) - 1))
    better_slot = data.draw(st.integers(1, driver + 1))
    # Move the driver up to better_slot; the cars in between drop one place each.
    moved = [
        dataclasses.replace(
            e,
            grid=better_slot if e.key == driver else e.grid + 1 if better_slot <= e.grid < driver + 1 else e.grid,
        )
        for e in entrants
    ]
    demands = {"speed": 4.0, "consistency": 1.0}
    before = race_model.race_scores(entrants=entrants, demands=demands, grid_weight=2.0)
    after = race_model.race_scores(entrants=moved, demands=demands, grid_weight=2.0)
    assert after[driver] >= before[driver]
    place = lambda scores: 1 + sum(1 for k, v in scores.items() if k != driver and v > scores[driver])  # noqa: E731
    assert place(after) <= place(before)


@given(field=fields, data=st.data(), gain=st.floats(min_value=0, max_value=4))
def test_a_better_skill_never_worsens_the_prediction(field, data, gain):
    driver = data.draw(st.integers(0, len(field) - 1))
    factor = data.draw(st.sampled_from(FACTORS))
    demands = {"speed": 4.0, "consistency": 1.0}
    entrants = [race_model.Entrant(key=i, z={"speed": s, "consistency": c}) for i, (s, c) in enumerate(field)]
    improved = [
        dataclasses.replace(e, z={**e.z, factor: e.z[factor] + gain}) if e.key == driver else e for e in entrants
    ]
    for grid_weight in (0.0, 2.0):
        before = race_model.race_scores(entrants=entrants, demands=demands, grid_weight=grid_weight)
        after = race_model.race_scores(entrants=improved, demands=demands, grid_weight=grid_weight)
        assert after[driver] >= before[driver]


def test_changing_a_race_result_leaves_its_own_prediction_unchanged():
    """No look-ahead: the prediction of race k is made from races before k alone."""
    races = season()
    k = 5
    reversed_k = dataclasses.replace(
        races[k],
        results=tuple(
            dataclasses.replace(
                r,
                position=len(races[k].results) + 1 - r.position,
                variables={**r.variables, "best_race_lap": -r.variables["best_race_lap"]},
            )
            for r in races[k].results
        ),
    )
    original = backtest.backtest(races=races, variables=VARIABLES, parameters=PARAMETERS)
    changed = backtest.backtest(
        races=[*races[:k], reversed_k, *races[k + 1 :]], variables=VARIABLES, parameters=PARAMETERS
    )
    key = races[k].key
    assert original.model_scores[key][backtest.MODEL_BEFORE][0] == changed.model_scores[key][backtest.MODEL_BEFORE][0]
    assert original.model_scores[key][backtest.MODEL_AFTER][0] == changed.model_scores[key][backtest.MODEL_AFTER][0]
    # ...while the score of that prediction, and what later races learn, do change.
    assert original.scores[key][backtest.MODEL_BEFORE].spearman != changed.scores[key][backtest.MODEL_BEFORE].spearman
    later = races[k + 1].key
    assert original.model_scores[later] != changed.model_scores[later]


def test_the_same_races_give_the_same_model_and_backtest():
    races = season()
    assert races_fit(races=races, variables=VARIABLES, prior_observations=80) == races_fit(
        races=season(), variables=VARIABLES, prior_observations=80
    )
    first = backtest.backtest(races=races, variables=VARIABLES, parameters=PARAMETERS)
    assert first.pooled() == backtest.backtest(races=season(), variables=VARIABLES, parameters=PARAMETERS).pooled()


def test_the_backtest_starts_after_two_earlier_events_and_scores_baselines_by_hand():
    races = season(races=6)
    result = backtest.backtest(races=races, variables=VARIABLES, parameters=PARAMETERS, min_earlier_events=2)
    # Events: alpha (races 0, 1), bravo (2, 3), charlie (4, 5): only charlie's races have two before.
    assert result.races == [races[4].key, races[5].key] == ["charlie:1", "charlie:2"]
    # The qualifying-order row scores the grid itself: recompute its mean error by hand.
    race = races[4]
    by_grid = sorted(race.results, key=lambda r: r.grid)
    errors = [abs((by_grid.index(r) + 1) - r.position) for r in race.results]
    assert result.scores[race.key][backtest.QUALIFYING].mae == pytest.approx(sum(errors) / len(errors))
    pooled = result.pooled()
    assert pooled[backtest.RANDOM]["top3_possible"] == 6
    assert -0.3 < pooled[backtest.RANDOM]["spearman"] < 0.3  # the average of 200 random orders


def test_on_a_season_decided_by_pace_the_model_beats_history_and_the_grid():
    """Pace is what the model measures (best race lap); finishes and grids are noisy readings of it."""
    result = backtest.backtest(races=season(races=12, drivers=16), variables=VARIABLES, parameters=PARAMETERS)
    pooled = result.pooled()
    assert backtest.shortfalls(pooled) == []
    assert pooled[backtest.MODEL_AFTER]["spearman"] > pooled[backtest.RANDOM]["spearman"] + 0.5


def test_shortfalls_name_each_measure_a_model_loses_on():
    pooled = {
        backtest.MODEL_BEFORE: {"spearman": 0.5, "mae": 5.0},
        backtest.MEAN_PREVIOUS: {"spearman": 0.6, "mae": 4.0},
        backtest.MODEL_AFTER: {"spearman": 0.8, "mae": 3.0},
        backtest.QUALIFYING: {"spearman": 0.7, "mae": 3.5},
    }
    found = backtest.shortfalls(pooled)
    assert len(found) == 2 and all(line.startswith(backtest.MODEL_BEFORE) for line in found)


def test_noise_calibration_finds_the_noise_that_made_the_results():
    """Results drawn with noise 0.5 around known scores: the calibration lands near 0.5."""
    rng = random.Random(7)
    result = backtest.Backtest()
    for race in range(60):
        scores = {d: d / 4 for d in range(12)}
        finish = sorted(scores, key=lambda d: scores[d] + rng.gauss(0, 0.5), reverse=True)
        result.races.append(str(race))
        result.model_scores[str(race)] = {backtest.MODEL_BEFORE: (scores, finish)}
    assert backtest.noise_calibrate(result=result, method=backtest.MODEL_BEFORE) == pytest.approx(0.5, abs=0.1)
