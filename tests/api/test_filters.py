"""Filters on list endpoints (django-filter), documented in the schema."""

import pytest

from drivers.models import Driver, Race, RaceEntry, Track

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


def test_the_filters_are_in_the_schema(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    parameters = schema["paths"]["/api/drivers/{number}/results"]["get"]["parameters"]

    assert {"track", "season", "race_number", "finish_position_min", "finish_position_max"} <= {
        parameter["name"] for parameter in parameters
    }
