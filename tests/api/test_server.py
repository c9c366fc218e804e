"""gunicorn's worker (hackthetrack/server.py): uvicorn's HTTP in front of the WSGI application gives
clients what gunicorn's sync worker gave them, and the application what the sync worker gave it."""

import asyncio
import contextvars
import http.client
import json
import socket

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, connections

from drivers.models import Track
from hackthetrack.server import InlineWSGI
from tests.api.subprocess_django import database_url
from tests.faults.processes import AppServer

# Framing and the server's own headers: the workers differ there by design (keep-alive, chunking).
FRAMING = {"date", "server", "connection", "keep-alive", "transfer-encoding", "content-length"}
BODY_LIMIT = 1000


def exchange(port: int, method: str, path: str, body: bytes | None = None, **headers: str):
    """One request on a new connection: status, headers (name -> value, framing left out), body."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        client.request(method, path, body=body, headers={"X-Request-ID": "same-for-both", **headers})
        response = client.getresponse()
        kept = {name.lower(): value for name, value in response.getheaders() if name.lower() not in FRAMING}
        return response.status, kept, response.read()
    finally:
        client.close()


@pytest.fixture
def both_workers(transactional_db):
    """The app under gunicorn's sync worker, and under the worker it is deployed with."""
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    Track.objects.create(id="cota", name="Circuit of the Americas")
    env = {"DATABASE_URL": database_url(connection.settings_dict), "REQUEST_MAX_BODY_BYTES": str(BODY_LIMIT)}
    servers = [AppServer(GUNICORN_WORKER_CLASS="sync", **env), AppServer(**env)]
    try:
        yield [server.start() for server in servers]
    finally:
        for server in servers:
            server.stop()


def test_the_keep_alive_worker_answers_as_the_sync_worker(both_workers):
    sync, keep_alive = both_workers
    predict = json.dumps({"driver_number": 13, "track_id": "barber"}).encode()
    requests = [
        ("GET", "/api/tracks", None, {}),  # Django's answer
        ("GET", "/api/tracks", None, {}),  # the edge's, from the worker's memory
        ("GET", "/api/tracks/%62arber", None, {}),  # a percent-encoded path
        ("GET", "/api/tracks/nope", None, {}),
        ("GET", "/api/tracks?x=%ff", None, {}),
        ("HEAD", "/api/tracks", None, {}),
        ("GET", "/api/tracks", None, {"Origin": "http://localhost:5173"}),
        ("POST", "/api/predict", predict, {"Content-Type": "application/json"}),
        ("POST", "/api/predict", b"{not json", {"Content-Type": "application/json"}),
        ("POST", "/api/predict", b"x" * (BODY_LIMIT + 1), {"Content-Type": "application/json"}),
    ]
    for method, path, body, headers in requests:
        expected = exchange(sync.port, method, path, body, **headers)
        assert exchange(keep_alive.port, method, path, body, **headers) == expected, (method, path)

    status, headers, _ = exchange(sync.port, "GET", "/api/tracks")
    assert status == 200
    assert exchange(keep_alive.port, "GET", "/api/tracks", **{"If-None-Match": headers["etag"]})[0] == 304
    assert exchange(sync.port, "POST", "/api/predict", b"x" * (BODY_LIMIT + 1))[0] == 413


def test_a_header_named_with_an_underscore_is_dropped_as_gunicorn_drops_it(both_workers):
    for server in both_workers:
        _, headers, _ = exchange(server.port, "GET", "/api/tracks", X_Request_ID="forged-id")
        assert headers["x-request-id"] == "same-for-both"


def test_a_connection_is_kept_for_the_next_request(both_workers):
    _, keep_alive = both_workers
    client = http.client.HTTPConnection("127.0.0.1", keep_alive.port, timeout=20)
    try:
        for _ in range(3):
            client.request("GET", "/api/tracks")
            response = client.getresponse()
            assert response.status == 200
            assert [track["id"] for track in json.loads(response.read())] == ["barber", "cota"]
            assert response.getheader("Connection") != "close"
    finally:
        client.close()


