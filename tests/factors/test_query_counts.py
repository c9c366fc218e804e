"""Every skill-model endpoint runs a fixed number of queries, whatever the number of drivers.

The counts are of a cold start: a new data version before each request, so the ranked drivers
(factors.selectors.skill_population, two queries) are read anew. Each count includes the query that
reads the data version (hackthetrack.cache)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hackthetrack.cache import invalidate_api_cache
from tests.factors.conftest import build_season

ADJUST = {"speed": 50, "consistency": 50, "racecraft": 50, "tire_management": 50}
SKILLS = "speed=50&consistency=50&racecraft=50&tire_management=50"
REQUESTS = {
    "list": ("get", "/api/drivers", None, 4),
    "list by track": ("get", "/api/drivers?track_id=alpha", None, 5),
    "detail": ("get", "/api/drivers/3", None, 4),
    "factor stats": ("get", "/api/factors/speed/stats", None, 3),
    "top average": ("get", "/api/factors/speed/top-average?limit=3", None, 2),
    "breakdown": ("get", "/api/factors/speed/breakdown/3", None, 2),
    "comparison": ("get", "/api/factors/speed/comparison/3", None, 4),
    "coaching": ("get", "/api/factors/speed/coaching/3", None, 4),
    "predict": ("post", "/api/predict", {"driver_number": 3, "track_id": "alpha"}, 4),
    "improve": ("post", "/api/drivers/3/improve/predict", ADJUST, 3),
    "skill gaps": ("get", "/api/drivers/3/skill-gaps", None, 3),
    "coach recommendations": ("get", "/api/drivers/3/coach-recommendations", None, 5),
    "rankings": ("get", f"/api/rankings/projected?driver_number=3&{SKILLS}", None, 3),
    "find similar": ("post", "/api/drivers/find-similar", {"current_driver_number": 3, "target_skills": ADJUST}, 4),
    "match": ("get", "/api/drivers/3/match", None, 3),
}


@pytest.mark.parametrize("size", [12, 60])
def test_fixed_query_counts(client, db, size):
    build_season(drivers=size)
    counts = {}
    for name, (method, path, body, _) in REQUESTS.items():
        invalidate_api_cache()
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 200, (name, response.content)
        counts[name] = len(queries)
    assert counts == {name: queries for name, (_, _, _, queries) in REQUESTS.items()}


# The POST endpoints (never in the response cache) on a warm population: no query at all (its two,
# and the circuits and season results it keeps once read).
WARM_POSTS = {"predict": 1, "improve": 1, "find similar": 1}  # the data version


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
