"""The setup scripts: bin/test's exit status, and the steps bin/serve and CI run."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

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


def test_bin_serve_migrates_loads_the_demo_and_execs_gunicorn_on_localhost():
    steps = (ROOT / "bin/serve").read_text()
    order = [
        "bin/ensure-venv requirements-local.txt",
        "manage.py migrate",
        "manage.py load_demo_fixtures",
        "manage.py collectstatic",
        "exec gunicorn",
    ]
    positions = [steps.index(step) for step in order]
    assert positions == sorted(positions)
    assert "127.0.0.1:8000" in steps and "hackthetrack.wsgi" in steps


def test_ci_runs_bin_test_against_its_own_database():
    ci = (ROOT / ".ci/run").read_text()
    assert "DATABASE_URL=postgres://postgres@127.0.0.1:5432/hackthetrack_ci" in ci
    assert ci.rstrip().splitlines()[-1].startswith("exec bin/test")
