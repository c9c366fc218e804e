"""After import_legacy, every captured legacy response of /api/tracks, /api/tracks/{id},
/api/drivers/{n}/stats and /api/drivers/{n}/results is served again, field for field, except
the deliberate differences listed in docs/api.md ("Deliberate differences from the legacy API")."""

import pytest
from django.db import transaction

from pipeline.legacy_import import legacy_stores_import
from tests.drivers.legacy import captured_requests, read_store

ENDPOINTS = ("tracks_list", "tracks_detail", "drivers_stats", "drivers_results")
CAPTURED = captured_requests(*ENDPOINTS)


@pytest.fixture(scope="module")
def legacy_database(django_db_setup, django_db_blocker, season_dir):
    """The legacy stores imported once for the module, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        legacy_stores_import(directory=season_dir / "legacy")
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def track_names(season_dir) -> dict[str, str]:
    return {track["id"]: track["name"] for track in read_store("dashboardData.json", season_dir / "legacy")["tracks"]}


def expected_body(captured: dict, track_names: dict[str, str]):
    """The captured body with the deliberate differences applied."""
    request, body = captured["request"], captured["body"]
    if captured["status"] == 404:
        # The error envelope, with the legacy message.
        return {"error": body["detail"], "details": {}, "path": request["path"]}
    if captured["status"] == 422:
        # A non-integer driver number is a 400 naming the parameter.
        return {
            "error": "Invalid request",
            "details": {"number": ["A valid integer is required."]},
            "path": request["path"],
        }
    if request["path"].endswith("/results"):
        # One name per circuit: the results use the name /api/tracks gives the track.
        return [{**row, "track_name": track_names[row["track_id"]]} for row in body]
    return body


def test_every_captured_response_is_replayed(season_dir):
    files = [read_store(f"{name}.json", season_dir / "legacy-api") for name in ENDPOINTS]
    assert len(CAPTURED) == sum(len(store["responses"]) for store in files)
    assert all(store["responses"] for store in files)


@pytest.mark.parametrize("captured", CAPTURED)
def test_the_captured_response_is_served_again(captured, legacy_database, track_names, client, db):
    response = client.get(captured["request"]["url"])
    assert response.status_code == {422: 400}.get(captured["status"], captured["status"])
    assert response.json() == expected_body(captured, track_names)
