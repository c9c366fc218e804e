"""The data version kept in each worker's memory, as PostgreSQL announces it, so that a request
whose rates Redis counts needs no PostgreSQL round trip at all (issue 17).

Every new version is announced on ``NOTIFY_CHANNEL`` when its transaction commits (a trigger on the
version row, hackthetrack/data_version.py). Each process keeps one connection that listens on it.
There is no thread: the request asks, and the watch looks at the connection's socket without
waiting (a poll with no timeout); when PostgreSQL sent anything (an announcement, or the end of the
connection), or the version was last confirmed more than ``DATA_VERSION_CONFIRM_SECONDS`` ago, it
reads the version on that connection.

So the version a request starts in is at most the announcement's delivery behind a commit (well
under a millisecond on one host), and never more than ``DATA_VERSION_CONFIRM_SECONDS`` should an
announcement be lost. ``current()`` answers None -- the caller then reads the version per request
in PostgreSQL, as it does without the watch -- when the watch is off (``DATA_VERSION_WATCH``), inside
a transaction (which may have written: it reads its own version), or while its connection is down
(it tries again after ``DATA_VERSION_RETRY_SECONDS``).
"""

import logging
import os
import select
import threading
import time

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from hackthetrack import db_deadline
from hackthetrack.data_version import NOTIFY_CHANNEL, VERSION_SELECT

logger = logging.getLogger("hackthetrack.cache")
# How the watch's connection shows in pg_stat_activity.
APPLICATION_NAME = "hackthetrack version watch"


class DataVersionWatch:
    def __init__(self):
        self.lock = threading.Lock()  # gunicorn's threaded workers share one
        self.connection: psycopg.Connection | None = None
        self.readable: select.poll | None = None
        self.version: int | None = None
        self.confirmed_at = 0.0
        self.retry_at = 0.0
        os.register_at_fork(after_in_child=self._after_fork)

    def current(self) -> int | None:
        """The current data version, or None when it is not known here (see the module docstring)."""
        if not settings.DATA_VERSION_WATCH or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        if db_deadline.breaker.is_open:
            return None  # PostgreSQL unresponsive a moment ago: the caller fails at once too
        with self.lock:
            try:
                if self.connection is None:
                    if time.monotonic() < self.retry_at:
                        return None
                    self._connect()
                elif self._spoken() or time.monotonic() - self.confirmed_at > settings.DATA_VERSION_CONFIRM_SECONDS:
                    self._read()
            except psycopg.Error:
                logger.warning("Data version watch lost its connection: reading the version per request", exc_info=True)
                self._close()
                self.retry_at = time.monotonic() + settings.DATA_VERSION_RETRY_SECONDS
                return None
            return self.version

    def _connect(self) -> None:
        params = connections[DEFAULT_DB_ALIAS].get_connection_params() | {"application_name": APPLICATION_NAME}
        self.connection = psycopg.connect(**params, autocommit=True)
        # The announcement itself says nothing the read does not: dropped, rather than kept in psycopg's backlog.
        self.connection.add_notify_handler(lambda announcement: None)
        with db_deadline.bounded(self.connection.pgconn.socket):
            self.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")  # before the read: no announcement falls between
        self.readable = select.poll()
        self.readable.register(self.connection.pgconn.socket, select.POLLIN)
        self._read()

    def _spoken(self) -> bool:
        """Whether PostgreSQL sent anything since the last read, without waiting: an announcement,
        or the end of the connection (the read then raises)."""
        return bool(self.readable.poll(0))

    def _read(self) -> None:
        with db_deadline.bounded(self.connection.pgconn.socket):
            self.version = self.connection.execute(VERSION_SELECT).fetchone()[0]
        self.confirmed_at = time.monotonic()

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self._forget()

    def _forget(self) -> None:
        self.connection, self.readable, self.version = None, None, None

    def _after_fork(self) -> None:
        """A forked worker opens its own: the parent's connection (if any) is the parent's to close."""
        self.lock = threading.Lock()
        self._forget()


data_version_watch = DataVersionWatch()
