"""Shared fixtures. The real 2025 season lives outside the repository, in ../shared/grcup2025."""

from pathlib import Path

import pytest

SHARED_SEASON_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "grcup2025"


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
def _fresh_api_cache():
    """Each test starts with an empty cache: no response cached from another test's data."""
    from django.core.cache import cache

    cache.clear()
