"""Request id and one structured log line per request; limits on what a request may carry.

Every request gets an id: the client's ``X-Request-ID`` when it is a sane token (so a proxy's or
the frontend's id follows the request through), else a new one. It is echoed in the response
header, attached to every log record written while the request runs (``RequestIdLogFilter``) and
quoted in 500 answers, so a user's report leads to the stack trace.
"""

import contextvars
import logging
import re
import secrets
import time
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# Long enough for UUIDs and trace ids; nothing that could forge a log line.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# logfmt, one line: what Heroku's log tooling and grep both read.
REQUEST_LINE = "method=%s path=%s status=%s duration_ms=%.1f request_id=%s"
# What the path keeps unquoted in that line (a space or a newline could not forge a field).
LOG_PATH_SAFE = "/:@-._~!$&'()*+,;="

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
request_logger = logging.getLogger("hackthetrack.request")


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


def request_id_of(incoming: str) -> str:
    """The client's ``X-Request-ID`` when it is a sane token, else a new one (32 hex digits)."""
    return incoming if VALID_REQUEST_ID.match(incoming) else secrets.token_hex(16)


def log_request(method: str, path: str, status: int, duration_ms: float, request_id: str) -> None:
    """The request's one line on ``hackthetrack.request``, with its fields as record attributes.

    Built with ``makeRecord`` and ``handle`` rather than ``info``: that skips ``findCaller``'s walk
    up the stack, the dearest part of a line written for every request (docs/benchmarks.md)."""
    if not request_logger.isEnabledFor(logging.INFO):
        return
    record = request_logger.makeRecord(
        request_logger.name,
        logging.INFO,
        __file__,
        0,
        REQUEST_LINE,
        (method, quote(path, safe=LOG_PATH_SAFE), status, duration_ms, request_id),
        None,
        extra={"method": method, "path": path, "status": status, "duration_ms": round(duration_ms, 1)},
    )
    record.request_id = request_id
    request_logger.handle(record)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.request_id = request_id_of(request.headers.get(REQUEST_ID_HEADER, ""))
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            duration_ms = (time.perf_counter() - started) * 1000
            log_request(request.method, request.path, response.status_code, duration_ms, request.request_id)
            return response
        finally:
            current_request_id.reset(token)


class RequestLimitsMiddleware:
    """Refuse, before any work, what no view could answer: a NUL byte in the path or query string
    (PostgreSQL cannot even compare it: 400) and a body over REQUEST_MAX_BODY_BYTES (413, judged
    from Content-Length, before reading it). Both in the API's envelope under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Imported here: this module is loaded by the logging configuration, before the apps.
        from hackthetrack.exceptions import error_response, handler400

        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            if not request.path.startswith(settings.API_PATH_PREFIX):
                return handler400(request)
            return error_response(request, status=400, error="A NUL character is not allowed in the URL.")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return handler400(request)
        if length > settings.REQUEST_MAX_BODY_BYTES:
            return error_response(
                request,
                status=413,
                error="Request body too large.",
                details={"max_bytes": settings.REQUEST_MAX_BODY_BYTES},
            )
        return self.get_response(request)
