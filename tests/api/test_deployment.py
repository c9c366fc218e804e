"""Procfile and gunicorn.conf.py: what Heroku runs."""

import re
import subprocess
import sys
from pathlib import Path

from .subprocess_django import PROJECT_DIR, child_env

GUNICORN = Path(sys.executable).with_name("gunicorn")


def gunicorn_config(**env: str) -> dict[str, str]:
    result = subprocess.run(
        [str(GUNICORN), "--print-config", "-c", "gunicorn.conf.py", "hackthetrack.wsgi"],
        cwd=PROJECT_DIR,
        env=child_env(DJANGO_SETTINGS_MODULE="hackthetrack.settings.development", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))


def test_gunicorn_takes_port_and_workers_from_the_environment():
    config = gunicorn_config(PORT="5123", WEB_CONCURRENCY="3")

    assert config["bind"] == "['0.0.0.0:5123']"
    assert config["workers"] == "3"
    assert config["accesslog"] == "None"  # the app logs each request itself
    # Under Heroku's 30 s router timeout.
    assert 0 < int(config["timeout"]) < 30


def test_procfile_runs_gunicorn_with_its_config_and_migrates_on_release():
    processes = dict(
        line.split(": ", 1) for line in (PROJECT_DIR / "Procfile").read_text().splitlines() if line.strip()
    )

    # The settings named, not defaulted (wsgi.py and manage.py have no default).
    assert processes["web"] == (
        "DJANGO_SETTINGS_MODULE=hackthetrack.settings.production gunicorn -c gunicorn.conf.py hackthetrack.wsgi"
    )
    release_steps = [step.strip() for step in processes["release"].split("&&")]
    assert release_steps == [
        "export DJANGO_SETTINGS_MODULE=hackthetrack.settings.production",
        "python manage.py migrate --noinput",
        "python manage.py migrate --database=warehouse --noinput",
    ]
