"""Cached anonymous GETs answered at the WSGI edge, before Django builds a request.

A cached answer that goes through Django spends most of its time in Django's request, middleware
and response machinery, not in its one round trip (issue 17). ``EdgeCache`` wraps the WSGI
application (hackthetrack/wsgi.py) and answers from the worker's own memory what Django answered
this worker before for the same request in the same data version. It costs the round trip that
``ApiResponseCacheMiddleware`` makes (hackthetrack/cache.py) to read the data version and count the
request against its client's rate, if any: none for most requests where the worker keeps the
version in memory (hackthetrack/version_watch.py) and Redis counts the rates
(hackthetrack/rate_batches.py), else one to PostgreSQL.

It answers a GET under /api/ (not /api/health) without credentials (no Authorization header, no
session cookie), without a body or a NUL in its URL, to an allowed host, over HTTPS when HTTPS is
required, from a client within its rates, once Django has answered the same path, query string and
Accept header in the current data version. Every promise of the path through Django is kept:

- the data version: the memory holds the answers of one version, the one its last query read; a
  new version forgets them all, so an answer of an older version is never served;
- ETag and 304: the stored answer is Django's, validators and all; a conditional request that
  matches gets the 304 Django gave for it (learned from Django's first 304 of that answer, even
  before the answer itself: a new worker may see nothing but revalidations of it);
- CORS: the Access-Control-* headers are worked out for each request with django-cors-headers'
  settings and its own origin check, for allowed origins only;
- the anonymous rate limit across workers: counted as Django counts it; a client over its rate
  goes on to Django, which answers 429;
- a request id (``X-Request-ID``) and one log line, as ``RequestIdMiddleware`` gives them.

Whatever the edge does not answer goes on to Django unchanged, with the version and the counts the
edge read in its environ (``EDGE_COUNTED``): the middleware uses them rather than counting the
request twice, and marks a cacheable answer with its version (``EDGE_ANSWER_VERSION``), which is how
the edge learns it. A stored answer's headers are Django's, less the request id and the CORS
headers, which are the request's own; headers may come in another order (HTTP does not order them).
"""

import dataclasses
import functools
import re
import threading
import time
from collections import OrderedDict
from types import SimpleNamespace
from urllib.parse import urlsplit

from corsheaders.conf import conf as cors_conf
from corsheaders.middleware import CorsMiddleware
from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.db import OperationalError
from django.http.request import split_domain_port, validate_host

from hackthetrack.cache import (
    EDGE_ANSWER_VERSION,
    EDGE_COUNTED,
    UNVERSIONED_PATHS,
    _is_not_modified,
    _version_and_hits,
    last_modified,
)
from hackthetrack.db import reconnecting_once
from hackthetrack.middleware import REQUEST_ID_HEADER, log_request, request_id_of
from hackthetrack.throttling import request_windows

# Paths the edge keys as they come: Django reads each of them as the same ``request.path``.
PLAIN_PATH = re.compile(r"^/[A-Za-z0-9/._~-]*$")
CONDITIONAL_HEADERS = (("If-None-Match", "HTTP_IF_NONE_MATCH"), ("If-Modified-Since", "HTTP_IF_MODIFIED_SINCE"))
NOT_MODIFIED = "304 Not Modified"

# Only its origin check is used (it reads django-cors-headers' settings at each call).
_cors = CorsMiddleware(lambda request: None)


@dataclasses.dataclass
class EdgeAnswer:
    status: str | None  # None: only Django's 304 for it is known, not the answer itself
    headers: list[tuple[str, str]]  # Django's, less the request's own (request id, CORS)
    body: bytes
    etag: str
    expires: float  # time.monotonic(): kept API_CACHE_TIMEOUT from when Django gave it, as the response cache
    not_modified_headers: list[tuple[str, str]] | None = None  # Django's 304 for it, once seen

    @property
    def size(self) -> int:
        headers = [*self.headers, *(self.not_modified_headers or [])]
        return len(self.body) + sum(len(name) + len(value) for name, value in headers) + 200


