"""The ``warehouse`` database alias: Snowflake through django-snowflake, configured from the
environment; with no SNOWFLAKE_ACCOUNT, the local emulator (see warehouse_emulator.py)."""

import os
from pathlib import Path

import environ

# django-snowflake sends ALTER SESSION statements (time zone, sequence order) that the emulator
# does not implement; it ignores them. AUTOCOMMIT is kept: the emulator implements transactions.
EMULATOR_NOP_REGEXES = [r"^\s*ALTER SESSION SET (?!AUTOCOMMIT)"]
# At its first login in a process the connector asks the cloud providers' metadata addresses which
# platform it runs on (five threads, up to 0.2 s); an emulator is on none. Only this environment
# variable turns that off.
PLATFORM_DETECTION_OFF = "SNOWFLAKE_DISABLE_PLATFORM_DETECTION"


def warehouse_database(*, env: environ.Env, data_dir: Path) -> dict:
    """DATABASES["warehouse"] for Snowflake, or for the emulator when SNOWFLAKE_ACCOUNT is unset.

    ``data_dir`` is where the embedded emulator keeps its DuckDB files. Connections are kept
    (CONN_MAX_AGE) and health-checked; login and network timeouts are bounded so an unreachable
    warehouse fails within seconds instead of the connector's default minutes of retries."""
    account = env("SNOWFLAKE_ACCOUNT", default="")
    emulated = env.bool("SNOWFLAKE_EMULATOR", default=not account)
    options = {
        "login_timeout": env.int("SNOWFLAKE_LOGIN_TIMEOUT", default=10),
        # The connector retries a failed request until this many seconds have passed; the emulator
        # answers its own errors with HTTP 500, which should not cost minutes.
        "network_timeout": env.int("SNOWFLAKE_NETWORK_TIMEOUT", default=20 if emulated else 120),
        "socket_timeout": env.int("SNOWFLAKE_SOCKET_TIMEOUT", default=60),
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
    }
    if account:
        host, port, protocol = env("SNOWFLAKE_HOST", default=""), env("SNOWFLAKE_PORT", default=""), env(
            "SNOWFLAKE_PROTOCOL", default="")
    else:
        from hackthetrack.embedded import embedded_warehouse

        account = "fakesnow"
        host, port, protocol = embedded_warehouse(data_dir, ephemeral=env.bool("WAREHOUSE_EMULATOR_EPHEMERAL", default=False))
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
        "WAREHOUSE": env("SNOWFLAKE_WAREHOUSE", default="COMPUTE_WH"),
        "NAME": env("SNOWFLAKE_DATABASE", default="HACKTHETRACK"),
        "SCHEMA": env("SNOWFLAKE_SCHEMA", default="PUBLIC"),
        "OPTIONS": options,
        "CONN_MAX_AGE": env.int("SNOWFLAKE_CONN_MAX_AGE", default=600),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": env("SNOWFLAKE_TEST_DATABASE", default="TEST_HACKTHETRACK")},
    }
