"""One error shape for the whole API: {"error": ..., "details": {...}, "path": ...}.

DRF errors go through ``envelope_exception_handler``; errors Django raises itself (unknown URL,
uncaught exception, disallowed host, CSRF) go through the ``handler*`` views below, which answer
in the envelope under ``/api/`` and with Django's own pages elsewhere (the admin).
"""

import logging

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler

logger = logging.getLogger("hackthetrack.errors")


class ServiceUnavailable(APIException):
    """A backing service (the warehouse) cannot answer now; the client may retry later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service temporarily unavailable, try again later."
    default_code = "service_unavailable"


def envelope(*, error: str, details: dict | None = None, path: str | None) -> dict:
    return {"error": error, "details": details or {}, "path": path}


def error_response(request: HttpRequest, *, status: int, error: str, details: dict | None = None) -> JsonResponse:
    """An error answer in the envelope, for code outside DRF (middleware, Django handlers)."""
    return JsonResponse(envelope(error=error, details=details, path=request.path), status=status)


# What a client may wait before trying again when PostgreSQL is down (seconds).
DATABASE_RETRY_AFTER = 2


def database_unavailable_response(request: HttpRequest) -> JsonResponse:
    """503 when PostgreSQL cannot answer (down, restarting): the client may retry shortly."""
    response = error_response(request, status=503, error="Database unavailable, try again later.")
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def envelope_exception_handler(exc, context):
    if isinstance(exc, OperationalError):
        # A database or the warehouse cannot answer (down, timed out): the client may retry, so
        # 503 rather than 500; the trace is logged with the request id.
        logger.error("Database unavailable", exc_info=exc)
        exc = ServiceUnavailable()
    response = exception_handler(exc, context)
    if response is None:
        # Uncaught: Django logs the stack trace and answers through handler500.
        return None
    request = context.get("request")
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        error, details = str(data["detail"]), {}
    else:
        error, details = "Invalid request", data if isinstance(data, dict) else {"non_field_errors": data}
    response.data = envelope(error=error, details=details, path=request.path if request else None)
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(settings.API_PATH_PREFIX)


def handler400(request, exception=None):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    return error_response(request, status=400, error="Bad request")


def handler403(request, exception=None):
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return error_response(request, status=403, error="You do not have permission to perform this action.")


def handler404(request, exception=None):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return error_response(request, status=404, error="Not found.")


def handler500(request):
    """The stack trace is already logged (django.request, with path and request id); the client
    gets only the request id to quote."""
    if not _is_api(request):
        return defaults.server_error(request)
    request_id = getattr(request, "request_id", None)
    return error_response(request, status=500, error="Internal server error", details={"request_id": request_id})


def csrf_failure(request, reason=""):
    if not _is_api(request):
        from django.views.csrf import csrf_failure as django_csrf_failure

        return django_csrf_failure(request, reason)
    return error_response(request, status=403, error="CSRF verification failed.", details={"reason": reason})
