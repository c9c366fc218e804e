"""Every skill-model endpoint runs a fixed number of queries, whatever the number of drivers.

The counts are of a cold start: the cache cleared before each request also starts a new data
version, so the ranked drivers (factors.selectors.skill_population, two queries) are read anew."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factors.conftest import build_season

ADJUST = {"speed": 50, "consistency": 50, "racecraft": 50, "tire_management": 50}
SKILLS = "speed=50&consistency=50&racecraft=50&tire_management=50"
REQUESTS = {
    "list": ("get", "/api/drivers", None, 3),
    "list by track": ("get", "/api/drivers?track_id=alpha", None, 4),
    "detail": ("get", "/api/drivers/3", None, 3),
    "factor stats": ("get", "/api/factors/speed/stats", None, 2),
    "top average": ("get", "/api/factors/speed/top-average?limit=3", None, 1),
    "breakdown": ("get", "/api/factors/speed/breakdown/3", None, 1),
    "comparison": ("get", "/api/factors/speed/comparison/3", None, 3),
    "coaching": ("get", "/api/factors/speed/coaching/3", None, 3),
    "predict": ("post", "/api/predict", {"driver_number": 3, "track_id": "alpha"}, 3),
    "improve": ("post", "/api/drivers/3/improve/predict", ADJUST, 2),
    "skill gaps": ("get", "/api/drivers/3/skill-gaps", None, 2),
    "coach recommendations": ("get", "/api/drivers/3/coach-recommendations", None, 4),
    "rankings": ("get", f"/api/rankings/projected?driver_number=3&{SKILLS}", None, 2),
    "find similar": ("post", "/api/drivers/find-similar", {"current_driver_number": 3, "target_skills": ADJUST}, 3),
    "match": ("get", "/api/drivers/3/match", None, 2),
}


@pytest.mark.parametrize("size", [12, 60])
def test_fixed_query_counts(client, db, size):
    build_season(drivers=size)
    counts = {}
    for name, (method, path, body, _) in REQUESTS.items():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 200, (name, response.content)
        counts[name] = len(queries)
    assert counts == {name: queries for name, (_, _, _, queries) in REQUESTS.items()}


# The POST endpoints (never in the response cache) on a warm population: no query at all (its two,
# and the circuits and season results it keeps once read).
WARM_POSTS = {"predict": 0, "improve": 0, "find similar": 0}


def test_posts_on_a_warm_population_skip_its_queries(client, db):
    build_season(drivers=12)
    counts = {}
    for name in WARM_POSTS:
        _, path, body, _ = REQUESTS[name]
        client.post(path, body, content_type="application/json")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, body, content_type="application/json")
        assert response.status_code == 200, (name, response.content)
        counts[name] = len(queries)
    assert counts == WARM_POSTS
