"""Django's Redis cache backend with one ``redis.Redis`` client per connection pool, and a circuit
breaker.

- Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache call, and
  redis-py 6 fills two response-callback tables for each new instance: profiled on a cached API GET,
  building clients cost more CPU than the Redis round trips themselves. A client is only a handle
  on its pool and is thread-safe, so one per pool is reused.
- Circuit breaker: after a failed call (Redis down, or frozen past its socket timeout) the worker
  does not try Redis again for ``REDIS_BREAKER_SECONDS``: calls fail at once with ``RedisError``,
  which the callers treat as "no cache". The first call after that tries Redis again, so a Redis
  that comes back is used again within that time, without a restart.
"""

import functools

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import RedisError
from redis.commands.core import Script

from hackthetrack.circuit_breaker import CircuitBreaker

# KEYS: counters; ARGV: the hits to add to each, then each one's seconds. One command for a batch of
# hundreds (a pipeline would pack and parse two commands per counter).
COUNTERS_ADD = Script(
    None,
    b"""
local n = #KEYS
local totals = {}
for i = 1, n do
    redis.call('SET', KEYS[i], 0, 'EX', ARGV[n + i], 'NX')
    totals[i] = redis.call('INCRBY', KEYS[i], ARGV[i])
end
return totals
""",
)


class RedisCircuitOpen(RedisError):
    """Redis failed a moment ago: not tried again yet."""


def _guarded(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        self.breaker.check()
        try:
            return method(self, *args, **kwargs)
        except RedisError:
            self.breaker.trip()
            raise

    return call


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}
        # One per cache instance: per thread and per configuration (Django's cache handler).
        self.breaker = CircuitBreaker("Redis", "REDIS_BREAKER_SECONDS", RedisCircuitOpen)

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(ReusedRedisCacheClient, _name, _guarded(getattr(RedisCacheClient, _name)))


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    def counters_added(self, counters: list[tuple[str, int, int]]) -> list[int]:
        """Add to each (key, hits, seconds) counter, in one round trip; a counter starts at 0 and
        expires ``seconds`` after it started. The counts after the addition, in order. Raises
        ``RedisError`` (``RedisCircuitOpen`` while the breaker is open)."""
        client = self._cache
        client.breaker.check()
        keys = [self.make_key(key) for key, _, _ in counters]
        try:
            return COUNTERS_ADD(
                keys,
                [hits for _, hits, _ in counters] + [seconds for _, _, seconds in counters],
                client=client.get_client(write=True),
            )
        except RedisError:
            client.breaker.trip()
            raise

    def ping(self) -> bool:
        """Whether Redis answers now (for /api/health): not tried while the breaker is open, so
        health never waits on a Redis known to be down; an answer closes the breaker."""
        client = self._cache
        if client.breaker.is_open:
            return False
        try:
            client.get_client(write=True).ping()
        except RedisError:
            client.breaker.trip()
            return False
        client.breaker.reset()
        return True
