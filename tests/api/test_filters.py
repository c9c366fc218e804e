"""Filters on list endpoints (django-filter), documented in the schema."""

import pytest
from django.core.management import call_command

from drivers.models import Driver, Race, RaceEntry, Track
from factors.models import DriverFactorScore

pytestmark = pytest.mark.django_db

RESULTS = "/api/drivers/7/results"


@pytest.fixture
def season():
    """Driver 7 in four races: barber R1 P1, barber R2 P5, cota R1 P3, cota R2 P8."""
    driver = Driver.objects.create(number=7, name="Seven")
    tracks = [Track.objects.create(id=slug, name=slug.title()) for slug in ("barber", "cota")]
    finishes = iter([1, 5, 3, 8])
    for round_number, track in enumerate(tracks, start=1):
        for race_number in (1, 2):
            race = Race.objects.create(track=track, season=2025, round=round_number, race_number=race_number)
            RaceEntry.objects.create(race=race, car_number=7, driver=driver, finish_position=next(finishes))


def rows(client, **query) -> list[tuple[int, str, int]]:
    response = client.get(RESULTS, query)
    assert response.status_code == 200, response.content
    return [(row["race_id"], row["track_id"], row["finish_position"]) for row in response.json()]


def test_unfiltered_results_number_the_races_of_the_season(client, season):
    assert rows(client) == [(1, "barber", 1), (2, "barber", 5), (3, "cota", 3), (4, "cota", 8)]


def test_by_track_keeping_each_races_number(client, season):
    assert rows(client, track="cota") == [(3, "cota", 3), (4, "cota", 8)]


def test_by_race_of_the_event(client, season):
    assert rows(client, race_number=2) == [(2, "barber", 5), (4, "cota", 8)]


def test_by_finish_position_range(client, season):
    assert rows(client, finish_position_min=2, finish_position_max=5) == [(2, "barber", 5), (3, "cota", 3)]
    assert rows(client, finish_position_max=1) == [(1, "barber", 1)]


def test_filters_combine_with_paging(client, season):
    response = client.get(RESULTS, {"track": "cota", "limit": 1, "offset": 1})

    assert [row["race_id"] for row in response.json()] == [4]
    assert response["X-Total-Count"] == "2"


def test_no_match_is_an_empty_list_and_an_unknown_driver_still_a_404(client, season):
    assert rows(client, track="sonoma") == []
    assert client.get("/api/drivers/8/results", {"track": "cota"}).status_code == 404


def test_an_invalid_filter_value_is_a_400_naming_it(client, season):
    response = client.get(RESULTS, {"season": "last"})

    assert response.status_code == 400
    assert set(response.json()["details"]) == {"season"}


@pytest.mark.parametrize(
    "name, value",
    [
        ("season", "2025.5"),
        ("race_number", "x"),
        ("finish_position_min", "1.5"),
        ("season", "2025.0"),
        ("race_number", " 1"),
        ("finish_position_max", "1_0"),
    ],
)
def test_a_whole_number_filter_refuses_fractions(client, season, name, value):
    """The schema says integer, written in digits: neither 2025.5 nor 2025.0 is one."""
    response = client.get(RESULTS, {name: value})
    assert response.status_code == 400 and set(response.json()["details"]) == {name}


@pytest.mark.parametrize("name", ["season", "finish_position_min", "track"])
def test_a_filter_given_empty_is_no_filter(client, season, name):
    """As the schema says (allowEmptyValue), and as for every optional query parameter."""
    assert client.get(RESULTS, {name: ""}).json() == client.get(RESULTS).json()


def test_the_filters_are_in_the_schema(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    parameters = schema["paths"]["/api/drivers/{number}/results"]["get"]["parameters"]

    assert {"track", "season", "race_number", "finish_position_min", "finish_position_max"} <= {
        parameter["name"] for parameter in parameters
    }


@pytest.fixture
def demo_season(db):
    call_command("load_demo_fixtures", verbosity=0)


def test_drivers_by_part_of_the_name_any_case(client, demo_season):
    everyone = client.get("/api/drivers").json()
    part = everyone[0]["driver_name"].split()[-1][1:4].upper()

    named = client.get("/api/drivers", {"name": part}).json()

    expected = [card for card in everyone if part.lower() in card["driver_name"].lower()]
    assert named == expected and named


def test_drivers_by_minimum_factor_scores_with_statistics_over_the_whole_field(client, demo_season):
    everyone = client.get("/api/drivers").json()
    # Thresholds: the scores of the driver with the median speed, so at least they qualify.
    median = sorted(everyone, key=lambda card: card["speed"]["score"])[len(everyone) // 2]
    minimum = {factor: median[factor]["score"] for factor in ("speed", "racecraft")}

    picked = client.get("/api/drivers", {"min_speed": minimum["speed"], "min_racecraft": minimum["racecraft"]}).json()

    strong = set.intersection(
        *(
            set(
                DriverFactorScore.objects.filter(factor_id=factor, score__gte=value).values_list(
                    "driver__number", flat=True
                )
            )
            for factor, value in minimum.items()
        )
    )
    # The same cards as in the full list (z-scores, ranks: over every ranked driver), fewer of them.
    assert picked == [card for card in everyone if card["driver_number"] in strong]
    assert 0 < len(picked) < len(everyone)


@pytest.mark.parametrize("value", ["fast", "-0.5", "100.5", "3.7e72", "NaN"])
def test_an_invalid_driver_filter_is_a_400_naming_it(client, demo_season, value):
    response = client.get("/api/drivers", {"min_speed": value})

    assert response.status_code == 400
    assert set(response.json()["details"]) == {"min_speed"}


def test_a_minimum_score_from_0_to_100_is_a_filter(client, demo_season):
    assert len(client.get("/api/drivers", {"min_speed": "0"}).json()) == len(client.get("/api/drivers").json())
    assert client.get("/api/drivers", {"min_speed": "100"}).status_code == 200


def test_driver_filters_are_in_the_schema_with_the_bounds_they_keep(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    parameters = {parameter["name"]: parameter for parameter in schema["paths"]["/api/drivers"]["get"]["parameters"]}

    assert {"name", "min_speed", "min_consistency", "min_racecraft", "min_tire_management"} <= set(parameters)
    for factor in ("speed", "consistency", "racecraft", "tire_management"):
        bounds = parameters[f"min_{factor}"]["schema"]
        assert (bounds["type"], bounds["minimum"], bounds["maximum"]) == ("number", 0, 100)
