"""PostgreSQL connections kept across requests (CONN_MAX_AGE), and what to do when one was dropped."""

from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")


def reconnecting_once(read: Callable[[], T]) -> T:
    """``read()``; when the kept connection fails (PostgreSQL restarted since it was opened), once
    more on a new connection, at once: service resumes on the first request after PostgreSQL does.
    PostgreSQL still down: the second ``OperationalError`` is raised (a refused connection fails at
    once; an unreachable host after DB_CONNECT_TIMEOUT)."""
    try:
        return read()
    except OperationalError:
        if connection.in_atomic_block:
            raise
        connection.close()
        return read()
