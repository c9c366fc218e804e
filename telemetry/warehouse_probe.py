"""Is the warehouse able to run a query? One probe per process, and the API's circuit breaker.

The probe runs a query that needs the warehouse's compute (a filter on a table, never answered
from metadata or, with RANDOM(), from the result cache) and its tables (``telemetry_load``), in a
thread of its own that keeps its connection between probes. Callers wait for it at most their
timeout: a warehouse that stops answering holds the probe's thread, never the caller.

The breaker: once the API finds the warehouse down, its reads answer 503 at once, without paying
the warehouse's timeout, while the probe tries it every ``PROBE_INTERVAL_S`` (every
``PROBE_INTERVAL_LONG_S`` after ``PROBE_FAST_FOR_S``: a long outage, failed logins above all, is not
worth a login a second); the first probe that answers closes the breaker, so service resumes about
a second after the warehouse does.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from django.db import DatabaseError, connections

from hackthetrack.routers import WAREHOUSE
from telemetry.warehouse_errors import Failure, failure_kind

logger = logging.getLogger("telemetry.warehouse")

OK, UNAVAILABLE, NOT_MIGRATED = "ok", "unavailable", "not_migrated"
PROBE_SQL = "SELECT COUNT(*) AS loads FROM telemetry_load WHERE RANDOM() IS NOT NULL"
PROBE_INTERVAL_S = 1.0
PROBE_FAST_FOR_S = 60.0
PROBE_INTERVAL_LONG_S = 10.0


def connection_discard(connection) -> None:
    """Drop a failed connection without waiting for the warehouse: closing it asks the server to
    end the session, which a frozen warehouse never answers, so that runs in a thread of its own.
    Django connects anew at the next query. (Inside a transaction, Django's own close.)"""
    raw = connection.connection
    if raw is None:
        return
    if connection.in_atomic_block:
        connection.close()
        return
    connection.connection = None
    threading.Thread(target=raw.close, kwargs={"retry": False}, name="warehouse-close", daemon=True).start()


def _probe_once() -> str:
    """Runs in the probe's thread, on that thread's own connection (kept while it works)."""
    connection = connections[WAREHOUSE]
    try:
        with connection.cursor() as cursor, connection.wrap_database_errors:
            # Without the connector's retries, which would go on for its network timeout.
            cursor.cursor.execute(PROBE_SQL, _no_retry=True)
            cursor.fetchone()
        return OK
    except Exception as error:  # any failure is a state to report, never an error of the caller
        connection_discard(connection)
        return (
            NOT_MIGRATED
            if isinstance(error, DatabaseError) and failure_kind(error) is Failure.NOT_MIGRATED
            else UNAVAILABLE
        )


class _ProbeThread:
    """One daemon thread running tasks in turn (a ThreadPoolExecutor's thread would hold the
    process's exit while it waits on a warehouse)."""

    def __init__(self):
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="warehouse-probe", daemon=True).start()

    def submit(self, task) -> Future:
        future: Future = Future()
        self._tasks.put((task, future))
        return future

    def _run(self) -> None:
        while True:
            task, future = self._tasks.get()
            try:
                future.set_result(task())
            except BaseException as error:  # handed to whoever waits for it
                future.set_exception(error)


class WarehouseProbe:
    def __init__(self):
        self._lock = threading.Lock()
        self._thread: _ProbeThread | None = None
        self._pid = None
        self._running: Future | None = None
        self._open = False

    def _executor_here(self) -> _ProbeThread:
        if self._thread is None or self._pid != os.getpid():  # a forked worker starts its own
            self._thread = _ProbeThread()
            self._pid = os.getpid()
        return self._thread

    def _probe(self) -> Future:
        with self._lock:
            if self._running is None or self._running.done():  # a stuck probe is waited for, not doubled
                self._running = self._executor_here().submit(_probe_once)
            return self._running

    def state(self, *, timeout: float) -> str:
        """The warehouse's state now (``unavailable`` when the probe does not answer within
        ``timeout`` seconds, or while the breaker is open and the probe has not seen it back)."""
        if self._open:
            return UNAVAILABLE
        try:
            state = self._probe().result(timeout)
        except FutureTimeout:
            state = UNAVAILABLE
        if state == UNAVAILABLE:
            self.trip()
        return state

    @property
    def is_open(self) -> bool:
        return self._open

    def trip(self) -> None:
        """Open the breaker; the probe watches for the warehouse's return and closes it."""
        with self._lock:
            if self._open:
                return
            self._open = True
            # Queued behind a probe that may be stuck: the watch starts when that one gives up.
            self._executor_here().submit(self._watch)
        logger.error("Warehouse down: telemetry answers 503 until a probe gets an answer")

    def reset(self) -> None:
        """Close the breaker and the probe's connection (tests, after pointing the alias elsewhere)."""
        self._open = False
        with self._lock:
            self._executor_here().submit(lambda: connections[WAREHOUSE].close()).result()

    def _watch(self) -> None:
        started = time.monotonic()
        while self._open:
            if _probe_once() != UNAVAILABLE:
                self._open = False
                logger.warning("Warehouse answers again: telemetry resumes")
                return
            fast = time.monotonic() - started < PROBE_FAST_FOR_S
            time.sleep(PROBE_INTERVAL_S if fast else PROBE_INTERVAL_LONG_S)


probe = WarehouseProbe()
