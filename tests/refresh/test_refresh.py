"""refresh_cache end to end on the warehouse emulator with the real 2025 timing: the API shows the
official classification car by car, one more race appears alone, reruns change nothing, locks hold,
a failure half-way leaves PostgreSQL as it was."""

import io
import math
import statistics
from collections import Counter
from statistics import NormalDist

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client

from drivers.models import Driver, DriverSeasonStats, Race, RaceEntry
from factors.models import DriverFactorScore, DriverVariableValue
from hackthetrack.cache import data_version
from pipeline.refresh.services import RefreshError, refresh_run
from pipeline.refresh.warming import hot_paths
from tests.refresh import official
from tests.refresh.conftest import LAST_RACE, race_ingest

SEASON = 2025


def refresh(**options):
    return refresh_run(season=SEASON, progress=lambda message: None, **options)


def snapshot() -> dict:
    """Every row the refresh may write, as values."""
    return {
        model.__name__: sorted(map(repr, model.objects.values_list()))
        for model in (Driver, Race, RaceEntry, DriverSeasonStats, DriverFactorScore, DriverVariableValue)
    }


def _loaded_races(files) -> list[tuple[str, int]]:
    return [race for race in files if race != LAST_RACE]


def test_the_api_shows_the_official_classification_car_by_car(season_in_warehouse, legacy_season, season_dir):
    refresh()
    timing = season_dir / "timing"
    client = Client()
    results = {}
    checked = 0
    for track, race_number in _loaded_races(season_in_warehouse):
        classified = official.classification(timing, track, race_number)
        grid = official.qualifying(timing, track, race_number)
        shared = {n for n, count in Counter(official.integer(r["NUMBER"]) for r in classified).items() if count > 1}
        for row in classified:
            if official.integer(row["NUMBER"]) in shared:
                continue
            number = official.integer(row["NUMBER"])
            if number not in results:
                response = client.get(f"/api/drivers/{number}/results")
                assert response.status_code == 200, number
                results[number] = response.json()
            [result] = [r for r in results[number] if (r["track_id"], r["race_number"]) == (track, race_number)]
            qualified = [official.integer(q["POS"]) for q in grid if official.integer(q["NUMBER"]) == number]
            assert result["finish_position"] == official.integer(row["POSITION"]), (track, race_number, number)
            assert result["status"] == row["STATUS"]
            assert result["total_laps"] == official.integer(row["LAPS"])
            assert result["start_position"] == (qualified[0] if len(qualified) == 1 else None)
            assert result["fastest_lap"] == (row["FL_TIME"] or None)  # every FL_TIME is written m:ss.sss
            assert result["gap_to_winner"] == (row["GAP_FIRST"] or None)
            checked += 1
    assert checked > 200


def test_a_shared_car_number_links_only_the_entry_its_driver_drove(season_in_warehouse, legacy_season, season_dir):
    """Car 3 in cota race 1: two drivers. Only the one whose qualifying name is Driver #3's is linked."""
    refresh()
    driver = Driver.objects.get(number=3)
    timing = season_dir / "timing"
    [own] = [
        q
        for q in official.qualifying(timing, "cota", 1)
        if official.integer(q["NUMBER"]) == 3 and f"{q['DRIVER_FIRSTNAME']} {q['DRIVER_SECONDNAME']}" == driver.name
    ]
    [expected] = [
        r
        for r in official.classification(timing, "cota", 1)
        if official.integer(r["NUMBER"]) == 3 and r["GROUP"] == own["GROUP"]
    ]
    entries = RaceEntry.objects.filter(race__track_id="cota", race__race_number=1, car_number=3)
    assert entries.count() == 2
    [linked] = [e for e in entries if e.driver_id == driver.pk]
    assert (linked.group, linked.finish_position) == (own["GROUP"], official.integer(expected["POSITION"]))


def _positive_beyond_chance(rho: float, compared: int, *, level: float) -> bool:
    """One-sided test of a rank correlation above 0: for independent ranks rho·√(n-1) is about
    standard normal."""
    return rho * math.sqrt(compared - 1) > NormalDist().inv_cdf(1 - level)


def test_rank_correlation_with_the_legacy_scores(season_in_warehouse, legacy_season):
    """Speed is measured the legacy's way (qualifying, best lap, top-ten laps) on the same laps:
    the ranks nearly coincide. Consistency shares the legacy's lap and sector terms but lacks its
    telemetry, tire management lacks its pace_degradation term: their ranks agree beyond chance,
    consistency strongly. The legacy's racecraft mixed in qualifying pace and race pace, ours is
    places gained and changed only, so its ranks need not agree (docs/operations.md, "Nightly
    refresh"): it is only computed."""
    race_ingest(season_in_warehouse[LAST_RACE])  # the whole season, as the legacy scored it
    report = refresh()
    assert set(report.correlations) == {"speed", "consistency", "racecraft", "tire_management"}
    assert all(compared >= 30 for _, compared in report.correlations.values())
    assert report.correlations["speed"][0] >= 0.9  # a few neighbours may swap (the legacy's rounding), no more
    assert _positive_beyond_chance(*report.correlations["consistency"], level=0.001)
    assert _positive_beyond_chance(*report.correlations["tire_management"], level=0.05)


