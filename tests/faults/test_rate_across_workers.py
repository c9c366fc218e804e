"""The anonymous rate is the deployment's, not each worker's: three gunicorn workers share one
count, kept in Redis when Redis is the cache, else in PostgreSQL."""

import pytest
from django.db import connection

from drivers.models import Track
from tests.api.subprocess_django import database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("store", ["postgres", "redis"])
def test_three_workers_share_one_anonymous_rate(store, request, app_servers, postgres_rate_rows):
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    env = {"DATABASE_URL": database_url(connection.settings_dict), "THROTTLE_RATE_ANON": "6/day"}
    if store == "redis":
        redis_server = request.getfixturevalue("redis_server")
        env["REDIS_URL"] = redis_server.url
    app = app_servers(workers=3, **env)

    # A new connection each: the workers take them in turn.
    statuses = [app.get("/api/tracks")[0] for _ in range(12)]

    assert statuses == [200] * 6 + [429] * 6
    if store == "redis":
        assert postgres_rate_rows() == 0
        assert [key for key in redis_server.keys() if b":rate:throttle_anon_" in key]
    else:
        assert postgres_rate_rows() == 1


def test_three_workers_holding_hits_back_let_a_client_through_at_most_their_shares_over_its_rate(
    redis_server, app_servers, postgres_rate_rows
):
    # 2% of 200 a day: each worker may hold back 4 hits of a client (hackthetrack/rate_batches.py).
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    env = {"DATABASE_URL": database_url(connection.settings_dict), "THROTTLE_RATE_ANON": "200/day"}
    app = app_servers(workers=3, REDIS_URL=redis_server.url, RATE_BATCH_SHARE="0.02", **env)

    statuses = [app.get("/api/tracks")[0] for _ in range(260)]

    assert statuses[:200] == [200] * 200  # never refused within its rate
    # Past it, at most what each worker may hold back; a worker that has not heard from Redis since
    # the client passed half its rate may admit its share after another refused (not in order).
    assert statuses.count(200) <= 200 + 3 * 4
    assert postgres_rate_rows() == 0
