"""manage.py test runs the pytest suite (Django's runner would find no unittest case in it and
report "Ran 0 tests ... OK"), and an empty collection does not pass."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _manage_test(*pytest_args: str) -> subprocess.CompletedProcess:
    # Throwaway test files, without the project's plugins and options: only the runner is under test.
    return subprocess.run(
        [sys.executable, "manage.py", "test", "-o", "addopts=", *pytest_args],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )  # fmt: skip


def test_manage_py_test_runs_pytest_on_its_arguments(tmp_path):
    (tmp_path / "test_one.py").write_text("def test_passes():\n    assert True\n")

    result = _manage_test(str(tmp_path))

    assert result.returncode == 0
    assert "1 passed" in result.stdout


def test_manage_py_test_fails_when_no_test_is_collected(tmp_path):
    assert _manage_test(str(tmp_path)).returncode != 0


def test_manage_py_test_runs_with_the_test_settings_whatever_the_shell_exports(tmp_path):
    (tmp_path / "test_settings.py").write_text(
        "import os\n\n"
        "def test_settings():\n"
        "    assert os.environ['DJANGO_SETTINGS_MODULE'] == 'hackthetrack.settings.test'\n"
    )
    environment = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    environment["DJANGO_SETTINGS_MODULE"] = "hackthetrack.settings.development"

    result = subprocess.run(
        [sys.executable, "manage.py", "test", "-o", "addopts=", str(tmp_path)],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300, env=environment,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout
