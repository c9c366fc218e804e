"""OpenAPI pieces shared by every endpoint: the error envelope and the standard error responses.

Three drf-spectacular post-processing hooks document what the cross-cutting layers do, so that views
declare only their own, specific rules:
- ``add_error_responses``: on every operation, the errors those layers can answer (throttling,
  500s, 400 and 404 with parameters or a body, 401/403 on writes, 415 on bodies, 304 on revalidated
  GETs), unless the view documented that status itself;
- ``forbid_nul_characters``: that no text the client sends may hold a NUL character;
- ``allow_empty_optional_queries``: that an optional query parameter may come empty (``?season=``):
  DRF's fields and django-filter read it as absent.
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


def _operations(result: dict):
    for methods in result.get("paths", {}).values():
        yield from methods.values()


# No NUL: hackthetrack.middleware.RequestLimitsMiddleware refuses one anywhere in a URL, DRF's
# CharField in a body (400 both; PostgreSQL could not even compare it).
NO_NUL_PATTERN = "^[^\\x00]*$"


def _forbid_nul(schema: dict, components: dict) -> None:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rpartition("/")[2], {})
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = NO_NUL_PATTERN
    for nested in schema.get("properties", {}).values():
        _forbid_nul(nested, components)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _forbid_nul(schema[key], components)


def forbid_nul_characters(result, generator, request, public):
    """A NUL-free pattern on every free-text parameter and request body string (one without a
    pattern, choices or format of its own). Request bodies have components of their own
    (``COMPONENT_SPLIT_REQUEST``), so no answer's schema changes."""
    components = result.get("components", {}).get("schemas", {})
    for operation in _operations(result):
        for parameter in operation.get("parameters", []):
            _forbid_nul(parameter.get("schema", {}), components)
        for content in operation.get("requestBody", {}).get("content", {}).values():
            _forbid_nul(content.get("schema", {}), components)
    return result


def allow_empty_optional_queries(result, generator, request, public):
    """``allowEmptyValue`` on every optional query parameter: DRF's serializer fields (an HTML-form
    input), django-filter and the pagination read ``?name=`` as no value, so it is answered as if
    the parameter were absent. Not on an object exploded into parameters of its own (the telemetry
    lists' operator filters): there is no parameter of that name to give empty."""
    for operation in _operations(result):
        for parameter in operation.get("parameters", []):
            exploded_object = parameter.get("schema", {}).get("type") == "object"
            if parameter["in"] == "query" and not parameter.get("required") and not exploded_object:
                parameter["allowEmptyValue"] = True
    return result
