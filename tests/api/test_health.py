"""GET /api/health: healthy, degraded without the warehouse, unhealthy (503) without the database."""

import json

import pytest
from django.conf import settings
from django.db import connection

from drivers.models import Track

from .subprocess_django import database_url, run_python

LEGACY_KEYS = {"status", "tracks_loaded", "drivers_loaded", "data_source"}
GET_HEALTH = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client().get('/api/health', headers={'Host': 'localhost'}); "
    "print(json.dumps({'status_code': r.status_code, 'body': r.json()}))"
)


def child_health(**env: str) -> tuple[int, dict]:
    result = run_python(GET_HEALTH, DJANGO_SETTINGS_MODULE="hackthetrack.settings.development", **env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return answer["status_code"], answer["body"]


@pytest.mark.django_db(databases=["default", "warehouse"])
def test_healthy_when_both_databases_answer(client):
    Track.objects.bulk_create([Track(id="barber", name="Barber"), Track(id="sonoma", name="Sonoma")])

    response = client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert LEGACY_KEYS <= set(body)
    assert body["status"] == "healthy"
    assert (body["database"], body["warehouse"]) == ("ok", "ok")
    assert body["tracks_loaded"] == 2
    assert body["drivers_loaded"] == 0  # no active skill model: /api/drivers serves nobody


@pytest.mark.django_db(databases=["default", "warehouse"])
def test_health_exposes_no_settings_or_secrets(client):
    text = client.get("/api/health").content.decode()

    for secret in (settings.SECRET_KEY, connection.settings_dict["NAME"], connection.settings_dict["HOST"] or "-"):
        assert secret not in text
    for alias in settings.DATABASES:
        assert str(settings.DATABASES[alias].get("USER") or "@@") not in text


@pytest.mark.django_db
def test_degraded_when_the_warehouse_is_down():
    # The child reads this test database (empty for it: the test's rows are not committed).
    status_code, body = child_health(DATABASE_URL=database_url(connection.settings_dict), HEALTH_WAREHOUSE_TIMEOUT="5")

    assert status_code == 200
    assert LEGACY_KEYS <= set(body)
    assert (body["status"], body["database"], body["warehouse"]) == ("degraded", "ok", "unavailable")


def test_unhealthy_503_in_the_envelope_without_the_database():
    status_code, body = child_health(DB_POOL_TIMEOUT="1", HEALTH_WAREHOUSE_TIMEOUT="1")

    assert status_code == 503
    assert set(body) == {"error", "details", "path"}
    assert body["path"] == "/api/health"
    assert body["details"]["status"] == "unhealthy"
    assert body["details"]["database"] == "unavailable"
