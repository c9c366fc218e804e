import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.processes import AppServer, PostgresServer, RedisServer
from tests.real_components import REDIS, component_used


@pytest.fixture
def postgres_rate_rows():
    """Empties the PostgreSQL rate counters (they outlive tests: not a model's table); a function
    that counts their rows."""
    from django.db import connection

    from hackthetrack.throttling import RATE_COUNTS

    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {RATE_COUNTS}")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RATE_COUNTS}")
    return count


@pytest.fixture
def redis_server(request, tmp_path):
    component_used(request, REDIS)  # also when requested with getfixturevalue
    server = RedisServer(tmp_path / "redis")
    server.folder.mkdir()
    yield server.start()
    server.stop()


@pytest.fixture
def postgres_server():
    """A migrated PostgreSQL of this test's own, running."""
    from tests.api.subprocess_django import run_manage

    # Not under pytest's tmp_path: the server's user (postgres, when the tests run as root) must reach it.
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="htt-faults-postgres-")))
    server.init().start()
    try:
        migrated = run_manage(
            "migrate", "--no-input", DJANGO_SETTINGS_MODULE="hackthetrack.settings.development", DATABASE_URL=server.url
        )
        assert migrated.returncode == 0, migrated.stderr
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture
def postgres_server_with_barber(postgres_server):
    """``postgres_server`` holding one track, Barber, written by another process."""
    from tests.api.subprocess_django import run_python

    created = run_python(
        "import django; django.setup(); from drivers.models import Track; "
        "Track.objects.create(id='barber', name='Barber Motorsports Park')",
        DJANGO_SETTINGS_MODULE="hackthetrack.settings.development",
        DATABASE_URL=postgres_server.url,
    )
    assert created.returncode == 0, created.stderr
    return postgres_server


@pytest.fixture
def app_servers():
    """Start apps with ``app_servers(workers=1, **env)``; all stopped after the test."""
    started = []

    def start(workers: int = 1, **env: str) -> AppServer:
        started.append(AppServer(workers, **env).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()
