"""Rate limits per client, counted once per request whether the answer was cached or not, in
PostgreSQL (shared by every worker, with or without Redis)."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from hackthetrack.throttling import RateWindow, hits_counted

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

TRACKS = "/api/probe/tracks"


@pytest.fixture(params=["local memory", "redis"])
def response_cache(request):
    """Answers cached in the tests' local-memory cache, or in a real Redis as deployed."""
    if request.param == "redis":
        request.getfixturevalue("shared_redis")


@pytest.fixture
def rates(settings, throttle_clock, response_cache):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "5/min"}}


def test_cached_answers_count_against_the_rate(client, rates):
    statuses = [client.get(TRACKS).status_code for _ in range(4)]

    # The 2nd and 3rd come from the response cache; they count all the same.
    assert statuses == [200, 200, 200, 429]


def test_computed_answers_count_once(client, rates):
    # Each query string is an answer of its own, computed by the view: the response cache's lookup
    # counts the request, and the view's throttles must not count it again.
    statuses = [client.get(f"{TRACKS}?n={n}").status_code for n in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_writes_count_once(admin_client, rates):
    statuses = [
        admin_client.post(TRACKS, {"id": f"track-{n}", "name": "A track"}, content_type="application/json").status_code
        for n in range(6)
    ]

    assert statuses == [201] * 5 + [429]


def test_the_count_starts_again_in_the_next_window(client, rates, throttle_clock):
    for _ in range(3):
        client.get(TRACKS)

    refused = client.get(TRACKS)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"  # what is left of the minute

    throttle_clock.now = throttle_clock.window_start + 60
    assert client.get(TRACKS).status_code == 200


def test_each_client_address_has_its_own_rate(client, rates):
    for _ in range(3):
        client.get(TRACKS, REMOTE_ADDR="203.0.113.1")

    assert client.get(TRACKS, REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.get(TRACKS, REMOTE_ADDR="203.0.113.2").status_code == 200


def test_signed_in_users_have_their_own_rate(admin_client, rates):
    statuses = [admin_client.get(TRACKS).status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]


def test_forwarded_for_is_trusted_only_behind_the_configured_proxies(client, rates, settings):
    # NUM_PROXIES=0 (default): a client cannot escape its rate by inventing X-Forwarded-For.
    for n in range(3):
        client.get(TRACKS, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert client.get(TRACKS, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429

    # Behind one proxy (Heroku's router), the address it appended is the client.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client.get(TRACKS, HTTP_X_FORWARDED_FOR="spoofed, 192.0.2.7").status_code == 200


def test_health_is_never_throttled(client, rates):
    assert [client.get("/api/health").status_code for _ in range(5)] == [200] * 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_each_counted_once():
    # A read-then-write counter would hand out the same count twice and lose hits. Each thread has a
    # connection of its own, as each worker has.
    window = RateWindow(f"throttle-probe-{uuid.uuid4().hex}", index=1, limit=1000, timeout=60, wait=60)

    def hit(_):
        try:
            return hits_counted([window])[window.key]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(hit, range(200)))

    assert sorted(counts) == list(range(1, 201))
