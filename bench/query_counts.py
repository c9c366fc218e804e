"""SQL queries and time per request, measured in-process (Django's test client, whole middleware stack).

    python -m bench.query_counts '[{"name": ..., "method": ..., "path": ..., "body": ...}, ...]'

Run in bench/run's environment (production settings, the bench's database and Redis). For each
request: the answer computed (data version bumped first, so nothing is cached), then repeated (from
the response cache), then revalidated with If-None-Match (expected: 304). Queries are counted on
PostgreSQL and on the warehouse. Then the median (and least) wall and median CPU time of computing the
answer, over ``REPEAT`` requests one at a time: CPU time is this process's own work, which other load on the
machine slows far less than it slows wall time (the databases' time is in their own processes).
The same (``warm_`` keys) after the first computed answer of a data version, responses uncached.
Prints one JSON object per request.
"""

import itertools
import json
import statistics
import sys
import time

import django

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from hackthetrack.cache import invalidate_api_cache  # noqa: E402

ALIASES = ("default", "warehouse")
REPEAT = 15


_request_numbers = itertools.count(1)


def _crowd_address() -> dict:
    """Each request from its own client address, as wrk's (bench/wrk_report.lua): the rate limit
    stays on and costs what it costs, but this one process is not held at the anonymous rate."""
    number = next(_request_numbers)
    return {"HTTP_X_FORWARDED_FOR": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"}


def _request(client: Client, method: str, path: str, body: str | None, headers: dict | None = None):
    if method == "GET":
        return client.get(path, headers=headers, **_crowd_address())
    return client.generic(
        method, path, body or "", content_type="application/json", headers=headers, **_crowd_address()
    )


def _counted(client: Client, method: str, path: str, body: str | None, headers: dict | None = None):
    contexts = [CaptureQueriesContext(connections[alias]) for alias in ALIASES]
    for context in contexts:
        context.__enter__()
    try:
        response = _request(client, method, path, body, headers)
    finally:
        for context in reversed(contexts):
            context.__exit__(None, None, None)
    return response, sum(len(context) for context in contexts)


def measure(client: Client, *, method: str, path: str, body: str | None) -> dict:
    invalidate_api_cache()
    computed, computed_queries = _counted(client, method, path, body)
    result = {"status": computed.status_code, "body_bytes": len(computed.content), "queries": computed_queries}
    if method == "GET":
        cached, cached_queries = _counted(client, method, path, body)
        etag = cached.get("ETag")
        conditional, conditional_queries = _counted(client, method, path, body, {"If-None-Match": etag or ""})
        result |= {
            "cached_status": cached.status_code,
            "cached_queries": cached_queries,
            "etag": etag,
            "conditional_status": conditional.status_code,
            "conditional_queries": conditional_queries,
        }
    return result


def _timed(client: Client, *, method: str, path: str, body: str | None, new_version: bool) -> dict:
    wall, cpu = [], []
    for _ in range(REPEAT):
        if new_version:
            invalidate_api_cache()
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        response = _request(client, method, path, body)
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - wall_start)
        if response.status_code >= 400:
            sys.exit(f"{method} {path} answered {response.status_code}: {response.content[:300]!r}")
    return {
        "wall_ms": round(statistics.median(wall) * 1000, 2),
        "wall_min_ms": round(min(wall) * 1000, 2),
        "cpu_ms": round(statistics.median(cpu) * 1000, 2),
    }


def computed_timing(client: Client, *, method: str, path: str, body: str | None) -> dict:
    """A computed answer, the first of its data version (the data version bumped before each)."""
    return _timed(client, method=method, path=path, body=body, new_version=True)


def warm_timing(client: Client, *, method: str, path: str, body: str | None) -> dict:
    """A computed answer after the first of its data version: what is kept per data version in
    process (factors.selectors.skill_population) is warm, responses are not cached (timeout 0)."""
    invalidate_api_cache()
    with override_settings(API_CACHE_TIMEOUT=0):
        timing = _timed(client, method=method, path=path, body=body, new_version=False)
    return {f"warm_{name}": value for name, value in timing.items()}


def main() -> None:
    requests = json.loads(sys.argv[1])
    client = Client(HTTP_HOST="127.0.0.1", headers={"X-Forwarded-Proto": "https"})
    for request in requests:
        shape = {"method": request["method"], "path": request["path"], "body": request["body"]}
        print(
            json.dumps(
                {
                    "name": request["name"],
                    **measure(client, **shape),
                    **computed_timing(client, **shape),
                    **warm_timing(client, **shape),
                }
            )
        )


if __name__ == "__main__":
    main()
