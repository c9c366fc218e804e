"""Every skill-model endpoint runs as many queries for 60 drivers as for 12: none grows with the
field (no query per driver), and none takes more than a handful.

The counts are of a cold start: a new data version before each request, so the ranked drivers
(factors.selectors.skill_population, two queries) are read anew. Each count includes the query that
reads the data version (hackthetrack.cache)."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hackthetrack.cache import invalidate_api_cache
from tests.factors.conftest import build_season

ADJUST = {"speed": 50, "consistency": 50, "racecraft": 50, "tire_management": 50}
SKILLS = "speed=50&consistency=50&racecraft=50&tire_management=50"
REQUESTS = {
    "list": ("get", "/api/drivers", None),
    "list by track": ("get", "/api/drivers?track_id=alpha", None),
    "detail": ("get", "/api/drivers/3", None),
    "factor stats": ("get", "/api/factors/speed/stats", None),
    "top average": ("get", "/api/factors/speed/top-average?limit=3", None),
    "breakdown": ("get", "/api/factors/speed/breakdown/3", None),
    "comparison": ("get", "/api/factors/speed/comparison/3", None),
    "coaching": ("get", "/api/factors/speed/coaching/3", None),
    "predict": ("post", "/api/predict", {"driver_number": 3, "track_id": "alpha"}),
    "improve": ("post", "/api/drivers/3/improve/predict", ADJUST),
    "skill gaps": ("get", "/api/drivers/3/skill-gaps", None),
    "coach recommendations": ("get", "/api/drivers/3/coach-recommendations", None),
    "rankings": ("get", f"/api/rankings/projected?driver_number=3&{SKILLS}", None),
    "find similar": ("post", "/api/drivers/find-similar", {"current_driver_number": 3, "target_skills": ADJUST}),
    "match": ("get", "/api/drivers/3/match", None),
}
# A bound, not a snapshot: the data version, the population (two queries), the model version, the
# circuit, the driver's own rows; one query per driver or per factor would exceed it at 60 drivers.
MAX_QUERIES = 6


def cold_query_counts(client, *, drivers: int) -> dict[str, int]:
    """Per request, its queries on a season of ``drivers`` ranked drivers (rolled back after)."""
    counts = {}
    savepoint = transaction.savepoint()
    build_season(drivers=drivers)
    for name, (method, path, body) in REQUESTS.items():
        invalidate_api_cache()
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 200, (name, response.content)
        counts[name] = len(queries)
    transaction.savepoint_rollback(savepoint)
    return counts


def test_query_counts_do_not_grow_with_the_field(client, db):
    small = cold_query_counts(client, drivers=12)
    large = cold_query_counts(client, drivers=60)

    assert large == small
    assert max(small.values()) <= MAX_QUERIES, small


# The POST endpoints (never in the response cache) on a warm population: no query at all (its two,
# and the circuits and season results it keeps once read).
WARM_POSTS = {"predict": 1, "improve": 1, "find similar": 1}  # the data version


def test_posts_on_a_warm_population_skip_its_queries(client, db):
    build_season(drivers=12)
    counts = {}
    for name in WARM_POSTS:
        _, path, body = REQUESTS[name]
        client.post(path, body, content_type="application/json")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, body, content_type="application/json")
        assert response.status_code == 200, (name, response.content)
        counts[name] = len(queries)
    assert counts == WARM_POSTS
