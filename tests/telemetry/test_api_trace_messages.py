"""GET /api/telemetry/trace without a lap to show: "no telemetry" told apart from "no green lap"."""

import pytest
from django.db import connections

from tests.telemetry.api_data import SectorLap, warehouse_delete_track, warehouse_load_laps

TRACK = "yellowring"


@pytest.fixture(scope="module")
def race(django_db_setup, django_db_blocker):
    """Car 72's only lap ran under a full-course yellow."""
    with django_db_blocker.unblock():
        warehouse_load_laps(
            track=TRACK, race_number=1, laps=[SectorLap(car=72, lap=1, lengths=(500.0,) * 3, speeds=(40.0,) * 3)]
        )
        with connections["warehouse"].cursor() as cursor:
            cursor.execute("UPDATE telemetry_lap SET flag = 'FCY' WHERE track = %s", [TRACK])
        yield
        warehouse_delete_track(track=TRACK)


def trace(client, **params):
    response = client.get("/api/telemetry/trace", {"track_id": TRACK, **params})
    assert response.status_code == 404, response.content
    return response.json()["error"]


def test_a_car_with_telemetry_but_no_green_lap_is_told_so(client, warehouse_db, race):
    message = trace(client, driver_number=72)

    assert message.startswith(f"Car 72 has telemetry in {TRACK} race 1 but no complete green-flag lap")
    assert "?lap=" in message
    assert client.get("/api/telemetry/trace", {"track_id": TRACK, "driver_number": 72, "lap": 1}).status_code == 200


def test_a_car_without_telemetry_is_told_so(client, warehouse_db, race):
    assert trace(client, driver_number=8) == f"No telemetry for car 8 in {TRACK} race 1"
    assert trace(client, driver_number=72, lap=9) == f"No telemetry for car 72 lap 9 in {TRACK} race 1"
