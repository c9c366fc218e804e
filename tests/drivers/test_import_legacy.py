"""import_legacy on the real legacy stores: what lands where, idempotency, all-or-nothing."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from drivers.models import Corner, Driver, DriverSeasonStats, Race, RaceEntry, Track
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    LegacyScoreComponent,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)
from tests.drivers.legacy import read_store

pytestmark = pytest.mark.django_db

ALL_MODELS = (
    Driver,
    Track,
    Corner,
    Race,
    RaceEntry,
    DriverSeasonStats,
    LegacyScoreComponent,
    Factor,
    Variable,
    ModelVersion,
    ModelCoefficient,
    DriverFactorScore,
    DriverVariableValue,
    TrackDemand,
)


def import_legacy(directory) -> str:
    out = StringIO()
    call_command("import_legacy", str(directory), stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


@pytest.fixture
def legacy_dir(season_dir):
    return season_dir / "legacy"


@pytest.fixture
def legacy_copy(legacy_dir, tmp_path):
    """A writable copy of the stores, to corrupt."""
    copy = tmp_path / "legacy"
    shutil.copytree(legacy_dir, copy)
    for path in copy.iterdir():
        path.chmod(0o644)
    return copy


def edit_store(directory, name, change) -> None:
    path = directory / name
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def legacy_driver_numbers() -> set[int]:
    """Every car number any store names, read from the JSON files."""
    driver_factors = read_store("driver_factors.json")
    return (
        {d["number"] for d in read_store("dashboardData.json")["drivers"]}
        | {d["driver_number"] for d in driver_factors["drivers"]}
        | {row["driver_number"] for row in driver_factors["detailed_breakdowns"]}
        | {int(n) for n in read_store("factor_breakdowns.json")["driver_breakdowns"]}
        | {int(n) for n in read_store("driver_season_stats.json")["data"]}
        | {int(n) for n in read_store("driver_race_results.json")["data"]}
    )


def test_every_store_lands_in_the_models(legacy_dir):
    dashboard = read_store("dashboardData.json")
    layouts = read_store("track_layouts.json")["tracks"]
    driver_factors = read_store("driver_factors.json")
    breakdowns = read_store("factor_breakdowns.json")
    season_stats = read_store("driver_season_stats.json")["data"]
    results = read_store("driver_race_results.json")["data"]
    numbers = legacy_driver_numbers()

    out = import_legacy(legacy_dir)

    assert set(Driver.objects.values_list("number", flat=True)) == numbers
    assert Driver.objects.count() == len(numbers)  # one person per number, none merged or dropped
    assert set(Track.objects.values_list("id", flat=True)) == {t["id"] for t in dashboard["tracks"]} | set(layouts)
    assert Corner.objects.count() == sum(len(layout["corners"]) for layout in layouts.values())
    assert TrackDemand.objects.count() == 4 * len(dashboard["tracks"])
    assert Race.objects.count() == len({(r["track_id"], r["race_number"]) for rows in results.values() for r in rows})
    assert RaceEntry.objects.count() == sum(len(rows) for rows in results.values())
    assert RaceEntry.objects.count() == read_store("driver_race_results.json")["total_results"]
    assert DriverSeasonStats.objects.count() == len(season_stats)
    assert DriverFactorScore.objects.count() == sum(len(d["factors"]) for d in driver_factors["drivers"])
    assert Variable.objects.count() == sum(len(f["variables"]) for f in breakdowns["factor_definitions"].values())
    assert DriverVariableValue.objects.count() == sum(
        len(variables)
        for driver in breakdowns["driver_breakdowns"].values()
        for factor, variables in driver.items()
        if factor != "driver_name"
    )
    assert LegacyScoreComponent.objects.count() == len(driver_factors["detailed_breakdowns"])
    assert f"Drivers: {len(numbers)} created, 0 updated, 0 unchanged" in out


def test_values_land_in_the_right_fields(legacy_dir):
    import_legacy(legacy_dir)
    dashboard = read_store("dashboardData.json")
    westin = next(d for d in dashboard["drivers"] if d["number"] == 13)
    score = DriverFactorScore.objects.get(driver__number=13, factor_id="speed")
    assert (score.score, score.z_score) == (
        westin["factors"]["raw_speed"]["score"],
        westin["factors"]["raw_speed"]["z_score"],
    )
    assert (
        TrackDemand.objects.get(track_id="barber", factor_id="tire_management").demand
        == next(t for t in dashboard["tracks"] if t["id"] == "barber")["demands"]["tire_mgmt"]
    )
    barber = Track.objects.get(id="barber")
    assert (barber.length_miles, barber.length_m, barber.direction) == (2.38, 3850, "clockwise")
    assert Track.objects.get(id="sebring").length_m is None  # no layout for sebring
    # Round 2 of the legacy numbering is race 2 of the first event.
    assert Race.objects.get(track_id="barber", race_number=2).round == 1
    entry = RaceEntry.objects.get(driver__number=2, race__track_id="barber", race__race_number=1)
    assert (entry.grid_position, entry.finish_position, entry.gap_to_winner) == (6, 5, "+14.089")
    assert entry.fastest_lap_s == pytest.approx(98.326) and entry.best_s1_s == pytest.approx(26.842)
    assert Driver.objects.get(number=61).name == ""  # no store names car 61
    assert not DriverFactorScore.objects.filter(driver__number__in=[22, 58, 111]).exists()


def test_the_legacy_model_version_is_stored_with_improving_finish_coefficients(legacy_dir):
    out = import_legacy(legacy_dir)
    version = ModelVersion.objects.get(name="legacy-2025")
    stats = read_store("dashboardData.json")["model_stats"]
    assert version.is_active and "activated" in out
    assert (version.finish_intercept, version.r_squared, version.cv_r_squared, version.mae, version.races_analyzed) == (
        13.01,
        stats["r_squared"],
        stats["cross_val_r_squared"],
        stats["mae"],
        stats["races_analyzed"],
    )
    coefficients = {c.factor_id: (c.weight, c.finish_coefficient) for c in version.coefficients.all()}
    assert coefficients == {
        "speed": (0.466, -6.079),
        "consistency": (0.291, -3.792),
        "racecraft": (0.149, -1.943),
        "tire_management": (0.095, -1.237),
    }
    # The legacy weights sum to 1.001: at the edge of the 0.001 tolerance, float rounding aside.
    assert abs(sum(weight for weight, _ in coefficients.values()) - 1) <= 0.001 + 1e-12


def test_an_active_version_stays_active(legacy_dir):
    ModelVersion.objects.create(name="2025-tier1", finish_intercept=13.01, is_active=True)
    import_legacy(legacy_dir)
    assert list(ModelVersion.objects.filter(is_active=True).values_list("name", flat=True)) == ["2025-tier1"]


def test_a_second_run_changes_nothing_and_says_so(legacy_dir):
    import_legacy(legacy_dir)
    before = row_counts()
    out = import_legacy(legacy_dir)
    assert row_counts() == before
    assert "Nothing changed" in out
    count_lines = [line for line in out.splitlines() if " created, " in line]
    assert len(count_lines) == len(ALL_MODELS)
    assert all(" 0 created, 0 updated, " in line for line in count_lines)


def test_a_locked_row_is_kept(legacy_dir):
    import_legacy(legacy_dir)
    DriverSeasonStats.objects.filter(driver__number=7).update(points=999, is_locked=True)
    out = import_legacy(legacy_dir)
    assert DriverSeasonStats.objects.get(driver__number=7).points == 999
    assert "1 locked (kept)" in out


def test_a_malformed_record_names_file_record_and_field_and_writes_nothing(legacy_copy):
    edit_store(legacy_copy, "driver_race_results.json", lambda d: d["data"]["7"][3].update(finish_position="x"))
    with pytest.raises(CommandError) as error:
        import_legacy(legacy_copy)
    assert 'driver_race_results.json: data["7"][3]: field "finish_position": expected an integer, got "x"' in str(
        error.value
    )
    assert set(row_counts().values()) == {0}


def test_a_failed_update_leaves_the_earlier_import_as_it_was(legacy_dir, legacy_copy):
    import_legacy(legacy_dir)
    before = row_counts()
    points = DriverSeasonStats.objects.get(driver__number=2).points

    def change(data):
        data["data"]["2"]["points"] += 1  # a valid change, written before...
        data["data"]["3"]["wins"] = 5  # ...an inconsistent record: more wins than podiums

    edit_store(legacy_copy, "driver_season_stats.json", change)
    with pytest.raises(CommandError, match=r'driver_season_stats.json: data\["3"\]: field "wins"'):
        import_legacy(legacy_copy)
    assert row_counts() == before
    assert DriverSeasonStats.objects.get(driver__number=2).points == points


def test_a_conflict_with_the_database_rolls_everything_back(legacy_dir):
    """Validation passes; the write fails half-way (a race already holds round 1, race 1)."""
    other = Track.objects.create(id="demo-circuit", name="Demo Circuit")
    Race.objects.create(track=other, season=2025, round=1, race_number=1)
    before = row_counts()
    with pytest.raises(CommandError, match="conflict with rows already in the database"):
        import_legacy(legacy_dir)
    assert row_counts() == before


def test_two_names_for_one_number_is_an_error_naming_both_places(legacy_copy):
    edit_store(legacy_copy, "driver_factors.json", lambda d: d["drivers"][0].update(driver_name="Someone Else"))
    with pytest.raises(CommandError) as error:
        import_legacy(legacy_copy)
    message = str(error.value)
    assert "driver_factors.json: drivers[0]" in message and "dashboardData.json" in message
    assert set(row_counts().values()) == {0}


def test_a_dry_run_counts_and_writes_nothing(legacy_dir):
    out = StringIO()
    call_command("import_legacy", str(legacy_dir), "--dry-run", stdout=out)
    assert f"Drivers: {len(legacy_driver_numbers())} created" in out.getvalue()
    assert "rolled back" in out.getvalue()
    assert set(row_counts().values()) == {0}
