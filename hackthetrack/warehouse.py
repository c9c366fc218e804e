"""The ``warehouse`` database alias: Snowflake through django-snowflake, configured from the
environment; with no SNOWFLAKE_ACCOUNT, the local emulator (see warehouse_emulator.py).

Two uses, each with its own virtual warehouse, limits and query tag, chosen per process: the
commands that load or aggregate the data (``LOAD_COMMANDS``) and everything else, the API's reads
above all. See docs/snowflake-account.md.
"""

import os
import sys
from pathlib import Path

import environ

# Statements the emulator does not implement, ignored there and only those: django-snowflake's two
# ALTER SESSION statements at connection set-up (the emulator runs in UTC, as these sessions do),
# and REMOVE of a staged file that failed to load.
EMULATOR_NOP_REGEXES = [
    r"^\s*ALTER SESSION SET TIMEZONE\s*=",
    r"^\s*ALTER SESSION SET NOORDER_SEQUENCE_AS_DEFAULT\s*=",
    r"^\s*REMOVE\s+@",
]
# At its first login in a process the connector asks the cloud providers' metadata addresses which
# platform it runs on (five threads, up to 0.2 s); an emulator is on none. Only this environment
# variable turns that off.
PLATFORM_DETECTION_OFF = "SNOWFLAKE_DISABLE_PLATFORM_DETECTION"
# manage.py commands that load or aggregate the warehouse's data: long statements, the load warehouse.
LOAD_COMMANDS = frozenset(
    {
        "ingest_timing",
        "ingest_telemetry",
        "generate_demo_telemetry",
        "refresh_cache",
        "migrate",
        "backtest",
        "fit_model_version",
    }
)


def process_command(argv: list[str]) -> str:
    """The manage.py command this process runs, or ``web`` (gunicorn, runserver, a shell, tests)."""
    if len(argv) > 1 and Path(argv[0]).name == "manage.py" and argv[1] != "runserver":
        return argv[1]
    return "web"


def _use_options(*, env: environ.Env, command: str, query_timeout: int) -> tuple[str, dict]:
    """(virtual warehouse, connection options) of this process's use.

    The API's reads: the server cancels a statement at the API's query limit and one queued longer
    than a few seconds (a warehouse that cannot start); every socket read ends soon after the
    limit, so a warehouse that stops answering costs a request about that long, below gunicorn's
    worker timeout. Loads and the refresh: long statements, and the client's network timeout above
    the server's statement timeout so that the server, not the client, ends a long statement."""
    warehouse = env("SNOWFLAKE_WAREHOUSE", default="COMPUTE_WH")
    if command in LOAD_COMMANDS:
        statement_timeout = env.int("SNOWFLAKE_LOAD_STATEMENT_TIMEOUT", default=3600)
        return env("SNOWFLAKE_LOAD_WAREHOUSE", default=warehouse), {
            "login_timeout": env.int("SNOWFLAKE_LOGIN_TIMEOUT", default=30),
            "network_timeout": env.int("SNOWFLAKE_LOAD_NETWORK_TIMEOUT", default=statement_timeout + 300),
            "socket_timeout": env.int("SNOWFLAKE_SOCKET_TIMEOUT", default=60),
            "session_parameters": {
                "STATEMENT_TIMEOUT_IN_SECONDS": statement_timeout,
                "STATEMENT_QUEUED_TIMEOUT_IN_SECONDS": env.int("SNOWFLAKE_LOAD_QUEUED_TIMEOUT", default=600),
                # A load behind another's locks (or a killed load's detached transaction) fails
                # after this long, naming the lock, instead of Snowflake's default 12 hours.
                "LOCK_TIMEOUT": env.int("SNOWFLAKE_LOAD_LOCK_TIMEOUT", default=600),
            },
        }
    return warehouse, {
        "login_timeout": env.int("SNOWFLAKE_LOGIN_TIMEOUT", default=4),
        # The connector retries a failed request until this many seconds have passed (the API's
        # reads turn that off and retry themselves, see telemetry/warehouse_reads.py).
        "network_timeout": env.int("SNOWFLAKE_NETWORK_TIMEOUT", default=20),
        "socket_timeout": env.int("SNOWFLAKE_SOCKET_TIMEOUT", default=query_timeout + 1),
        "session_parameters": {
            "STATEMENT_TIMEOUT_IN_SECONDS": query_timeout,
            "STATEMENT_QUEUED_TIMEOUT_IN_SECONDS": env.int("SNOWFLAKE_QUEUED_TIMEOUT", default=3),
        },
    }


