"""Real telemetry answers keep to the OpenAPI schema (the schemathesis run in tests/api sees an
empty warehouse, so only errors and empty lists there)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis import checks

from hackthetrack.wsgi import application
from tests.telemetry.api_data import SectorLap, warehouse_delete_track, warehouse_load_laps

TRACK = "schemaring"
SECTORS = (1000.0, 1000.0, 1000.0)
LAPS = [
    SectorLap(car=3, lap=1, lengths=SECTORS, speeds=(40.0, 50.0, 60.0)),
    SectorLap(car=4, lap=1, lengths=SECTORS, speeds=(45.0, 45.0, 45.0)),
]


@pytest.fixture(scope="module")
def race(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        warehouse_load_laps(track=TRACK, race_number=1, laps=LAPS, positions={4: 1, 3: 2})
        yield
        warehouse_delete_track(track=TRACK)


@pytest.fixture
def api_schema(race, warehouse_db):
    # As Django's test client does: a request must not close the connections holding the test's transactions.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize(
    "path, query",
    [
        ("/api/telemetry/drivers", {"track_id": TRACK}),
        ("/api/telemetry/laps", {"track_id": TRACK}),
        ("/api/telemetry/trace", {"track_id": TRACK, "driver_number": 3, "points": 40}),
        ("/api/telemetry/compare", {"track_id": TRACK, "driver_1": 3, "driver_2": 4, "points": 40}),
        ("/api/telemetry/detailed", {"track_id": TRACK, "race_num": 1, "driver_number": 3, "points": 40}),
    ],
)
def test_answers_with_data_keep_to_the_schema(api_schema, path, query):
    case = api_schema[path]["GET"].Case(query=query, headers={"Host": "localhost"})
    response = case.call()

    assert response.status_code == 200
    case.validate_response(response, checks=[checks.response_schema_conformance, checks.content_type_conformance])
