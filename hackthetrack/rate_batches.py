"""Rate counts kept in each worker's memory and added to the shared counters in Redis in batches,
so that most requests cost no round trip for their rate (issue 17).

A worker may hold back, per client and window, up to ``RATE_BATCH_SHARE`` of the window's limit
(2% by default: 6 hits of 300/min) while the client's count, as this worker knows it, is at most
half its limit. Anything else is added in Redis at once, and decided on Redis's count:

- a client past half its rate, as the worker last heard from Redis, is counted there on every
  request, exactly as without batching;
- so at worst, when workers that have not seen each other's hits all let a client through at
  once, a client gets ``RATE_BATCH_SHARE`` of its rate more per worker (at 300/min and 2%: 6 per
  worker), and a worker that has not heard lately may admit those few after another refused; a
  rate under 1 / ``RATE_BATCH_SHARE`` (50 per window at 2%) is always counted exactly;
- what a worker holds back reaches Redis within ``RATE_SYNC_SECONDS`` (with a later request: there
  is no thread), so the shared count is never more than that behind.

``RATE_BATCH_SHARE=0`` counts every hit in Redis as it comes. Redis failing loses nothing: the
hits held back stay until Redis answers again (the caller counts the request in PostgreSQL
meanwhile, so a window in which Redis failed may count a hit in both, as ever).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from hackthetrack.throttling import RateWindow

# Adds (counter, hits, seconds) to Redis; the counters' totals after it, in order.
CountersAdd = Callable[[list[tuple[str, int, int]]], list[int]]


@dataclass
class Tally:
    """One client's hits in one window, as this worker knows them."""

    counter: str  # the Redis counter's name
    limit: int
    seconds: int  # the window's length: the counter expires with it
    ends_at: float  # time.time() when the window is over
    shared: int = 0  # the shared count, as Redis last gave it
    held: int = 0  # hits counted here and not yet added in Redis

    @property
    def count(self) -> int:
        return self.shared + self.held

    def may_hold(self) -> bool:
        """Whether its hits may wait for the next batch (see the module docstring)."""
        return self.held <= self.limit * settings.RATE_BATCH_SHARE and self.count * 2 <= self.limit


class BatchedRateCounts:
    """One per process (see the module docstring)."""

    def __init__(self):
        self.lock = threading.Lock()  # gunicorn's threaded workers share one
        self.tallies: dict[str, Tally] = {}
        self.synced_at = -math.inf  # when it last sent everything it held (time.monotonic())
        os.register_at_fork(after_in_child=self._after_fork)

    def counted(self, windows: list[RateWindow], counters_add: CountersAdd) -> dict[str, int]:
        """Count one hit on each window; the hits so far by key. Raises what ``counters_add`` raises
        (``RedisError``), with every hit still held, this one included."""
        now = time.monotonic()
        with self.lock:
            tallies = [self._tally(window) for window in windows]
            for tally in tallies:
                tally.held += 1
            if now - self.synced_at >= settings.RATE_SYNC_SECONDS:
                self.synced_at = now
                try:
                    self._send([tally for tally in self.tallies.values() if tally.held], counters_add)
                finally:
                    self._forget_settled()
            else:
                self._send([tally for tally in tallies if not tally.may_hold()], counters_add)
            return {window.key: tally.count for window, tally in zip(windows, tallies, strict=True)}

    def _tally(self, window: RateWindow) -> Tally:
        counter = f"rate:{window.key}:{window.index}"
        tally = self.tallies.get(counter)
        if tally is None:
            ends_at = (window.index + 1) * window.timeout
            tally = self.tallies[counter] = Tally(counter, window.limit, window.timeout, ends_at)
        return tally

    @staticmethod
    def _send(tallies: list[Tally], counters_add: CountersAdd) -> None:
        if not tallies:
            return
        totals = counters_add([(tally.counter, tally.held, tally.seconds) for tally in tallies])
        for tally, total in zip(tallies, totals, strict=True):
            tally.shared, tally.held = total, 0

    def _forget_settled(self) -> None:
        """Keep what still matters, in windows not yet over: hits not sent (Redis failed), and the
        clients past half a rate (counted in Redis on every request). Memory for the clients of the
        last RATE_SYNC_SECONDS, not of a whole window."""
        now = time.time()
        self.tallies = {
            counter: tally
            for counter, tally in self.tallies.items()
            if tally.ends_at > now and (tally.held or tally.shared * 2 > tally.limit)
        }

    def _after_fork(self) -> None:
        self.lock = threading.Lock()
        self.tallies = {}
        self.synced_at = -math.inf


batched_rate_counts = BatchedRateCounts()
