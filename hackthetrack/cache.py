"""API response caching and HTTP revalidation, tied to the one data version in PostgreSQL.

How to use it:

- Nothing is needed after a write to PostgreSQL: the data version (``hackthetrack.data_version``)
  moves on in the write's own transaction, whichever process writes. A write PostgreSQL does not
  see (the warehouse's telemetry) calls ``invalidate_api_cache()`` after its commit
  (``transaction.on_commit(invalidate_api_cache, using=...)``); it never raises.
- Nothing is needed in views. ``ApiResponseCacheMiddleware`` (installed in settings) reads the data
  version, and counts the request against its client's rates, in one round trip per ``/api/``
  request: to Redis when the worker keeps the version in memory (``hackthetrack.version_watch``)
  and Redis counts the rates, else to PostgreSQL. It caches every successful GET without an
  ``Authorization`` header by version and full path (an answer of an older version than the one
  the request starts in is never served, whatever the cache holds or held), adds
  ``ETag`` (hash of the body), ``Last-Modified`` (time of the data version) and ``Cache-Control``,
  and answers ``If-None-Match`` / ``If-Modified-Since`` with 304 from the cache.
- An answer computed for the cache reads one snapshot of PostgreSQL, the one its version is read
  in (a REPEATABLE READ, READ ONLY transaction): it never mixes two versions.
- A view whose answer must not be cached (health, anything live) marks its response with
  ``Cache-Control: no-store`` (``django.views.decorators.cache.never_cache``); an answer that sets
  a cookie or varies on it is never stored either.

The cache is Django's default cache: local memory per process unless ``REDIS_URL`` is set (Redis
then shares the answers between processes). Either way the version comes from PostgreSQL, so
every process answers the current version on its next request. The cache is an optimisation: when
Redis is down, the API answers uncached.
"""

import contextvars
import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from redis import RedisError

from hackthetrack.data_version import VERSION_SELECT, version_bump, version_read
from hackthetrack.db import reconnecting_once
from hackthetrack.exceptions import database_unavailable_response
from hackthetrack.redis_cache import RedisCircuitOpen
from hackthetrack.release import code_release
from hackthetrack.throttling import (
    RateWindow,
    expired_counters_delete_sometimes,
    hits_counted_sql,
    redis_hits_counted,
    request_windows,
    throttled_response,
)
from hackthetrack.version_watch import data_version_watch

logger = logging.getLogger("hackthetrack.cache")
CACHED_METHODS = frozenset({"GET", "HEAD"})
# Probes of the service's own state: they must answer (and name what is down) when PostgreSQL does not.
UNVERSIONED_PATHS = frozenset({"/api/health"})
INVALIDATE_ATTEMPTS = 3
INVALIDATE_BACKOFF_S = 0.2
# The WSGI edge (hackthetrack/edge_cache.py) and this middleware speak through the request's environ:
# the edge leaves the data version and rate counts it read (the request counts once), this
# middleware the version of a cacheable answer (the edge keeps it).
EDGE_COUNTED = "hackthetrack.edge_counted"
EDGE_ANSWER_VERSION = "hackthetrack.edge_answer_version"


# The data version an API request started in: read with its rate counts (one query), so that what
# the request reads afterwards costs none and is all of one version.
_request_data_version: contextvars.ContextVar[int | None] = contextvars.ContextVar("api_data_version", default=None)


def data_version() -> int:
    """The current data version (see hackthetrack.data_version). Within an API request, the version
    the request started in (``ApiResponseCacheMiddleware``)."""
    version = _request_data_version.get()
    if version is not None:
        return version
    return version_read()


def invalidate_api_cache() -> int | None:
    """Start a new data version, so that every cached API response is recomputed; returns it.

    For writes outside PostgreSQL, called after their commit: it never raises. PostgreSQL down is
    retried, then logged as an error (the cached answers of the warehouse's data then stay until
    the next version or ``API_CACHE_TIMEOUT``); the write itself is committed all the same."""
    for attempt in range(1, INVALIDATE_ATTEMPTS + 1):
        try:
            version = version_bump()
        except DatabaseError:
            if connection.in_atomic_block or attempt == INVALIDATE_ATTEMPTS:
                logger.exception("Could not start a new data version; cached answers may be stale")
                return None
            logger.warning("Could not start a new data version, trying again", exc_info=True)
            connection.close()  # a connection PostgreSQL dropped is not reused
            time.sleep(INVALIDATE_BACKOFF_S * attempt)
            continue
        if _request_data_version.get() is not None:
            _request_data_version.set(version)  # what this request reads from now on is of the new version
        return version
    return None


def last_modified(version: int) -> int:
    """Seconds since the epoch of a data version (what ``Last-Modified`` carries)."""
    return version // 1_000_000_000


@dataclass(frozen=True)
class CachedResponse:
    status: int
    # The computed answer's, as it left this middleware (Content-Type, Content-Length, Allow, Vary,
    # the validators...): a cached answer carries the same headers, and costs no work to rebuild them.
    headers: tuple[tuple[str, str], ...]
    content: bytes
    etag: str

    def to_response(self) -> HttpResponse:
        return HttpResponse(self.content, status=self.status, headers=dict(self.headers))


def _response_key(request: HttpRequest, version: int) -> str:
    # Accept is part of the key: the schema endpoint answers JSON or YAML by it. So are the data
    # version (an entry of another version, even one a restarted Redis kept, is never found) and the
    # code's release (an answer another release cached, or an entry of another shape, is not this
    # release's). The host is not: no cached answer depends on it (/api/, whose links do, is never
    # cached), so the answers the refresh warms serve every host.
    variant = f"{request.get_full_path()}\n{request.headers.get('Accept', '')}"
    digest = hashlib.sha256(variant.encode()).hexdigest()
    return f"hackthetrack:api:response:{code_release()}:{version}:{digest}"


