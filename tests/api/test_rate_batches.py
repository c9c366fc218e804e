"""Rate counts held in a worker's memory and added to Redis in batches (hackthetrack/rate_batches.py),
on a real Redis; each ``BatchedRateCounts`` stands for one worker."""

import time
import uuid

import pytest
from django.core.cache import cache
from redis import RedisError

from hackthetrack.rate_batches import BatchedRateCounts
from hackthetrack.redis_cache import ReusedClientRedisCache
from hackthetrack.throttling import RateWindow
from tests.api.subprocess_django import CLOSED_PORT

SHARE = 0.02
HOUR = 3600


@pytest.fixture
def batching(settings, shared_redis):
    settings.RATE_BATCH_SHARE = SHARE
    settings.RATE_SYNC_SECONDS = 3600  # only the first call of each worker sends everything it holds


def window(limit: int, key: str | None = None) -> RateWindow:
    """A client's current window of an hour (a test of milliseconds all but never straddles two)."""
    index = int(time.time() // HOUR)
    return RateWindow(key or f"client-{uuid.uuid4().hex}", index, limit, HOUR, HOUR)


def shared_count(rate_window: RateWindow) -> int:
    return int(cache.get(f"rate:{rate_window.key}:{rate_window.index}", 0))


def hit(worker: BatchedRateCounts, rate_window: RateWindow) -> int:
    return worker.counted([rate_window], cache.counters_added)[rate_window.key]


def test_a_rate_under_one_over_the_share_is_counted_in_redis_as_it_comes(batching):
    rate_window = window(limit=40)  # 40 * 2% < 1: nothing may be held
    worker = BatchedRateCounts()

    for n in range(1, 6):
        assert hit(worker, rate_window) == n
        assert shared_count(rate_window) == n


def test_a_worker_holds_at_most_its_share_of_a_rate(batching):
    rate_window = window(limit=1000)
    held_at_most = int(1000 * SHARE)
    worker = BatchedRateCounts()
    hit(worker, window(limit=1000))  # the worker's first call, which sends everything

    counts = [hit(worker, rate_window) for _ in range(held_at_most)]
    assert counts == list(range(1, held_at_most + 1))  # the worker knows its own hits
    assert shared_count(rate_window) == 0

    assert hit(worker, rate_window) == held_at_most + 1  # one more than it may hold: all sent
    assert shared_count(rate_window) == held_at_most + 1


def test_past_half_its_rate_a_client_is_counted_in_redis_on_every_request(batching):
    rate_window = window(limit=100)
    held_at_most = int(100 * SHARE)
    worker = BatchedRateCounts()
    hit(worker, window(limit=100))  # the worker's first call, which sends everything

    for n in range(1, 101):
        assert hit(worker, rate_window) == n
        if n > 50:
            assert shared_count(rate_window) == n
        else:
            assert n - held_at_most <= shared_count(rate_window) <= n


@pytest.mark.parametrize("workers", [2, 3, 8])
def test_workers_let_a_client_through_at_most_their_shares_over_its_rate(batching, workers):
    limit = 100
    rate_window = window(limit)
    pool = [BatchedRateCounts() for _ in range(workers)]
    for worker in pool:
        hit(worker, window(limit))  # each worker's first call, which sends everything

    # The workers take the requests in turn, as gunicorn's do under load.
    admitted = 0
    for n in range(3 * limit):
        if not rate_window.exceeded(hit(pool[n % workers], rate_window)):
            admitted += 1

    assert limit <= admitted <= limit + workers * int(limit * SHARE)
    assert shared_count(rate_window) >= 2 * limit  # every hit past the first ones reached Redis at once


def test_held_hits_reach_redis_with_a_request_after_the_sync_interval(settings, batching):
    settings.RATE_SYNC_SECONDS = 0.2
    worker = BatchedRateCounts()
    hit(worker, window(limit=1000))  # the worker's first call, which sends everything
    waiting = window(limit=1000)
    for _ in range(3):
        hit(worker, waiting)
    assert shared_count(waiting) == 0

    time.sleep(0.25)
    hit(worker, window(limit=1000))  # another client's request

    assert shared_count(waiting) == 3


def test_after_a_sync_only_the_clients_past_half_a_rate_are_kept(settings, batching):
    worker = BatchedRateCounts()
    passers_by = [window(limit=1000) for _ in range(50)]
    busy = window(limit=10)
    busy_before = RateWindow(busy.key, busy.index - 2, 10, HOUR, HOUR)  # a window that is over
    for rate_window in passers_by:
        hit(worker, rate_window)
    for _ in range(6):
        hit(worker, busy)
        hit(worker, busy_before)

    settings.RATE_SYNC_SECONDS = 0
    hit(worker, passers_by[0])

    assert list(worker.tallies) == [f"rate:{busy.key}:{busy.index}"]
    assert all(shared_count(rate_window) == 1 for rate_window in passers_by[1:])


def test_hits_held_while_redis_fails_are_sent_when_it_answers(batching):
    rate_window = window(limit=40)  # counted as it comes
    worker = BatchedRateCounts()
    down = ReusedClientRedisCache(f"redis://127.0.0.1:{CLOSED_PORT}/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})

    for _ in range(2):
        with pytest.raises(RedisError):
            worker.counted([rate_window], down.counters_added)

    assert hit(worker, rate_window) == 3
    assert shared_count(rate_window) == 3
