"""Procfile and gunicorn.conf.py: what Heroku runs, run the way Heroku runs it. Each process type's
command under ``sh -c`` in the project folder, the venv's bin first on PATH, a production environment
that names no settings module (the Procfile must); the outcome observed from outside: the databases
queried, the port asked, the process tree read."""

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.db import connection

from tests.faults.processes import free_port, port_open, wait_until
from tests.real_components import POSTGRES, component_used

from .subprocess_django import PROJECT_DIR, child_env, empty_database

VENV_BIN = Path(sys.executable).parent
GUNICORN = VENV_BIN / "gunicorn"
HOST = "hackthetrack-api.herokuapp.com"
# Heroku's Procfile format: one "<process type>: <command>" a line.
PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$", re.MULTILINE)
# Not gunicorn.conf.py's default (3) nor gunicorn's own (1): the count seen comes from the variable.
WEB_CONCURRENCY = 2
# What the warehouse holds, and only it (docs/operations.md: "the telemetry app's tables in Snowflake").
WAREHOUSE_APP = "telemetry"
ONE_YEAR_S = 365 * 24 * 60 * 60
# What Heroku's router adds to a request that came in over HTTPS.
FORWARDED_HTTPS = {"X-Forwarded-Proto": "https"}


def procfile_command(process_type: str) -> str:
    return dict(PROCFILE_LINE.findall((PROJECT_DIR / "Procfile").read_text()))[process_type]


def production_env(**overrides: str) -> dict[str, str]:
    """A production dyno's environment without DJANGO_SETTINGS_MODULE; the venv's python and gunicorn first on PATH."""
    return child_env(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        **overrides,
    )


def run_release(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", "-c", procfile_command("release")], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def migrations_on_disk() -> set[tuple[str, str]]:
    """(app label, migration name) of every file in the installed apps' migrations folders."""
    return {
        (app.label, path.stem)
        for app in apps.get_app_configs()
        for path in Path(app.path, "migrations").glob("*.py")
        if path.name != "__init__.py"
    }


def model_tables(*, warehouse: bool) -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and (model._meta.app_label == WAREHOUSE_APP) == warehouse
    }


@dataclass
class Release:
    env: dict[str, str]
    result: subprocess.CompletedProcess
    warehouse_database: str


@pytest.fixture(scope="module")
def release(warehouse_emulator):
    """The release command run once against a fresh, empty PostgreSQL database and a warehouse
    database of its own (on the test session's emulator, reached as Snowflake is)."""
    with empty_database(connection.settings_dict, "htt_release") as database_url:
        warehouse_database = f"RELEASE_{uuid.uuid4().hex[:12].upper()}"
        env = production_env(
            DATABASE_URL=database_url,
            SNOWFLAKE_ACCOUNT="fakesnow",
            SNOWFLAKE_EMULATOR="true",
            SNOWFLAKE_HOST=warehouse_emulator.host,
            SNOWFLAKE_PORT=str(warehouse_emulator.port),
            SNOWFLAKE_PROTOCOL="http",
            SNOWFLAKE_LOGIN_TIMEOUT="30",
            SNOWFLAKE_DATABASE=warehouse_database,
        )
        yield Release(env=env, result=run_release(env), warehouse_database=warehouse_database)


@pytest.fixture
def released(release, request) -> Release:
    component_used(request, POSTGRES)  # its own database on the tests' server, not pytest-django's
    assert release.result.returncode == 0, release.result.stderr
    return release


@dataclass
class Dyno:
    process: subprocess.Popen
    stderr_path: Path

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()


