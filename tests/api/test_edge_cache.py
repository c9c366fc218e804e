"""The WSGI edge (hackthetrack/edge_cache.py) answers as Django would: each test sends the same
request through the edge and through Django alone (a WSGIHandler of its own) and compares status,
headers (by name, whatever the case) and body; the request id is the client's in both, so that it
matches too. ``CountedApp`` tells which requests reached Django."""

import logging
import uuid

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.utils.http import parse_http_date

from drivers.models import Track
from hackthetrack.edge_cache import EdgeCache

pytestmark = pytest.mark.django_db

TRACKS = "/api/tracks"
FRONTEND = "https://frontend.example"
REQUEST_ID = "edge-test-1"
CLOCK_HEADERS = {"expires"}


class CountedApp:
    """Django's WSGI application, counting the requests that reach it."""

    def __init__(self):
        self.app = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


def wsgi_get(app, path: str, *, method: str = "GET", **headers: str) -> tuple[str, dict[str, str], bytes]:
    """One request through a WSGI app as a server sends it: status, headers by lower-case name, body."""
    environ = RequestFactory().generic(method, path, headers={"Host": "testserver", **headers}).environ
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, response_headers

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    names = [name.lower() for name, _ in seen["headers"]]
    assert len(names) == len(set(names)), f"a header twice: {seen['headers']}"
    return seen["status"], {name.lower(): value for name, value in seen["headers"]}, body


@pytest.fixture(autouse=True)
def _test_transaction_kept():
    """As Django's test client: the connection is not closed around a request (it holds the test's
    transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _rates_as_deployed(settings):
    """Rate limits on, as deployed: Django then reads the session user on every path (Vary: Cookie)."""
    rates = {"anon": "1000/min", "user": "1000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def tracks():
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    Track.objects.create(id="sonoma", name="Sonoma Raceway")


@pytest.fixture
def edge():
    django = CountedApp()
    return EdgeCache(django, max_bytes=1_000_000), django


@pytest.fixture
def frontend_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND]


def assert_same_answer(one, other) -> None:
    """Status, each header, body: one at a time, so that a failure names what differs. ``Expires``
    (never_cache's "now") may fall in the next second between the two answers: compared as a time."""
    assert one[0] == other[0]
    names = {*one[1], *other[1]}
    assert {name: one[1].get(name) for name in names - CLOCK_HEADERS} == {
        name: other[1].get(name) for name in names - CLOCK_HEADERS
    }
    for name in names & CLOCK_HEADERS:
        assert abs(parse_http_date(one[1][name]) - parse_http_date(other[1][name])) <= 2, name
    assert one[2] == other[2]


def answered_at_the_edge(edge_and_django, path: str, **headers: str):
    """The request sent twice through the edge; the second answer, which Django must not have seen."""
    edge, django = edge_and_django
    wsgi_get(edge, path, **headers)
    before = django.calls
    answer = wsgi_get(edge, path, **headers)
    assert django.calls == before, "the edge did not answer"
    return answer


@pytest.mark.parametrize("path", [TRACKS, f"{TRACKS}?limit=1", "/api/tracks/barber"])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Accept": "application/json"},
        {"Origin": FRONTEND},  # allowed: CORS headers
        {"Origin": "https://elsewhere.example"},  # not allowed: none
    ],
    ids=["plain", "accept", "allowed-origin", "other-origin"],
)
def test_an_answer_from_the_edge_is_djangos(edge, tracks, frontend_origin, path, headers):
    headers = {"X-Request-ID": REQUEST_ID, **headers}

    from_edge = answered_at_the_edge(edge, path, **headers)

    assert_same_answer(from_edge, wsgi_get(WSGIHandler(), path, **headers))
    assert from_edge[0] == "200 OK"
    if headers.get("Origin") == FRONTEND:
        assert from_edge[1]["access-control-allow-origin"] == FRONTEND
    else:
        assert "access-control-allow-origin" not in from_edge[1]


