"""Shared fixtures. The real 2025 season lives outside the repository, in ../shared/grcup2025."""

import uuid
from pathlib import Path

import hypothesis
import pytest

# As in settings when REDIS_URL is set.
REDIS_CACHE_BACKEND = "hackthetrack.redis_cache.ReusedClientRedisCache"

# Warehouse answers typed as Snowflake types them, and every statement checked as Snowflake SQL;
# the tests run against each real component counted, and under CI=true a skip is a failure.
pytest_plugins = ["tests.warehouse_dialect", "tests.real_components"]

SHARED_SEASON_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "grcup2025"

# For mutation testing (pyproject.toml [tool.mutmut]): the same examples every run, and no time
# limits, which the mutants' extra indirection would break.
hypothesis.settings.register_profile(
    "mutation", derandomize=True, deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)


@pytest.fixture(scope="session")
def season_dir() -> Path:
    if not SHARED_SEASON_DIR.is_dir():
        pytest.skip(f"the real 2025 season data is not at {SHARED_SEASON_DIR}")
    return SHARED_SEASON_DIR


@pytest.fixture(scope="session", autouse=True)
def _api_test_serving(django_test_environment):
    """The API's response cache and rate limits, made test-friendly: a private in-memory cache
    (never a developer's Redis) and no rate limit (tests send many requests from one address;
    tests of throttling set their own rates with the ``settings`` fixture)."""
    from django.conf import settings
    from django.test import override_settings

    rest_framework = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    with override_settings(CACHES=caches, REST_FRAMEWORK=rest_framework):
        yield


@pytest.fixture(autouse=True)
def _fresh_api_cache(request):
    """Each test starts with an empty cache and, when it uses the database, a new data version:
    nothing cached or kept per version (in the cache or in a process's memory) from another test's
    data. (A rolled-back test leaves the version as it found it, so the next would read the same.)"""
    from django.core.cache import cache

    cache.clear()
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames):
        from hackthetrack.cache import invalidate_api_cache

        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            invalidate_api_cache()


# --- Warehouse (telemetry app): the test session's own emulator, see hackthetrack/settings/test.py.

WAREHOUSE_DATABASES = ["default", "warehouse"]


def pytest_collection_modifyitems(items):
    """A test that asks for ``warehouse_db`` or ``warehouse_transactional_db`` gets the matching
    pytest-django marker, so the warehouse test database is created (and migrated) once per session
    on the emulator, the way pytest-django does it for ``default``."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "warehouse_transactional_db" in fixtures:
            item.add_marker(pytest.mark.django_db(databases=WAREHOUSE_DATABASES, transaction=True))
        elif "warehouse_db" in fixtures:
            item.add_marker(pytest.mark.django_db(databases=WAREHOUSE_DATABASES))


class ThrottleClock:
    """The rate limits' clock, as a test sets it: ``now`` starts 20 s into a window of a minute,
    an hour and a day (``window_start``)."""

    window_start = 20_000 * 86_400.0

    def __init__(self):
        self.now = self.window_start + 20


@pytest.fixture
def throttle_clock(monkeypatch) -> ThrottleClock:
    """The throttles' clock (DRF's ``SimpleRateThrottle.timer``) held still: a test that counts
    requests against a rate never straddles two windows by chance, and moves on by setting ``now``."""
    from rest_framework.throttling import SimpleRateThrottle

    clock = ThrottleClock()
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: clock.now))
    return clock


@pytest.fixture
def warehouse_db(db):
    """Access to the ``warehouse`` alias (and ``default``) inside a transaction rolled back after
    the test, as ``db`` does for PostgreSQL. Reaches the emulator through django-snowflake and the
    real connector. Yields the alias name."""
    yield "warehouse"


@pytest.fixture
def warehouse_transactional_db(transactional_db):
    """Like ``warehouse_db`` but committed for real, tables emptied after the test: for code that
    commits on purpose or tests that watch another connection see the data."""
    yield "warehouse"


@pytest.fixture(scope="session")
def warehouse_emulator():
    """The test session's emulator process (``hackthetrack.warehouse_emulator.Emulator``): its
    ``stop()`` and ``restart()`` (same port, same data) let a test simulate an outage. Skips when
    the suite runs against a real Snowflake (SNOWFLAKE_ACCOUNT set)."""
    from hackthetrack import embedded

    if embedded.ephemeral_warehouse is None:
        pytest.skip("the suite runs against a configured Snowflake, not the emulator")
    return embedded.ephemeral_warehouse


@pytest.fixture
def unreachable_redis(settings):
    """The default cache in a Redis where nothing listens: every cache call fails fast."""
    from tests.api.subprocess_django import CLOSED_PORT

    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_CACHE_BACKEND,
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def shared_redis(settings, request):
    """The default cache in a real Redis under a prefix of this test's own, removed afterwards."""
    from tests.real_components import REDIS, component_used

    component_used(request, REDIS)  # also when requested with getfixturevalue
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"htt-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE_BACKEND, "LOCATION": url, "KEY_PREFIX": prefix}}
    yield {"REDIS_URL": url, "CACHE_KEY_PREFIX": prefix}
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
