"""Redis stopped or frozen (SIGSTOP) under a running app, and writes meanwhile: answers stay
correct (uncached), writes are never reported failed, and a Redis that comes back with its old
entries never serves them."""

import pytest
from django.db import connection

from drivers.models import Track
from tests.api.subprocess_django import database_url, run_manage
from tests.faults.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def barber():
    return Track.objects.create(id="barber", name="Barber Motorsports Park")


def test_a_frozen_redis_costs_speed_never_correctness(barber, redis_server, app_servers):
    app = app_servers(DATABASE_URL=database_url(connection.settings_dict), REDIS_URL=redis_server.url)
    assert [t["id"] for t in app.get("/api/tracks")[1]] == ["barber"]
    assert app.get("/api/tracks")[0] == 200  # now from Redis
    assert redis_server.keys()

    redis_server.freeze()
    Track.objects.create(id="cota", name="Circuit of the Americas")  # committed while Redis is frozen
    status, tracks = app.get("/api/tracks")
    health_status, health = app.get("/api/health")

    assert status == 200 and [t["id"] for t in tracks] == ["barber", "cota"]
    assert health_status == 200 and health["cache"] == "unavailable" and health["status"] == "degraded"

    # Back, with the entry of the old version still in it: never served.
    redis_server.thaw()
    wait_until(lambda: app.get("/api/health")[1]["cache"] == "ok", "health seeing Redis again", timeout=30)
    answers = [app.get("/api/tracks")[1] for _ in range(2)]
    assert [[t["id"] for t in tracks] for tracks in answers] == [["barber", "cota"]] * 2
    assert set(Track.objects.values_list("id", flat=True)) == {"barber", "cota"}


def test_an_admin_write_with_redis_down_is_done_and_reported_done(admin_client, barber, redis_server, settings):
    from tests.conftest import REDIS_CACHE_BACKEND

    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE_BACKEND, "LOCATION": redis_server.url}}
    assert [track["id"] for track in admin_client.get("/api/tracks").json()] == ["barber"]
    redis_server.stop()

    response = admin_client.post("/admin/drivers/track/barber/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Track.objects.exists()
    assert admin_client.get("/api/tracks").json() == []


def test_import_legacy_with_redis_down_succeeds(season_dir, redis_server):
    redis_server.stop()

    result = run_manage(
        "import_legacy",
        str(season_dir / "legacy"),
        DJANGO_SETTINGS_MODULE="hackthetrack.settings.development",
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=redis_server.url,
    )

    assert result.returncode == 0, result.stderr
    assert Track.objects.exists()
