"""The OpenAPI schema: it validates, documents the errors, and the API keeps to it (schemathesis)."""

import re
from urllib.parse import urlencode

import jsonschema
import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis import checks

from hackthetrack.wsgi import application

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_every_operation_documents_the_cross_cutting_errors(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()

    assert "ErrorEnvelope" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"429", "500"} <= set(operation["responses"]), (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)


def _text_inputs(schema: dict):
    """(where, schema) of every string the client sends: parameters, and request bodies' strings."""
    components = schema["components"]["schemas"]

    def strings(where: str, node: dict):
        if "$ref" in node:
            node = components[node["$ref"].rpartition("/")[2]]
        if node.get("type") == "string":
            yield where, node
        for name, nested in node.get("properties", {}).items():
            yield from strings(f"{where}.{name}", nested)
        if isinstance(node.get("additionalProperties"), dict):
            yield from strings(f"{where}.*", node["additionalProperties"])

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield from strings(f"{method} {path} {parameter['name']}", parameter["schema"])
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield from strings(f"{method} {path} body", content["schema"])


def test_no_text_input_admits_a_nul_character_the_api_refuses(client, demo_season):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()

    inputs = list(_text_inputs(schema))
    assert any(where == "post /api/predict body.track_id" for where, _ in inputs)
    admitted = [where for where, text in inputs if jsonschema.Draft202012Validator(text).is_valid("barber\x00")]
    assert admitted == []
    # Where the API answers 400 for it: in a URL (middleware) and in a body (DRF's CharField).
    assert client.get("/api/drivers", {"name": "a\x00"}).status_code == 400
    body = {"driver_number": 1, "track_id": "barber\x00"}
    response = client.post("/api/predict", body, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["details"]) == {"track_id"}


