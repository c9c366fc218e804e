"""import_legacy and refresh_cache in either order on the real 2025 stores and timing: no entry is
doubled, the later command updates the rows the earlier one wrote, each stays idempotent, locked
rows are kept (regression: import_legacy after refresh_cache failed on a duplicate entry)."""

import io

from django.core.management import call_command

from drivers.models import RaceEntry
from pipeline.legacy_import import legacy_stores_import
from pipeline.refresh.services import refresh_run
from tests.drivers.legacy import read_store
from tests.refresh import official
from tests.refresh.conftest import LAST_RACE, race_ingest

SEASON = 2025


def refresh():
    return refresh_run(season=SEASON, progress=lambda message: None)


def legacy_import(season_dir):
    return legacy_stores_import(directory=season_dir / "legacy")


def entry_rows() -> set[tuple]:
    return set(RaceEntry.objects.values_list("pk", "race_id", "car_number", "group"))


def legacy_results() -> list[dict]:
    return [
        {**result, "driver_number": int(number)}
        for number, results in read_store("driver_race_results.json")["data"].items()
        for result in results
    ]


def classified_cars(files, season_dir) -> int:
    return sum(len(official.classification(season_dir / "timing", *race)) for race in files)


def legacy_results_elsewhere(files) -> list[dict]:
    """The legacy results of races the timing does not have (vir)."""
    return [result for result in legacy_results() if (result["track_id"], result["race_number"]) not in files]


def assert_every_legacy_result_on_its_entry():
    """Each legacy result is the entry of its race linked to its driver, with its car number and
    finish position: nothing the stores hold was lost or put on another car."""
    for result in legacy_results():
        entry = RaceEntry.objects.get(
            race__track_id=result["track_id"],
            race__race_number=result["race_number"],
            driver__number=result["driver_number"],
        )
        assert (entry.car_number, entry.finish_position) == (result["driver_number"], result["finish_position"])


def test_import_legacy_after_refresh_cache_updates_the_same_entries(season_in_warehouse, legacy_season, season_dir):
    race_ingest(season_in_warehouse[LAST_RACE])  # every race: each shared-number case of 2025
    legacy_rows = entry_rows()
    refresh()
    refreshed = entry_rows()
    expected = classified_cars(season_in_warehouse, season_dir) + len(legacy_results_elsewhere(season_in_warehouse))
    assert len(refreshed) == expected
    assert {pk for pk, *_ in legacy_rows} <= {pk for pk, *_ in refreshed}  # the legacy's rows, updated
    # A curator's correction of a legacy row the refresh gave a group.
    curated = min(pk for pk, race_id, number, group in refreshed if group and (pk, race_id, number, "") in legacy_rows)
    RaceEntry.objects.filter(pk=curated).update(laps=99, is_locked=True)

    call_command("import_legacy", str(season_dir / "legacy"), stdout=io.StringIO())

    assert entry_rows() == refreshed  # not one row created, deleted or re-keyed
    assert_every_legacy_result_on_its_entry()
    assert RaceEntry.objects.get(pk=curated).laps == 99
    again = legacy_import(season_dir).counts["Race entries"]
    assert (again.created, again.updated, again.locked) == (0, 0, 1)
    assert refresh().counts["Race entries"].created == 0
    assert refresh().changed == 0
    assert entry_rows() == refreshed


def test_refresh_cache_first_then_import_legacy_then_refresh_cache(season_in_warehouse, demo_model, season_dir):
    """On a database with tracks and a model but no season: the refresh's drivers are named by the
    timing, so a car number two drivers share is linked by the first name the timing gives it, and
    import_legacy moves such a link to the entry its result is."""
    race_ingest(season_in_warehouse[LAST_RACE])
    refresh()
    refreshed = entry_rows()
    assert len(refreshed) == classified_cars(season_in_warehouse, season_dir)

    report = legacy_import(season_dir)

    assert report.counts["Race entries"].created == len(legacy_results_elsewhere(season_in_warehouse))
    assert refreshed <= entry_rows()
    assert_every_legacy_result_on_its_entry()
    assert legacy_import(season_dir).changed is False
    imported = entry_rows()
    assert refresh().counts["Race entries"].created == 0
    assert refresh().changed == 0
    assert entry_rows() == imported