def warehouse_database(
    *, env: environ.Env, data_dir: Path, query_timeout: int, argv: list[str] = sys.argv, ephemeral: bool = False
) -> dict:
    """DATABASES["warehouse"] for Snowflake, or for the emulator when SNOWFLAKE_ACCOUNT is unset.

    ``data_dir`` is where the embedded emulator keeps its DuckDB files; ``query_timeout`` is the
    API's limit on one read (seconds). Connections are kept (CONN_MAX_AGE), their sessions kept
    alive meanwhile, and every query is tagged with the command that sent it (the API's reads
    also with their request, see telemetry/warehouse_reads.py)."""
    account = env("SNOWFLAKE_ACCOUNT", default="")
    emulated = env.bool("SNOWFLAKE_EMULATOR", default=not account)
    command = process_command(argv)
    warehouse, options = _use_options(env=env, command=command, query_timeout=query_timeout)
    conn_max_age = env.int("SNOWFLAKE_CONN_MAX_AGE", default=600)
    options["session_parameters"] |= {
        "CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False,
        "QUERY_TAG": f"hackthetrack {command}",
    }
    # A session idle for four hours expires; a kept connection should not find it gone.
    options["client_session_keep_alive"] = conn_max_age > 0
    if account:
        host, port, protocol = (
            env("SNOWFLAKE_HOST", default=""),
            env("SNOWFLAKE_PORT", default=""),
            env("SNOWFLAKE_PROTOCOL", default=""),
        )
    else:
        from hackthetrack.embedded import embedded_warehouse

        account = "fakesnow"
        ephemeral = ephemeral or env.bool("WAREHOUSE_EMULATOR_EPHEMERAL", default=False)
        host, port, protocol = embedded_warehouse(data_dir, ephemeral=ephemeral)
    options |= {key: value for key, value in (("host", host), ("port", port), ("protocol", protocol)) if value}
    if options.get("port"):
        options["port"] = int(options["port"])
    if emulated:
        options["session_parameters"]["nop_regexes"] = EMULATOR_NOP_REGEXES
        os.environ.setdefault(PLATFORM_DETECTION_OFF, "true")
    if key_path := env("SNOWFLAKE_PRIVATE_KEY_PATH", default=""):
        options["private_key_file"] = key_path
        if passphrase := env("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", default=""):
            options["private_key_file_pwd"] = passphrase
    if role := env("SNOWFLAKE_ROLE", default=""):
        options["role"] = role
    return {
        # The emulator's variant only adapts test-database creation (see emulator_backend/base.py).
        "ENGINE": "hackthetrack.emulator_backend" if emulated else "django_snowflake",
        "ACCOUNT": account,
        "USER": env("SNOWFLAKE_USER", default="fake" if emulated else ""),
        "PASSWORD": env("SNOWFLAKE_PASSWORD", default="snow" if emulated else ""),
        "WAREHOUSE": warehouse,
        "NAME": env("SNOWFLAKE_DATABASE", default="HACKTHETRACK"),
        "SCHEMA": env("SNOWFLAKE_SCHEMA", default="PUBLIC"),
        "OPTIONS": options,
        "CONN_MAX_AGE": conn_max_age,
        # No per-request check of a kept connection (a query of its own, with the connector's long
        # timeouts): the API's reads retry a failed one on a new connection.
        "CONN_HEALTH_CHECKS": False,
        "TEST": {"NAME": env("SNOWFLAKE_TEST_DATABASE", default="TEST_HACKTHETRACK")},
    }