def _is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(settings.API_PATH_PREFIX) and request.path not in UNVERSIONED_PATHS


def _is_cacheable_response(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and "no-store" not in cache_control
        and "private" not in cache_control
        # A cookie is one visitor's (the docs page's CSRF token): never served to another.
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
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


def _version_and_hits(windows: list[RateWindow]) -> tuple[int, dict[str, int]]:
    """The data version, and one hit counted on each rate window; the counts by key. With the
    version in memory (``data_version_watch``) and Redis counting, at most one Redis round trip
    (none for most, hackthetrack/rate_batches.py); else one PostgreSQL query."""
    version = data_version_watch.current()
    if version is not None:
        hits = redis_hits_counted(windows) if windows else {}
        if hits is not None:
            return version, hits
    with connection.cursor() as cursor:
        if not windows:
            cursor.execute(VERSION_SELECT)
            return cursor.fetchone()[0], {}
        counted, params = hits_counted_sql(windows)
        cursor.execute(f"WITH counted AS ({counted}) SELECT ({VERSION_SELECT}), key, hits FROM counted", params)
        rows = cursor.fetchall()
    expired_counters_delete_sometimes()
    return rows[0][0], {key: hits for _, key, hits in rows}


def _cache_get(key: str) -> CachedResponse | None:
    try:
        return cache.get(key)
    except RedisCircuitOpen:  # logged when it opened
        return None
    except RedisError:
        # The cache is an optimisation: without Redis the API still answers, uncached.
        logger.warning("API cache unavailable, answering without it", exc_info=True)
        return None


class ApiResponseCacheMiddleware:
    """Serve GET /api/ answers from the cache and revalidate them; see the module docstring.

    For every /api/ request (any method) one round trip (``_version_and_hits``) reads the data
    version and counts the request against the client's rates (PostgreSQL down: 503 at once). Cached answers are then
    throttled here with the same throttles; the other requests carry their counts to the view's
    throttles (``request.rate_hits``, see hackthetrack.throttling), so each request counts once, and
    the version to whatever reads ``data_version()`` while they run. Installed after
    AuthenticationMiddleware (the rate depends on the user) and before the middleware that has
    nothing to do for a cached answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _is_api_request(request):
            return self.get_response(request)
        windows = request_windows(request)
        counted_at_edge = request.META.get(EDGE_COUNTED)
        try:
            version, request.rate_hits = counted_at_edge or reconnecting_once(lambda: _version_and_hits(windows))
        except OperationalError:
            logger.exception("Database unavailable")
            return database_unavailable_response(request)
        token = _request_data_version.set(version)
        try:
            if request.method not in CACHED_METHODS or "HTTP_AUTHORIZATION" in request.META:
                # Credentials (Basic auth) are the view's to check, and they decide whose rate counts.
                return self.get_response(request)
            return self._cached_or_computed(request, version=version, windows=windows)
        finally:
            _request_data_version.reset(token)

    def _cached_or_computed(self, request: HttpRequest, *, version: int, windows: list[RateWindow]) -> HttpResponse:
        request.get_host()  # a host not allowed: 400 (DisallowedHost), as CommonMiddleware gives a computed answer
        cached = _cache_get(_response_key(request, version))
        if cached is not None:
            request.META[EDGE_ANSWER_VERSION] = version
            if (throttled := throttled_response(request, windows, request.rate_hits)) is not None:
                return throttled
            if _is_not_modified(request, cached.etag, last_modified(version)):
                return _not_modified(etag=cached.etag, version=version)
            return cached.to_response()

        response, version = self._computed_in_one_snapshot(request, version)
        if not _is_cacheable_response(response):
            return response
        request.META[EDGE_ANSWER_VERSION] = version
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response = _finish(response, etag=etag, version=version)
        if len(response.content) <= settings.API_CACHE_MAX_BYTES:
            entry = CachedResponse(response.status_code, tuple(response.items()), response.content, etag)
            try:
                cache.set(_response_key(request, version), entry, timeout=settings.API_CACHE_TIMEOUT)
            except RedisCircuitOpen:
                pass
            except RedisError:
                logger.warning("API cache unavailable, answer not stored", exc_info=True)
        if _is_not_modified(request, etag, last_modified(version)):
            return _not_modified(etag=etag, version=version)
        return response

    def _computed_in_one_snapshot(self, request: HttpRequest, version: int) -> tuple[HttpResponse, int]:
        """The view's answer read in one snapshot of PostgreSQL, and that snapshot's version (the
        version read before may have moved on meanwhile)."""
        if connection.in_atomic_block:  # a caller's transaction (tests): its snapshot is the caller's
            return self.get_response(request), version
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Both in one round trip (about 75 µs of CPU less per computed answer): the
                    # snapshot is taken by the SELECT, after the isolation level is set.
                    cursor.execute(f"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY; {VERSION_SELECT}")
                    cursor.nextset()  # past SET TRANSACTION's result, which has no rows
                    version = cursor.fetchone()[0]
                _request_data_version.set(version)
                response = self.get_response(request)
        except OperationalError:  # PostgreSQL went away during the request (the commit failed)
            logger.exception("Database unavailable")
            return database_unavailable_response(request), version
        return response, version
