"""bench/run: throughput, latency and cost growth of the API, served as in production, beside a floor.

For each field size (30, 300, 3,000 generated drivers): recreate the bench's database, migrate, load
the season (bench/dataset.py), count SQL queries per request in-process (bench/query_counts.py),
start gunicorn (bench/stack.py) and drive it with wrk (bench/wrk_report.lua) at 32 connections:
- "cached": the settings as deployed (Redis response cache, ETags): what a user gets;
- "computed": the same with API_CACHE_TIMEOUT=0, so every request computes its answer.
The floor (/api/bench/floor) is measured right before each endpoint, and the endpoint's requests
per second reported as a share of that floor's (the machine's other work comes and goes). At the first size every
endpoint is measured in both modes, plus revalidation (If-None-Match -> 304) and the telemetry
trace on a race of at least a million samples; at the other sizes the read endpoints, computed.
Then the ingest bench at 10x data, and bench/refresh_cache.py (1x and 10x itself) when it exists.
Writes bench/RESULTS.md (--output) and its raw numbers in bench/out/, prints the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report
from bench.endpoints import (
    ENDPOINTS,
    FLOOR,
    FLOOR_POST,
    TELEMETRY_COMPARE,
    TELEMETRY_RACE,
    TELEMETRY_TRACE,
    TELEMETRY_TRACK,
    Endpoint,
    with_driver,
)
from bench.stack import (
    OUT,
    PYTHON,
    ROOT,
    BenchConfig,
    api_cache_invalidate,
    bench_env,
    database_recreate,
    gunicorn,
    manage,
    python_module,
    wait_until_idle,
    warehouse_emulator,
    workers_rss_mb,
)
from bench.wsgi_floors import redis_value_store

WRK_SCRIPT = ROOT / "bench" / "wrk_report.lua"
# A computing POST (predict) is measured in this many alternated pairs with the POST floor: its target
# is a share of that floor, which a single pair on a 2-core machine measures only to about a tenth (and
# a pair now and then to a fifth): ten pairs in all, whose median is judged.
COMPUTING_POST_PAIRS = 5
TELEMETRY_SAMPLES = report.TRACE_RACE_SAMPLES


def wrk(
    *,
    url: str,
    endpoint: Endpoint,
    path: str,
    body: str | None,
    duration: int,
    connections: int,
    etag: str | None = None,
) -> dict:
    """One wrk run (one thread: the machine's cores are for the server) and its report."""
    env = {**os.environ, "BENCH_METHOD": endpoint.method}
    if body is not None:
        env["BENCH_BODY"] = body
    if etag:
        env["BENCH_IF_NONE_MATCH"] = etag
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "-s",
        str(WRK_SCRIPT),
        f"{url}{path}",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    seconds = stats["duration_us"] / 1e6
    errors = sum(stats["errors"].values())
    return {
        "rps": stats["requests"] / seconds,
        "requests": stats["requests"],
        "errors": errors,
        "error_kinds": {kind: count for kind, count in stats["errors"].items() if count},
        "p50_ms": stats["latency_us"]["p50"] / 1000,
        "p99_ms": stats["latency_us"]["p99"] / 1000,
        "max_ms": stats["latency_us"]["max"] / 1000,
        "bytes_per_response": stats["bytes"] / max(1, stats["requests"]),
    }


def measure_series(
    *,
    config: BenchConfig,
    env: dict,
    endpoints: list[tuple[Endpoint, str, str | None]],
    duration: int,
    warmup: int,
    connections: int,
    log_name: str,
    revalidate: dict[str, str] | None = None,
) -> dict:
    """Start gunicorn; for each endpoint measure the floor, then the endpoint (after a warm-up); stop it.

    The machine's other work comes and goes, so each endpoint is compared with the floor measured
    just before it (half as long), not with one floor for the whole series."""
    results, floors = {}, []
    api_cache_invalidate(env)
    with gunicorn(env, base_url=config.base_url, log_name=log_name) as master:

        def run(endpoint: Endpoint, path: str, body: str | None, *, seconds: int, etag: str | None = None) -> dict:
            common = dict(
                url=config.base_url, endpoint=endpoint, path=path, body=body, connections=connections, etag=etag
            )
            if warmup:
                wrk(duration=warmup, **common)
                wait_until_idle(base_url=config.base_url)
            stats = wrk(duration=seconds, **common)
            wait_until_idle(base_url=config.base_url)
            return stats

        def measure(name: str, endpoint: Endpoint, path: str, body: str | None, etag: str | None = None) -> None:
            # The floor of the endpoint's method, with its body: a GET's is answered from the cache, a POST's is not.
            if endpoint.method == "POST":
                pairs = [
                    (
                        run(FLOOR_POST, FLOOR_POST.path, body, seconds=max(1, duration // 2)),
                        run(endpoint, path, body, seconds=duration),
                    )
                    for _ in range(1 if endpoint is FLOOR_POST else COMPUTING_POST_PAIRS)
                ]
            else:
                floor = run(FLOOR, FLOOR.path, None, seconds=max(1, duration // 2))
                floors.append(floor)
                pairs = [(floor, run(endpoint, path, body, seconds=duration, etag=etag))]
            for floor, stats in pairs:
                # No floor answer at all (both workers restarting at once): no ratio rather than a made-up one.
                stats["floor_rps"] = floor["rps"]
                stats["floor_ratio"] = stats["rps"] / floor["rps"] if floor["rps"] else None
            # The pair of the median ratio stands for the endpoint, with every pair's ratio beside it.
            ranked = sorted(pairs, key=lambda pair: (pair[1]["floor_ratio"] is None, pair[1]["floor_ratio"] or 0.0))
            floor, stats = ranked[(len(ranked) - 1) // 2]
            stats["floor_ratios"] = [pair_stats["floor_ratio"] for _, pair_stats in pairs]
            stats["errors"] = sum(pair_stats["errors"] for _, pair_stats in pairs)
            results[name] = stats
            print(
                f"  {name:<28} {stats['rps']:7.0f} req/s ({report.ratio(stats)} x floor {floor['rps']:.0f})  "
                f"p50 {stats['p50_ms']:6.1f} ms  p99 {stats['p99_ms']:7.1f} ms  errors {stats['errors']}",
                flush=True,
            )

        measure(FLOOR.name, FLOOR, FLOOR.path, None)
        measure(FLOOR_POST.name, FLOOR_POST, *with_driver(FLOOR_POST, driver_number=0))
        for endpoint, path, body in endpoints:
            measure(endpoint.name, endpoint, path, body)
            if revalidate and endpoint.name in revalidate:
                measure(f"{endpoint.name} (304)", endpoint, path, body, etag=revalidate[endpoint.name])
        # Each worker's resident memory once the series is over (bench/memory_soak.py: over time).
        memory = workers_rss_mb(master.pid)
        print(f"  memory per worker: {sorted(memory.values())} MB", flush=True)
    floor_rps = [floor["rps"] for floor in floors]
    return {
        "floor_rps": {"mean": sum(floor_rps) / len(floor_rps), "min": min(floor_rps), "max": max(floor_rps)},
        "endpoints": results,
        "worker_rss_mb": list(memory.values()),
    }


# The floors under the framework (bench/wsgi_floors.py), served by the same gunicorn config: with its
# worker, and with gunicorn's sync worker, issue 17's floors ("the same gunicorn (3 sync workers)").
WSGI_FLOORS = {"WSGI": "bench.wsgi_floors:constant", "WSGI+Redis": "bench.wsgi_floors:redis_get"}
SYNC_WORKER = {"GUNICORN_WORKER_CLASS": "sync"}


def measure_wsgi_floors(*, config: BenchConfig, env: dict, duration: int, warmup: int, connections: int) -> dict:
    """Each bare WSGI floor under gunicorn.conf.py (workers as the service's), then under the sync
    worker (names ending in " sync"), measured as an endpoint is."""
    value_bytes = redis_value_store(env["REDIS_URL"])
    results = {}
    probe = Endpoint("wsgi floor", "/")
    floors = [(name, app, env) for name, app in WSGI_FLOORS.items()]
    floors += [(f"{name} sync", app, env | SYNC_WORKER) for name, app in WSGI_FLOORS.items()]
    for name, app, floor_env in floors:
        with gunicorn(
            floor_env, base_url=config.base_url, log_name="gunicorn-wsgi-floors.log", app=app, probe_path="/"
        ):
            if warmup:
                wrk(url=config.base_url, endpoint=probe, path="/", body=None, duration=warmup, connections=connections)
            stats = results[name] = wrk(
                url=config.base_url, endpoint=probe, path="/", body=None, duration=duration, connections=connections
            )
        print(
            f"  {name + ' floor':<28} {stats['rps']:7.0f} req/s  p50 {stats['p50_ms']:6.1f} ms  "
            f"p99 {stats['p99_ms']:7.1f} ms  errors {stats['errors']}",
            flush=True,
        )
    results["redis_value_bytes"] = value_bytes
    return results


def telemetry_race(env: dict) -> dict | None:
    """Ingest at least a million generated samples into the trace's race (bench/ingest_telemetry.py,
    timed), when the telemetry API and its ingest bench exist; returns what the trace request needs."""
    if not (ROOT / "bench" / "ingest_telemetry.py").exists() or not _telemetry_trace_routed(env):
        print("telemetry: no /api/telemetry/trace or bench/ingest_telemetry.py yet; skipped", flush=True)
        return None
    run = ingest_bench(env, samples=TELEMETRY_SAMPLES)
    run["race_samples"] = _race_samples(env, track=TELEMETRY_TRACK, race_number=TELEMETRY_RACE)
    print(
        f"telemetry: {TELEMETRY_TRACK} R{TELEMETRY_RACE} holds {run['race_samples']:,} samples in the warehouse",
        flush=True,
    )
    return {"car_number": 1, "ingest": run}


def _race_samples(env: dict, *, track: str, race_number: int) -> int:
    """The race's samples as the warehouse counts them (the telemetry API's own selector)."""
    count = (
        "from telemetry.selectors import telemetry_cars; "
        f"page = telemetry_cars(track={track!r}, race_number={race_number}, season=None, conditions=[], "
        "limit=10_000, offset=0); print(sum(row['samples'] for row in page.rows))"
    )
    output = subprocess.run(
        [PYTHON, "-c", f"import django; django.setup(); {count}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(output.stdout.split()[-1])


def _telemetry_trace_routed(env: dict) -> bool:
    check = "from django.urls import resolve; resolve('/api/telemetry/trace')"
    return (
        subprocess.run(
            [PYTHON, "-c", f"import django; django.setup(); {check}"], env=env, cwd=ROOT, capture_output=True
        ).returncode
        == 0
    )


def ingest_bench(env: dict, *, samples: int) -> dict:
    started = time.perf_counter()
    output = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "ingest_telemetry.py"), "--samples", str(samples), "--long-samples", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    print(output.stdout, end="", flush=True)
    return {"samples": samples, "wall_s": round(time.perf_counter() - started, 1), "output": output.stdout.strip()}


def refresh_bench(*, database_url: str) -> dict | None:
    """bench/refresh_cache.py (its own test databases beside ``database_url``, its own emulator and
    settings; it times the real season at 1x and 10x itself), when it exists."""
    script = ROOT / "bench" / "refresh_cache.py"
    if not script.exists():
        return None
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SNOWFLAKE_", "DJANGO_"))}
    started = time.perf_counter()
    result = subprocess.run(
        [PYTHON, str(script)], env=env | {"DATABASE_URL": database_url}, cwd=ROOT, capture_output=True, text=True
    )
    output = result.stdout.strip()
    if result.returncode:
        output += f"\nfailed ({result.returncode}):\n{result.stderr[-2000:]}"
    print(output, flush=True)
    return {"wall_s": round(time.perf_counter() - started, 1), "output": output}


def query_counts(env: dict, requests: list[tuple[Endpoint, str, str | None]]) -> dict:
    payload = [{"name": e.name, "method": e.method, "path": path, "body": body} for e, path, body in requests]
    quiet = {**env, "LOG_LEVEL": "WARNING"}  # not a request log line per counted request
    lines = python_module(quiet, "bench.query_counts", json.dumps(payload)).strip().splitlines()
    return {row["name"]: row for row in map(json.loads, lines)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,300,3000", help="field sizes (generated drivers), the first in full")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--ingest-10x", type=int, default=10 * TELEMETRY_SAMPLES, help="samples of the 10x ingest run (0: skip)"
    )
    parser.add_argument(
        "--no-telemetry",
        dest="telemetry",
        action="store_false",
        help="skip the million-sample race and its trace (a quick look)",
    )
    parser.add_argument(
        "--no-refresh",
        dest="refresh",
        action="store_false",
        help="skip bench/refresh_cache.py (it needs ../shared/grcup2025)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the service, e.g. WEB_CONCURRENCY=4 (repeatable)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "bench" / "RESULTS.md",
        help="the report (raw numbers: bench/out/<its name>.json)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    sizes = [int(size) for size in args.sizes.split(",")]
    config = BenchConfig(port=args.port, extra_env=dict(item.split("=", 1) for item in args.env))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "gunicorn.log").unlink(missing_ok=True)
    started = datetime.now(UTC)
    results = {
        "command": " ".join(["bench/run", *map(shlex.quote, sys.argv[1:])]),
        "started": started.isoformat(timespec="seconds"),
        "connections": args.connections,
        "duration_s": args.duration,
        "telemetry": args.telemetry,
        "sizes": {},
    }

    with warehouse_emulator() as emulator:
        env = bench_env(config, warehouse_port=emulator.port)
        computed_env = {**env, "API_CACHE_TIMEOUT": "0"}
        results["machine"] = report.machine(env)
        for index, size in enumerate(sizes):
            print(f"== {size} drivers", flush=True)
            database_recreate(config.database_url)
            manage(env, "migrate", "--no-input")
            if index == 0:
                manage(env, "migrate", "--no-input", "--database", "warehouse")
            dataset = json.loads(python_module(env, "bench.dataset", "--drivers", str(size)))
            print(
                f"  loaded {dataset['rows']:,} rows ({dataset['ranked']} ranked drivers) in "
                f"{dataset['generate_s'] + dataset['load_s']:.1f}s",
                flush=True,
            )
            driver = dataset["driver_number"]
            full = index == 0
            chosen = [e for e in ENDPOINTS if full or e.read]
            requests = [(e, *with_driver(e, driver_number=driver)) for e in chosen]
            if full and args.telemetry and (race := telemetry_race(env)):
                results["ingest_1x"] = race["ingest"]
                telemetry_requests = [
                    (endpoint, *with_driver(endpoint, driver_number=driver, car_number=race["car_number"]))
                    for endpoint in (TELEMETRY_TRACE, TELEMETRY_COMPARE)
                ]
                requests += telemetry_requests
            floors = [(floor, *with_driver(floor, driver_number=driver)) for floor in (FLOOR, FLOOR_POST)]
            counts = query_counts(env, [*floors, *requests])
            size_results = {"dataset": dataset, "queries": counts, "modes": {}}
            if full:
                etags = {name: row["etag"] for name, row in counts.items() if name == "drivers" and row.get("etag")}
                print(" bare WSGI floors (same gunicorn config)", flush=True)
                wsgi_floor_runs = [
                    measure_wsgi_floors(
                        config=config, env=env, duration=args.duration, warmup=args.warmup, connections=args.connections
                    )
                ]
                print(" cached (as deployed)", flush=True)
                size_results["modes"]["cached"] = measure_series(
                    config=config,
                    env=env,
                    endpoints=requests,
                    duration=args.duration,
                    warmup=args.warmup,
                    connections=args.connections,
                    log_name="gunicorn.log",
                    revalidate=etags,
                )
                # Again after the series: the machine's other work comes and goes; the report uses both.
                wsgi_floor_runs.append(
                    measure_wsgi_floors(
                        config=config, env=env, duration=args.duration, warmup=args.warmup, connections=args.connections
                    )
                )
                results["wsgi_floors"] = wsgi_floor_runs
            print(" computed (API_CACHE_TIMEOUT=0)", flush=True)
            size_results["modes"]["computed"] = measure_series(
                config=config,
                env=computed_env,
                endpoints=requests,
                duration=args.duration,
                warmup=args.warmup,
                connections=args.connections,
                log_name="gunicorn.log",
            )
            results["sizes"][str(size)] = size_results
        if args.ingest_10x and "ingest_1x" in results:
            results["ingest_10x"] = ingest_bench(env, samples=args.ingest_10x)
            results["ingest_10x"]["race_samples"] = _race_samples(
                env, track=TELEMETRY_TRACK, race_number=TELEMETRY_RACE
            )
            print(f"telemetry at 10x: the race holds {results['ingest_10x']['race_samples']:,} samples", flush=True)
            results["telemetry_10x"] = {
                mode: measure_series(
                    config=config,
                    env=mode_env,
                    endpoints=telemetry_requests,
                    duration=args.duration,
                    warmup=args.warmup,
                    connections=args.connections,
                    log_name="gunicorn.log",
                )
                for mode, mode_env in (("cached", env), ("computed", computed_env))
            }
    if args.refresh and (refresh := refresh_bench(database_url=config.database_url)):
        results["refresh"] = refresh

    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]
    raw = OUT / f"{args.output.stem}.json"
    raw.write_text(json.dumps(results, indent=2))
    args.output.write_text(report.results_markdown(results))
    print()
    print(report.summary_table(results))
    print(f"\nWritten: {args.output}, {raw}")


if __name__ == "__main__":
    main()
