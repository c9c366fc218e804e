"""Django's Redis cache backend, with one ``redis.Redis`` client per connection pool, and the
rate-limit counters counted in the round trip that looks an answer up.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache call, and
redis-py 6 fills two response-callback tables for each new instance: profiled on a cached API GET,
building clients cost more CPU than the Redis round trips themselves. A client is only a handle on
its pool and is thread-safe, so one per pool is reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


def _incr_window(pipeline, key: str, timeout: int) -> None:
    # Atomic on the server (Django's incr() checks that the key exists first: two round trips).
    pipeline.set(key, 0, ex=timeout, nx=True)
    pipeline.incr(key)


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def get_many_and_incr_windows(self, keys: list[str], windows: list[tuple[str, int]]) -> tuple[dict, list[int]]:
        # The leader: the counters are written there, and it holds every value a replica would.
        pipeline = self.get_client(write=True).pipeline(transaction=False)
        pipeline.mget(keys)
        for key, timeout in windows:
            _incr_window(pipeline, key, timeout)
        values, *replies = pipeline.execute()
        found = {key: self._serializer.loads(value) for key, value in zip(keys, values) if value is not None}
        return found, replies[1::2]  # each window: the SET's reply, then the count


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    def incr_window(self, key: str, timeout: int) -> int:
        """Count one hit on a counter that expires ``timeout`` seconds after its first hit; the count."""
        key = self.make_and_validate_key(key)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=False)
        _incr_window(pipeline, key, timeout)
        return pipeline.execute()[1]

    def get_many_and_incr_windows(self, keys: list[str], windows: list[tuple[str, int]]) -> tuple[dict, list[int]]:
        """``get_many(keys)`` and ``incr_window`` on each (key, timeout) of ``windows``, in one round
        trip: the values found, and the count of each window."""
        key_map = {self.make_and_validate_key(key): key for key in keys}
        windows = [(self.make_and_validate_key(key), timeout) for key, timeout in windows]
        found, counts = self._cache.get_many_and_incr_windows(list(key_map), windows)
        return {key_map[key]: value for key, value in found.items()}, counts
