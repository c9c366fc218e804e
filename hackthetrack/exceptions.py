"""One error shape for the whole API: {"error": ..., "details": {...}, "path": ...}."""

from rest_framework.views import exception_handler


def envelope_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        error, details = str(data["detail"]), {}
    else:
        error, details = "Invalid request", data if isinstance(data, dict) else {"non_field_errors": data}
    response.data = {"error": error, "details": details, "path": request.path if request else None}
    return response
