"""The anonymous rate is the deployment's, not each worker's: three gunicorn workers, no Redis."""

import pytest
from django.db import connection

from drivers.models import Track
from hackthetrack.throttling import RATE_COUNTS
from tests.api.subprocess_django import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_three_workers_without_redis_share_one_anonymous_rate(app_servers):
    Track.objects.create(id="barber", name="Barber Motorsports Park")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RATE_COUNTS}")  # counters outlive tests (not a model's table)
    app = app_servers(workers=3, DATABASE_URL=database_url(connection.settings_dict), THROTTLE_RATE_ANON="6/day")

    # A new connection each: the workers take them in turn.
    statuses = [app.get("/api/tracks")[0] for _ in range(12)]

    assert statuses == [200] * 6 + [429] * 6
