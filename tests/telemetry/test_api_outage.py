"""The warehouse down, unreachable or not configured: telemetry answers 503 in the envelope
within a bounded time, the rest of the API keeps working, and telemetry resumes by itself when
the warehouse is back. The outage is real: a dedicated emulator process, stopped and restarted."""

import os
import time

import pytest
from django.core.cache import cache
from django.db import connections

from hackthetrack.warehouse_emulator import emulator_start
from telemetry.models import Load, Sample
from telemetry.warehouse_reads import HEALTH_CHECK_TIMEOUT_S, _Outage

pytestmark = pytest.mark.django_db(databases=["default", "warehouse"], transaction=True)
DRIVERS = "/api/telemetry/drivers"


@pytest.fixture
def dedicated_warehouse(tmp_path, settings):
    """The ``warehouse`` alias pointed at an emulator of this test's own, with the telemetry
    tables; restored (and the outage window closed) afterwards."""
    settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER = 1.0
    settings.TELEMETRY_RETRY_BACKOFF = 0.05
    connection = connections["warehouse"]
    saved_options = connection.settings_dict["OPTIONS"]
    emulator = emulator_start(data_dir=tmp_path, parent_pid=os.getpid())
    connection.close()
    connection.settings_dict["OPTIONS"] = {**saved_options, "port": emulator.port}
    try:
        with connection.cursor() as cursor:  # as the test set-up creates the test database
            name = connection.settings_dict["NAME"]
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS {name}")
            cursor.execute(f"USE DATABASE {name}")
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {connection.settings_dict['SCHEMA']}")
        with connection.schema_editor() as editor:
            editor.create_model(Sample)
            editor.create_model(Load)
        yield emulator
    finally:
        _Outage.end()
        connection.close()
        connection.settings_dict["OPTIONS"] = saved_options
        emulator.stop()


def get(client, path=DRIVERS):
    cache.clear()  # each request reaches the view, never a cached answer
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def assert_503(response):
    assert response.status_code == 503
    body = response.json()
    assert set(body) == {"error", "details", "path"} and body["path"] == DRIVERS
    return body


def test_503_while_the_warehouse_is_down_then_service_resumes(client, dedicated_warehouse, settings, caplog):
    assert get(client)[0].status_code == 200

    dedicated_warehouse.stop()
    response, seconds = get(client)

    assert_503(response)
    assert response["Retry-After"] == "1"
    # Bounded: the reused connection's health check, then attempts until the query time limit.
    assert seconds < HEALTH_CHECK_TIMEOUT_S + settings.TELEMETRY_QUERY_TIMEOUT + 2
    retries = [record for record in caplog.records if record.name == "telemetry.warehouse"]
    assert [record.levelname for record in retries] == ["WARNING"] * (settings.TELEMETRY_QUERY_ATTEMPTS - 1) + ["ERROR"]
    # Every other endpoint keeps working.
    assert client.get("/api/tracks").status_code == 200
    # Inside the outage window: 503 at once, the warehouse is not tried (a try would log its failures).
    caplog.clear()
    response, _ = get(client)
    assert_503(response)
    assert response["Retry-After"] == "1"
    assert not [record for record in caplog.records if record.name == "telemetry.warehouse"]

    dedicated_warehouse.restart()
    time.sleep(settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER)
    response, _ = get(client)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_a_warehouse_restart_between_requests_is_retried_unseen(client, dedicated_warehouse, caplog):
    """The old session is gone after a restart: the failure is logged, and a new connection answers."""
    assert get(client)[0].status_code == 200

    dedicated_warehouse.restart()

    assert get(client)[0].status_code == 200
    assert any(record.name == "telemetry.warehouse" and record.levelname == "WARNING" for record in caplog.records)


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_503_when_no_warehouse_is_configured(client, settings):
    settings.DATABASES = {alias: config for alias, config in settings.DATABASES.items() if alias != "warehouse"}

    response, seconds = get(client)

    assert assert_503(response)["error"] == "The telemetry warehouse is not configured."
    assert seconds < 0.5
