"""Hostile input answers a 4xx in the envelope, never a 500: huge numbers, NUL bytes, deep JSON,
oversized bodies, made-up credentials over and over, and a cookie never shared through the cache."""

import base64

import pytest

from tests.factors.conftest import build_season

pytestmark = pytest.mark.django_db

BEYOND_BIGINT = str(2**63)


@pytest.fixture
def season(db):
    return build_season(drivers=4)


def assert_envelope(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error", "details", "path"}
    return body


@pytest.mark.parametrize(
    "path",
    [
        f"/api/tracks?offset={BEYOND_BIGINT}",
        f"/api/drivers/3/results?offset={BEYOND_BIGINT}",
        f"/api/factors/speed/top-average?limit={BEYOND_BIGINT}",
        "/api/drivers/13.0",
    ],
)
def test_numbers_out_of_range_or_not_integers_are_client_errors(client, season, path):
    response = client.get(path)

    assert 400 <= response.status_code < 500
    assert_envelope(response, response.status_code)


def test_a_nul_byte_in_a_path_id_is_a_400(client, season):
    body = assert_envelope(client.get("/api/tracks/barber%00"), 400)
    assert "NUL" in body["error"]
    assert_envelope(client.get("/api/drivers?track_id=a%00b"), 400)


def test_deeply_nested_json_is_a_400(client, season):
    nested = "[" * 100_000 + "]" * 100_000

    body = assert_envelope(client.post("/api/predict", nested, content_type="application/json"), 400)
    assert "nested too deeply" in body["error"] or "nested too deeply" in str(body["details"])


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"driver_number": 3, "track_id": "\xff"}', "utf-8"),
        (b'{"driver_number": NaN, "track_id": "barber"}', "NaN"),
        (b'{"driver_number": 3, "track_id": "barber"', "Expecting"),
    ],
    ids=["not utf-8", "NaN constant", "cut short"],
)
def test_a_body_that_is_no_json_is_a_400_saying_why(client, season, body, says):
    response = client.post("/api/predict", body, content_type="application/json")

    error = assert_envelope(response, 400)["error"]
    assert error.startswith("JSON parse error - ") and says in error


def test_a_body_in_the_charset_it_names_is_read_in_that_charset(client, season):
    body = '{"driver_number": 3, "track_id": "barber\u00e9"}'  # the test client encodes it in that charset

    response = client.post("/api/predict", body, content_type="application/json; charset=latin-1")

    assert assert_envelope(response, 404)["error"] == "Track barber\u00e9 not found"


def test_a_body_naming_a_charset_python_does_not_know_is_read_as_utf_8(client, season):
    body = '{"driver_number": 3, "track_id": "barber\u00e9"}'.encode()

    response = client.generic("POST", "/api/predict", body, content_type="application/json; charset=no-such-charset")

    assert assert_envelope(response, 404)["error"] == "Track barber\u00e9 not found"


@pytest.mark.parametrize("content_type", ["application/jsonx", "text/json", "application/x-www-form-urlencoded"])
def test_a_body_of_a_type_that_is_not_json_is_refused(client, season, content_type):
    body = '{"driver_number": 3, "track_id": "barber"}'

    response = client.generic("POST", "/api/predict", body, content_type=content_type)

    assert_envelope(response, 415)


def test_a_body_over_the_limit_is_a_413_before_it_is_read(client, settings, season):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    payload = '{"driver_number": 3, "pad": "' + "x" * 1000 + '"}'

    body = assert_envelope(client.post("/api/predict", payload, content_type="application/json"), 413)
    assert body["details"] == {"max_bytes": 1000}


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_failed_basic_auth_is_rate_limited_per_client(client, settings, admin_user, throttle_clock):
    settings.AUTH_FAILURE_RATE = "3/min"
    admin_user.set_password("staff-password-9")
    admin_user.save()
    wrong = {"HTTP_AUTHORIZATION": _basic(admin_user.username, "guess")}

    statuses = [client.get("/api/tracks", REMOTE_ADDR="203.0.113.9", **wrong).status_code for _ in range(4)]
    # Over the rate even the right password is not checked; another client is not affected.
    right = {"HTTP_AUTHORIZATION": _basic(admin_user.username, "staff-password-9")}
    locked_out = client.get("/api/tracks", REMOTE_ADDR="203.0.113.9", **right)
    other = client.get("/api/tracks", REMOTE_ADDR="203.0.113.10", **right)

    assert statuses == [401, 401, 401, 429]
    assert_envelope(locked_out, 429)
    assert "Retry-After" in locked_out
    assert other.status_code == 200


def test_failed_admin_logins_are_rate_limited_per_client(client, settings, admin_user, throttle_clock):
    settings.AUTH_FAILURE_RATE = "3/min"
    admin_user.set_password("staff-password-9")
    admin_user.save()

    for _ in range(3):
        client.post("/admin/login/", {"username": admin_user.username, "password": "guess"})
    refused = client.post("/admin/login/", {"username": admin_user.username, "password": "staff-password-9"})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session  # the form again, not signed in

    elsewhere = client.post(
        "/admin/login/", {"username": admin_user.username, "password": "staff-password-9"}, REMOTE_ADDR="203.0.113.10"
    )
    assert elsewhere.status_code == 302


def test_the_docs_page_with_its_csrf_cookie_is_never_served_from_the_cache(client, django_user_model):
    from django.test import Client

    first = Client().get("/api/docs/")
    second = Client().get("/api/docs/")

    assert first.status_code == second.status_code == 200
    assert "ETag" not in second
    if "csrftoken" in first.cookies:  # each visitor gets a token of its own
        assert second.cookies["csrftoken"].value != first.cookies["csrftoken"].value
