"""Rate limits per client: anonymous clients by IP address, signed-in users by account.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (environment ``THROTTLE_RATE_ANON`` and
``THROTTLE_RATE_USER``), read at request time rather than at import as DRF's own classes do, so
that a settings change takes effect. Counters live in the default cache (shared through Redis).

Each rate is counted in fixed windows (e.g. 300 per calendar minute) by one atomic increment, not
with DRF's default history of timestamps: that is a read, then a write of a list that grows to the
rate's size, so two concurrent requests of one client can both be let through on one count, and
every request of a busy client moves hundreds of timestamps to and from Redis. The price: a client
can spend one window's rate at its end and the next window's at once.
"""

import logging

from django.core.cache import BaseCache
from django.http import HttpRequest, HttpResponse
from redis import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger("hackthetrack.throttling")


def window_hits(cache: BaseCache, key: str, *, timeout: int) -> int:
    """Count one hit on ``key`` (created with ``timeout`` on its first hit); the hits so far."""
    if hasattr(cache, "incr_window"):  # hackthetrack.redis_cache: one round trip
        return cache.incr_window(key, timeout)
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout)
        return 1


class FixedWindowRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = (window + 1) * self.duration - now
        try:
            hits = window_hits(self.cache, f"{key}:{window}", timeout=self.duration)
        except RedisError:
            # Counters live in Redis: while it is down, serve rather than refuse everyone.
            logger.warning("Rate-limit counters unavailable, request let through", exc_info=True)
            return True
        return hits <= self.num_requests

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


def throttle_response(request: HttpRequest) -> HttpResponse | None:
    """Apply the API's throttles to a request answered outside DRF (the response cache).

    Returns the 429 error response when the client is over its rate, else None.
    """
    from hackthetrack.exceptions import error_response

    drf_request = Request(request)
    # Django's AuthenticationMiddleware has already resolved the session user.
    drf_request.user = getattr(request, "user", None)
    waits = [
        throttle.wait()
        for throttle in (throttle_class() for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES)
        if not throttle.allow_request(drf_request, None)
    ]
    if not waits:
        return None
    exc = Throttled(wait=max((wait for wait in waits if wait is not None), default=None))
    response = error_response(request, status=exc.status_code, error=str(exc.detail))
    if exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait))
    return response
