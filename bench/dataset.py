"""Load a generated season of N drivers into the bench's (empty, migrated) database.

    python -m bench.dataset --drivers 300     # in bench/run's environment

Prints one JSON line: rows written, the time taken, and the car number of a ranked driver in the
middle of the field (the one the per-driver endpoints ask for). ANALYZEs the database after loading.
"""

import argparse
import json
import time

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from drivers.models import Driver  # noqa: E402
from factors.selectors import ranked_driver_ids  # noqa: E402
from hackthetrack.cache import invalidate_api_cache  # noqa: E402
from pipeline.demo import demo_season, demo_season_load  # noqa: E402

SEED = 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drivers", type=int, required=True)
    drivers = parser.parse_args().drivers
    started = time.perf_counter()
    season = demo_season(drivers=drivers, seed=SEED)
    generated = time.perf_counter()
    with transaction.atomic():
        rows = demo_season_load(season=season)
        transaction.on_commit(invalidate_api_cache)
    loaded = time.perf_counter()
    # Planner statistics, as autovacuum would gather soon after a load in production: without them
    # PostgreSQL plans the ranked-driver subqueries for one row per table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ranked = Driver.objects.filter(pk__in=ranked_driver_ids()).order_by("number")
    numbers = list(ranked.values_list("number", flat=True))
    print(
        json.dumps(
            {
                "drivers": drivers,
                "ranked": len(numbers),
                "driver_number": numbers[len(numbers) // 2],
                "rows": sum(rows.values()),
                "generate_s": round(generated - started, 2),
                "load_s": round(loaded - generated, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
