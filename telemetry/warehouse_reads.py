"""How the telemetry API reads the warehouse: bounded time, errors by meaning, a circuit breaker.

- Each query has a time limit, ``TELEMETRY_QUERY_TIMEOUT``: the server cancels the statement then
  (STATEMENT_TIMEOUT_IN_SECONDS, error 630), and the connection's socket reads end a second later
  (see hackthetrack/warehouse.py), so a warehouse that stops answering costs a request about that
  long, below gunicorn's worker timeout. Not the connector's client-side timeout: its cancel
  request to a frozen warehouse holds the cursor for the connector's whole network timeout.
- No retries inside the connector (they go on until its ``network_timeout``); ours replace them.
- Errors by meaning (telemetry/warehouse_errors.py): transient ones (connection lost or refused,
  session expired after a restart) are retried with exponential backoff (tenacity) on a new
  connection, at most ``TELEMETRY_QUERY_ATTEMPTS`` times and not after the time limit, each
  logged; a timeout, no active warehouse or a failed login is 503 at once; missing tables are 503
  naming the migration; any other error (SQL, permissions) is logged with its query tag and is a 500.
- When the warehouse is found down, the breaker opens (telemetry/warehouse_probe.py): 503 at once,
  with Retry-After, until a probe in the background sees the warehouse answer again.
- Every query carries a QUERY_TAG naming the request (path and request id), for the warehouse's
  query history.
- Numbers come back as floats: Snowflake answers a division or an average over integers as
  ``NUMBER(p, s)``, which the connector returns as ``Decimal``; this is the one place rows are read.
"""

from __future__ import annotations

import contextvars
import logging
import math
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.utils import OperationalError
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential

from hackthetrack.exceptions import ServiceUnavailable
from hackthetrack.routers import WAREHOUSE
from telemetry.warehouse_errors import NOT_MIGRATED_DETAIL, Failure, failure_kind
from telemetry.warehouse_probe import connection_discard, probe

logger = logging.getLogger("telemetry.warehouse")
# The QUERY_TAG of this request's warehouse queries (set by the telemetry views).
query_tag: contextvars.ContextVar[str] = contextvars.ContextVar("warehouse_query_tag", default="hackthetrack web")


class WarehouseUnavailable(ServiceUnavailable):
    default_detail = "The telemetry warehouse is unavailable, try again later."

    def __init__(self, detail=None, *, wait: float | None = None):
        super().__init__(detail)
        self.wait = math.ceil(wait) if wait else None  # DRF answers it as Retry-After (whole seconds)


def _is_transient(error: BaseException) -> bool:
    return isinstance(error, DatabaseError) and failure_kind(error) is Failure.TRANSIENT


def _tagged_without_retries(execute, sql, params, many, context):
    """Execute with our query tag and without the connector's own retries. An execution wrapper,
    so Django still logs and counts the query."""
    with context["connection"].wrap_database_errors:
        try:
            return context["cursor"].cursor.execute(
                sql, params, _no_retry=True, _statement_params={"QUERY_TAG": query_tag.get()}
            )
        except KeyError as error:
            # Without retries the connector answers some failures (an expired session after a
            # warehouse restart) with an empty response, which it then fails to read.
            raise OperationalError(f"the warehouse gave no usable answer (missing {error})") from error


def _fetch(sql: str, params: list) -> tuple[list[str], list[tuple]]:
    connection = connections[WAREHOUSE]
    with connection.execute_wrapper(_tagged_without_retries), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [column[0].lower() for column in cursor.description], cursor.fetchall()


def _before_retry(retry_state) -> None:
    logger.warning(
        "Warehouse query failed (attempt %d), retrying: %s", retry_state.attempt_number, retry_state.outcome.exception()
    )
    connection_discard(connections[WAREHOUSE])


def _unavailable(cause: BaseException) -> WarehouseUnavailable:
    logger.error("Warehouse unavailable (query tag %r): %s", query_tag.get(), cause)
    connection_discard(connections[WAREHOUSE])
    probe.trip()
    return WarehouseUnavailable(wait=settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER)


def warehouse_rows(*, sql: str, params: list) -> list[dict]:
    """Run one read in the warehouse and return its rows as dicts (lower-case column names).

    Raises WarehouseUnavailable (503) when the warehouse is not configured, does not answer, or
    lacks its tables; a permanent error (SQL, permissions) propagates (500)."""
    if WAREHOUSE not in settings.DATABASES:
        raise WarehouseUnavailable("The telemetry warehouse is not configured.")
    if probe.is_open:
        raise WarehouseUnavailable(wait=settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER)
    retrying = Retrying(
        retry=retry_if_exception(_is_transient),
        # No new attempt once a query's time limit has passed: the request's total stays bounded.
        stop=stop_after_attempt(settings.TELEMETRY_QUERY_ATTEMPTS) | stop_after_delay(settings.TELEMETRY_QUERY_TIMEOUT),
        wait=wait_exponential(multiplier=settings.TELEMETRY_RETRY_BACKOFF, max=2.0),
        before_sleep=_before_retry,
    )
    try:
        columns, rows = retrying(_fetch, sql, params)
    except RetryError as error:
        cause = error.last_attempt.exception()
        raise _unavailable(cause) from cause
    except DatabaseError as error:
        kind = failure_kind(error)
        if kind is Failure.UNAVAILABLE:
            raise _unavailable(error) from error
        if kind is Failure.NOT_MIGRATED:
            logger.error("Warehouse tables missing (query tag %r): %s", query_tag.get(), error)
            raise WarehouseUnavailable(NOT_MIGRATED_DETAIL) from error
        logger.error("Warehouse query failed (query tag %r), not retried: %s", query_tag.get(), error)
        raise
    return [dict(zip(columns, map(_plain_number, row), strict=True)) for row in rows]


def _plain_number(value):
    return float(value) if isinstance(value, Decimal) else value