def _is_per_request(name: str) -> bool:
    name = name.lower()
    return name == REQUEST_ID_HEADER.lower() or name.startswith("access-control-")


def _is_secure(environ: dict) -> bool:
    """As ``HttpRequest.is_secure``."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _is_allowed_host(environ: dict) -> bool:
    """As ``HttpRequest.get_host`` accepts the host (else Django answers 400, and the edge lets it)."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST")
    if not host:
        return False
    allowed_hosts = tuple(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = (".localhost", "127.0.0.1", "[::1]")
    return _is_allowed(host, allowed_hosts)


# Hosts seen are few (a client sends what it was given); judging one was over half the time of the
# edge's checks of a request (_is_answerable).
@functools.lru_cache(maxsize=256)
def _is_allowed(host: str, allowed_hosts: tuple[str, ...]) -> bool:
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed_hosts)


def _is_answerable(environ: dict) -> bool:
    """A request the edge may answer: see the module docstring; the rest is Django's."""
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    return (
        environ.get("REQUEST_METHOD") == "GET"
        and path.startswith(settings.API_PATH_PREFIX)
        and path not in UNVERSIONED_PATHS
        and PLAIN_PATH.match(path) is not None
        and not environ.get("SCRIPT_NAME")
        and settings.FORCE_SCRIPT_NAME is None
        and "\x00" not in query
        and "%00" not in query
        # Credentials: the view's to check, and they decide whose rate counts.
        and "HTTP_AUTHORIZATION" not in environ
        and settings.SESSION_COOKIE_NAME not in environ.get("HTTP_COOKIE", "")
        and environ.get("CONTENT_LENGTH", "") in ("", "0")
        and "HTTP_TRANSFER_ENCODING" not in environ
        # Origins that a receiver of django-cors-headers' signal may allow are Django's to judge.
        and not ("HTTP_ORIGIN" in environ and check_request_enabled.has_listeners())
        and (_is_secure(environ) or not settings.SECURE_SSL_REDIRECT)
        and _is_allowed_host(environ)
    )