def test_behind_https_with_production_security_headers(tracks, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    django = CountedApp()  # after the settings: SecurityMiddleware reads them when it is built
    edge_app = EdgeCache(django, max_bytes=1_000_000)
    headers = {"X-Request-ID": REQUEST_ID, "X-Forwarded-Proto": "https"}

    from_edge = answered_at_the_edge((edge_app, django), TRACKS, **headers)

    assert_same_answer(from_edge, wsgi_get(WSGIHandler(), TRACKS, **headers))
    assert "strict-transport-security" in from_edge[1]
    # Plain HTTP is redirected by Django, never answered at the edge.
    calls = django.calls
    assert wsgi_get(edge_app, TRACKS)[0].startswith("301")
    assert django.calls == calls + 1


@pytest.mark.parametrize("conditional", ["If-None-Match", "If-Modified-Since"])
def test_a_revalidation_gets_djangos_304(edge, tracks, conditional):
    _, headers, _ = wsgi_get(edge[0], TRACKS)
    validator = headers["etag" if conditional == "If-None-Match" else "last-modified"]
    request = {"X-Request-ID": REQUEST_ID, conditional: validator}

    from_edge = answered_at_the_edge(edge, TRACKS, **request)

    assert from_edge[0] == "304 Not Modified" and from_edge[2] == b""
    assert_same_answer(from_edge, wsgi_get(WSGIHandler(), TRACKS, **request))


def test_a_worker_that_sees_only_revalidations_answers_them_after_djangos_first(edge, tracks):
    """A new worker (gunicorn recycles them) may never see the answer itself, only clients'
    revalidations of it: after Django's first 304 the edge answers them; the answer itself still
    comes from Django until the edge has seen it."""
    etag = wsgi_get(WSGIHandler(), TRACKS)[1]["etag"]  # another worker's answer
    request = {"X-Request-ID": REQUEST_ID, "If-None-Match": etag}

    from_edge = answered_at_the_edge(edge, TRACKS, **request)

    assert from_edge[0] == "304 Not Modified"
    assert_same_answer(from_edge, wsgi_get(WSGIHandler(), TRACKS, **request))
    edge_app, django = edge
    calls = django.calls
    assert wsgi_get(edge_app, TRACKS, **{"If-None-Match": '"another"'})[0] == "200 OK"
    assert django.calls == calls + 1
    assert_same_answer(
        answered_at_the_edge(edge, TRACKS, **{"X-Request-ID": REQUEST_ID}),
        wsgi_get(WSGIHandler(), TRACKS, **{"X-Request-ID": REQUEST_ID}),
    )
    assert answered_at_the_edge(edge, TRACKS, **request)[0] == "304 Not Modified"  # the 304 kept beside it


def test_a_write_is_seen_at_once(edge, tracks):
    before = answered_at_the_edge(edge, TRACKS)

    Track.objects.create(id="cota", name="Circuit of the Americas")
    after = wsgi_get(edge[0], TRACKS)

    assert b"cota" in after[2] and b"cota" not in before[2]
    assert after[1]["etag"] != before[1]["etag"]
    assert after[2] == wsgi_get(WSGIHandler(), TRACKS)[2]


@pytest.mark.parametrize(
    "credentials",
    [{"Authorization": "Basic c3RhZmY6c2VjcmV0"}, {"Cookie": "sessionid=abc"}],
    ids=["authorization", "session-cookie"],
)
def test_a_request_with_credentials_always_reaches_django(edge, tracks, credentials):
    edge_app, django = edge
    wsgi_get(edge_app, TRACKS)  # the anonymous answer is at the edge

    for _ in range(2):
        calls = django.calls
        wsgi_get(edge_app, TRACKS, **credentials)
        assert django.calls == calls + 1


@pytest.mark.parametrize("method", ["HEAD", "POST", "OPTIONS"])
def test_other_methods_reach_django(edge, tracks, method):
    edge_app, django = edge
    wsgi_get(edge_app, TRACKS)

    wsgi_get(edge_app, TRACKS, method=method)

    assert django.calls == 2


def rate_hits(client: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(hits), 0) FROM hackthetrack_rate_count WHERE key LIKE %s", [f"%{client}"])
        return cursor.fetchone()[0]


def test_the_anonymous_rate_counts_each_request_once_and_django_answers_429(edge, tracks, settings, throttle_clock):
    rates = {"anon": "2/min", "user": None}
    # Behind one proxy, as deployed: each test's client an address of its own.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates, "NUM_PROXIES": 1}
    client = {"X-Forwarded-For": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}  # a client of its own
    edge_app, django = edge

    statuses = [wsgi_get(edge_app, TRACKS, **client)[0][:3] for _ in range(3)]

    assert statuses == ["200", "200", "429"]
    assert django.calls == 2  # the first (learned) and the third (over the rate), not the second
    assert rate_hits(client["X-Forwarded-For"]) == 3
    assert wsgi_get(WSGIHandler(), TRACKS, **client)[0][:3] == "429"  # one count for all: Django alone sees it too


def test_the_api_roots_links_are_of_the_host_asked(edge, settings):
    settings.ALLOWED_HOSTS = ["api.example", "staging.example"]
    headers = {"X-Request-ID": REQUEST_ID}
    wsgi_get(edge[0], "/api/", Host="api.example", **headers)  # links to api.example

    other_host = wsgi_get(edge[0], "/api/", Host="staging.example", **headers)

    assert b"http://staging.example/api/drivers" in other_host[2]
    assert_same_answer(other_host, wsgi_get(WSGIHandler(), "/api/", Host="staging.example", **headers))


def test_a_host_django_refuses_reaches_django_as_the_hosts_are_now(edge, tracks, settings):
    headers = {"X-Request-ID": REQUEST_ID}
    answered_at_the_edge(edge, TRACKS, **headers)  # the host allowed, and judged so once already

    settings.ALLOWED_HOSTS = ["api.example"]
    through_the_edge = wsgi_get(edge[0], TRACKS, **headers)

    assert through_the_edge[0][:3] == "400"
    assert_same_answer(through_the_edge, wsgi_get(WSGIHandler(), TRACKS, **headers))


def test_one_log_line_with_the_request_id(edge, tracks, caplog):
    answered_at_the_edge(edge, TRACKS)  # learned

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hackthetrack.request"):
        _, headers, _ = wsgi_get(edge[0], TRACKS)

    lines = [record for record in caplog.records if record.name == "hackthetrack.request"]
    assert len(lines) == 1
    assert lines[0].request_id == headers["x-request-id"]
    assert lines[0].getMessage() == (
        f"method=GET path={TRACKS} status=200 duration_ms={lines[0].duration_ms:.1f} "
        f"request_id={headers['x-request-id']}"
    )


def test_an_invalid_request_id_is_replaced(edge, tracks):
    answered_at_the_edge(edge, TRACKS)

    _, headers, _ = wsgi_get(edge[0], TRACKS, **{"X-Request-ID": "bad id\n"})

    assert len(headers["x-request-id"]) == 32 and headers["x-request-id"].isalnum()


def test_the_memory_stays_within_its_bytes(tracks):
    edge = EdgeCache(CountedApp(), max_bytes=2_000)

    for limit in range(1, 30):
        wsgi_get(edge, f"{TRACKS}?limit={limit}")

    assert 0 < edge.bytes <= 2_000
    assert edge.bytes == sum(answer.size for answer in edge.answers.values())
