"""The demo fixtures: deterministic, up to date, loadable, and a season that adds up.

Expectations are recomputed here from the generated results (or from the brief's constants),
never read back from the generator's own aggregates.
"""

import json
import re
from collections import Counter, defaultdict
from io import StringIO
from itertools import pairwise
from statistics import fmean, pstdev

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from factors.services import weights_validate_sum
from pipeline.demo import FIXTURE_FILES, demo_fixtures_write, demo_season, demo_season_load

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
FIXTURE_PATHS = [str(FIXTURES_DIR / name) for name in FIXTURE_FILES]
LOADINGS = {
    "qualifying_pace": -0.693, "best_race_lap": -0.764, "avg_top10_pace": -0.710,
    "stint_consistency": -0.469, "sector_consistency": -0.796, "braking_consistency": -0.934,
    "positions_gained": -0.857, "position_changes": -0.737,
    "early_vs_late_pace": 0.622, "late_stint_perf": 0.470,
}  # fmt: skip
POINTS = {1: 25, 2: 18, 3: 15, 4: 12, 5: 10, 6: 8, 7: 6, 8: 4, 9: 2, 10: 1}


@pytest.fixture(scope="module")
def season():
    return demo_season()


@pytest.fixture(scope="module")
def entries_by_race(season):
    by_race = defaultdict(list)
    for entry in season.entries:
        by_race[entry.race_id].append(entry)
    return {race: sorted(rows, key=lambda e: e.finish_position) for race, rows in by_race.items()}


def _fixture_rows(name: str) -> list[dict]:
    return json.loads((FIXTURES_DIR / name).read_text())


# Determinism and freshness


