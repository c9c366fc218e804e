"""The warehouse as Snowflake would answer it, for every test that reaches it through the connector.

Snowflake numbers: the emulator (DuckDB) answers a division or an ``AVG`` over integers as a float,
Snowflake as ``NUMBER(p, s)``, which the connector returns as ``decimal.Decimal``. Here every float
of a query's answer comes back as a Decimal of scale 6, unless its column in the outermost select
list is cast to FLOAT (``CAST(... AS FLOAT)``, ``...::FLOAT``) or is a bare reference to a FLOAT
column of a telemetry table: stricter than Snowflake (which also answers FLOAT for, say,
``ROUND(float_column, 3)``), so code that passes here can trust its numbers there.
"""

from __future__ import annotations

import functools
import logging
from decimal import Decimal, InvalidOperation

import pytest
import sqlglot
from sqlglot import exp

SNOWFLAKE = "snowflake"
FLOAT_TYPES = {exp.DataType.Type.FLOAT, exp.DataType.Type.DOUBLE}
NUMBER_SCALE = Decimal("0.000001")  # Snowflake's scale for a division or an average: at least 6


@functools.cache
def _float_table_columns() -> frozenset[str]:
    from django.apps import apps
    from django.db import models

    return frozenset(
        field.column.lower()
        for model in apps.get_app_config("telemetry").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FloatField)
    )


def _is_float(projection: exp.Expression) -> bool:
    value = projection.unalias()
    if isinstance(value, exp.Cast):
        return value.to.this in FLOAT_TYPES
    return isinstance(value, exp.Column) and value.name.lower() in _float_table_columns()


@functools.lru_cache(maxsize=4096)
def float_columns(sql: str) -> tuple[bool, ...] | None:
    """Per column of the statement's answer, whether Snowflake would answer it as FLOAT; None for
    a statement that is no query or does not parse (then nothing is converted)."""
    try:
        statement = sqlglot.parse_one(sql, read=SNOWFLAKE)
    except sqlglot.errors.ParseError:
        return None
    while isinstance(statement, exp.SetOperation):
        statement = statement.left
    if not isinstance(statement, exp.Select):
        return None
    projections = statement.expressions
    if any(isinstance(projection.unalias(), exp.Star) or isinstance(projection.unalias(), exp.Column)
           and isinstance(projection.unalias().this, exp.Star) for projection in projections):
        return ()  # SELECT *: nothing known to be FLOAT
    return tuple(_is_float(projection) for projection in projections)


def _as_number(value: float) -> Decimal | float:
    try:
        return Decimal(repr(value)).quantize(NUMBER_SCALE)
    except InvalidOperation:  # inf and nan stay floats (Snowflake has them only as FLOAT)
        return value


def snowflake_typed(row: tuple, floats: tuple[bool, ...]) -> tuple:
    return tuple(
        _as_number(value) if type(value) is float and not (index < len(floats) and floats[index]) else value
        for index, value in enumerate(row)
    )


@pytest.fixture(scope="session", autouse=True)
def snowflake_numbers():
    """Every test's warehouse answers typed as Snowflake types them (see the module docstring)."""
    from snowflake.connector.cursor import SnowflakeCursor

    fetchone = SnowflakeCursor.fetchone

    def typed_fetchone(cursor):
        row = fetchone(cursor)
        if row is None or not isinstance(row, tuple) or not getattr(cursor, "query", None):
            return row
        floats = float_columns(cursor.query)
        return row if floats is None else snowflake_typed(row, floats)

    # sqlglot warns of every statement it reads as a bare command (SHOW PARAMETERS, PUT).
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SnowflakeCursor, "fetchone", typed_fetchone)
        yield
