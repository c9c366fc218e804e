"""What a deployment installs: requirements.txt without the local stand-ins, and an app that starts
without them (they are imported only on the development path, when no real service is configured)."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
STAND_INS = {"pgserver", "fakesnow"}
# The stand-ins and what only they bring (fakesnow's DuckDB and its [server] extra).
STAND_IN_MODULES = ["pgserver", "fakesnow", "duckdb", "uvicorn", "starlette"]


def _requirements(name: str) -> tuple[set[str], list[str]]:
    """Package names pinned in a requirements file, and the files it includes with -r."""
    packages, includes = set(), []
    for line in (ROOT / name).read_text().splitlines():
        line = line.strip()
        if line.startswith("-r"):
            includes.append(line[2:].strip())
        elif line and not line.startswith("#"):
            packages.add(re.split(r"[\[=<>~!; ]", line, maxsplit=1)[0].lower())
    return packages, includes


def test_production_requirements_hold_no_local_stand_in():
    production, includes = _requirements("requirements.txt")
    assert not production & STAND_INS
    assert includes == []


def test_local_requirements_add_the_stand_ins_to_production_and_dev_includes_them():
    local, local_includes = _requirements("requirements-local.txt")
    assert local == STAND_INS
    assert local_includes == ["requirements.txt"]
    assert _requirements("requirements-dev.txt")[1] == ["requirements-local.txt"]


def test_bin_serve_and_bin_test_install_the_stand_ins():
    assert "bin/ensure-venv requirements-local.txt" in (ROOT / "bin/serve").read_text()
    assert "bin/ensure-venv requirements-dev.txt" in (ROOT / "bin/test").read_text()


def test_the_app_starts_with_production_settings_and_no_stand_in_importable():
    # Each stand-in module set to None in sys.modules: importing it raises ImportError, as on a
    # deployment that never installed it.
    script = (
        f"import sys\nfor name in {STAND_IN_MODULES!r}:\n    sys.modules[name] = None\n"
        "import django\ndjango.setup()\n"
        "import hackthetrack.urls, hackthetrack.wsgi\n"
        "from django.core.management import call_command\ncall_command('check')\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hackthetrack.settings.production",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "SECRET_KEY": "a-production-like-key-" + "x" * 50,
        "ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        "SNOWFLAKE_ACCOUNT": "example-account",
        "SNOWFLAKE_USER": "user",
        "SNOWFLAKE_PASSWORD": "password",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