def test_the_grid_is_published_as_taken(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    (grid,) = [p for p in schema["paths"]["/api/tracks/{id}/prediction"]["get"]["parameters"] if p["name"] == "grid"]
    cars = jsonschema.Draft202012Validator(grid["schema"])

    # Comma-separated (as the API reads it), each car once, numbers 1 to 9999.
    assert (grid["style"], grid["explode"]) == ("form", False)
    assert cars.is_valid([46, 13, 9999]) and cars.is_valid([])
    assert not cars.is_valid([46, 46]) and not cars.is_valid([0]) and not cars.is_valid([10000])


def test_skill_adjustments_publish_the_skills_they_take(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    body = jsonschema.Draft202012Validator(schema["components"]["schemas"]["PredictRequestRequest"])

    assert body.is_valid({"driver_number": 1, "track_id": "barber", "skill_adjustments": {"speed": 5}})
    assert not body.is_valid({"driver_number": 1, "track_id": "barber", "skill_adjustments": {"grip": 5}})
    assert not body.is_valid({"driver_number": 1, "track_id": "barber", "skill_adjustments": {"speed": 51}})


def test_docs_are_served_without_a_cdn(client):
    page = client.get("/api/docs/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page


class RequestCounter:
    """The WSGI app, counting the requests schemathesis sends."""

    def __init__(self, app):
        self.app = app
        self.requests = 0

    def __call__(self, environ, start_response):
        self.requests += 1
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def counted_app(request):
    # As Django's test client does: a request must not close the connection that holds the
    # test's transaction (with the connection pool, closing returns it, rolled back).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    app = RequestCounter(application)
    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"schemathesis sent {app.requests} requests to the API")


@pytest.fixture(scope="module")
def demo_season(django_db_setup, django_db_blocker):
    """The demo season, loaded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_fixtures", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def live_schema(demo_season, counted_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", counted_app)
    # The schema's own examples and generated cases; the exhaustive boundary ("coverage") phase
    # would multiply the requests several times over.
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema


schema = schemathesis.pytest.from_fixture("live_schema")


# What the API promises: no server error, and every answer as documented (status, media type,
# body, headers). Whether every schema-valid input is accepted is the endpoints' own business.
CONFORMANCE_CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@schema.parametrize()
@pytest.mark.django_db(databases=["default", "warehouse"])  # telemetry reads the warehouse
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_keeps_to_its_schema(case):
    case.call_and_validate(headers={"Host": "localhost"}, checks=CONFORMANCE_CHECKS)


every_operation = schemathesis.pytest.from_fixture("live_schema")


# Every check schemathesis has, the schema's negative cases included: invalid input must be refused
# (4xx in the envelope), valid input accepted, undocumented methods answered 405.
@every_operation.parametrize()
@pytest.mark.django_db(databases=["default", "warehouse"])
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_passes_every_schemathesis_check(case):
    case.call_and_validate(headers={"Host": "localhost"})


def _example_values(parameter: dict) -> list:
    if "example" in parameter:
        return [parameter["example"]]
    return [example["value"] for example in parameter.get("examples", {}).values()]


def _schema_example_requests(schema: dict):
    """(method, url, body) of every request the schema's examples describe: each body example, or
    the parameter examples alone, with every path parameter and required query parameter taken
    from its first example (a missing one is named in the URL, so the request fails visibly)."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            bodies = [example["value"] for example in content.get("examples", {}).values()]
            if "example" in content:
                bodies.append(content["example"])
            if not bodies and not any(_example_values(parameter) for parameter in parameters):
                continue
            url, query = path, {}
            for parameter in parameters:
                values = _example_values(parameter) or [f"<no example for {parameter['name']}>"]
                if parameter["in"] == "path":
                    url = url.replace("{" + parameter["name"] + "}", str(values[0]))
                elif parameter["in"] == "query" and (parameter.get("required") or _example_values(parameter)):
                    query[parameter["name"]] = values[0]
            for body in bodies or [None]:
                yield method, url, query, body


@pytest.mark.django_db(databases=["default", "warehouse"])
def test_every_request_example_of_the_schema_succeeds_on_the_demo_season(demo_season, client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()

    requests = list(_schema_example_requests(schema))
    failures = []
    for method, url, query, body in requests:
        if body is None:
            response = getattr(client, method)(url, query)
        else:
            response = getattr(client, method)(f"{url}?{urlencode(query)}", body, content_type="application/json")
        if response.status_code != 200:
            failures.append((method.upper(), url, query, body, response.status_code, response.content[:200]))

    assert len(requests) >= 3  # the predict and improve examples at least
    assert failures == []


@pytest.mark.django_db(databases=["default", "warehouse"])
def test_an_empty_optional_query_parameter_is_answered_as_an_absent_one(demo_season, client):
    # As the schema says (allowEmptyValue): ?season= is no season, ?limit= no limit.
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()

    compared, differences = 0, []
    for method, url, query, _body in _schema_example_requests(schema):
        if method != "get":
            continue
        parameters = schema["paths"][_template_of(schema, url)]["get"]["parameters"]
        absent = client.get(url, query)
        for parameter in parameters:
            if parameter["in"] != "query" or parameter.get("required") or parameter["name"] in query:
                continue
            if parameter["schema"].get("type") == "object":  # exploded: each property is a parameter
                continue
            assert parameter["allowEmptyValue"] is True, (url, parameter["name"])
            empty = client.get(url, {**query, parameter["name"]: ""})
            compared += 1
            if (empty.status_code, empty.content) != (absent.status_code, absent.content):
                differences.append((url, parameter["name"], absent.status_code, empty.status_code))

    assert compared >= 10  # the telemetry filters, pages and formats, the drivers' filters at least
    assert differences == []


def _template_of(schema: dict, url: str) -> str:
    """The schema's path that ``url`` (a path with its parameters filled in) comes from."""
    for template in schema["paths"]:
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, url):
            return template
    raise AssertionError(f"no path of the schema matches {url}")


def test_root_and_api_root_answer_with_links_to_the_resources_and_docs(client):
    assert client.get("/").headers["Location"] == "/api/"

    links = client.get("/api/").json()

    assert links["drivers"] == "http://testserver/api/drivers"
    assert links["docs"] == "http://testserver/api/docs/"
    assert links["schema"] == "http://testserver/api/schema/"
    assert links["driver"] == "http://testserver/api/drivers/{number}"
