"""Rate limits per client: anonymous clients by IP address, signed-in users by account.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (environment ``THROTTLE_RATE_ANON`` and
``THROTTLE_RATE_USER``), read at request time rather than at import as DRF's own classes do, so
that a settings change takes effect. Counters live in the default cache (shared through Redis).

Each rate is counted in fixed windows (e.g. 300 per calendar minute) by one atomic increment, not
with DRF's default history of timestamps: that is a read, then a write of a list that grows to the
rate's size, so two concurrent requests of one client can both be let through on one count, and
every request of a busy client moves hundreds of timestamps to and from Redis. The price: a client
can spend one window's rate at its end and the next window's at once.

A request is counted once. The response cache's middleware (``hackthetrack.cache``) counts every
``/api/`` request without an ``Authorization`` header in its one Redis round trip
(``request_windows``) and leaves the counts on the request (``request.rate_hits``); the view's
throttles then use those counts instead of counting again.
"""

import logging
from dataclasses import dataclass

from django.core.cache import BaseCache
from django.http import HttpRequest, HttpResponse
from redis import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

logger = logging.getLogger("hackthetrack.throttling")


@dataclass(frozen=True)
class RateWindow:
    """The counter one request counts on: one throttle's key in the current window."""

    key: str
    limit: int
    timeout: int  # the window's length; the counter expires with it
    wait: float  # seconds until the next window

    def exceeded(self, hits: int) -> bool:
        return hits > self.limit


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

    def window(self, request, view) -> RateWindow | None:
        """This request's counter, or None when this throttle does not apply to it."""
        if self.rate is None:
            return None
        key = self.get_cache_key(request, view)
        if key is None:
            return None
        now = self.timer()
        index = int(now // self.duration)
        return RateWindow(f"{key}:{index}", self.num_requests, self.duration, (index + 1) * self.duration - now)

    def allow_request(self, request, view):
        window = self.window(request, view)
        if window is None:
            return True
        self.wait_seconds = window.wait
        # Counted already by the response cache's lookup (a DRF request reads the Django request's attributes).
        hits = (getattr(request, "rate_hits", None) or {}).get(window.key)
        if hits is None:
            try:
                hits = window_hits(self.cache, window.key, timeout=window.timeout)
            except RedisError:
                # Counters live in Redis: while it is down, serve rather than refuse everyone.
                logger.warning("Rate-limit counters unavailable, request let through", exc_info=True)
                return True
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
