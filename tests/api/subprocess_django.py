"""Run the project in a child process with its own environment (production settings, a database
that is down, an unreachable warehouse): things that are fixed when settings load."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
# A port where nothing listens: connections are refused at once.
CLOSED_PORT = 9
UNREACHABLE_WAREHOUSE = {
    "SNOWFLAKE_ACCOUNT": "unreachable",
    "SNOWFLAKE_HOST": "127.0.0.1",
    "SNOWFLAKE_PORT": str(CLOSED_PORT),
    "SNOWFLAKE_PROTOCOL": "http",
    "SNOWFLAKE_LOGIN_TIMEOUT": "2",
}


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database that ``settings_dict`` (a connection's) points at, so a child
    process reaches the same one; the embedded PostgreSQL is reached through its socket folder."""
    user, name = settings_dict["USER"], settings_dict["NAME"]
    if socket_dir := settings_dict["OPTIONS"].get("host"):
        return f"postgres://{user}@/{name}?host={socket_dir}"
    return f"postgres://{user}@{settings_dict['HOST']}:{settings_dict['PORT']}/{name}"


@contextmanager
def empty_database(settings_dict: dict, prefix: str) -> Iterator[str]:
    """A new, empty database named ``<prefix>_<random>`` on the PostgreSQL server of ``settings_dict``
    (a connection's), dropped afterwards: its DATABASE_URL, for a child process to migrate and serve."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = database_url({**settings_dict, "NAME": "postgres"})
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url({**settings_dict, "NAME": name})
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def child_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "SNOWFLAKE_", "CORS_", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL")
        )
    }
    # No database unless the caller gives one; settings load without connecting.
    env |= {
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{CLOSED_PORT}/none",
        **UNREACHABLE_WAREHOUSE,
    }
    return env | overrides


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=child_env(**env), capture_output=True, text=True, timeout=120
    )


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
