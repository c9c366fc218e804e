"""Rate limits per client: anonymous clients by IP address, signed-in users by account, and failed
credentials by IP address.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (environment ``THROTTLE_RATE_ANON`` and
``THROTTLE_RATE_USER``) and ``AUTH_FAILURE_RATE``, read at request time rather than at import as
DRF's own classes do, so that a settings change takes effect.

The counters are shared by every worker and every dyno: a rate of 300/min is 300/min for the whole
deployment, not per worker (give or take ``RATE_BATCH_SHARE`` per worker with Redis). They live in
Redis when Redis is the cache (added in batches, most requests without a round trip:
hackthetrack/rate_batches.py), else -- and whenever Redis fails -- in PostgreSQL (the unlogged table
``hackthetrack_rate_count``, one atomic upsert). A window in which Redis failed for a while is
counted in both, so a client may get up to twice its rate in it. Each rate is counted in fixed
windows (e.g. 300 per calendar minute), not with DRF's default history of timestamps (a read, then
a write of a growing list, that lets two concurrent requests through on one count). The price: a
client can spend one window's rate at its end and the next window's at once. Failed credentials
are counted in PostgreSQL only.

A request is counted once. The response cache's middleware (``hackthetrack.cache``) counts every
``/api/`` request without an ``Authorization`` header when it reads the data version
(``request_windows``; ``redis_hits_counted`` or ``hits_counted_sql``) and leaves the counts on the
request (``request.rate_hits``); the view's throttles then use those counts instead of counting again.
"""

import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from redis import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from hackthetrack.rate_batches import batched_rate_counts
from hackthetrack.redis_cache import RedisCircuitOpen

logger = logging.getLogger("hackthetrack.cache")
RATE_COUNTS = "hackthetrack_rate_count"
# A client's counter stays after its window: one request in this many deletes the expired ones.
EXPIRED_PURGE_CHANCE = 0.001


@dataclass(frozen=True)
class RateWindow:
    """The counter one request counts on: one client's key and the current window of its rate."""

    key: str
    index: int  # which window since the epoch
    limit: int
    timeout: int  # the window's length; the counter expires with it
    wait: float  # seconds until the next window

    def exceeded(self, hits: int) -> bool:
        return hits > self.limit


def hits_counted_sql(windows: list[RateWindow]) -> tuple[str, list]:
    """One statement that counts a hit on each window and returns (key, hits) rows; a counter of an
    older window starts again at 1."""
    values = ", ".join(["(%s, %s, 1, now() + make_interval(secs => %s))"] * len(windows))
    sql = (
        f"INSERT INTO {RATE_COUNTS} AS counted (key, window_index, hits, expires_at) VALUES {values} "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN counted.window_index = EXCLUDED.window_index THEN counted.hits + 1 ELSE 1 END, "
        "window_index = EXCLUDED.window_index, expires_at = EXCLUDED.expires_at "
        "RETURNING key, hits"
    )
    return sql, [value for window in windows for value in (window.key, window.index, window.timeout)]


def redis_hits_counted(windows: list[RateWindow]) -> dict[str, int] | None:
    """Count one hit on each window, shared through Redis (in batches: hackthetrack/rate_batches.py);
    the hits so far by key, or None when the cache is not Redis or Redis fails (the caller counts in
    PostgreSQL)."""
    counters_added = getattr(cache, "counters_added", None)
    if counters_added is None:
        return None  # a cache of this process only
    try:
        return batched_rate_counts.counted(windows, counters_added)
    except RedisCircuitOpen:  # logged when it opened
        return None
    except RedisError:
        logger.warning("Redis unavailable: counting rates in PostgreSQL", exc_info=True)
        return None


def hits_counted(windows: list[RateWindow]) -> dict[str, int]:
    """Count one hit on each window (in Redis, else PostgreSQL); the hits so far by key."""
    if not windows:
        return {}
    if (hits := redis_hits_counted(windows)) is not None:
        return hits
    return postgres_hits_counted(windows)


