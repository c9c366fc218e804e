"""Bounded waits on PostgreSQL in the web processes: a query it has not answered within
``DB_QUERY_TIMEOUT`` fails as if the connection had dropped, instead of holding the worker until
gunicorn kills it (a 500 without the envelope).

libpq has no read timeout, and TCP does not help when the server's host is up and the server is
not (frozen, SIGSTOP, or stuck): the kernel acknowledges the query and keeps the connection alive.
So a query registers its connection's socket with a deadline, and a watchdog thread (one per
process) shuts down the socket of a query that is overdue. psycopg then fails the query with
``OperationalError``, which callers already handle for a PostgreSQL that went away: 503 in the
envelope, a new connection on a later request.

After an overdue query, or a connection attempt that failed only after waiting, the worker does not
wait on PostgreSQL again for ``DB_BREAKER_SECONDS``: queries and connections fail at once
(``breaker``). So a frozen server costs each worker one wait per period, not one per request.

Only gunicorn's workers bound their waits (``enable``, from ``post_fork`` in gunicorn.conf.py): a
management command may run a long statement, bounded by the server's ``statement_timeout`` alone.
"""

import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError

from hackthetrack.circuit_breaker import CircuitBreaker

T = TypeVar("T")
# How often the watchdog looks for overdue queries: one is cut off within this of its deadline.
WATCH_INTERVAL_S = 0.1
# A refused connection fails at once; one that failed after this long waited on an unresponsive server.
SLOW_FAILURE_S = 1.0
breaker = CircuitBreaker("PostgreSQL", "DB_BREAKER_SECONDS", OperationalError)
_enabled = False


def enable() -> None:
    global _enabled
    _enabled = True


def is_enabled() -> bool:
    return _enabled and settings.DB_QUERY_TIMEOUT > 0


class Watchdog:
    """The queries in flight in this process: their sockets and deadlines."""

    def __init__(self):
        self.lock = threading.Lock()
        self.due: dict[int, tuple[float, int]] = {}
        self.numbers = itertools.count()
        self.thread: threading.Thread | None = None
        os.register_at_fork(after_in_child=self._after_fork)

    @contextmanager
    def bounded(self, fileno: int, seconds: float) -> Iterator[None]:
        """The query run in this block is cut off (its socket shut down) after ``seconds``."""
        if self.thread is None:
            self._start()
        number = next(self.numbers)
        with self.lock:
            self.due[number] = (time.monotonic() + seconds, fileno)
        try:
            yield
        finally:
            with self.lock:
                self.due.pop(number, None)

    def _start(self) -> None:
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._watch, name="db-deadline-watchdog", daemon=True)
                self.thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL_S)
            now = time.monotonic()
            with self.lock:  # a query leaves ``due`` under it: the socket is still its own here
                overdue = [number for number, (deadline, _) in self.due.items() if deadline <= now]
                for number in overdue:
                    _shut_down(self.due.pop(number)[1])
            if overdue:
                breaker.trip()

    def _after_fork(self) -> None:
        """A forked worker starts its own thread (threads do not survive a fork)."""
        self.lock = threading.Lock()
        self.due = {}
        self.thread = None


def _shut_down(fileno: int) -> None:
    """Ends the connection under libpq: its wait returns, and the query fails."""
    try:
        with socket.socket(fileno=os.dup(fileno)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # closed meanwhile: nothing to cut off


watchdog = Watchdog()


def bounded(fileno: int) -> AbstractContextManager:
    """The query run in this block, on the connection of socket ``fileno``, bounded where waits are."""
    return watchdog.bounded(fileno, settings.DB_QUERY_TIMEOUT) if is_enabled() else nullcontext()


def bounded_execute(execute, sql, params, many, context):
    """Django's execute wrapper (hackthetrack.postgres_backend): bounded, and the breaker respected."""
    if not is_enabled():
        return execute(sql, params, many, context)
    breaker.check()
    with watchdog.bounded(context["connection"].connection.pgconn.socket, settings.DB_QUERY_TIMEOUT):
        return execute(sql, params, many, context)


def usable(is_usable: Callable[[], bool], fileno: int) -> bool:
    """Django's check of a kept connection (``SELECT 1`` on psycopg's own cursor, past the execute
    wrappers), bounded; while the breaker is open the connection counts as unusable, so Django
    closes it rather than wait on it."""
    if is_enabled() and breaker.is_open:
        return False
    with bounded(fileno):
        return is_usable()


def connected(connect: Callable[[], T]) -> T:
    """``connect()`` unless the breaker is open; a failure that took a while opens it (the attempt
    itself is bounded by libpq's ``connect_timeout``)."""
    if not is_enabled():
        return connect()
    breaker.check()
    started = time.monotonic()
    try:
        return connect()
    except Exception:
        if time.monotonic() - started >= SLOW_FAILURE_S:
            breaker.trip()
        raise
