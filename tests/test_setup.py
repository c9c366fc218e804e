"""The setup scripts: bin/test's exit status, and the steps bin/serve and CI run."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults.processes import free_port

ROOT = Path(settings.BASE_DIR)
SCRIPTS = ["bin/serve", "bin/stop", "bin/test", "bin/ensure-venv", ".ci/run"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_are_executable_bash_without_syntax_errors(script):
    path = ROOT / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    subprocess.run(["bash", "-n", str(path)], check=True)


def _bin_test(*pytest_args: str) -> subprocess.CompletedProcess:
    # The real script (venv check included) on throwaway test files, without the project's
    # pytest plugins and options: only the exit status is under test.
    return subprocess.run(
        ["bin/test", "-o", "addopts=", *pytest_args],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )  # fmt: skip


def test_bin_test_fails_when_no_test_is_collected(tmp_path):
    (tmp_path / "test_nothing.py").write_text("# no tests here\n")
    result = _bin_test(str(tmp_path))
    assert result.returncode == 1
    assert "collected no tests" in result.stderr


def test_bin_test_passes_on_passing_tests_and_fails_on_failing_ones(tmp_path):
    (tmp_path / "test_one.py").write_text("def test_passes():\n    assert True\n")
    assert _bin_test(str(tmp_path)).returncode == 0
    (tmp_path / "test_two.py").write_text("def test_fails():\n    assert False\n")
    assert _bin_test(str(tmp_path)).returncode == 1


@pytest.fixture
def serve_database():
    """A PostgreSQL database of this test's own, on the tests' server; dropped afterwards."""
    from django.db import connection

    from tests.api.subprocess_django import empty_database

    with empty_database(connection.settings_dict, "htt_serve") as url:
        yield url


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, json.loads(response.read())


def _serve_env(database_url: str, warehouse_emulator, port: int) -> dict:
    from tests.api.subprocess_django import child_env

    return child_env(
        DATABASE_URL=database_url, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1",
        # The test session's emulator, in a warehouse database of this test's own.
        SNOWFLAKE_ACCOUNT="fakesnow", SNOWFLAKE_EMULATOR="true", SNOWFLAKE_HOST=warehouse_emulator.host,
        SNOWFLAKE_PORT=str(warehouse_emulator.port), SNOWFLAKE_PROTOCOL="http", SNOWFLAKE_LOGIN_TIMEOUT="30",
        SNOWFLAKE_DATABASE=f"SERVE_{uuid.uuid4().hex[:12].upper()}",
    )  # fmt: skip


@contextlib.contextmanager
def _bin_serve(env: dict, log: Path):
    """bin/serve running until its API answers; yields the API's root URL, then stops it."""
    with log.open("w") as output:
        serve = subprocess.Popen(
            ["bin/serve"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    api = f"http://{env['BIND']}/api/"
    try:
        # Waits for the server (a hang guard, not a speed check); fails at once if bin/serve exits.
        deadline = time.monotonic() + 600
        while True:
            assert serve.poll() is None, f"bin/serve exited with {serve.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"bin/serve never answered:\n{log.read_text()}"
            try:
                status, _ = _get_json(f"{api}health")
                break
            except OSError:
                time.sleep(1)
        assert status == 200
        # Served where bin/serve says it is.
        assert api in log.read_text()
        yield api
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=60)


def test_bin_serve_migrates_loads_the_demo_and_serves_it(tmp_path, serve_database, warehouse_emulator):
    """bin/serve from an empty database and warehouse to the demo served by gunicorn on 127.0.0.1."""
    env = _serve_env(serve_database, warehouse_emulator, free_port())
    with _bin_serve(env, tmp_path / "serve.log") as api:
        status, drivers = _get_json(f"{api}drivers")
        assert status == 200 and len(drivers) > 0  # the demo season, ranked
        status, telemetry = _get_json(f"{api}telemetry/drivers?track_id=barber")
        assert status == 200 and telemetry["drivers_with_telemetry"]  # the demo telemetry of barber race 1


def test_bin_serve_serves_a_database_of_other_data_as_it_is(tmp_path, serve_database, warehouse_emulator):
    """A database holding other data (here a season from timing alone: a track without a corner
    layout to drive demo laps on) gets neither the demo nor its telemetry, and is served."""
    env = _serve_env(serve_database, warehouse_emulator, free_port())
    settings_env = {**env, "DJANGO_SETTINGS_MODULE": "hackthetrack.settings.development"}  # bin/serve's
    for command in (
        ["migrate", "--no-input"],
        ["shell", "-c", "from drivers.models import Driver, Track; Driver.objects.create(number=7, name='Real'); "
         "Track.objects.create(id='barber', name='Barber Motorsports Park')"],
    ):  # fmt: skip
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=settings_env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    with _bin_serve(env, tmp_path / "serve.log") as api:
        assert "Demo fixtures not loaded" in (tmp_path / "serve.log").read_text()
        status, telemetry = _get_json(f"{api}telemetry/drivers?track_id=barber")
        assert status == 200 and not telemetry["drivers_with_telemetry"]
        status, tracks = _get_json(f"{api}tracks")
        assert status == 200 and [track["id"] for track in tracks] == ["barber"]


def test_ci_stops_naming_the_missing_shared_data(tmp_path):
    """.ci/run in a checkout with no ../shared beside it: it stops before the tests, saying why."""
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci/run", checkout / ".ci/run")
    result = subprocess.run(["bash", str(checkout / ".ci/run")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "the real 2025 data is not at ../shared/grcup2025/timing" in result.stderr


def _child_pytest(test_dir: Path, **env: str) -> subprocess.CompletedProcess:
    # The components plugin alone (as tests/conftest.py loads it), on throwaway test files.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.real_components", "-o", "addopts=", "-p", "no:cacheprovider",
         "--rootdir", str(test_dir), str(test_dir)],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "CI"}, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **env},
    )  # fmt: skip


def test_under_ci_a_skip_is_a_failure_that_keeps_its_reason(tmp_path):
    (tmp_path / "test_skips.py").write_text(
        "import pytest\n\ndef test_needs_a_component():\n    pytest.skip('no Redis on 127.0.0.1:6379')\n"
    )
    outside = _child_pytest(tmp_path)
    assert outside.returncode == 0 and "1 skipped" in outside.stdout
    in_ci = _child_pytest(tmp_path, CI="true")
    assert in_ci.returncode == 1 and "1 failed" in in_ci.stdout
    assert "skipped under CI=true, where every test must run: no Redis on 127.0.0.1:6379" in in_ci.stdout


def test_the_run_counts_the_tests_that_reached_each_component(tmp_path):
    (tmp_path / "conftest.py").write_text("import pytest\n\n@pytest.fixture\ndef season_dir():\n    return None\n")
    (tmp_path / "test_reads.py").write_text(
        "def test_one(season_dir):\n    pass\n\ndef test_two(season_dir):\n    pass\n\ndef test_three():\n    pass\n"
    )
    result = _child_pytest(tmp_path)
    assert result.returncode == 0
    assert "shared data (../shared/grcup2025): 2" in result.stdout
    assert "Redis: 0" in result.stdout