def test_a_second_run_changes_nothing_and_a_dry_run_writes_nothing(season_in_warehouse, legacy_season):
    before = snapshot()
    dry = refresh(dry_run=True)
    assert dry.changed > 0
    assert snapshot() == before
    refresh()
    after_first = snapshot()
    second = refresh()
    assert second.changed == 0
    assert all(c.unchanged > 0 for c in second.counts.values())
    assert snapshot() == after_first


def test_one_more_race_appears_alone_and_moves_the_season(season_in_warehouse, demo_model, season_dir):
    refresh()
    races_before = set(Race.objects.values_list("track_id", "race_number"))
    assert races_before == set(_loaded_races(season_in_warehouse))
    stats_before = {s.driver.number: s for s in DriverSeasonStats.objects.select_related("driver")}
    entries_before = snapshot()["RaceEntry"]

    race_ingest(season_in_warehouse[LAST_RACE])
    report = refresh()

    assert set(Race.objects.values_list("track_id", "race_number")) == races_before | {LAST_RACE}
    assert report.races[-1].startswith(f"{LAST_RACE[0]}:{LAST_RACE[1]}")
    classified = official.classification(season_dir / "timing", *LAST_RACE)
    entries = report.counts["Race entries"]
    assert (entries.created, entries.updated) == (len(classified), 0)
    assert report.counts["Races"].created == 1
    assert set(entries_before) <= set(snapshot()["RaceEntry"])  # every earlier entry as it was
    numbers = Counter(official.integer(r["NUMBER"]) for r in classified)
    for row in classified:
        number = official.integer(row["NUMBER"])
        if numbers[number] > 1:
            continue
        stats = DriverSeasonStats.objects.get(driver__number=number, season=SEASON)
        before = stats_before.get(number)
        won = row["STATUS"] == "Classified" and row["POSITION"] == "1"
        assert stats.races == (before.races if before else 0) + 1, number
        assert stats.wins == (before.wins if before else 0) + won, number


def test_locked_rows_survive_a_refresh(season_in_warehouse, legacy_season):
    refresh()
    entry = RaceEntry.objects.filter(driver__number=13).first()
    stats = DriverSeasonStats.objects.get(driver__number=13)
    score = DriverFactorScore.objects.get(driver__number=13, factor_id="speed")
    value = DriverVariableValue.objects.get(driver__number=13, variable_id="qualifying_pace")
    RaceEntry.objects.filter(pk=entry.pk).update(finish_position=30, is_locked=True)
    DriverSeasonStats.objects.filter(pk=stats.pk).update(wins=0, podiums=0, top5=0, top10=0, is_locked=True)
    DriverFactorScore.objects.filter(pk=score.pk).update(score=1.5, is_locked=True)
    DriverVariableValue.objects.filter(pk=value.pk).update(raw_value=99.0, is_locked=True)

    report = refresh()

    entry.refresh_from_db(), stats.refresh_from_db(), score.refresh_from_db(), value.refresh_from_db()
    assert (entry.finish_position, stats.wins, score.score, value.raw_value) == (30, 0, 1.5, 99.0)
    assert report.counts["Race entries"].locked == 1
    assert report.counts["Driver factor scores"].locked == 1
    assert report.counts["Driver variable values"].locked == 1
    # The season statistics are recomputed from the entries, the curated one included, and kept.
    assert report.counts["Driver season stats"].locked == 1


def test_a_failure_half_way_leaves_postgres_unchanged(season_in_warehouse, legacy_season):
    """A classification row PostgreSQL must not take (position 0), in a race the refresh creates: the
    race is written, then the entries fail; everything is rolled back and the exit status and
    message say what failed, naming the record and field."""
    refresh()
    before = snapshot()
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO telemetry_result (load_id, line, season, track, race_number, position, car_number, car_group, "
            "status, gap_first, gap_previous, car_class, division, vehicle, driver_first_name, driver_last_name) "
            "VALUES ('bad', 2, %s, %s, %s, 0, 13, '', 'Classified', '', '', '', '', '', '', '')",
            [SEASON, *LAST_RACE],
        )
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("refresh_cache", stdout=out)
    assert failure.value.returncode == 1
    assert str(failure.value) == (
        f"refresh_cache failed, nothing was written: warehouse: {LAST_RACE[0]}:{LAST_RACE[1]} ({SEASON}) car 13 "
        "group '': telemetry_result: 0 is not a position (1 or more)"
    )
    # It failed after writing the races: the nine, and the one the bad row is in.
    assert f"races: {len(_loaded_races(season_in_warehouse)) + 1}" in out.getvalue()
    assert snapshot() == before


