"""Latency, size and query count of the skill-model endpoints on the database in DATABASE_URL.

Load the data first (``manage.py import_legacy ../shared/grcup2025/legacy``), then:

    .venv/bin/python bench/skill_model.py [--repeat 30]

Each request goes through the whole Django stack (middleware included) with the response cache
cleared before every call, so the numbers are for a computed answer, not a cached one. Goals
(issue 3): top-average answers in under 200 bytes with one query; every endpoint a fixed number of
queries (tests/factors/test_query_counts.py asserts those).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackthetrack.settings.development")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

SKILLS = {"speed": 80, "consistency": 80, "racecraft": 80, "tire_management": 80}
REQUESTS = [
    ("GET", "/api/drivers", None),
    ("GET", "/api/drivers?track_id=barber", None),
    ("GET", "/api/drivers/13", None),
    ("GET", "/api/factors/speed/stats", None),
    ("GET", "/api/factors/speed/top-average", None),
    ("GET", "/api/factors/speed/breakdown/13", None),
    ("GET", "/api/factors/speed/comparison/13", None),
    ("GET", "/api/factors/speed/coaching/13", None),
    ("POST", "/api/predict", {"driver_number": 13, "track_id": "cota", "skill_adjustments": {"speed": 10}}),
    ("POST", "/api/drivers/13/improve/predict", SKILLS),
    ("GET", "/api/drivers/2/skill-gaps", None),
    ("GET", "/api/drivers/2/coach-recommendations", None),
    ("GET", "/api/rankings/projected?driver_number=2&speed=90&consistency=80&racecraft=50&tire_management=86", None),
    ("POST", "/api/drivers/find-similar", {"current_driver_number": 2, "target_skills": SKILLS}),
    ("GET", "/api/drivers/2/match", None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    repeat = parser.parse_args().repeat
    client = Client(HTTP_HOST="localhost")
    print(f"{'request':<70} {'status':>6} {'bytes':>7} {'queries':>7} {'median ms':>9} {'p90 ms':>7}")
    for method, path, body in REQUESTS:
        timings = []
        for _ in range(repeat):
            cache.clear()  # a computed answer each time (and no throttling)
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                if method == "GET":
                    response = client.get(path)
                else:
                    response = client.post(path, json.dumps(body), content_type="application/json")
                timings.append((time.perf_counter() - start) * 1000)
        p90 = statistics.quantiles(timings, n=10)[-1] if len(timings) > 1 else timings[0]
        print(
            f"{method + ' ' + path:<70.70} {response.status_code:>6} {len(response.content):>7} "
            f"{len(queries):>7} {statistics.median(timings):>9.1f} {p90:>7.1f}"
        )


if __name__ == "__main__":
    main()