def test_generating_twice_gives_byte_identical_files(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    demo_fixtures_write(season=demo_season(), directory=first)
    demo_fixtures_write(season=demo_season(), directory=second)
    for name in FIXTURE_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_different_seed_gives_a_different_season(tmp_path):
    demo_fixtures_write(season=demo_season(seed=7), directory=tmp_path)
    assert (tmp_path / "demo_season.json").read_bytes() != (FIXTURES_DIR / "demo_season.json").read_bytes()


def test_committed_fixtures_are_what_the_generator_writes_today(tmp_path):
    call_command("generate_demo_fixtures", output=tmp_path, stdout=StringIO())
    for name in FIXTURE_FILES:
        assert (tmp_path / name).read_bytes() == (FIXTURES_DIR / name).read_bytes(), (
            f"fixtures/{name} is stale (a model changed?): run `manage.py generate_demo_fixtures` and commit"
        )


def test_generator_rejects_an_impossible_field_size():
    with pytest.raises(ValueError, match="drivers must be between 1 and"):
        demo_season(drivers=0)


def test_larger_seasons_for_benchmarks_keep_numbers_and_keys_unique():
    big = demo_season(drivers=400, seed=11)
    assert len(big.drivers) == 400
    assert len({d.number for d in big.drivers}) == 400
    assert len({e.pk for e in big.entries}) == len(big.entries)
    assert len(big.races) == 12 and len(big.factor_scores) == 400 * 4


@pytest.mark.parametrize("drivers", [1, 2, 5])
def test_tiny_fields_still_make_a_season(drivers):
    tiny = demo_season(drivers=drivers, seed=5)
    winners = [e for e in tiny.entries if e.finish_position == 1]
    assert len(winners) == 12 and all(e.status == "Classified" for e in winners)
    assert len(tiny.season_stats) == drivers


def test_demo_drivers_are_fictional(season, season_dir):
    real = json.loads((season_dir / "legacy" / "driver_factors.json").read_text())["drivers"]
    real_names = {d["driver_name"].lower() for d in real}
    real_surnames = {name.split()[-1] for name in real_names}
    for driver in season.drivers:
        assert driver.name.lower() not in real_names
        assert driver.name.split()[-1].lower() not in real_surnames, driver.name


# Loading into an empty database


@pytest.mark.django_db
def test_fixtures_load_into_an_empty_database_with_the_generated_counts():
    expected = Counter(row["model"] for name in FIXTURE_FILES for row in _fixture_rows(name))
    call_command("loaddata", *FIXTURE_PATHS, verbosity=0)
    connection.check_constraints()
    for label, count in expected.items():
        assert apps.get_model(label).objects.count() == count, label
    assert expected["drivers.driver"] == 30 and expected["drivers.race"] == 12 and expected["drivers.track"] == 6

    call_command("loaddata", *FIXTURE_PATHS, verbosity=0)  # a second load changes nothing
    for label, count in expected.items():
        assert apps.get_model(label).objects.count() == count, label


@pytest.mark.django_db
def test_each_fixture_file_loads_on_top_of_the_files_before_it():
    for path in FIXTURE_PATHS:
        call_command("loaddata", path, verbosity=0)
    connection.check_constraints()


@pytest.mark.django_db
def test_load_demo_fixtures_loads_an_empty_database_and_reloads_the_demo():
    from drivers.models import Driver

    for _ in range(2):
        out = StringIO()
        call_command("load_demo_fixtures", stdout=out)
        assert "Demo fixtures loaded" in out.getvalue()
    assert Driver.objects.count() == 30


@pytest.mark.django_db
def test_load_demo_fixtures_invalidates_the_cached_api_answers(django_capture_on_commit_callbacks):
    from hackthetrack.cache import data_version

    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_fixtures", stdout=StringIO())
    assert data_version() != before


@pytest.mark.django_db
def test_load_demo_fixtures_leaves_other_data_alone():
    from drivers.models import Driver, Track

    Driver.objects.create(pk=1, number=7, name="A real driver")
    out = StringIO()
    call_command("load_demo_fixtures", stdout=out)
    assert "not loaded: the database already holds 1 drivers that are not the demo's" in out.getvalue()
    assert list(Driver.objects.values_list("name", flat=True)) == ["A real driver"]
    assert not Track.objects.exists()


def test_load_demo_fixtures_with_telemetry_drives_the_demo_race_once(warehouse_db):
    from telemetry.models import Sample

    call_command("load_demo_fixtures", "--telemetry", stdout=StringIO())
    laps = Sample.objects.filter(track="barber", race_number=1)
    cars = set(laps.values_list("car_number", flat=True))
    assert len(cars) > 1 and set(laps.values_list("lap", flat=True)) == {1, 2}
    count = laps.count()
    out = StringIO()
    call_command("load_demo_fixtures", "--telemetry", stdout=out)  # reloaded: the race has its laps
    assert "has telemetry already: nothing generated" in out.getvalue() and laps.count() == count


def test_load_demo_fixtures_with_telemetry_leaves_other_data_without_demo_laps(warehouse_db):
    # Timing alone gives no corner layout to drive on; and made-up laps would sit among real data.
    from drivers.models import Driver, Track
    from telemetry.models import Sample

    Driver.objects.create(pk=1, number=7, name="A real driver")
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    out = StringIO()
    call_command("load_demo_fixtures", "--telemetry", stdout=out)
    assert "not loaded: the database already holds 1 drivers that are not the demo's" in out.getvalue()
    assert not Sample.objects.exists()


@pytest.mark.django_db
def test_bulk_load_for_benchmarks_matches_the_season_and_moves_the_id_sequences():
    from drivers.models import Driver, RaceEntry

    big = demo_season(drivers=60, seed=3)
    created = demo_season_load(season=big)
    assert created["drivers.Driver"] == 60 and RaceEntry.objects.count() == len(big.entries)
    connection.check_constraints()
    added = Driver.objects.create(name="After the bulk load", number=999)
    assert added.pk == 61


# The model's definitions


def test_model_definitions_are_the_brief_constants(season):
    assert [f.id for f in season.factors] == ["speed", "consistency", "racecraft", "tire_management"]
    assert all(f.display_name and len(f.description) > 40 for f in season.factors)
    assert {v.id: v.loading for v in season.variables} == LOADINGS
    (version,) = season.model_versions
    assert version.name == "2025-tier1" and version.is_active and version.finish_intercept == 13.01
    weights = {c.factor_id: c.weight for c in season.coefficients}
    finish = {c.factor_id: c.finish_coefficient for c in season.coefficients}
    assert weights == {"speed": 0.466, "consistency": 0.291, "racecraft": 0.149, "tire_management": 0.095}
    weights_validate_sum(weights=weights.values())  # the rule curators' edits are held to
    assert finish == {"speed": -6.079, "consistency": -3.792, "racecraft": -1.943, "tire_management": -1.237}


def test_tracks_have_ordered_corners_inside_the_lap(season):
    assert {t.id for t in season.tracks} == {"barber", "cota", "roadamerica", "sebring", "sonoma", "vir"}
    length = {t.id: t.length_m for t in season.tracks}
    for track in season.tracks:
        assert abs(track.length_m - track.length_miles * 1609.344) < 1
        corners = [c for c in season.corners if c.track_id == track.id]
        assert [c.number for c in corners] == list(range(1, len(corners) + 1))
        for corner, following in zip(corners, [*corners[1:], None], strict=True):
            assert 0 <= corner.distance_start_m <= corner.distance_apex_m <= corner.distance_exit_m <= length[track.id]
            assert following is None or corner.distance_exit_m <= following.distance_start_m
            assert corner.type in {"left", "right"} and corner.speed_class in {"low", "medium", "high"}
            assert 2 <= corner.typical_gear <= 5
    demands = Counter(d.track_id for d in season.track_demands)
    assert demands == {t.id: 4 for t in season.tracks}


# The season adds up


def test_every_race_is_a_clean_classification(season, entries_by_race):
    assert len(season.races) == 12
    assert Counter(r.track_id for r in season.races) == {t.id: 2 for t in season.tracks}
    for entries in entries_by_race.values():
        field = len(entries)
        assert [e.finish_position for e in entries] == list(range(1, field + 1))
        assert sorted(e.grid_position for e in entries) == list(range(1, field + 1))
        assert len({e.driver_id for e in entries}) == field
        winner = entries[0]
        assert winner.status == "Classified" and winner.gap_to_winner == "-" and winner.gap_to_previous == "-"
        # Classified by distance, then time.
        order = [(-e.laps, e.total_time_s) for e in entries]
        assert order == sorted(order)
        # The grid is the qualifying order; the pole sitter has no gap.
        by_grid = sorted(entries, key=lambda e: e.grid_position)
        assert [e.qualifying_time_s for e in by_grid] == sorted(e.qualifying_time_s for e in entries)
        assert by_grid[0].gap_to_pole_s == 0
        pole_time = by_grid[0].qualifying_time_s
        for entry in entries:
            assert entry.gap_to_pole_s == pytest.approx(entry.qualifying_time_s - pole_time, abs=1e-6)


def test_gaps_are_printed_from_the_times_and_laps(entries_by_race):
    for entries in entries_by_race.values():
        winner = entries[0]
        for ahead, entry in pairwise(entries):
            for reference, printed in ((winner, entry.gap_to_winner), (ahead, entry.gap_to_previous)):
                if entry.laps == reference.laps:
                    assert re.fullmatch(r"\+\d+\.\d{3}", printed)
                    assert float(printed) == pytest.approx(entry.total_time_s - reference.total_time_s, abs=5e-4)
                else:
                    down = reference.laps - entry.laps
                    assert printed == (f"{down} Lap" if down == 1 else f"{down} Laps")


def test_laps_and_lap_times_agree(season, entries_by_race):
    length = {t.id: t.length_m for t in season.tracks}
    track_of = {r.pk: r.track_id for r in season.races}
    for race_id, entries in entries_by_race.items():
        race_best = min(e.fastest_lap_s for e in entries)
        for e in entries:
            assert 1 <= e.fastest_lap_number <= e.laps
            assert e.laps < 2 or e.fastest_lap_s <= e.avg_lap_s <= e.worst_lap_s
            assert e.fastest_lap_kph == pytest.approx(length[track_of[race_id]] / e.fastest_lap_s * 3.6, abs=0.05)
            assert e.gap_to_fastest_lap_s == pytest.approx(e.fastest_lap_s - race_best, abs=1e-6)
            assert e.best_s1_s + e.best_s2_s + e.best_s3_s <= e.fastest_lap_s + 1e-6  # best sectors may mix laps
            if e.status == "Classified":
                assert e.total_time_s > e.laps * e.fastest_lap_s


def test_retirements_exist_and_run_fewer_laps(season, entries_by_race):
    retired = [e for e in season.entries if e.status == "DNF"]
    assert len(retired) >= 2
    assert {e.status for e in season.entries} == {"Classified", "DNF"}
    for e in retired:
        assert e.laps < entries_by_race[e.race_id][0].laps


def test_season_statistics_agree_with_the_results(season):
    fastest_of_race = {}
    for e in sorted(season.entries, key=lambda e: (e.fastest_lap_s, e.finish_position)):
        fastest_of_race.setdefault(e.race_id, e.driver_id)
    stats = {s.driver_id: s for s in season.season_stats}
    assert set(stats) == {d.pk for d in season.drivers}
    for driver_id, s in stats.items():
        own = [e for e in season.entries if e.driver_id == driver_id]
        classified = [e.finish_position for e in own if e.status == "Classified"]
        assert s.races == len(own) >= 1
        assert (s.wins, s.podiums, s.top5, s.top10) == tuple(sum(p <= n for p in classified) for n in (1, 3, 5, 10))
        assert s.poles == sum(e.grid_position == 1 for e in own)
        assert s.dnfs == sum(e.status == "DNF" for e in own)
        assert s.fastest_laps == sum(fastest_of_race[e.race_id] == driver_id for e in own)
        assert s.avg_finish == pytest.approx(fmean(e.finish_position for e in own), abs=0.006)
        assert s.avg_grid == pytest.approx(fmean(e.grid_position for e in own), abs=0.006)
        gained = fmean(e.grid_position - e.finish_position for e in own)
        assert s.avg_positions_gained == pytest.approx(gained, abs=0.006)
        assert s.points == sum(POINTS.get(p, 0) for p in classified)
    assert sum(s.wins for s in stats.values()) == sum(s.poles for s in stats.values()) == 12
    assert sum(s.fastest_laps for s in stats.values()) == 12
    table = sorted(stats.values(), key=lambda s: s.championship_position)
    assert [s.championship_position for s in table] == list(range(1, len(table) + 1))
    assert [s.points for s in table] == sorted((s.points for s in table), reverse=True)


def test_factor_scores_are_built_from_the_variable_values(season):
    factor_of = {v.id: v.factor_id for v in season.variables}
    values = defaultdict(dict)
    for v in season.variable_values:
        values[v.driver_id][v.variable_id] = v
    scores = defaultdict(dict)
    for s in season.factor_scores:
        scores[s.factor_id][s.driver_id] = s
    for factor in scores:
        weights = {v.variable_id: v.weight for v in season.variable_values if factor_of[v.variable_id] == factor}
        assert sum(weights.values()) == pytest.approx(1, abs=0.001)
    for factor, by_driver in scores.items():
        assert len(by_driver) == len(season.drivers)
        for driver_id, s in by_driver.items():
            assert 0 <= s.score <= 100 and 0 <= s.percentile <= 100
            parts = [v for name, v in values[driver_id].items() if factor_of[name] == factor]
            assert s.score == pytest.approx(sum(v.contribution for v in parts), abs=0.03)
            for v in parts:
                assert v.contribution == pytest.approx(v.weight * v.normalized_value, abs=0.006)
                assert 0 <= v.normalized_value <= 100 and 0 <= v.percentile <= 100
        z = [s.z_score for s in by_driver.values()]
        assert fmean(z) == pytest.approx(0, abs=0.001) and pstdev(z) == pytest.approx(1, abs=0.001)
        assert min(s.percentile for s in by_driver.values()) == 0
        assert max(s.percentile for s in by_driver.values()) == 100


def test_variables_are_measured_from_the_drivers_classified_results(season):
    for driver in season.drivers:
        own = [e for e in season.entries if e.driver_id == driver.pk and e.status == "Classified"]
        raw = {v.variable_id: v.raw_value for v in season.variable_values if v.driver_id == driver.pk}
        gained = fmean(e.grid_position - e.finish_position for e in own)
        assert raw["positions_gained"] == pytest.approx(gained, abs=1e-4)
        assert raw["stint_consistency"] == pytest.approx(fmean(e.lap_time_std_s for e in own), abs=1e-3)
        best_lap_gap = fmean(e.gap_to_fastest_lap_s / (e.fastest_lap_s - e.gap_to_fastest_lap_s) * 100 for e in own)
        assert raw["best_race_lap"] == pytest.approx(best_lap_gap, abs=1e-3)
        qualifying_gap = fmean(e.gap_to_pole_s / (e.qualifying_time_s - e.gap_to_pole_s) * 100 for e in own)
        assert raw["qualifying_pace"] == pytest.approx(qualifying_gap, abs=1e-3)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    for rank, index in enumerate(order):
        ranks[index] = rank
    return ranks


def _spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = fmean(rx), fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    return cov / (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5


def test_faster_drivers_finish_ahead(season):
    """The simulation is driven by the hidden skills: the speed score must rank the field's
    average finish (a weak demo would have scores and results unrelated)."""
    speed = {s.driver_id: s.score for s in season.factor_scores if s.factor_id == "speed"}
    avg_finish = {s.driver_id: s.avg_finish for s in season.season_stats}
    drivers = sorted(speed)
    assert _spearman([speed[d] for d in drivers], [avg_finish[d] for d in drivers]) < -0.7