def test_bad_arguments_exit_with_the_usage_status(warehouse_db):
    with pytest.raises(CommandError) as failure:
        call_command("refresh_cache", "--race", "barber")
    assert failure.value.returncode == 2
    assert "TRACK:N" in str(failure.value)


# Braking onsets (lap, metres) for car 13 at barber race 1: two zones, three laps each.
BRAKING_ONSETS = {(1, 500.0), (2, 510.0), (3, 520.0), (1, 1200.0), (2, 1200.0), (3, 1230.0)}


def _braking_samples() -> list[tuple]:
    """Samples around each onset: off, on, on, off (front pressure in bar), 20 ms apart."""
    samples, line = [], 0
    for lap, onset in sorted(BRAKING_ONSETS):
        for offset, pressure in ((-10, 0.0), (0, 25.0), (10, 40.0), (20, 0.0)):
            line += 1
            samples.append((line, lap, f"2025-04-05 15:{lap:02d}:{line:02d}", onset + offset, pressure))
    return samples


def test_braking_consistency_comes_from_telemetry_when_the_warehouse_has_it(season_in_warehouse, legacy_season):
    with connections["warehouse"].cursor() as cursor:
        for line, lap, timestamp, distance, pressure in _braking_samples():
            cursor.execute(
                "INSERT INTO telemetry_sample (load_id, line, season, track, race_number, car_number, vehicle_id, lap, "
                "timestamp, lap_distance_m, brake_front_bar) "
                "VALUES ('telemetry', %s, %s, 'barber', 1, 13, '', %s, %s, %s, %s)",
                [line, SEASON, lap, timestamp, distance, pressure],
            )
    report = refresh()

    zones = {}
    for _, onset in BRAKING_ONSETS:
        zones.setdefault(onset // 100, []).append(onset)
    expected = statistics.fmean(statistics.stdev(onsets) for onsets in zones.values())
    braking = DriverVariableValue.objects.get(driver__number=13, variable_id="braking_consistency")
    assert braking.raw_value == pytest.approx(expected, abs=1e-3)
    assert braking.weight > 0
    # The drivers the refresh scored (the legacy rows of the others carry no weight).
    others = DriverVariableValue.objects.filter(variable__factor_id="consistency", weight__isnull=False).exclude(
        driver__number=13
    )
    assert {v.weight for v in others if v.variable_id == "braking_consistency"} == {0}
    for driver_id in {v.driver_id for v in others} | {braking.driver_id}:
        weights = DriverVariableValue.objects.filter(driver_id=driver_id, variable__factor_id="consistency")
        assert sum(v.weight for v in weights) == pytest.approx(1, abs=1e-3)
    scored = DriverFactorScore.objects.filter(
        factor_id="consistency",
        driver__variable_values__variable_id="stint_consistency",
        driver__variable_values__weight__gt=0,
    ).count()
    assert report.left_out["braking_consistency"] == scored - 1
    # Each score records what it was computed without.
    assert DriverFactorScore.objects.get(driver__number=13, factor_id="consistency").variables_left_out == []
    assert {
        tuple(score.variables_left_out)
        for score in DriverFactorScore.objects.filter(factor_id="consistency", driver__in={v.driver_id for v in others})
    } == {("braking_consistency",)}


def test_after_the_commit_the_api_cache_is_invalidated_and_warmed(
    season_in_warehouse, legacy_season, django_capture_on_commit_callbacks, django_assert_num_queries
):
    version = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        report = refresh()
    assert data_version() > version
    paths = hot_paths()
    assert report.warmed == len(paths)  # every hot path answered 200
    assert {f"/api/factors/{factor}/stats" for factor in ("speed", "consistency", "racecraft", "tire_management")} | {
        "/api/drivers",
        "/api/tracks",
        "/api/drivers/13",
        "/api/drivers/13/stats",
        "/api/drivers/13/results",
    } <= set(paths)
    with django_assert_num_queries(2):  # from the cache the refresh filled: one query each, the data version
        assert Client().get("/api/drivers").status_code == 200
        assert Client().get("/api/drivers/13/results").status_code == 200


def test_a_car_classified_twice_is_an_error_not_a_merge(season_in_warehouse, legacy_season):
    before = snapshot()
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(
            "INSERT INTO telemetry_result (load_id, line, season, track, race_number, position, car_number, car_group, "
            "status, gap_first, gap_previous, car_class, division, vehicle, driver_first_name, driver_last_name) "
            "VALUES ('twice', 2, %s, 'barber', 1, 30, 13, '', 'Classified', '', '', '', '', '', '', '')",
            [SEASON],
        )
    with pytest.raises(RefreshError, match=r"barber:1 \(2025\) car 13 group '': classified twice"):
        refresh()
    assert snapshot() == before