def postgres_hits_counted(windows: list[RateWindow]) -> dict[str, int]:
    expired_counters_delete_sometimes()
    sql, params = hits_counted_sql(windows)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def hits_so_far(window: RateWindow) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT hits FROM {RATE_COUNTS} WHERE key = %s AND window_index = %s", [window.key, window.index]
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def expired_counters_delete_sometimes() -> None:
    """Now and then, drop the counters of windows that are over (a row per client stays until then)."""
    if random.random() < EXPIRED_PURGE_CHANCE:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {RATE_COUNTS} WHERE expires_at < now()")


def _window(key: str, *, rate: tuple[int, int], now: float) -> RateWindow:
    limit, duration = rate
    index = int(now // duration)
    return RateWindow(key, index, limit, duration, (index + 1) * duration - now)


class FixedWindowRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def window(self, request, view) -> RateWindow | None:
        """This request's counter, or None when this throttle does not apply to it."""
        if self.rate is None:
            return None
        key = self.get_cache_key(request, view)
        if key is None:
            return None
        return _window(key, rate=(self.num_requests, self.duration), now=self.timer())

    def allow_request(self, request, view):
        window = self.window(request, view)
        if window is None:
            return True
        self.wait_seconds = window.wait
        # Counted already by the response cache's lookup (a DRF request reads the Django request's attributes).
        hits = (getattr(request, "rate_hits", None) or {}).get(window.key)
        if hits is None:
            hits = hits_counted([window])[window.key]
        return not window.exceeded(hits)

    def wait(self):
        return self.wait_seconds


class AnonClientThrottle(FixedWindowRateMixin, AnonRateThrottle):
    """Anonymous clients, by IP address (REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES proxies)."""


class UserClientThrottle(FixedWindowRateMixin, UserRateThrottle):
    """Signed-in users, by account (anonymous clients are AnonClientThrottle's, counted once)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


def request_windows(request: HttpRequest) -> list[RateWindow]:
    """The counters of the API's default throttles for a request seen before DRF (by the response
    cache, after Django's AuthenticationMiddleware has resolved the session user)."""
    throttles = (throttle_class() for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES)
    return [window for throttle in throttles if (window := throttle.window(request, None)) is not None]


def throttled_response(request: HttpRequest, windows: list[RateWindow], hits: dict[str, int]) -> HttpResponse | None:
    """The 429 answer when the counted ``hits`` put the client over one of its ``windows``, else None."""
    from hackthetrack.exceptions import error_response

    waits = [window.wait for window in windows if window.exceeded(hits.get(window.key, 0))]
    if not waits:
        return None
    exc = Throttled(wait=max(waits))
    response = error_response(request, status=exc.status_code, error=str(exc.detail))
    response["Retry-After"] = str(int(exc.wait))
    return response


# --- Failed credentials (API Basic auth and the admin's login form), per client address.


class CredentialFailureThrottle(SimpleRateThrottle):
    """AUTH_FAILURE_RATE failed sign-ins per client address (counted by ``credential_failure_count``)."""

    def get_rate(self):
        return settings.AUTH_FAILURE_RATE or None

    def window(self, request) -> RateWindow | None:
        if self.rate is None:
            return None
        return _window(
            f"auth-failures:{self.get_ident(request)}", rate=(self.num_requests, self.duration), now=self.timer()
        )


def credential_failures_exceeded(request) -> RateWindow | None:
    """The window when ``request``'s client has spent its failed sign-ins, else None: checked
    before the password, which costs a hash."""
    window = CredentialFailureThrottle().window(request)
    if window is None or hits_so_far(window) < window.limit:
        return None
    return window


def credential_failure_count(request) -> None:
    if (window := CredentialFailureThrottle().window(request)) is not None:
        postgres_hits_counted([window])  # where credential_failures_exceeded reads it
