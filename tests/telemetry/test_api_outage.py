"""The warehouse down, frozen, restarted, unmigrated, failing or not configured: telemetry answers
503 in the envelope (500 only for a permanent error), the rest of the API keeps working, telemetry
resumes by itself when the warehouse is back, and nothing stored is lost. The faults are real: a
dedicated emulator process, stopped, frozen (SIGSTOP) and restarted; the warehouse's own error
classes, raised with Snowflake's error numbers where the emulator cannot produce them."""

import os
import signal
import time
from pathlib import Path

import pytest
import snowflake.connector.errors as connector
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections
from snowflake.connector.cursor import SnowflakeCursor

from hackthetrack.warehouse_emulator import emulator_start
from telemetry.models import Load, Sample
from telemetry.warehouse_probe import PROBE_SQL, probe
from tests.telemetry.api_data import SectorLap, warehouse_load_laps

pytestmark = pytest.mark.django_db(databases=["default", "warehouse"], transaction=True)
DRIVERS = "/api/telemetry/drivers"
LAP = SectorLap(car=7, lap=1, lengths=(300.0,), speeds=(50.0,))
RECOVERY_WAIT_S = 30  # a loop's bound, not a speed goal: it ends as soon as service is back


def _dedicated(tmp_path: Path, *, migrated: bool):
    """The ``warehouse`` alias pointed at an emulator of this test's own (with the telemetry tables
    when ``migrated``); restored, and the breaker closed, afterwards."""
    connection = connections["warehouse"]
    saved_options = connection.settings_dict["OPTIONS"]
    emulator = emulator_start(data_dir=tmp_path, parent_pid=os.getpid())
    connection.close()
    connection.settings_dict["OPTIONS"] = {**saved_options, "port": emulator.port}
    probe.reset()
    try:
        with connection.cursor() as cursor:  # as the test set-up creates the test database
            name = connection.settings_dict["NAME"]
            cursor.execute(f"CREATE DATABASE IF NOT EXISTS {name}")
            cursor.execute(f"USE DATABASE {name}")
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {connection.settings_dict['SCHEMA']}")
        if migrated:
            with connection.schema_editor() as editor:
                editor.create_model(Sample)
                editor.create_model(Load)
        yield emulator
    finally:
        _resume(emulator)
        connection.close()
        connection.settings_dict["OPTIONS"] = saved_options
        probe.reset()
        emulator.stop()


def _resume(emulator) -> None:
    """Let a frozen emulator run again (nothing when it runs or is gone)."""
    if os.path.exists(f"/proc/{emulator.pid}"):
        os.kill(emulator.pid, signal.SIGCONT)


@pytest.fixture
def dedicated_warehouse(tmp_path, settings):
    settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER = 1.0
    settings.TELEMETRY_RETRY_BACKOFF = 0.05
    yield from _dedicated(tmp_path, migrated=True)


@pytest.fixture
def unmigrated_warehouse(tmp_path):
    yield from _dedicated(tmp_path, migrated=False)


def get(client, path=DRIVERS):
    cache.clear()  # each request reaches the view, never a cached answer
    return client.get(path)


def assert_503(response):
    assert response.status_code == 503, response.content
    body = response.json()
    assert set(body) == {"error", "details", "path"} and body["path"] == DRIVERS
    return body


def warehouse_records(caplog):
    return [record for record in caplog.records if record.name == "telemetry.warehouse"]


