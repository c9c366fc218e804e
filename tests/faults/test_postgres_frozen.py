"""PostgreSQL frozen (SIGSTOP) under a running app: the kernel keeps its connections up and nothing
answers, so only the app's own bound ends a wait (hackthetrack/db_deadline.py). Every answer comes
within that bound, right or 503 in the envelope (never gunicorn killing a worker), and service
resumes once PostgreSQL does."""

import threading
import time

import psycopg
import pytest
from django.db import connection as django_connection
from django.db import connections
from django.db.utils import ConnectionHandler

from drivers.models import Track
from hackthetrack import db_deadline
from hackthetrack.settings.base import postgres_database
from tests.faults.processes import wait_until

QUERY_TIMEOUT_S = 2.0
BREAKER_S = 1.0
# Each answer while frozen: a query's bound, and a connection attempt's (libpq's connect_timeout, 2 s).
ANSWER_BOUND_S = QUERY_TIMEOUT_S + 2 + 1.5
WEB_ALIAS = "web"
BARBER = {"id": "barber", "name": "Barber Motorsports Park"}


def timed(app, path: str) -> tuple[int, dict | list, float]:
    started = time.monotonic()
    status, body = app.get(path)
    return status, body, time.monotonic() - started


def test_a_query_on_a_frozen_server_ends_at_its_deadline(postgres_server):
    with psycopg.connect(postgres_server.url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)
        postgres_server.freeze()
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            with db_deadline.watchdog.bounded(connection.pgconn.socket, 0.5):
                connection.execute("SELECT 1")
        waited = time.monotonic() - started
        postgres_server.thaw()

    assert 0.5 <= waited < 1.5  # the watchdog looks every WATCH_INTERVAL_S; a busy CI may delay it
    with psycopg.connect(postgres_server.url.replace("postgres://", "postgresql://")) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)  # the server itself is unharmed


@pytest.fixture
def web_alias(postgres_server, settings, monkeypatch, django_db_blocker):
    """An alias of Django's connections to ``postgres_server`` with a web worker's bounded waits
    (DB_QUERY_TIMEOUT 0.5 s); database access allowed in the test."""
    settings.DB_QUERY_TIMEOUT = 0.5
    monkeypatch.setattr(db_deadline, "_enabled", True)  # as in a gunicorn worker
    configured = ConnectionHandler({"default": postgres_database(postgres_server.url)}).settings["default"]
    monkeypatch.setitem(connections.settings, WEB_ALIAS, configured)
    with django_db_blocker.unblock():
        try:
            yield WEB_ALIAS
        finally:
            db_deadline.breaker.reset()
            connections[WEB_ALIAS].close()
            del connections[WEB_ALIAS]


@pytest.fixture
def kept_connection(web_alias):
    """A web worker's kept connection after an error in a request."""
    connection = connections[web_alias]
    connection.ensure_connection()
    connection.errors_occurred = True
    return connection


def test_django_checking_a_kept_connection_on_a_frozen_server_drops_it_at_the_deadline(
    kept_connection, postgres_server
):
    """After an error in a request Django checks the kept connection with SELECT 1 on psycopg's own
    cursor, past the execute wrappers: bounded too, and the connection dropped."""
    postgres_server.freeze()
    safety_net = threading.Timer(5, postgres_server.thaw)  # an unbounded check fails the test, not hangs it
    safety_net.start()
    started = time.monotonic()
    try:
        kept_connection.close_if_unusable_or_obsolete()
        waited = time.monotonic() - started
    finally:
        safety_net.cancel()
        postgres_server.thaw()

    assert 0.5 <= waited < 1.5
    assert kept_connection.connection is None  # the next request connects anew


def test_while_the_breaker_is_open_django_drops_a_kept_connection_unchecked(kept_connection):
    db_deadline.breaker.trip()
    kept_connection.close_if_unusable_or_obsolete()
    assert kept_connection.connection is None  # the server is up: checked, it would have been kept


def test_django_keeps_a_kept_connection_that_answers_its_check(kept_connection):
    kept_connection.close_if_unusable_or_obsolete()
    assert kept_connection.connection is not None
    assert not kept_connection.errors_occurred


def test_rows_read_in_chunks_come_with_the_bounded_query(web_alias, postgres_server):
    """QuerySet.iterator() reads in chunks, as the admin's CSV export does. From a server-side cursor
    each chunk would be a FETCH past the execute wrappers, held by a frozen server until gunicorn
    killed the worker; the bounded query fetches every row, and the chunks come from memory."""
    tracks = Track.objects.using(web_alias)
    tracks.bulk_create(Track(id=f"track-{n:02}", name=f"Track {n}") for n in range(10))
    rows = tracks.order_by("id").values_list("id", flat=True).iterator(chunk_size=3)
    first = next(rows)
    postgres_server.freeze()
    safety_net = threading.Timer(5, postgres_server.thaw)  # a wait on the server fails the test, not hangs it
    safety_net.start()
    started = time.monotonic()
    try:
        rest = list(rows)
        waited = time.monotonic() - started
    finally:
        safety_net.cancel()
        postgres_server.thaw()

    assert [first, *rest] == [f"track-{n:02}" for n in range(10)]
    assert waited < 0.5  # DB_QUERY_TIMEOUT: nothing waited on the server


def test_a_frozen_postgres_gets_503_within_the_bound_and_service_resumes(
    postgres_server_with_barber, redis_server, app_servers
):
    postgres_server = postgres_server_with_barber
    app = app_servers(
        DATABASE_URL=postgres_server.url,
        REDIS_URL=redis_server.url,
        DB_QUERY_TIMEOUT=str(QUERY_TIMEOUT_S),
        DB_BREAKER_SECONDS=str(BREAKER_S),
        DATA_VERSION_CONFIRM_SECONDS="0.5",
    )
    assert app.get("/api/tracks")[0] == 200

    postgres_server.freeze()
    try:
        answers = [timed(app, path) for path in ["/api/tracks", "/api/tracks/barber", "/api/health", "/api/tracks"]]
        time.sleep(BREAKER_S)  # the breaker closed: the next request waits on PostgreSQL again
        answers.append(timed(app, "/api/tracks/barber"))
    finally:
        postgres_server.thaw()

    for status, body, seconds in answers:
        assert seconds < ANSWER_BOUND_S
        if status == 200:  # the tracks the edge holds, within DATA_VERSION_CONFIRM_SECONDS of the freeze
            assert [{key: track[key] for key in BARBER} for track in body] == [BARBER]
        else:
            assert status == 503
    assert [(status, body["error"]) for status, body, _ in answers[1:3]] == [
        (503, "Database unavailable, try again later."),
        (503, "Database unavailable"),
    ]
    assert answers[-1][0] == 503

    wait_until(lambda: app.get("/api/tracks/barber")[0] == 200, "service again", timeout=BREAKER_S + 5)
    assert app.get("/api/tracks/barber")[1]["name"] == BARBER["name"]
    assert app.get("/api/health")[0] == 200


@pytest.mark.django_db
def test_commands_and_tests_wait_on_postgres_unbounded(settings):
    """Only the web processes bound their waits (a command may run a long statement)."""
    assert not db_deadline.is_enabled()
    db_deadline.breaker.trip()  # what a web process would refuse to wait on
    try:
        with django_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        db_deadline.breaker.reset()