def test_a_connection_is_closed_after_its_capped_number_of_answers(transactional_db):
    server = AppServer(DATABASE_URL=database_url(connection.settings_dict), GUNICORN_KEEPALIVE_REQUESTS="3").start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            closing = []
            for _ in range(3):
                sock.sendall(b"GET /api/tracks HTTP/1.1\r\nHost: localhost\r\n\r\n")
                response = http.client.HTTPResponse(sock)
                response.begin()
                assert response.status == 200
                assert json.loads(response.read()) == []
                closing.append(response.getheader("Connection"))
            assert closing == [None, None, "close"]
            assert sock.recv(1) == b""  # closed by the server
    finally:
        server.stop()


def test_a_chunked_body_over_the_limit_is_refused_without_reading_it_all(both_workers):
    _, keep_alive = both_workers
    client = http.client.HTTPConnection("127.0.0.1", keep_alive.port, timeout=20)
    try:
        chunks = (b"x" * 500 for _ in range(100))  # 50 KB, no Content-Length
        client.request("POST", "/api/predict", body=chunks, headers={"Content-Type": "application/json"})
        response = client.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["details"] == {"max_bytes": BODY_LIMIT}
    finally:
        client.close()


# InlineWSGI itself, driven through the ASGI interface.


def asgi_get(app, path: str = "/", *, body: bytes = b"") -> list[dict]:
    """The messages ``app`` sends for one request."""
    sent = []
    scope = {
        "type": "http",
        "method": "GET",
        "http_version": "1.1",
        "scheme": "http",
        "raw_path": path.encode(),
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_a_body_without_a_length_is_given_one_so_that_django_reads_it():
    bodies = []

    def app(environ, start_response):
        bodies.append(WSGIRequest(environ).body)
        start_response("200 OK", [])
        return [b""]

    asgi_get(InlineWSGI(app), body=b'{"driver_number": 13}')  # a chunked body: no Content-Length header
    asgi_get(InlineWSGI(app))
    assert bodies == [b'{"driver_number": 13}', b""]


def test_a_streamed_answer_goes_out_chunk_by_chunk_and_is_closed():
    closed = []

    class Streamed:
        def __init__(self, start_response):
            self.start_response = start_response

        def __iter__(self):
            self.start_response("200 OK", [("Content-Type", "text/csv")])  # PEP 3333: at the first chunk
            yield b"a,b\n"
            yield b""
            yield b"1,2\n"

        def close(self):
            closed.append(True)

    messages = asgi_get(InlineWSGI(lambda environ, start_response: Streamed(start_response)))

    assert messages[0] == {"type": "http.response.start", "status": 200, "headers": [(b"Content-Type", b"text/csv")]}
    assert messages[1:] == [
        {"type": "http.response.body", "body": b"a,b\n", "more_body": True},
        {"type": "http.response.body", "body": b"1,2\n"},
    ]
    assert closed == [True]


def test_a_one_chunk_answer_says_its_length():
    def app(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"error": "x"}']

    start, body = asgi_get(InlineWSGI(app))
    assert start["status"] == 404
    assert (b"content-length", b"14") in start["headers"]
    assert body == {"type": "http.response.body", "body": b'{"error": "x"}'}


@pytest.mark.django_db
def test_the_application_runs_as_in_a_thread_of_its_own_with_its_connection_kept():
    """Without the event loop in sight, Django keeps one connection per thread (not a new one per
    request's asyncio task) and lets the application use it."""
    seen = []

    def app(environ, start_response):
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        seen.append(connections["default"])
        start_response("200 OK", [])
        return [b""]

    inline = InlineWSGI(app)
    asgi_get(inline)
    asgi_get(inline)
    assert seen[0] is seen[1] is connections["default"]


def test_every_request_runs_in_one_context_as_in_a_sync_workers_thread():
    """Each request arrives in an asyncio task of its own; the application's context-local values
    (Django's cache backend) are kept from one request to the next all the same."""
    seen = []

    def app(environ, start_response):
        seen.append(caches["default"])
        start_response("200 OK", [])
        return [b""]

    # As in a new worker: no context variable set before the first request (this test process has
    # set asgiref's already, and context copies share what it holds).
    inline = contextvars.Context().run(InlineWSGI, app)
    contextvars.Context().run(asgi_get, inline)
    contextvars.Context().run(asgi_get, inline)
    assert seen[0] is seen[1]
