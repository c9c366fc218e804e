"""read_legacy_stores on the real legacy stores with one thing broken: the error names the file, the
record and the field, and says what was expected. No database: the reading validates everything
before import_legacy writes anything."""

import copy
import json

import pytest

from pipeline.legacy_import_read import FILES, read_legacy_stores
from pipeline.legacy_json import LegacyDataError


@pytest.fixture(scope="module")
def stores(season_dir) -> dict:
    return {name: json.loads((season_dir / "legacy" / name).read_text()) for name in FILES}


def read_with(stores: dict, tmp_path, name: str, change) -> str:
    """The error message of reading the stores with ``change`` applied to a copy of store ``name``."""
    edited = copy.deepcopy(stores[name])
    change(edited)
    for file, store in stores.items():
        (tmp_path / file).write_text(json.dumps(edited if file == name else store))
    with pytest.raises(LegacyDataError) as error:
        read_legacy_stores(tmp_path)
    return str(error.value)


def first_result(store):
    return store["data"]["2"][0]


BROKEN = {
    "season stats not an object": (
        "driver_season_stats.json",
        lambda s: s.update(data=[]),
        'driver_season_stats.json: field "data": expected an object, got []',
    ),
    "unknown factor definition": (
        "factor_breakdowns.json",
        lambda s: s["factor_definitions"].update(aero={"variables": []}),
        "factor_breakdowns.json: factor_definitions[\"aero\"]: unknown factor 'aero', expected one of "
        "['speed', 'consistency', 'racecraft', 'tire_management']",
    ),
    "factor definition missing": (
        "factor_breakdowns.json",
        lambda s: s["factor_definitions"].pop("racecraft"),
        "factor_breakdowns.json: factor_definitions: factors missing: ['racecraft']",
    ),
    "variable defined twice": (
        "factor_breakdowns.json",
        lambda s: (speed := s["factor_definitions"]["speed"]["variables"]).insert(1, speed[0]),
        'factor_breakdowns.json: factor_definitions["speed"]["variables"][1]: field "name": '
        "variable 'qualifying_pace' is defined twice",
    ),
    "loading beyond -1..1": (
        "factor_breakdowns.json",
        lambda s: s["factor_definitions"]["speed"]["variables"][0].update(loading=-1.5),
        'factor_breakdowns.json: factor_definitions["speed"]["variables"][0]: field "loading": '
        "a loading lies in -1..1, got -1.5",
    ),
    "loading not a number": (
        "factor_breakdowns.json",
        lambda s: s["factor_definitions"]["speed"]["variables"][0].update(loading="high"),
        'factor_breakdowns.json: factor_definitions["speed"]["variables"][0]: field "loading": '
        'expected a number, got "high"',
    ),
    "unknown dashboard factor": (
        "dashboardData.json",
        lambda s: s["factor_info"].update(aero={"name": "Aero"}),
        "dashboardData.json: factor_info[\"aero\"]: unknown factor 'aero'",
    ),
    "track twice": (
        "dashboardData.json",
        lambda s: s["tracks"].insert(1, s["tracks"][0]),
        "dashboardData.json: tracks[1]: field \"id\": track 'barber' appears twice",
    ),
    "track length without miles": (
        "dashboardData.json",
        lambda s: s["tracks"][0].update(length="3.8 km"),
        'dashboardData.json: tracks[0]: field "length": expected "<positive number> miles", got \'3.8 km\'',
    ),
    "track length not positive": (
        "dashboardData.json",
        lambda s: s["tracks"][0].update(length="0 miles"),
        'dashboardData.json: tracks[0]: field "length": expected "<positive number> miles", got \'0 miles\'',
    ),
    "demands of other factors": (
        "dashboardData.json",
        lambda s: s["tracks"][0]["demands"].pop("racecraft"),
        'dashboardData.json: tracks[0]: field "demands": expected the keys '
        "['consistency', 'racecraft', 'raw_speed', 'tire_mgmt'], got ['consistency', 'raw_speed', 'tire_mgmt']",
    ),
    "dashboard driver twice": (
        "dashboardData.json",
        lambda s: s["drivers"].insert(1, s["drivers"][0]),
        'dashboardData.json: drivers[1]: field "number": driver 13 appears twice',
    ),
    "dashboard driver number zero": (
        "dashboardData.json",
        lambda s: s["drivers"][0].update(number=0),
        'dashboardData.json: drivers[0]: field "number": expected an integer of at least 1, got 0',
    ),
    "layout direction": (
        "track_layouts.json",
        lambda s: s["tracks"]["barber"].update(direction="sideways"),
        'track_layouts.json: tracks["barber"]: field "direction": expected clockwise or counterclockwise, '
        "got 'sideways'",
    ),
    "corner twice": (
        "track_layouts.json",
        lambda s: s["tracks"]["barber"]["corners"][1].update(number=1),
        'track_layouts.json: tracks["barber"]["corners"][1]: field "number": corner 1 appears twice',
    ),
    "corner apex before its start": (
        "track_layouts.json",
        lambda s: s["tracks"]["barber"]["corners"][1].update(distance_apex_m=400),
        'track_layouts.json: tracks["barber"]["corners"][1]: expected start <= apex <= exit, got 450.0, 400.0, 600.0',
    ),
    "factor score beyond 100": (
        "driver_factors.json",
        lambda s: s["drivers"][0]["factors"]["speed"].update(score=101),
        'driver_factors.json: drivers[0]["factors"]["speed"]: field "score": expected 0..100, got 101.0',
    ),
    "factor score of an unknown factor": (
        "driver_factors.json",
        lambda s: s["drivers"][0]["factors"].update(aero={"score": 1, "percentile": 1}),
        'driver_factors.json: drivers[0]["factors"]["aero"]: unknown factor \'aero\'',
    ),
    "component of an unknown factor": (
        "driver_factors.json",
        lambda s: s["detailed_breakdowns"][0].update(factor_name="aero"),
        "driver_factors.json: detailed_breakdowns[0]: field \"factor_name\": unknown factor 'aero'",
    ),
    "component twice": (
        "driver_factors.json",
        lambda s: s["detailed_breakdowns"].insert(1, s["detailed_breakdowns"][0]),
        "driver_factors.json: detailed_breakdowns[1]: driver 2, consistency/braking_consistency appears twice",
    ),
    "breakdown key not a driver number": (
        "factor_breakdowns.json",
        lambda s: s["driver_breakdowns"].update(x=s["driver_breakdowns"]["2"]),
        'factor_breakdowns.json: driver_breakdowns["x"]: key "x" is not a driver number',
    ),
    "breakdown of an unknown variable": (
        "factor_breakdowns.json",
        lambda s: s["driver_breakdowns"]["2"]["speed"].update(top_speed={}),
        'factor_breakdowns.json: driver_breakdowns["2"]["speed"]["top_speed"]: speed/top_speed is not in '
        "factor_definitions",
    ),
    "breakdown not an object of variables": (
        "factor_breakdowns.json",
        lambda s: s["driver_breakdowns"]["2"].update(speed=[]),
        'factor_breakdowns.json: driver_breakdowns["2"]["speed"]: expected an object of variables',
    ),
    "breakdown loading disagrees": (
        "factor_breakdowns.json",
        lambda s: s["driver_breakdowns"]["2"]["speed"]["qualifying_pace"].update(loading=0.5),
        'factor_breakdowns.json: driver_breakdowns["2"]["speed"]["qualifying_pace"]: field "loading": '
        "disagrees with factor_definitions",
    ),
    "wins beyond podiums": (
        "driver_season_stats.json",
        lambda s: s["data"]["2"].update(wins=4),
        'driver_season_stats.json: data["2"]: field "wins": wins (4) exceeds podiums (3)',
    ),
    "negative race count": (
        "driver_season_stats.json",
        lambda s: s["data"]["2"].update(total_races=-1),
        'driver_season_stats.json: data["2"]: field "total_races": expected an integer of at least 0, got -1',
    ),
    "results not a list": (
        "driver_race_results.json",
        lambda s: s["data"].update({"2": {}}),
        'driver_race_results.json: data["2"]: expected a list of results',
    ),
    "result at an unknown track": (
        "driver_race_results.json",
        lambda s: first_result(s).update(track_id="monza"),
        'driver_race_results.json: data["2"][0]: field "track_id": unknown track \'monza\'',
    ),
    "race number 3": (
        "driver_race_results.json",
        lambda s: first_result(s).update(race_number=3),
        'driver_race_results.json: data["2"][0]: field "race_number": expected 1 or 2, got 3',
    ),
    "round of the other race": (
        "driver_race_results.json",
        lambda s: first_result(s).update(round=2),
        'driver_race_results.json: data["2"][0]: field "round": round 2 cannot be race 1 of an event',
    ),
    "results out of order": (
        "driver_race_results.json",
        lambda s: first_result(s).update(race_id=2),
        'driver_race_results.json: data["2"][0]: field "race_id": results must be in season order with '
        "race_id 1, 2, ...",
    ),
    "positions gained disagree": (
        "driver_race_results.json",
        lambda s: first_result(s).update(positions_gained=2),
        'driver_race_results.json: data["2"][0]: field "positions_gained": expected start_position - '
        "finish_position = 1",
    ),
    "lap time not a time": (
        "driver_race_results.json",
        lambda s: first_result(s).update(avg_lap_time="1:4x.079"),
        'driver_race_results.json: data["2"][0]: field "avg_lap_time": expected a time like 1:38.326, 26.842 '
        "or +0.432, got '1:4x.079'",
    ),
    "fastest lap differs from the best lap": (
        "driver_race_results.json",
        lambda s: first_result(s).update(driver_fastest_lap="1:38.327"),
        'driver_race_results.json: data["2"][0]: field "driver_fastest_lap": differs from best_lap_time '
        "(the API serves one value for both)",
    ),
    "a never-filled field filled": (
        "driver_race_results.json",
        lambda s: first_result(s).update(s2_best_time="42.515"),
        'driver_race_results.json: data["2"][0]: field "s2_best_time": expected null: these legacy fields were '
        "never filled",
    ),
    "status missing": (
        "driver_race_results.json",
        lambda s: first_result(s).pop("status"),
        'driver_race_results.json: data["2"][0]: field "status": missing',
    ),
}


