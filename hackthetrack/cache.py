"""API response caching and HTTP revalidation, tied to one data version.

How to use it:

- Anything that changes the data the API serves (``refresh_cache``, imports, admin saves) calls
  ``invalidate_api_cache()`` once, after its transaction commits
  (``transaction.on_commit(invalidate_api_cache)`` inside an atomic block). That bumps the data
  version: every cached response becomes unreachable at once and ``Last-Modified`` moves on.
- Nothing else is needed in views. ``ApiResponseCacheMiddleware`` (installed in settings) caches
  every successful GET under ``/api/`` without an ``Authorization`` header by full path, with the
  data version it was computed in (an answer of an older version is never served), adds ``ETag``
  (hash of the body), ``Last-Modified`` (time of the data version) and ``Cache-Control``, and
  answers ``If-None-Match`` / ``If-Modified-Since`` with 304 from the cache, without touching the
  database.
- A view whose answer must not be cached (health, anything live) marks its response with
  ``Cache-Control: no-store`` (``django.views.decorators.cache.never_cache``).

The cache is Django's default cache: local memory per process unless ``REDIS_URL`` is set. A
version bump in local memory reaches only the process that made it, so a deployment with several
processes (gunicorn workers, a scheduler dyno running ``refresh_cache``) needs Redis; without it a
stale answer lives at most ``API_CACHE_TIMEOUT`` seconds.
"""

import contextvars
import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from redis import RedisError

from hackthetrack.throttling import RateWindow, request_windows, throttled_response, window_hits

logger = logging.getLogger("hackthetrack.cache")
DATA_VERSION_KEY = "hackthetrack:api:data-version"
CACHED_METHODS = frozenset({"GET", "HEAD"})


# The data version an API request started in: read with its cache lookup and rate counts (one round
# trip), so that what the request reads afterwards costs none and is all of one version.
_request_data_version: contextvars.ContextVar[int | None] = contextvars.ContextVar("api_data_version", default=None)


def data_version() -> int:
    """The current data version: the time (ns since the epoch) of the last invalidation. Within an
    API request, the version the request started in (``ApiResponseCacheMiddleware``)."""
    version = _request_data_version.get()
    if version is not None:
        return version
    return _data_version_started(cache.get(DATA_VERSION_KEY))