@pytest.fixture
def start_dyno(tmp_path):
    """``start_dyno(process_type, env)`` starts that Procfile command in a process group of its own;
    each is stopped after the test as Heroku stops a dyno: SIGTERM to the group."""
    started: list[Dyno] = []

    def start(process_type: str, env: dict[str, str]) -> Dyno:
        stderr_path = tmp_path / f"{process_type}-{len(started)}.stderr"
        with stderr_path.open("w") as stderr:
            process = subprocess.Popen(
                ["sh", "-c", procfile_command(process_type)],
                cwd=PROJECT_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        started.append(Dyno(process, stderr_path))
        return started[-1]

    yield start
    for dyno in started:
        stop_dyno(dyno)


def stop_dyno(dyno: Dyno) -> None:
    """SIGTERM to the whole group (sh may be gone while gunicorn is not), SIGKILL to what is left
    after gunicorn's graceful timeout."""
    group = dyno.process.pid
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    try:
        dyno.process.wait(timeout=30)
        wait_until(lambda: not process_group(group), "the dyno's processes stopped", timeout=30)
    except (subprocess.TimeoutExpired, TimeoutError):
        os.killpg(group, signal.SIGKILL)
        dyno.process.wait()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Status, headers and body of a GET to the production host unless ``headers`` name another;
    redirects not followed."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        client.request("GET", path, headers={"Host": HOST, **headers})
        response = client.getresponse()
        return response.status, response.headers, response.read()
    finally:
        client.close()


def process_group(pgid: int) -> dict[int, int]:
    """pid -> parent pid of each live (not zombie) process in the group."""
    members = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After the command's name in parentheses: state, ppid, pgrp.
            state, ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue  # gone meanwhile
        if int(pgrp) == pgid and state != "Z":
            members[int(stat.parent.name)] = int(ppid)
    return members


def gunicorn_workers(pgid: int) -> set[int]:
    """The leaves of the group's tree (sh, if it did not exec, then the master, then the workers)."""
    members = process_group(pgid)
    return set(members) - set(members.values())


def open_files(pid: int) -> set[str]:
    targets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            targets.add(os.readlink(fd))
        except OSError:
            continue  # closed meanwhile
    return targets


def test_gunicorn_takes_port_and_workers_from_the_environment():
    result = subprocess.run(
        [str(GUNICORN), "--print-config", "-c", "gunicorn.conf.py", "hackthetrack.wsgi"],
        cwd=PROJECT_DIR,
        env=child_env(DJANGO_SETTINGS_MODULE="hackthetrack.settings.development", PORT="5123", WEB_CONCURRENCY="3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))

    assert config["bind"] == "['0.0.0.0:5123']"
    assert config["workers"] == "3"
    assert config["accesslog"] == "None"  # the app logs each request itself
    assert config["worker_class"] == "hackthetrack.server.KeepAliveWorker"
    # Under Heroku's 30 s router timeout.
    assert 0 < int(config["timeout"]) < 30


def test_release_migrates_an_empty_database_and_the_warehouse(released):
    import snowflake.connector

    expected_migrations = migrations_on_disk()
    with psycopg.connect(released.env["DATABASE_URL"]) as postgres:
        postgres_migrations = set(postgres.execute("SELECT app, name FROM django_migrations").fetchall())
        postgres_tables = {
            name for (name,) in postgres.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
    env = released.env
    warehouse = snowflake.connector.connect(
        account="fakesnow",
        user="fake",
        password="snow",
        host=env["SNOWFLAKE_HOST"],
        port=int(env["SNOWFLAKE_PORT"]),
        protocol="http",
        database=released.warehouse_database,
        schema="PUBLIC",
    )
    try:
        cursor = warehouse.cursor()
        warehouse_migrations = set(cursor.execute("SELECT app, name FROM django_migrations").fetchall())
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'PUBLIC'")
        warehouse_tables = {name.lower() for (name,) in cursor.fetchall()}
    finally:
        warehouse.close()

    assert expected_migrations >= {("auth", "0001_initial"), (WAREHOUSE_APP, "0001_initial")}  # the listing works
    # Every migration of every app recorded in each database; each database holds its apps' tables only.
    assert postgres_migrations == expected_migrations
    assert warehouse_migrations == expected_migrations
    assert postgres_tables >= model_tables(warehouse=False)
    assert not postgres_tables & model_tables(warehouse=True)
    assert warehouse_tables == model_tables(warehouse=True) | {"django_migrations"}


def test_release_without_telemetry_migrates_postgres_and_succeeds(request):
    component_used(request, POSTGRES)
    with empty_database(connection.settings_dict, "htt_release") as database_url:
        env = production_env(DATABASE_URL=database_url, TELEMETRY_ENABLED="false")
        result = run_release(env)
        with psycopg.connect(database_url) as postgres:
            postgres_migrations = set(postgres.execute("SELECT app, name FROM django_migrations").fetchall())

    assert result.returncode == 0, result.stderr
    # No warehouse to migrate: PostgreSQL holds every migration, as with one.
    assert postgres_migrations == migrations_on_disk()


def test_web_serves_the_api_under_gunicorn_with_the_production_settings(released, start_dyno):
    port = free_port()
    web = start_dyno("web", {**released.env, "PORT": str(port), "WEB_CONCURRENCY": str(WEB_CONCURRENCY)})
    wait_until(lambda: port_open(port) or web.process.poll() is not None, "the web dyno listening")
    assert web.process.poll() is None, web.stderr

    status, headers, body = get(port, "/api/health", FORWARDED_HTTPS)
    assert status == 200, body
    health = json.loads(body)
    # Served from the released database (empty) with the warehouse reached.
    assert (health["database"], health["warehouse"], health["tracks_loaded"]) == ("ok", "ok", 0)
    assert "Server" not in headers  # no software and version for a scanner to look up
    assert headers["Strict-Transport-Security"] == f"max-age={ONE_YEAR_S}; includeSubDomains; preload"

    # Production settings: plain HTTP redirected to HTTPS, and only ALLOWED_HOSTS answered.
    status, headers, _ = get(port, "/api/health", {})
    assert (status, headers["Location"]) == (301, f"https://{HOST}/api/health")
    assert get(port, "/api/health", {"Host": "other.example.com", **FORWARDED_HTTPS})[0] == 400

    # WEB_CONCURRENCY workers, each with its heartbeat file in memory: /dev/shm is gunicorn.conf.py's
    # worker_tmp_dir (gunicorn's own default is the disk's temporary folder).
    wait_until(lambda: len(gunicorn_workers(web.process.pid)) >= WEB_CONCURRENCY, "the workers booted")
    workers = gunicorn_workers(web.process.pid)
    assert len(workers) == WEB_CONCURRENCY
    for worker in workers:
        assert any(path.startswith("/dev/shm/wgunicorn-") for path in open_files(worker)), open_files(worker)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_web_without_a_required_variable_exits_and_never_listens(missing, start_dyno):
    port = free_port()
    env = production_env(PORT=str(port))  # child_env's DATABASE_URL: nothing listens there
    del env[missing]
    web = start_dyno("web", env)

    # Watched until it exits or listens (bounded): it must exit without having listened.
    listened = False

    def exited_or_listened() -> bool:
        nonlocal listened
        listened = port_open(port)
        return listened or web.process.poll() is not None

    wait_until(exited_or_listened, "the web dyno exiting")
    assert not listened, web.stderr
    assert web.process.returncode != 0
    last_line = web.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured: Production settings need" in last_line and missing in last_line
