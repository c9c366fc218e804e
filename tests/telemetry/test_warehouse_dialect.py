"""The suite's SQL dialect check (tests/warehouse_dialect.py) flags what would misbehave on Snowflake."""

import pytest

from tests.warehouse_dialect import dialect_problems


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("SELECT 1; SELECT 2", "2 statements in one call"),
        ("SELECT FROM WHERE (", "does not parse as Snowflake SQL"),
        ("SELECT COUNT(*) / 2 AS half FROM telemetry_lap", "COUNT(*) / 2 in a select list is NUMBER(p, s)"),
        ("SELECT AVG(lap_number) AS mean FROM telemetry_lap", "AVG(lap_number) in a select list is NUMBER(p, s)"),
        ("SELECT AVG(IFF(speed_kph > 1, 1, 0)) AS share FROM telemetry_sample", "in a select list is NUMBER(p, s)"),
        (
            "SELECT DATEDIFF(millisecond, MIN(timestamp), MAX(timestamp)) / 1000.0 AS s FROM telemetry_sample",
            "/ 1000.0 in a select list is NUMBER(p, s)",
        ),
    ],
)
def test_flagged(sql, problem):
    assert any(problem in found for found in dialect_problems(sql)), dialect_problems(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT AVG(IFF(speed_kph > 1, 1, 0))::FLOAT AS share FROM telemetry_sample",
        "SELECT CAST(COUNT(*) / 2 AS FLOAT) AS half FROM telemetry_lap",
        "SELECT AVG(speed_kph) AS mean, MAX(speed_kph) / 3.6 AS ms FROM telemetry_sample",
        "SELECT COUNT(*) FROM telemetry_lap WHERE lap_number / 2 > 1",  # not in a select list
        "PUT 'file:///tmp/x.parquet' @%telemetry_lap AUTO_COMPRESS = FALSE",
    ],
)
def test_accepted(sql):
    assert dialect_problems(sql) == []
