"""OpenAPI pieces shared by every endpoint: the error envelope and the standard error responses.

``add_error_responses`` (a drf-spectacular post-processing hook) documents on every operation the
errors the cross-cutting layers can answer (throttling, 500s, 400 and 404 with parameters or a
body, 401/403 on writes, 415 on bodies, 304 on revalidated GETs), unless the view documented that
status itself. Views therefore only declare their own, specific responses.
"""

from rest_framework import serializers

ERROR_COMPONENT = "ErrorEnvelope"
SAFE_METHODS = {"get", "head", "options"}


class ErrorEnvelopeSerializer(serializers.Serializer):
    """The body of every error answer (component ``ErrorEnvelope``)."""

    error = serializers.CharField(help_text="What went wrong, for people")
    details = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Per-field validation messages, or context such as the request id of a 500",
    )
    path = serializers.CharField(allow_null=True, help_text="The request path")


STANDARD_ERRORS = {
    "400": ("Invalid input: the details name each offending field.", "Invalid request", {"field": ["message"]}),
    "401": ("Not signed in: writes need a staff user.", "Authentication credentials were not provided.", {}),
    "403": ("Signed in but not staff.", "Writing needs a signed-in staff user.", {}),
    "404": ("Nothing at this address.", "Not found.", {}),
    "415": ("The body is not JSON.", 'Unsupported media type "text/plain" in request.', {}),
    "429": (
        "Too many requests from this client; see Retry-After.",
        "Request was throttled. Expected available in 42 seconds.",
        {},
    ),
    "500": ("Unexpected failure; quote the request id.", "Internal server error", {"request_id": "3f2b9c0e"}),
}


def _error_response(status: str, path: str) -> dict:
    description, error, details = STANDARD_ERRORS[status]
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"},
                "example": {"error": error, "details": details, "path": path},
            }
        },
    }


def _is_public(operation: dict) -> bool:
    # drf-spectacular lists no-credentials ({}) among the security of a view declared AllowAny.
    return {} in operation.get("security", [])


def _statuses_for(method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = ["429", "500"]
    if parameters or "requestBody" in operation:
        # Parameters and bodies name things (a driver, a track, a lap) that may not exist.
        statuses += ["400", "404"]
    if "requestBody" in operation:
        statuses.append("415")
    if method not in SAFE_METHODS and not _is_public(operation):
        statuses += ["401", "403"]
    return statuses


def _example_path(path: str) -> str:
    return path.replace("{", "").replace("}", "")


def add_error_responses(result, generator, request, public):
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses_for(method, operation):
                responses.setdefault(status, _error_response(status, _example_path(path)))
            if method == "get":
                responses.setdefault("304", {"description": "Not modified since the ETag or date the client sent."})
            if method in SAFE_METHODS:
                # Public: no credentials needed (spectacular lists only the auth schemes).
                security = operation.setdefault("security", [])
                if {} not in security:
                    security.append({})
    return result
