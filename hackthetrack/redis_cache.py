"""Django's Redis cache backend, with one ``redis.Redis`` client per connection pool and a
one-round-trip window counter for the rate limits.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache call, and
redis-py 6 fills two response-callback tables for each new instance: profiled on a cached API GET,
building clients cost more CPU than the Redis round trips themselves. A client is only a handle on
its pool and is thread-safe, so one per pool is reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    def incr_window(self, key: str, timeout: int) -> int:
        """Count one hit on a counter that expires ``timeout`` seconds after its first hit; the count.

        One round trip, atomic on the server (Django's ``incr`` checks the key exists first: two).
        """
        key = self.make_and_validate_key(key)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipeline.set(key, 0, ex=timeout, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]