def _cors_headers(environ: dict, path: str) -> list[tuple[str, str]]:
    """The Access-Control-* headers django-cors-headers gives this request's answer (none for an
    origin it does not allow); its ``Vary: origin`` is in the stored answer."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin or not re.match(cors_conf.CORS_URLS_REGEX, path):
        return []
    try:
        url = urlsplit(origin)
    except ValueError:
        return []
    if not cors_conf.CORS_ALLOW_ALL_ORIGINS and not _cors.origin_found_in_white_lists(origin, url):
        return []
    any_origin = cors_conf.CORS_ALLOW_ALL_ORIGINS and not cors_conf.CORS_ALLOW_CREDENTIALS
    headers = [("access-control-allow-origin", "*" if any_origin else origin)]
    if cors_conf.CORS_ALLOW_CREDENTIALS:
        headers.append(("access-control-allow-credentials", "true"))
    if len(cors_conf.CORS_EXPOSE_HEADERS):
        headers.append(("access-control-expose-headers", ", ".join(cors_conf.CORS_EXPOSE_HEADERS)))
    if cors_conf.CORS_ALLOW_PRIVATE_NETWORK and environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true":
        headers.append(("access-control-allow-private-network", "true"))
    return headers


class EdgeCache:
    """WSGI middleware: see the module docstring. One per worker process (created before the fork
    with ``preload_app``, each worker fills its own)."""

    def __init__(self, app, *, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes
        self.version: int | None = None
        self.answers: OrderedDict[tuple, EdgeAnswer] = OrderedDict()  # least recently served first
        self.bytes = 0
        self.lock = threading.Lock()  # gunicorn's threaded workers share one

    def __call__(self, environ, start_response):
        if not _is_answerable(environ):
            return self.app(environ, start_response)
        started = time.perf_counter()
        windows = request_windows(SimpleNamespace(META=environ, user=None))
        try:
            version, hits = reconnecting_once(lambda: _version_and_hits(windows))
        except OperationalError:
            return self.app(environ, start_response)  # Django answers 503, as ever
        environ[EDGE_COUNTED] = (version, hits)
        path, query, accept = environ["PATH_INFO"], environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", "")
        key = (_is_secure(environ), path, query, accept)
        with self.lock:
            if version != self.version:
                self._forget_all(version)
            answer = self.answers.get(key)
            if answer is not None and answer.expires <= time.monotonic():
                self.bytes -= self.answers.pop(key).size
                answer = None
            if answer is not None:
                self.answers.move_to_end(key)
        if answer is None or any(window.exceeded(hits.get(window.key, 0)) for window in windows):
            return self._through_django(environ, start_response, key)

        conditional = SimpleNamespace(
            headers={name: environ[meta] for name, meta in CONDITIONAL_HEADERS if meta in environ}
        )
        if conditional.headers and _is_not_modified(conditional, answer.etag, last_modified(version)):
            if answer.not_modified_headers is None:
                return self._through_django(environ, start_response, key)
            status, headers, body = NOT_MODIFIED, answer.not_modified_headers, b""
        elif answer.status is None:
            return self._through_django(environ, start_response, key)
        else:
            status, headers, body = answer.status, answer.headers, answer.body
        request_id = request_id_of(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response(status, [*headers, (REQUEST_ID_HEADER, request_id), *_cors_headers(environ, path)])
        log_request("GET", path, int(status[:3]), (time.perf_counter() - started) * 1000, request_id)
        return [body]

    def _through_django(self, environ, start_response, key: tuple):
        """Django's answer, unchanged; kept when the response cache marked it as the current version's."""
        seen = {}

        def start_response_seen(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        response = self.app(environ, start_response_seen)
        if environ.get(EDGE_ANSWER_VERSION) is not None and not getattr(response, "streaming", True):
            self._learn(
                key, environ[EDGE_ANSWER_VERSION], seen.get("status", ""), seen.get("headers", []), response.content
            )
        return response

    def _learn(self, key: tuple, version: int, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        if settings.API_CACHE_TIMEOUT <= 0:
            return  # the response cache is off: so is the edge's memory
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return  # one visitor's (never the case for a cacheable answer; checked all the same)
        kept = [(name, value) for name, value in headers if not _is_per_request(name)]
        etag = next((value for name, value in headers if name.lower() == "etag"), None)
        if etag is None:
            return
        with self.lock:
            if version != self.version:
                return  # an answer of a version other than the one the edge serves (a write meanwhile)
            previous = self.answers.get(key)
            if previous is not None and previous.etag != etag:
                previous = None  # another answer's (the response cache's entry expired meanwhile)
            expires = time.monotonic() + settings.API_CACHE_TIMEOUT
            if status.startswith("200"):
                answer = EdgeAnswer(status, kept, body, etag, expires, previous and previous.not_modified_headers)
            elif status.startswith("304") and previous is not None:
                answer = dataclasses.replace(previous, not_modified_headers=kept)
            elif status.startswith("304"):
                answer = EdgeAnswer(None, [], b"", etag, expires, not_modified_headers=kept)
            else:
                return
            self._keep(key, answer)

    def _keep(self, key: tuple, answer: EdgeAnswer) -> None:
        if answer.size > min(self.max_bytes, settings.API_CACHE_MAX_BYTES):
            return
        if (replaced := self.answers.pop(key, None)) is not None:
            self.bytes -= replaced.size
        self.answers[key] = answer
        self.bytes += answer.size
        while self.bytes > self.max_bytes:
            self.bytes -= self.answers.popitem(last=False)[1].size

    def _forget_all(self, version: int) -> None:
        self.version = version
        self.answers.clear()
        self.bytes = 0


def edge_cache_wrap(app):
    """``app`` behind the edge cache, unless ``EDGE_CACHE`` is off."""
    if not settings.EDGE_CACHE:
        return app
    return EdgeCache(app, max_bytes=settings.EDGE_CACHE_MAX_BYTES)
