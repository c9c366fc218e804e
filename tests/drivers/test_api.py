"""Tracks and driver stats/results on a made-up season twice the demo's size: errors, pagination,
and a fixed number of SQL queries whatever the number of rows."""

import pytest

from drivers.models import Track
from tests.drivers.factories import make_season

pytestmark = pytest.mark.django_db

DRIVERS = 60  # twice the demo season's 30
EVENTS = 12  # twice its 6 circuits: 24 races, 1,440 entries


@pytest.fixture
def season():
    return make_season(drivers=DRIVERS, events=EVENTS)


def test_track_list_in_two_queries(client, season, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # + the data version
        response = client.get("/api/tracks")
    tracks = response.json()
    assert response.status_code == 200 and len(tracks) == EVENTS
    assert tracks[0]["demand_profile"] == {"speed": 1.0, "consistency": 2.0, "racecraft": 3.0, "tire_management": 4.0}


def test_track_detail(client, season, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # + the data version
        response = client.get("/api/tracks/track-3")
    assert response.json()["name"] == "Track 3"


def test_driver_results_in_one_query(client, season, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # + the data version
        response = client.get("/api/drivers/7/results")
    results = response.json()
    assert len(results) == 2 * EVENTS
    assert [row["race_id"] for row in results] == list(range(1, 2 * EVENTS + 1))
    # Two races per event: the legacy round numbers the races 1, 2, 3, ...
    assert [row["round"] for row in results] == list(range(1, 2 * EVENTS + 1))
    assert all(row["positions_gained"] == row["start_position"] - row["finish_position"] for row in results)


def test_driver_stats_in_one_query(client, season, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # + the data version
        response = client.get("/api/drivers/60/stats")
    assert response.json()["driver_number"] == 60 and response.json()["total_races"] == 2 * EVENTS


def test_a_page_of_results(client, season, django_assert_max_num_queries):
    everything = client.get("/api/drivers/7/results").json()
    with django_assert_max_num_queries(3):  # + the data version
        response = client.get("/api/drivers/7/results?limit=5&offset=10")
    assert response.json() == everything[10:15]
    assert response["X-Total-Count"] == str(len(everything))
    assert client.get("/api/drivers/7/results?offset=20").json() == everything[20:]
    assert client.get("/api/drivers/7/results?offset=500").json() == []


def test_a_page_of_tracks(client, season):
    ids = [track["id"] for track in client.get("/api/tracks?limit=2&offset=1").json()]
    assert ids == list(Track.objects.order_by("id").values_list("id", flat=True)[1:3])


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=0", "limit", "Ensure this value is greater than or equal to 1."),
        ("limit=101", "limit", "Ensure this value is less than or equal to 100."),
        ("limit=ten", "limit", "A valid integer is required."),
        # What Python's int() reads but the schema's integer is not (DRF's IntegerField took them).
        ("limit=5.0", "limit", "A valid integer is required."),
        ("limit=1_0", "limit", "A valid integer is required."),
        ("limit=%205", "limit", "A valid integer is required."),
        ("limit=%D9%A3", "limit", "A valid integer is required."),  # ARABIC-INDIC DIGIT THREE
        ("offset=+1", "offset", "A valid integer is required."),  # "+" in a query string: a space
        ("offset=-1", "offset", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_page_parameters_are_a_400_naming_them(client, season, query, field, message):
    response = client.get(f"/api/drivers/7/results?{query}")
    assert response.status_code == 400
    assert response.json() == {
        "error": "Invalid request",
        "details": {field: [message]},
        "path": "/api/drivers/7/results",
    }


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/api/tracks/nope", "Track nope not found"),
        ("/api/drivers/999/stats", "No season stats found for driver 999"),
        ("/api/drivers/999/results", "No race results found for driver 999"),
    ],
)
def test_unknown_track_or_driver_is_a_404_envelope(client, season, path, error):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": error, "details": {}, "path": path}


@pytest.mark.parametrize("number", ["abc", "0", "-3", "1.5"])
def test_a_driver_number_that_is_not_a_positive_integer_is_a_400(client, season, number):
    response = client.get(f"/api/drivers/{number}/results")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"number"}


def test_a_driver_without_results_is_a_404(client, season):
    from drivers.models import Driver

    Driver.objects.create(number=500, name="No Races Yet")
    assert client.get("/api/drivers/500/results").status_code == 404
    assert client.get("/api/drivers/500/results?offset=0").status_code == 404
