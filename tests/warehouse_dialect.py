"""The warehouse as Snowflake would answer it, for every test that reaches it through the connector,
and every statement sent to it checked as Snowflake SQL (see the second half).

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
    if any(
        isinstance(projection.unalias(), exp.Star)
        or (isinstance(projection.unalias(), exp.Column) and isinstance(projection.unalias().this, exp.Star))
        for projection in projections
    ):
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


@pytest.fixture(autouse=True)
def _warehouse_breaker_closed():
    """Each test leaves the warehouse's circuit breaker closed: a test that found the warehouse down
    (or ran without access to it, as a test of PostgreSQL alone asking /api/health does) opens it
    for the whole process."""
    yield
    from telemetry.warehouse_probe import probe

    if probe.is_open:
        probe.reset()


# --- The dialect check: every statement the suite sends to the warehouse, read as Snowflake SQL.

# Statements sqlglot keeps as bare commands (it does not model them): Snowflake's file staging
# and session statements, allowed by name.
COMMANDS = ("PUT ", "LIST ", "REMOVE ", "SHOW ", "USE ")
# A test that sends a Decimal-typed select list on purpose says so in the statement.
DECIMAL_ON_PURPOSE = "/* Decimal on purpose */"
INTEGER_FUNCTIONS = (exp.Count, exp.DateDiff)
FLOAT_FUNCTIONS = (
    exp.Stddev,
    exp.StddevSamp,
    exp.StddevPop,
    exp.Variance,
    exp.VariancePop,
    exp.Sqrt,
    exp.Ln,
    exp.Exp,
    exp.Pow,
)


@functools.cache
def _integer_table_columns() -> frozenset[str]:
    from django.apps import apps
    from django.db import models

    return frozenset(
        field.column.lower()
        for model in apps.get_app_config("telemetry").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.IntegerField)
    )


def _kind(node: exp.Expression) -> str:
    """``integer``, ``decimal`` (an exact number with a scale), ``float`` or ``unknown``: the type
    Snowflake gives an expression, as far as it can be told without the query's other scopes."""
    if isinstance(node, exp.Paren | exp.Alias):
        return _kind(node.this)
    if isinstance(node, exp.Cast):
        if node.to.this in FLOAT_TYPES:
            return "float"
        return "integer" if node.to.this in exp.DataType.INTEGER_TYPES else "unknown"
    if isinstance(node, exp.Literal) and node.is_number:
        return "float" if "e" in node.this.lower() else "decimal" if "." in node.this else "integer"
    if isinstance(node, exp.Column):
        name = node.name.lower()
        return (
            "float" if name in _float_table_columns() else "integer" if name in _integer_table_columns() else "unknown"
        )
    if isinstance(node, INTEGER_FUNCTIONS):
        return "integer"
    if isinstance(node, FLOAT_FUNCTIONS):
        return "float"
    if isinstance(node, exp.Avg | exp.Div):
        parts = [node.this] if isinstance(node, exp.Avg) else [node.this, node.expression]
        kinds = {_kind(part) for part in parts}
        return "float" if "float" in kinds else "unknown" if "unknown" in kinds else "decimal"
    if isinstance(
        node,
        exp.Sum
        | exp.Min
        | exp.Max
        | exp.Abs
        | exp.Floor
        | exp.Ceil
        | exp.Round
        | exp.Anonymous
        | exp.Add
        | exp.Sub
        | exp.Mul
        | exp.If
        | exp.Case
        | exp.Coalesce
        | exp.Greatest
        | exp.Least,
    ):
        parts = [
            part
            for part in node.iter_expressions()
            if not isinstance(part, exp.Condition) or isinstance(part, exp.Column | exp.Literal | exp.Func | exp.Binary)
        ]
        if isinstance(node, exp.If):
            parts = [node.args.get("true"), node.args.get("false")]
        if isinstance(node, exp.Round | exp.Floor | exp.Ceil):
            parts = [node.this]
        kinds = {_kind(part) for part in parts if part is not None and not isinstance(part, exp.Null)}
        for kind in ("float", "unknown", "decimal", "integer"):
            if kind in kinds:
                return kind
    return "unknown"


def _cast_to_float(node: exp.Expression, projection: exp.Expression) -> bool:
    while node is not projection and node is not None:
        node = node.parent
        if isinstance(node, exp.Cast) and node.to.this in FLOAT_TYPES:
            return True
    return False


def dialect_problems(sql: str) -> list[str]:
    """What makes ``sql`` no sound Snowflake statement for this project, if anything."""
    if sql.lstrip().upper().startswith(COMMANDS):
        return []
    try:
        statements = [statement for statement in sqlglot.parse(sql, read=SNOWFLAKE) if statement is not None]
    except sqlglot.errors.ParseError as error:
        return [f"does not parse as Snowflake SQL: {str(error).splitlines()[0]}"]
    if len(statements) > 1:
        return [f"{len(statements)} statements in one call"]
    problems = []
    if statements and isinstance(statements[0], exp.Command):
        problems.append("read only as a bare command (not modelled Snowflake SQL)")
    selects = statements[0].find_all(exp.Select) if statements and DECIMAL_ON_PURPOSE not in sql else []
    for select in selects:
        for projection in select.expressions:
            for node in projection.find_all(exp.Div, exp.Avg):
                if _kind(node) == "decimal" and not _cast_to_float(node, projection):
                    problems.append(
                        f"{node.sql(SNOWFLAKE)} in a select list is NUMBER(p, s) (Decimal): cast it to FLOAT"
                    )
    return problems


statements_sent: set[str] = set()


def pytest_sessionstart(session):
    from snowflake.connector.cursor import SnowflakeCursor

    execute_helper = SnowflakeCursor._execute_helper

    def recorded(cursor, query, *args, **kwargs):
        if not kwargs.get("is_internal"):
            statements_sent.add(query)
        return execute_helper(cursor, query, *args, **kwargs)

    SnowflakeCursor._execute_helper = recorded


def pytest_sessionfinish(session, exitstatus):
    problems: dict[tuple[str, ...], list[str]] = {}
    for sql in sorted(statements_sent):
        if found := dialect_problems(sql):
            problems.setdefault(tuple(found), []).append(sql)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line("")
        reporter.write_sep(
            "=",
            f"warehouse SQL dialect check: {len(statements_sent)} statements, "
            f"{sum(map(len, problems.values()))} with problems",
        )
        for found, statements in problems.items():
            reporter.write_line(f"{len(statements)} x {' '.join(statements[0].split())[:300]}")
            reporter.write_line(f"    -> {'; '.join(found)}")
    if problems and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
