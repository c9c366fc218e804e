"""The floors under the framework: bare WSGI apps served by the same gunicorn (gunicorn.conf.py) as
the service, so that bench/run can say how much of the server's own speed each endpoint keeps.

- ``constant``: answers a constant JSON body, no I/O: what gunicorn itself serves.
- ``redis_get``: answers one Redis GET of a ~1.5 KB value (stored by ``redis_value_store`` before
  gunicorn starts): the least a cached answer from a shared store can cost.

    gunicorn -c gunicorn.conf.py bench.wsgi_floors:constant
"""

import os

import redis

BODY = b'{"status":"ok"}'
REDIS_KEY = "htt-bench:wsgi-floor:value"
# About the size of a cached driver's answer.
REDIS_VALUE = b'{"drivers":[' + b",".join(b'{"number":%d,"overall_score":%d.25}' % (n, n) for n in range(42)) + b"]}"
HEADERS = [("Content-Type", "application/json")]

_client: redis.Redis | None = None


def constant(environ, start_response):
    start_response("200 OK", [*HEADERS, ("Content-Length", str(len(BODY)))])
    return [BODY]


def redis_get(environ, start_response):
    global _client
    if _client is None:  # in the worker, after the fork: a connection is never shared between processes
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    value = _client.get(REDIS_KEY)
    if value is None:
        start_response("500 Internal Server Error", [*HEADERS, ("Content-Length", "2")])
        return [b"{}"]
    start_response("200 OK", [*HEADERS, ("Content-Length", str(len(value)))])
    return [value]


def redis_value_store(redis_url: str) -> int:
    """Store the value ``redis_get`` answers; its length."""
    redis.Redis.from_url(redis_url).set(REDIS_KEY, REDIS_VALUE)
    return len(REDIS_VALUE)
