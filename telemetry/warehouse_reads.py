"""How the telemetry API reads the warehouse: bounded time, retries, and a 503 when it is down.

- Each query has its own time limit (``TELEMETRY_QUERY_TIMEOUT``) and no retries inside the
  connector, so a dead warehouse costs seconds, not the connector's ``network_timeout`` (which
  ingestion commands need long).
- Transient failures (connection lost or refused, session expired after a warehouse restart) are
  retried with exponential backoff (tenacity), at most ``TELEMETRY_QUERY_ATTEMPTS`` times and
  not after ``TELEMETRY_QUERY_TIMEOUT`` seconds, each logged; the connection is closed first so the
  next attempt reconnects.
- When the attempts are spent the API answers 503 and, for ``TELEMETRY_UNAVAILABLE_RETRY_AFTER``
  seconds, answers 503 at once without trying (per process); then the next request tries again,
  so service resumes by itself when the warehouse is back.
- Numbers come back as floats: Snowflake answers a division or an average over integers as
  ``NUMBER(p, s)``, which the connector returns as ``Decimal``; this is the one place rows are read.
- Persistent connections (``CONN_MAX_AGE``) are reused across requests; Django's per-request
  health check would run with the connector's long timeout, so it is done here with ours.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from decimal import Decimal

from django.conf import settings
from django.db import connections
from django.db.utils import Error, InterfaceError, OperationalError
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential

from hackthetrack.exceptions import ServiceUnavailable
from hackthetrack.routers import WAREHOUSE

logger = logging.getLogger("telemetry.warehouse")
# "SELECT 1" answers in milliseconds; a reused connection that takes longer is not worth keeping.
HEALTH_CHECK_TIMEOUT_S = 2


class WarehouseUnavailable(ServiceUnavailable):
    default_detail = "The telemetry warehouse is unavailable, try again later."

    def __init__(self, detail=None, *, wait: float | None = None):
        super().__init__(detail)
        self.wait = math.ceil(wait) if wait else None  # DRF answers it as Retry-After (whole seconds)


class _Outage:
    """Until when this process answers 503 without trying the warehouse."""

    lock = threading.Lock()
    until = 0.0

    @classmethod
    def start(cls, seconds: float) -> None:
        with cls.lock:
            cls.until = time.monotonic() + seconds

    @classmethod
    def remaining(cls) -> float:
        return max(0.0, cls.until - time.monotonic())

    @classmethod
    def end(cls) -> None:
        cls.until = 0.0


def _is_transient(error: BaseException) -> bool:
    # The connector's HTTP errors (an expired session after a warehouse restart) arrive as Django's
    # base Error; SQL mistakes (ProgrammingError, DataError) are not worth a second try.
    return isinstance(error, (OperationalError, InterfaceError)) or type(error) is Error


def _query_timeout(execute, sql, params, many, context):
    """Execute with our time limit and without the connector's own retries, which go on until its
    ``network_timeout`` and would hold a request that long; ours replace them. An execution
    wrapper, so Django still logs and counts the query."""
    with context["connection"].wrap_database_errors:
        try:
            return context["cursor"].cursor.execute(sql, params, timeout=settings.TELEMETRY_QUERY_TIMEOUT,
                                                    _no_retry=True)
        except KeyError as error:
            # Without retries the connector answers some failures (an expired session after a
            # warehouse restart) with an empty response, which it then fails to read.
            raise OperationalError(f"the warehouse gave no usable answer (missing {error})") from error


def _health_check(connection) -> None:
    """Django's per-request check of a reused connection, with our timeout."""
    if connection.connection is None or connection.health_check_done:
        return
    try:
        connection.connection.cursor().execute("SELECT 1", timeout=HEALTH_CHECK_TIMEOUT_S, _no_retry=True)
    except Exception:  # any failure of the old connection: reconnect below
        connection.close()
    connection.health_check_done = True


def _fetch(sql: str, params: list) -> tuple[list[str], list[tuple]]:
    connection = connections[WAREHOUSE]
    _health_check(connection)
    with connection.execute_wrapper(_query_timeout), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [column[0].lower() for column in cursor.description], cursor.fetchall()


def _before_retry(retry_state) -> None:
    logger.warning("Warehouse query failed (attempt %d), retrying: %s", retry_state.attempt_number,
                   retry_state.outcome.exception())
    connections[WAREHOUSE].close()


def warehouse_rows(*, sql: str, params: list) -> list[dict]:
    """Run one read in the warehouse and return its rows as dicts (lower-case column names).

    Raises WarehouseUnavailable (503) when the warehouse is not configured or does not answer."""
    if WAREHOUSE not in settings.DATABASES:
        raise WarehouseUnavailable("The telemetry warehouse is not configured.")
    if wait := _Outage.remaining():
        raise WarehouseUnavailable(wait=wait)
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
        logger.error("Warehouse unavailable after %d attempts: %s", error.last_attempt.attempt_number, cause)
        connections[WAREHOUSE].close()
        _Outage.start(settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER)
        raise WarehouseUnavailable(wait=settings.TELEMETRY_UNAVAILABLE_RETRY_AFTER) from cause
    return [dict(zip(columns, map(_plain_number, row), strict=True)) for row in rows]


def _plain_number(value):
    return float(value) if isinstance(value, Decimal) else value
