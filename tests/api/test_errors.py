"""Every error answers {"error", "details", "path"}; 500s log the trace and return only a request id."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

TRACKS = "/api/probe/tracks"


def assert_envelope(response, status: int, path: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "details", "path"}
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["details"], dict)
    assert body["path"] == path
    return body


@pytest.fixture
def member_client(db):
    user = get_user_model().objects.create_user("member", password="pw-not-staff-123")
    client = Client()
    client.force_login(user)
    return client


def test_400_names_the_offending_field(admin_client):
    body = assert_envelope(admin_client.post(TRACKS, {"name": "No id"}, content_type="application/json"), 400, TRACKS)

    assert set(body["details"]) == {"id"}


def test_400_on_malformed_json(admin_client):
    response = admin_client.post(TRACKS, "{not json", content_type="application/json")

    assert "JSON parse error" in assert_envelope(response, 400, TRACKS)["error"]


def test_401_for_an_anonymous_write(client):
    response = client.post(TRACKS, {"id": "x", "name": "X"}, content_type="application/json")

    assert_envelope(response, 401, TRACKS)
    assert response["WWW-Authenticate"].startswith("Basic")


def test_403_for_a_signed_in_user_who_is_not_staff(member_client):
    assert_envelope(member_client.post(TRACKS, {"id": "x", "name": "X"}, content_type="application/json"), 403, TRACKS)


def test_404_for_an_unknown_api_address(client):
    assert_envelope(client.get("/api/no-such-thing"), 404, "/api/no-such-thing")


def test_404_raised_by_a_view(client):
    assert_envelope(client.get("/api/probe/missing"), 404, "/api/probe/missing")


def test_404_outside_the_api_stays_html(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_405_for_a_method_the_endpoint_does_not_have(admin_client, client):
    assert_envelope(admin_client.delete(TRACKS), 405, TRACKS)
    # Anonymous too: the truthful answer is 405, not 401.
    assert_envelope(client.put("/api/health", {}, content_type="application/json"), 405, "/api/health")


def test_415_for_a_body_that_is_not_json(admin_client):
    assert_envelope(admin_client.post(TRACKS, "id=x", content_type="text/plain"), 415, TRACKS)


def test_429_when_over_the_rate(client, settings, throttle_clock):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "user": None}}
    client.get(TRACKS)

    response = client.get(TRACKS)

    assert_envelope(response, 429, TRACKS)
    assert 0 < int(response["Retry-After"]) <= 60


def test_500_logs_the_trace_with_path_and_request_id_and_returns_only_the_id(caplog):
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/probe/crash", headers={"X-Request-ID": "req-500-check"})

    body = assert_envelope(response, 500, "/api/probe/crash")
    assert body["details"] == {"request_id": "req-500-check"}
    assert b"secret-looking" not in response.content
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.request_id == "req-500-check"
    assert "/api/probe/crash" in record.getMessage()
    assert record.exc_info[0] is RuntimeError


def test_503_from_an_unavailable_backing_service(client):
    assert_envelope(client.get("/api/probe/warehouse-down"), 503, "/api/probe/warehouse-down")


def test_503_when_a_database_cannot_answer_in_time(client, caplog):
    with caplog.at_level(logging.ERROR, logger="hackthetrack.errors"):
        response = client.get("/api/probe/database-timeout")

    assert_envelope(response, 503, "/api/probe/database-timeout")
    [record] = [r for r in caplog.records if r.name == "hackthetrack.errors"]
    assert "statement timeout" in str(record.exc_info[1])


def test_request_id_is_echoed_or_created(client):
    assert client.get(TRACKS, headers={"X-Request-ID": "frontend-abc-1"})["X-Request-ID"] == "frontend-abc-1"
    created = client.get(TRACKS, headers={"X-Request-ID": "bad id\nforged log line"})["X-Request-ID"]
    assert len(created) == 32 and created.isalnum()


def test_each_request_logs_one_structured_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="hackthetrack.request"):
        response = client.get(TRACKS, headers={"X-Request-ID": "log-line-1"})

    [record] = [r for r in caplog.records if r.name == "hackthetrack.request"]
    assert (record.method, record.path, record.status) == ("GET", TRACKS, response.status_code)
    assert record.request_id == "log-line-1"
    assert record.duration_ms >= 0
    assert record.getMessage().startswith(f"method=GET path={TRACKS} status=200 duration_ms=")


def test_400_for_a_host_not_allowed():
    response = Client(raise_request_exception=False).get("/api/probe/tracks", headers={"Host": "evil.example"})

    assert_envelope(response, 400, TRACKS)


def test_403_for_a_staff_session_write_without_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(TRACKS, {"id": "x", "name": "X"}, content_type="application/json")

    assert "CSRF" in assert_envelope(response, 403, TRACKS)["error"]


def test_406_when_the_client_accepts_no_json(client):
    assert_envelope(client.get(TRACKS, headers={"Accept": "text/html"}), 406, TRACKS)
