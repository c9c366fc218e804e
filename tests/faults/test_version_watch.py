"""With Redis counting the rates, each worker keeps the data version as PostgreSQL announces it
(hackthetrack/version_watch.py): a cached read costs no PostgreSQL round trip, a committed write is
served once announced, and a lost watch connection falls back to reading the version per request."""

import pytest
from django.db import connection

from drivers.models import Track
from hackthetrack.version_watch import APPLICATION_NAME
from tests.api.subprocess_django import database_url
from tests.faults.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough that only an announcement can tell a worker of a new version within a test.
NEVER_CONFIRMED = "3600"


def watch_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            [APPLICATION_NAME],
        )
        return [pid for (pid,) in cursor.fetchall()]


def track_ids(app) -> list[str]:
    status, tracks = app.get("/api/tracks")
    assert status == 200, tracks
    return [track["id"] for track in tracks]


@pytest.fixture
def watched_app(redis_server, app_servers, postgres_rate_rows):
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    return app_servers(
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=redis_server.url,
        DATA_VERSION_CONFIRM_SECONDS=NEVER_CONFIRMED,
    )


def test_a_committed_write_reaches_the_worker_by_its_announcement(watched_app, redis_server, postgres_rate_rows):
    assert track_ids(watched_app) == ["barber"]
    assert track_ids(watched_app) == ["barber"]  # now from the worker's memory
    assert len(watch_backends()) == 1

    Track.objects.create(id="cota", name="Circuit of the Americas")

    wait_until(lambda: track_ids(watched_app) == ["barber", "cota"], "the new track served", timeout=10)
    # Every request was counted in Redis and none in PostgreSQL: no per-request PostgreSQL round trip.
    assert postgres_rate_rows() == 0
    assert any(key.startswith(b"htt:1:rate:") for key in redis_server.keys())


def test_a_lost_watch_connection_reads_the_version_per_request_until_it_is_back(watched_app, postgres_rate_rows):
    assert track_ids(watched_app) == ["barber"]
    (backend,) = watch_backends()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    wait_until(lambda: backend not in watch_backends(), "the watch's backend gone", timeout=10)

    Track.objects.create(id="cota", name="Circuit of the Americas")

    # At once, with no announcement to be had: the worker sees its connection closed and reads the version.
    assert track_ids(watched_app) == ["barber", "cota"]
    assert postgres_rate_rows() >= 1  # counted in PostgreSQL with it
    # After DATA_VERSION_RETRY_SECONDS a request opens a new watch connection.
    wait_until(lambda: track_ids(watched_app) and len(watch_backends()) == 1, "a new watch connection", timeout=10)
    Track.objects.create(id="sonoma", name="Sonoma Raceway")
    wait_until(lambda: track_ids(watched_app) == ["barber", "cota", "sonoma"], "the next track served", timeout=10)