def service_back(client) -> dict:
    """The first 200 after an outage (the breaker's probe closes it in the background)."""
    deadline = time.monotonic() + RECOVERY_WAIT_S
    while (response := get(client)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert response.status_code == 200, response.content
    return response.json()


def stored_cars(body: dict) -> list[tuple[int, int]]:
    return [(car["driver_number"], car["samples"]) for car in body["cars"]]


def test_503_while_the_warehouse_is_down_then_service_resumes(client, dedicated_warehouse, settings, caplog):
    warehouse_load_laps(track="downring", race_number=1, laps=[LAP], timing=False)
    before = stored_cars(get(client).json())
    assert before == [(7, len(LAP.samples(clock=0)))]

    dedicated_warehouse.stop()
    response = get(client)

    assert_503(response)
    assert response["Retry-After"] == "1"
    # The failed connection was retried on a new one (logged), then given up (logged).
    logged = [(record.levelname, record.getMessage()) for record in warehouse_records(caplog)]
    assert logged[0][0] == "WARNING" and "retrying" in logged[0][1]
    assert any(level == "ERROR" and message.startswith("Warehouse unavailable") for level, message in logged)
    # Every other endpoint keeps working.
    assert client.get("/api/tracks").status_code == 200
    # The breaker is open: 503 at once, the warehouse is not tried (a try would log its failures).
    caplog.clear()
    assert_503(get(client))
    assert not warehouse_records(caplog)
    assert client.get("/api/health").json()["warehouse"] == "unavailable"

    dedicated_warehouse.restart()  # same port, same data

    assert stored_cars(service_back(client)) == before  # back without a restart of ours, nothing lost


def test_a_frozen_warehouse_answers_503_and_no_request_waits_for_it_twice(client, dedicated_warehouse, caplog):
    """A warehouse that accepts connections and never answers (SIGSTOP): the first request ends at
    the query limit (socket reads end a second later), the next ones at once, health says so."""
    warehouse_load_laps(track="frozenring", race_number=1, laps=[LAP], timing=False)
    before = stored_cars(get(client).json())

    os.kill(dedicated_warehouse.pid, signal.SIGSTOP)
    try:
        assert_503(get(client))
        caplog.clear()
        response = get(client)
        assert_503(response) and response["Retry-After"] == "1"
        assert not warehouse_records(caplog)
        health = client.get("/api/health").json()
        assert (health["status"], health["warehouse"]) == ("degraded", "unavailable")
    finally:
        _resume(dedicated_warehouse)

    assert stored_cars(service_back(client)) == before


def test_every_warehouse_wait_of_a_request_ends_before_gunicorn_kills_the_worker():
    """Why a frozen warehouse never costs a worker: each wait a request can meet is bounded below
    gunicorn's worker timeout (gunicorn.conf.py)."""
    config: dict = {}
    exec((Path(__file__).resolve().parents[2] / "gunicorn.conf.py").read_text(), config)
    options = django_settings.DATABASES["warehouse"]["OPTIONS"]
    query = django_settings.TELEMETRY_QUERY_TIMEOUT

    assert options["socket_timeout"] == query + 1
    assert options["session_parameters"]["STATEMENT_TIMEOUT_IN_SECONDS"] == query
    # One attempt's socket wait, or a login, then no new attempt after the query limit.
    assert max(options["socket_timeout"], options["login_timeout"]) + query < config["timeout"]
    assert django_settings.HEALTH_WAREHOUSE_TIMEOUT < config["timeout"]


def test_a_warehouse_restart_between_requests_is_retried_unseen(client, dedicated_warehouse, caplog):
    """The old session is gone after a restart: the failure is logged, and a new connection answers."""
    assert get(client).status_code == 200

    dedicated_warehouse.restart()

    assert get(client).status_code == 200
    assert any(record.levelname == "WARNING" for record in warehouse_records(caplog))


def test_an_unmigrated_warehouse_answers_503_naming_the_migration(client, unmigrated_warehouse):
    response = get(client)

    body = assert_503(response)
    assert "manage.py migrate --database=warehouse" in body["error"]
    health = client.get("/api/health").json()
    assert (health["status"], health["warehouse"]) == ("degraded", "not_migrated")


@pytest.fixture
def warehouse_raises(monkeypatch):
    """Make the telemetry reads fail with a connector error as Snowflake raises it (the other
    statements, the probe's included, still reach the emulator)."""

    def fail_with(error: Exception):
        execute = SnowflakeCursor.execute

        def failing(cursor, command, *args, **kwargs):
            if "telemetry_sample" in command and command != PROBE_SQL:
                raise error
            return execute(cursor, command, *args, **kwargs)

        monkeypatch.setattr(SnowflakeCursor, "execute", failing)

    yield fail_with
    probe.reset()


@pytest.mark.parametrize(
    "error",
    [
        connector.ProgrammingError(
            "SQL execution was cancelled by the client due to a timeout.", errno=604, sqlstate="57014"
        ),
        connector.ProgrammingError(
            "Statement reached its statement or warehouse timeout of 8 second(s) and was canceled.",
            errno=630,
            sqlstate="57014",
        ),
        connector.ProgrammingError("No active warehouse selected in the current session.", errno=606, sqlstate="57P03"),
        connector.DatabaseError("Incorrect username or password was specified.", errno=390100, sqlstate="08004"),
        connector.OperationalError("Failed to execute request: Read timed out.", errno=250003),
    ],
    ids=["604-client-timeout", "630-statement-timeout", "606-no-warehouse", "390100-login", "network"],
)
def test_unavailable_warehouse_errors_answer_503_with_retry_after(client, warehouse_raises, settings, error):
    settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER = 4.0
    warehouse_raises(error)

    response = get(client)

    body = assert_503(response)
    assert body["error"] == "The telemetry warehouse is unavailable, try again later."
    assert response["Retry-After"] == "4"
    assert probe.is_open  # the next requests do not pay for it again


@pytest.mark.parametrize(
    "error",
    [
        connector.ProgrammingError(
            "SQL compilation error: syntax error line 1 at position 7 unexpected 'SELEC'.", errno=1003, sqlstate="42000"
        ),
        connector.ProgrammingError(
            "Insufficient privileges to operate on table 'TELEMETRY_SAMPLE'", errno=3001, sqlstate="42501"
        ),
    ],
    ids=["1003-compilation", "3001-privileges"],
)
def test_permanent_errors_answer_500_at_once_logged_with_the_query_tag(client, warehouse_raises, caplog, error):
    calls = []
    warehouse_raises(error)
    failing = SnowflakeCursor.execute

    def counted(cursor, command, *args, **kwargs):
        calls.append(command)
        return failing(cursor, command, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SnowflakeCursor, "execute", counted)
        client.raise_request_exception = False
        response = get(client)

    assert response.status_code == 500
    assert len([command for command in calls if "telemetry_sample" in command]) == 1  # never retried
    assert not probe.is_open
    logged = [record.getMessage() for record in warehouse_records(caplog)]
    assert any(
        "hackthetrack web /api/telemetry/drivers request_id=" in message and "not retried" in message
        for message in logged
    ), logged


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_503_when_no_warehouse_is_configured(client, settings):
    settings.DATABASES = {alias: config for alias, config in settings.DATABASES.items() if alias != "warehouse"}

    response = get(client)

    assert assert_503(response)["error"] == "The telemetry warehouse is not configured."
