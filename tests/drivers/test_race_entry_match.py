"""The rule import_legacy and refresh_cache share to find a stored race entry (pipeline.race_entry_match)
and the write both do with it (race_entries_sync), on small made-up races where a car number is
shared: groups, finish positions, driver links, locks."""

import pytest

from drivers.models import Driver, Race, RaceEntry, Track
from pipeline.legacy_import import LegacyImportReport
from pipeline.race_entry_match import EntryMatchError, race_entries_match
from pipeline.upsert import race_entries_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def race():
    return Race.objects.create(track=Track.objects.create(id="track", name="Track"), round=1, race_number=1)


@pytest.fixture
def drivers():
    return {number: Driver.objects.create(number=number, name=f"Driver {number}") for number in (3, 7)}


def stored(race, group, *, driver=None, finish=None, **fields) -> RaceEntry:
    return RaceEntry.objects.create(
        race=race, car_number=3, group=group, driver=driver, finish_position=finish, **fields
    )


def incoming(race, group, *, driver=None, finish=None) -> dict:
    return {(race.pk, 3, group): {"driver_id": driver.pk if driver else None, "finish_position": finish}}


def test_a_number_several_cars_share_on_both_sides_is_matched_by_group(race, drivers):
    legends = stored(race, "Legends", driver=drivers[3], finish=5)
    other = stored(race, "", finish=9)
    entries = {**incoming(race, "", driver=drivers[3], finish=9), **incoming(race, "Legends", finish=5)}

    assert race_entries_match(entries=entries) == {key: key for key in entries}
    race_entries_sync(entries=entries, regroup=True, report=LegacyImportReport())  # the link moves

    legends.refresh_from_db(), other.refresh_from_db()
    assert (legends.driver_id, other.driver_id) == (None, drivers[3].pk)


def test_one_result_against_several_cars_is_the_one_with_its_finish_position(race, drivers):
    """The legacy's result of driver 3 (no group), finishing 9th: the car that finished 9th, even
    though a guess linked driver 3 to the other car."""
    stored(race, "Legends", driver=drivers[3], finish=5)
    ninth = stored(race, "", finish=9)
    entries = incoming(race, "", driver=drivers[3], finish=9)
    report = LegacyImportReport()

    race_entries_sync(entries=entries, regroup=False, report=report)

    assert RaceEntry.objects.get(driver=drivers[3]).pk == ninth.pk
    assert RaceEntry.objects.count() == 2
    assert report.notes == [f"{race} car 3 Legends: unlinked; the source gives {drivers[3]} another entry of the race"]


def test_without_its_finish_position_one_result_is_the_car_linked_to_its_driver(race, drivers):
    stored(race, "Legends", driver=drivers[3], finish=5)
    stored(race, "", finish=9)
    entries = incoming(race, "", driver=drivers[3], finish=None)

    assert race_entries_match(entries=entries) == {(race.pk, 3, ""): (race.pk, 3, "Legends")}


def test_a_finish_position_of_another_drivers_car_is_no_match(race, drivers):
    stored(race, "Legends", driver=drivers[7], finish=5)
    stored(race, "", finish=9)

    with pytest.raises(EntryMatchError) as error:
        race_entries_match(entries=incoming(race, "", driver=drivers[3], finish=5))
    assert str(error.value).startswith(f"{race} car 3: cannot tell which of the 2 stored entries")


def test_one_stored_entry_against_several_cars_takes_the_group_of_its_finish_position(race, drivers):
    """refresh_cache over the legacy's entry: it becomes the car that finished where it did; the
    other car is a new entry."""
    legacy = stored(race, "", driver=drivers[3], finish=5)
    entries = {**incoming(race, "Legends", finish=5), **incoming(race, "", finish=9)}
    report = LegacyImportReport()

    race_entries_sync(entries=entries, regroup=True, report=report)

    legacy.refresh_from_db()
    assert (legacy.group, RaceEntry.objects.count()) == ("Legends", 2)
    assert "1 entries took the group the classification gives them" in report.notes


def test_a_locked_entry_keeps_its_driver_and_the_other_does_not_take_it(race, drivers):
    locked = stored(race, "Legends", driver=drivers[3], finish=5, is_locked=True)
    other = stored(race, "", finish=9)
    entries = {**incoming(race, "", driver=drivers[3], finish=9), **incoming(race, "Legends", finish=5)}
    report = LegacyImportReport()

    race_entries_sync(entries=entries, regroup=True, report=report)

    locked.refresh_from_db(), other.refresh_from_db()
    assert (locked.driver_id, other.driver_id) == (drivers[3].pk, None)
    assert report.counts["Race entries"].locked == 1
    assert f"{locked}: locked: its link kept; the source gives {drivers[3]} another entry of the race" in report.notes
