"""refresh_cache as cron runs it: real processes on the test databases. A second run while one
holds the lock exits at once with its own status; a run killed half-way (SIGKILL) leaves no trace
and the next run succeeds."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections

from pipeline.management.commands.refresh_cache import EXIT_BUSY
from pipeline.refresh.services import ADVISORY_LOCK_KEY
from tests.api.subprocess_django import PROJECT_DIR, child_env, database_url
from tests.refresh.conftest import race_files, race_ingest
from tests.refresh.test_refresh import snapshot


@pytest.fixture
def refresh_env(warehouse_emulator):
    """The environment of a child process that sees this session's test databases."""
    return child_env(
        DJANGO_SETTINGS_MODULE="hackthetrack.settings.development",
        DATABASE_URL=database_url(connections["default"].settings_dict),
        SNOWFLAKE_ACCOUNT="fakesnow",
        SNOWFLAKE_EMULATOR="true",
        SNOWFLAKE_HOST=warehouse_emulator.host,
        SNOWFLAKE_PORT=str(warehouse_emulator.port),
        SNOWFLAKE_PROTOCOL="http",
        SNOWFLAKE_DATABASE=connections["warehouse"].settings_dict["NAME"],
        PYTHONUNBUFFERED="1",
    )


@pytest.fixture
def legacy_committed(season_dir, warehouse_transactional_db):
    """Barber's two races in the warehouse and the legacy stores in PostgreSQL, committed (the
    child processes see them); both emptied after the test."""
    files = race_files(season_dir / "timing")
    race_ingest(files["barber", 1] + files["barber", 2])
    call_command("import_legacy", str(season_dir / "legacy"), stdout=open(os.devnull, "w"))


def refresh_start(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "refresh_cache"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def refresh_finish(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "refresh_cache"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def wait_for_line(process: subprocess.Popen, text: str) -> None:
    for line in process.stdout:
        if text in line:
            return
    pytest.fail(f"refresh_cache ended without printing {text!r}: {process.stderr.read()}")


def lock_held() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s", [ADVISORY_LOCK_KEY & 0xFFFFFFFF]
        )
        return cursor.fetchone()[0] > 0


def test_a_second_run_exits_at_once_while_the_first_holds_the_lock(legacy_committed, refresh_env):
    first = refresh_start(refresh_env)
    try:
        wait_for_line(first, "lock taken")
        os.kill(first.pid, signal.SIGSTOP)  # hold it there, lock taken, until the second has run
        try:
            started = time.monotonic()
            second = refresh_finish(refresh_env)
        finally:
            os.kill(first.pid, signal.SIGCONT)
        assert second.returncode == EXIT_BUSY
        assert "another refresh_cache run is in progress" in second.stderr
        assert "lock taken" not in second.stdout
        assert time.monotonic() - started < 60  # no waiting for the lock (start-up included)
        output, errors = first.communicate(timeout=180)
    finally:
        first.kill()
    assert first.returncode == 0, errors
    assert "rows changed" in output


def test_a_run_killed_half_way_leaves_no_trace_and_the_next_succeeds(legacy_committed, refresh_env):
    before = snapshot()
    run = refresh_start(refresh_env)
    try:
        wait_for_line(run, "race entries:")  # races and entries written, not committed
        os.kill(run.pid, signal.SIGSTOP)
        assert lock_held()
        assert snapshot() == before
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        run.kill()
    deadline = time.monotonic() + 30
    while lock_held() and time.monotonic() < deadline:  # the server ends the dead client's session
        time.sleep(0.2)
    assert not lock_held()
    assert snapshot() == before

    after = refresh_finish(refresh_env)
    assert after.returncode == 0, after.stderr
    assert "rows changed" in after.stdout
    assert snapshot() != before
