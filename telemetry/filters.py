"""Operator filters on numeric columns of telemetry lists, as query parameters turned into SQL.

``speed__gte=200``, ``lap__in=3,4``, ``gear=3`` (``exact``); operators ``exact``, ``lt``, ``lte``,
``gt``, ``gte``, ``in``. A list declares its filterable columns (API name → SQL expression of
its result); anything else is reported as an unknown parameter. Values are bound as parameters,
never pasted into SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

OPERATORS = {"exact": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "in": "IN"}
MAX_IN_VALUES = 100


@dataclass(frozen=True)
class Condition:
    column: str
    operator: str
    values: tuple[float, ...]

    def sql(self, expression: str) -> tuple[str, list[float]]:
        if self.operator == "in":
            return f"{expression} IN ({', '.join(['%s'] * len(self.values))})", list(self.values)
        return f"{expression} {OPERATORS[self.operator]} %s", [self.values[0]]


# A filter's number as the schema documents it: digits, an optional sign and decimals (no
# exponent, no spaces: float() would take more than the schema says).
NUMBER_PATTERN = r"[+-]?\d+(\.\d+)?"
_NUMBER = re.compile(NUMBER_PATTERN)


def _number(text: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise ValueError(text)
    return float(text)


def filters_schema(columns: Iterable[str]) -> dict:
    """The JSON schema of the operator filters on ``columns``: every name filters_parse takes, each
    value as it parses it, and no other name."""
    one = {"type": "string", "pattern": f"^{NUMBER_PATTERN}$"}
    many = {"type": "string", "pattern": f"^{NUMBER_PATTERN}(,{NUMBER_PATTERN}){{0,{MAX_IN_VALUES - 1}}}$"}
    properties = {}
    for column in sorted(columns):
        properties[column] = one
        for operator in OPERATORS:
            properties[f"{column}__{operator}"] = many if operator == "in" else one
    return {"type": "object", "properties": properties, "additionalProperties": False}


def filters_parse(*, params: dict[str, str], columns: set[str]) -> tuple[list[Condition], dict[str, list[str]]]:
    """Conditions for the parameters that name a filterable column, and errors by parameter.

    ``params`` holds only the parameters the caller did not recognise itself; one that is not a
    filter comes back as an error (unknown parameter)."""
    conditions, errors = [], {}
    for name, text in params.items():
        column, _, operator = name.partition("__")
        operator = operator or "exact"
        if column not in columns or operator not in OPERATORS:
            errors[name] = ["Unknown parameter."]
            continue
        parts = text.split(",") if operator == "in" else [text]
        if len(parts) > MAX_IN_VALUES:
            errors[name] = [f"At most {MAX_IN_VALUES} values."]
            continue
        try:
            values = tuple(_number(part) for part in parts)
        except ValueError:
            errors[name] = ["A number is required" + (" in each comma-separated value." if operator == "in" else ".")]
            continue
        conditions.append(Condition(column=column, operator=operator, values=values))
    return conditions, errors


def filters_where(*, conditions: list[Condition], expressions: dict[str, str]) -> tuple[str, list[float]]:
    """``AND``-joined SQL of the conditions (``TRUE`` when none) and its parameters."""
    parts, params = ["TRUE"], []
    for condition in conditions:
        sql, values = condition.sql(expressions[condition.column])
        parts.append(sql)
        params += values
    return " AND ".join(parts), params