def _data_version_started(version: int | None) -> int:
    if version is None:
        # First use (empty cache): start a version now; add() keeps a concurrent first writer's.
        cache.add(DATA_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(DATA_VERSION_KEY, time.time_ns())
    return version


def invalidate_api_cache() -> int:
    """Start a new data version so that every cached API response is recomputed; returns it."""
    version = max(time.time_ns(), _data_version_started(cache.get(DATA_VERSION_KEY)) + 1)
    cache.set(DATA_VERSION_KEY, version, timeout=None)
    if _request_data_version.get() is not None:
        _request_data_version.set(version)  # what this request reads from now on is of the new version
    return version


def last_modified(version: int) -> int:
    """Seconds since the epoch of a data version (what ``Last-Modified`` carries)."""
    return version // 1_000_000_000


@dataclass(frozen=True)
class CachedResponse:
    version: int
    status: int
    # The computed answer's, as it left this middleware (Content-Type, Content-Length, Allow, Vary,
    # the validators...): a cached answer carries the same headers, and costs no work to rebuild them.
    headers: tuple[tuple[str, str], ...]
    content: bytes
    etag: str

    def to_response(self) -> HttpResponse:
        return HttpResponse(self.content, status=self.status, headers=dict(self.headers))


def _response_key(request: HttpRequest) -> str:
    # Accept is part of the key: the schema endpoint answers JSON or YAML by it. The version is not:
    # it is read with the entry in one round trip, and a new version's answer replaces the old one.
    variant = f"{request.get_full_path()}\n{request.headers.get('Accept', '')}"
    # "v2": entries of the shape above (a deployment must not read an older release's entries).
    return f"hackthetrack:api:response:v2:{hashlib.sha256(variant.encode()).hexdigest()}"


def _is_api_request(request: HttpRequest) -> bool:
    return (
        request.path.startswith(settings.API_PATH_PREFIX)
        # Credentials (Basic auth) are the view's to check, and they decide whose rate the request counts on.
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _is_cacheable_response(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and "no-store" not in cache_control
        and "private" not in cache_control
    )


def _is_not_modified(request: HttpRequest, etag: str, modified: int) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # Weak comparison (RFC 9110 13.1.2), as for GET and HEAD.
        wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and modified <= since


def _finish(response: HttpResponse, *, etag: str, version: int) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified(version))
    patch_cache_control(response, public=True, max_age=settings.API_CACHE_MAX_AGE, must_revalidate=True)
    # As the cache key: shared caches downstream must keep JSON and YAML schema answers apart.
    patch_vary_headers(response, ["Accept"])
    return response


def _not_modified(*, etag: str, version: int) -> HttpResponse:
    return _finish(HttpResponseNotModified(), etag=etag, version=version)


def _lookup_and_count(keys: list[str], windows: list[RateWindow]) -> tuple[dict, dict[str, int]]:
    """The cached values of ``keys``, and one hit counted on each rate window (one round trip with
    Redis); the counts by window key."""
    if hasattr(cache, "get_many_and_incr_windows"):  # hackthetrack.redis_cache
        found, counts = cache.get_many_and_incr_windows(keys, [(window.key, window.timeout) for window in windows])
    else:
        found = cache.get_many(keys)
        counts = [window_hits(cache, window.key, timeout=window.timeout) for window in windows]
    return found, {window.key: count for window, count in zip(windows, counts)}


class ApiResponseCacheMiddleware:
    """Serve GET /api/ answers from the cache and revalidate them; see the module docstring.

    For every /api/ request (any method) one Redis round trip reads the data version, the cached
    answer of a GET, and counts the request against the client's rates. Requests answered here
    never reach DRF, so they are throttled here with the same throttles; the others carry their
    counts to the view's throttles (``request.rate_hits``, see hackthetrack.throttling), so each
    request counts once, and the version to whatever reads ``data_version()`` while they run.
    Installed after AuthenticationMiddleware (the rate depends on the user) and before the
    middleware that has nothing to do for a cached answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api_request(request):
            return self.get_response(request)
        key = _response_key(request) if request.method in CACHED_METHODS else None
        windows = request_windows(request)
        try:
            keys = [DATA_VERSION_KEY] if key is None else [DATA_VERSION_KEY, key]
            found, request.rate_hits = _lookup_and_count(keys, windows)
            version = _data_version_started(found.get(DATA_VERSION_KEY))
        except RedisError:
            # The cache is an optimisation: without Redis the API still answers, uncached.
            logger.warning("API cache unavailable, answering without it", exc_info=True)
            return self.get_response(request)
        token = _request_data_version.set(version)
        try:
            if key is None:
                return self.get_response(request)
            return self._cached_or_computed(request, key=key, version=version, cached=found.get(key), windows=windows)
        finally:
            _request_data_version.reset(token)

    def _cached_or_computed(self, request: HttpRequest, *, key: str, version: int, cached: CachedResponse | None,
                            windows: list[RateWindow]) -> HttpResponse:
        if cached is not None and cached.version == version:
            if (throttled := throttled_response(request, windows, request.rate_hits)) is not None:
                return throttled
            if _is_not_modified(request, cached.etag, last_modified(version)):
                return _not_modified(etag=cached.etag, version=version)
            return cached.to_response()

        response = self.get_response(request)
        if not _is_cacheable_response(response):
            return response
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response = _finish(response, etag=etag, version=version)
        if len(response.content) <= settings.API_CACHE_MAX_BYTES:
            entry = CachedResponse(version, response.status_code, tuple(response.items()), response.content, etag)
            try:
                cache.set(key, entry, timeout=settings.API_CACHE_TIMEOUT)
            except RedisError:
                logger.warning("API cache unavailable, answer not stored", exc_info=True)
        if _is_not_modified(request, etag, last_modified(version)):
            return _not_modified(etag=etag, version=version)
        return response
