"""A frozen or restarted warehouse under gunicorn, as deployed: the app's workers, an emulator of the test's own
(SIGSTOP: it accepts connections and never answers). Telemetry answers 503 in the envelope, never
gunicorn's page; no worker is killed for a timeout; service resumes without a restart of anything,
with every row stored before."""

import os
import signal
import time
from pathlib import Path

import pytest
from django.db import connection

from hackthetrack.warehouse_emulator import emulator_start
from tests.api.subprocess_django import database_url, run_manage
from tests.faults.processes import AppServer
from tests.telemetry.test_ingest_telemetry import WIDE_HEADER

pytestmark = pytest.mark.django_db(transaction=True)
DRIVERS = "/api/telemetry/drivers?track_id=barber"
RECOVERY_WAIT_S = 30  # a loop's bound, not a speed goal


def _workers(master_pid: int) -> set[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return {int(pid) for pid in children}


@pytest.fixture
def warehouse_env(tmp_path):
    """The SNOWFLAKE_* variables of an emulator of this test's own, migrated, holding car 13's samples."""
    emulator = emulator_start(data_dir=tmp_path / "warehouse", parent_pid=os.getpid())
    env = {
        "SNOWFLAKE_ACCOUNT": "fakesnow",
        "SNOWFLAKE_EMULATOR": "true",
        "SNOWFLAKE_HOST": "127.0.0.1",
        "SNOWFLAKE_PORT": str(emulator.port),
        "SNOWFLAKE_PROTOCOL": "http",
        "SNOWFLAKE_USER": "fake",
        "SNOWFLAKE_PASSWORD": "snow",
        "DATABASE_URL": database_url(connection.settings_dict),
    }
    samples = tmp_path / "barber_r1_car13.csv"
    samples.write_text(
        f"{WIDE_HEADER}\n13,1,2025-09-06T18:00:00Z,1,100,,,,,,,,,,\n13,1,2025-09-06T18:00:01Z,2,101,,,,,,,,,,\n"
    )
    try:
        for command in (["migrate", "--database=warehouse"], ["ingest_telemetry", str(samples)]):
            result = run_manage(*command, DJANGO_SETTINGS_MODULE="hackthetrack.settings.development", **env)
            assert result.returncode == 0, result.stderr
        yield emulator, env
    finally:
        os.kill(emulator.pid, signal.SIGCONT)
        emulator.stop()


def test_a_frozen_warehouse_costs_no_worker_and_service_resumes(warehouse_env):
    emulator, env = warehouse_env
    app = AppServer(workers=2, **env).start()
    try:
        status, before = app.get(DRIVERS)
        assert status == 200 and before["cars"][0]["samples"] == 2
        workers = _workers(app.process.pid)

        os.kill(emulator.pid, signal.SIGSTOP)
        try:
            # Each its own URL, so that no worker answers from its cache: both workers meet the warehouse.
            answers = [app.get(f"{DRIVERS}&limit={limit}") for limit in range(10, 14)]
            health = app.get("/api/health")
        finally:
            os.kill(emulator.pid, signal.SIGCONT)

        for status, body in answers:
            assert status == 503 and set(body) == {"error", "details", "path"}, body
        assert health[1]["warehouse"] == "unavailable"
        assert _workers(app.process.pid) == workers  # none was killed for its timeout

        deadline = time.monotonic() + RECOVERY_WAIT_S
        while (answer := app.get(f"{DRIVERS}&limit=20"))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer == (200, before)  # back without a restart, nothing lost
    finally:
        app.stop()


def test_the_workers_follow_a_restarted_warehouse(warehouse_env):
    """Stopped, then started again on its port with its data: the workers reconnect by themselves."""
    emulator, env = warehouse_env
    app = AppServer(workers=2, **env).start()
    try:
        _, before = app.get(DRIVERS)
        workers = _workers(app.process.pid)

        emulator.stop()
        answers = [app.get(f"{DRIVERS}&limit={limit}") for limit in range(10, 14)]
        emulator.restart()

        assert {status for status, _ in answers} == {503}
        deadline = time.monotonic() + RECOVERY_WAIT_S
        while (answer := app.get(f"{DRIVERS}&limit=20"))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer == (200, before)
        assert _workers(app.process.pid) == workers
    finally:
        app.stop()
