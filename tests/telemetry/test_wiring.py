"""The warehouse alias's settings, and the embedded emulator's start, reuse and restart."""

import os

import environ
import pytest

from hackthetrack.warehouse import EMULATOR_NOP_REGEXES, warehouse_database
from hackthetrack.warehouse_emulator import emulator_reuse_or_start


def _env(monkeypatch, **variables):
    for name in list(os.environ):
        if name.startswith("SNOWFLAKE_"):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return environ.Env()


def test_a_snowflake_account_is_reached_as_configured(monkeypatch, tmp_path):
    env = _env(
        monkeypatch,
        SNOWFLAKE_ACCOUNT="xy12345.eu-west-1",
        SNOWFLAKE_USER="svc",
        SNOWFLAKE_PRIVATE_KEY_PATH="/secrets/key.p8",
        SNOWFLAKE_PRIVATE_KEY_PASSPHRASE="pw",
        SNOWFLAKE_WAREHOUSE="WH",
        SNOWFLAKE_DATABASE="DB",
        SNOWFLAKE_SCHEMA="S",
        SNOWFLAKE_ROLE="R",
        SNOWFLAKE_LOGIN_TIMEOUT="7",
    )
    config = warehouse_database(env=env, data_dir=tmp_path, query_timeout=8, argv=["gunicorn"])
    assert config["ENGINE"] == "django_snowflake"
    assert (config["ACCOUNT"], config["USER"], config["PASSWORD"]) == ("xy12345.eu-west-1", "svc", "")
    assert (config["WAREHOUSE"], config["NAME"], config["SCHEMA"]) == ("WH", "DB", "S")
    options = config["OPTIONS"]
    assert options["private_key_file"] == "/secrets/key.p8" and options["private_key_file_pwd"] == "pw"
    assert options["role"] == "R" and options["login_timeout"] == 7
    assert "host" not in options and "nop_regexes" not in options["session_parameters"]
    assert config["CONN_MAX_AGE"] > 0 and options["client_session_keep_alive"]
    # The API's use: the server cancels at the query limit, socket reads end soon after it.
    assert (
        options["session_parameters"] | {"QUERY_TAG": "hackthetrack web", "STATEMENT_TIMEOUT_IN_SECONDS": 8}
        == options["session_parameters"]
    )
    assert options["socket_timeout"] == 9 and options["session_parameters"]["STATEMENT_QUEUED_TIMEOUT_IN_SECONDS"] > 0
    assert not list(tmp_path.iterdir())  # no emulator was started
    assert "SNOWFLAKE_DISABLE_PLATFORM_DETECTION" not in os.environ  # real Snowflake: the connector's default


def test_an_emulator_elsewhere_is_reached_by_host_and_port(monkeypatch, tmp_path):
    env = _env(
        monkeypatch,
        SNOWFLAKE_ACCOUNT="fakesnow",
        SNOWFLAKE_EMULATOR="true",
        SNOWFLAKE_USER="u",
        SNOWFLAKE_PASSWORD="p",
        SNOWFLAKE_HOST="emulator",
        SNOWFLAKE_PORT="8765",
        SNOWFLAKE_PROTOCOL="http",
    )
    config = warehouse_database(env=env, data_dir=tmp_path, query_timeout=8)
    assert config["ENGINE"] == "hackthetrack.emulator_backend"
    assert {k: config["OPTIONS"][k] for k in ("host", "port", "protocol")} == {
        "host": "emulator",
        "port": 8765,
        "protocol": "http",
    }
    assert config["OPTIONS"]["session_parameters"]["nop_regexes"] == EMULATOR_NOP_REGEXES
    assert os.environ["SNOWFLAKE_DISABLE_PLATFORM_DETECTION"] == "true"  # no cloud to detect


def test_the_embedded_emulator_is_started_once_and_reused(tmp_path):
    first = emulator_reuse_or_start(data_dir=tmp_path)
    try:
        again = emulator_reuse_or_start(data_dir=tmp_path)
        assert (again.pid, again.port) == (first.pid, first.port)
        first.stop()
        assert not first.is_up()
        replacement = emulator_reuse_or_start(data_dir=tmp_path)
        assert replacement.is_up() and replacement.pid != first.pid
        assert replacement.port == first.port  # processes that knew the old one reach it
        replacement.stop()
    finally:
        first.stop()


def test_the_session_emulator_restarts_with_its_data(warehouse_transactional_db, warehouse_emulator):
    from django.db import connections
    from django.utils import timezone

    from telemetry.models import Load

    Load.objects.create(
        id="b" * 32,
        kind="laps",
        source="kept.csv",
        season=2025,
        track="barber",
        race_number=1,
        row_count=0,
        loaded_at=timezone.now(),
    )
    warehouse_emulator.restart()
    connections["warehouse"].close()  # the old session died with the process
    assert Load.objects.get(id="b" * 32).source == "kept.csv"


def test_loads_and_the_refresh_use_their_own_warehouse_and_long_limits(monkeypatch, tmp_path):
    env = _env(
        monkeypatch, SNOWFLAKE_ACCOUNT="xy12345", SNOWFLAKE_WAREHOUSE="API_WH", SNOWFLAKE_LOAD_WAREHOUSE="LOAD_WH"
    )
    api = warehouse_database(env=env, data_dir=tmp_path, query_timeout=8, argv=["manage.py", "runserver"])
    load = warehouse_database(env=env, data_dir=tmp_path, query_timeout=8, argv=["manage.py", "ingest_timing", "d"])

    assert (api["WAREHOUSE"], load["WAREHOUSE"]) == ("API_WH", "LOAD_WH")
    parameters = load["OPTIONS"]["session_parameters"]
    assert parameters["QUERY_TAG"] == "hackthetrack ingest_timing"
    # The server ends a long statement before the client's network timeout would.
    assert parameters["STATEMENT_TIMEOUT_IN_SECONDS"] < load["OPTIONS"]["network_timeout"]


@pytest.mark.parametrize(
    "statement", ["ALTER SESSION SET TIMEZONE='UTC'", "alter session set noorder_sequence_as_default=False"]
)
def test_the_emulator_ignores_exactly_django_snowflakes_session_settings(statement):
    import re

    assert any(re.match(p, statement, re.IGNORECASE) for p in EMULATOR_NOP_REGEXES)
    for kept in (
        "ALTER SESSION SET autocommit=False",
        "ALTER SESSION SET QUERY_TAG = 'x'",
        "ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 8",
        "ALTER SESSION SET TIMEZONE_OTHER = 1",
    ):
        assert not any(re.match(p, kept, re.IGNORECASE) for p in EMULATOR_NOP_REGEXES), kept