@pytest.mark.parametrize(("name", "change", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_store_is_named_by_file_record_and_field(stores, tmp_path, name, change, message):
    assert read_with(stores, tmp_path, name, change) == message


def test_a_store_that_is_not_an_object(stores, tmp_path):
    for file, store in stores.items():
        (tmp_path / file).write_text(json.dumps([] if file == "track_layouts.json" else store))
    with pytest.raises(LegacyDataError, match=r"^track_layouts\.json: expected a JSON object at the top level$"):
        read_legacy_stores(tmp_path)


def test_a_missing_or_unreadable_store(stores, tmp_path):
    for file, store in stores.items():
        if file != "driver_factors.json":
            (tmp_path / file).write_text(json.dumps(store))
    with pytest.raises(LegacyDataError, match=rf"^driver_factors\.json: file not found in {tmp_path}$"):
        read_legacy_stores(tmp_path)
    (tmp_path / "driver_factors.json").write_text("{")
    with pytest.raises(LegacyDataError, match=r"^driver_factors\.json: not valid JSON: "):
        read_legacy_stores(tmp_path)


def test_two_finishers_in_one_place(stores, tmp_path):
    """Car 3 given car 2's finish at barber race 1 (and positions gained to match)."""

    def same_place(store):
        [mine] = [r for r in store["data"]["3"] if (r["track_id"], r["race_number"]) == ("barber", 1)]
        mine.update(finish_position=5, positions_gained=mine["start_position"] - 5)

    message = read_with(stores, tmp_path, "driver_race_results.json", same_place)
    assert message == 'driver_race_results.json: data["3"]: barber race 1: finish_position 5 is also driver 2\'s'
