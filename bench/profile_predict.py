"""Where the time of POST /api/predict goes: cProfile in-process, through the whole stack (Django's test
client, every middleware, DRF), on the data bench/run loaded.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/htt_bench DJANGO_SETTINGS_MODULE=hackthetrack.settings.base \\
        THROTTLE_RATE_ANON=100000000/min SECRET_KEY=x ALLOWED_HOSTS=testserver \\
        .venv/bin/python -m bench.profile_predict [--driver N] [--requests 400]

(one client address sends every request: the anonymous rate is lifted so that none is refused).

Two profiles: *warm*, requests in one data version (the skill population is built once per version and
process); *first after a data change*, every request after a new data version (``invalidate_api_cache``),
so each builds the population again. Prints the mean wall time per request and the functions that take
the most cumulative time.
"""

import argparse
import cProfile
import io
import json
import pstats
import time

import django

django.setup()

from django.test import Client  # noqa: E402

from hackthetrack.cache import invalidate_api_cache  # noqa: E402

TOP = 25
PROJECT_CODE = r"/(factors|drivers|hackthetrack)/"


def _predict(client: Client, body: str) -> None:
    response = client.post(
        "/api/predict", body, content_type="application/json", headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 200, response.content


def profiled(label: str, *, requests: int, body: str, new_version_each: bool) -> None:
    client = Client()
    _predict(client, body)  # imports, connections, the population of this version
    profile = cProfile.Profile()
    started = time.perf_counter()
    for _ in range(requests):
        if new_version_each:
            invalidate_api_cache()
        profile.enable()
        _predict(client, body)
        profile.disable()
    wall = (time.perf_counter() - started) / requests * 1000
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(TOP)
    # The project's own functions, and inside the view.
    stats.sort_stats("cumulative").print_stats(PROJECT_CODE, TOP)
    print(f"== {label}: {requests} requests, {wall:.2f} ms wall per request (profiler on; the bump outside it)")
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", type=int, help="a ranked driver's number (default: the middle one)")
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    from factors.selectors import skill_population

    population = skill_population()
    number = args.driver or population.drivers[len(population.drivers) // 2].number
    track = next(iter(population.circuits()), None)
    track_id = track.track_id if track is not None else "barber"
    body = json.dumps({"driver_number": number, "track_id": track_id, "skill_adjustments": {"speed": 10}})
    print(f"driver {number}, track {track_id}, field of {population.field_size}")
    profiled("warm", requests=args.requests, body=body, new_version_each=False)
    profiled("first after a data change", requests=max(1, args.requests // 10), body=body, new_version_each=True)


if __name__ == "__main__":
    main()
