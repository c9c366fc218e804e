"""Memory per gunicorn worker under a long load: does it grow?

    .venv/bin/python bench/memory_soak.py [--minutes 10] [--drivers 30] [--output bench/out/memory_soak.json]

Loads a generated season into the bench's database (bench/dataset.py, as bench/run), starts the
service as deployed (bench/stack.py: gunicorn.conf.py, production settings, Redis, the edge cache)
but with worker recycling off (``GUNICORN_MAX_REQUESTS=0``: a recycled worker starts small again
and would hide growth), then drives it with wrk at 32 connections for ``--minutes``: the cached
reads, ``POST /api/predict``, and ``/api/drivers?limit=N`` for ever new N (each a new answer in
every worker's edge memory, so its byte bound is exercised). Every ``--every`` seconds it writes
each worker's resident memory (VmRSS) and the requests served; at the end, each worker's memory
once warm (after one round of every request kind) and at the end, and the growth between them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.endpoints import ENDPOINTS, with_driver
from bench.http_load import wrk
from bench.stack import (
    OUT,
    BenchConfig,
    bench_env,
    database_recreate,
    gunicorn,
    manage,
    python_module,
    warehouse_emulator,
    workers_rss_mb,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--every", type=int, default=30, help="seconds between memory samples (one wrk run each)")
    parser.add_argument("--drivers", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--output", type=Path, default=OUT / "memory_soak.json")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    config = BenchConfig(extra_env={"GUNICORN_MAX_REQUESTS": "0"})
    samples = []
    with warehouse_emulator() as emulator:
        env = bench_env(config, warehouse_port=emulator.port)
        database_recreate(config.database_url)
        manage(env, "migrate", "--no-input")
        dataset = json.loads(python_module(env, "bench.dataset", "--drivers", str(args.drivers)))
        number = dataset["driver_number"]
        requests = [(endpoint, *with_driver(endpoint, driver_number=number)) for endpoint in ENDPOINTS]
        limits = itertools.count(1)
        started = time.monotonic()
        with gunicorn(env, base_url=config.base_url, log_name="gunicorn-soak.log") as master:
            for round_number in itertools.count():
                elapsed = time.monotonic() - started
                if elapsed >= args.minutes * 60:
                    break
                endpoint, path, body = requests[round_number % len(requests)]
                if endpoint.name == "drivers?limit=20":
                    path = f"/api/drivers?limit={next(limits)}"  # a new answer each round
                stats = wrk(
                    url=config.base_url,
                    endpoint=endpoint,
                    path=path,
                    body=body,
                    duration=args.every,
                    connections=args.connections,
                )
                memory = workers_rss_mb(master.pid)
                samples.append(
                    {
                        "elapsed_s": round(time.monotonic() - started),
                        "path": path,
                        "method": endpoint.method,
                        "requests": stats["requests"],
                        "rps": round(stats["rps"]),
                        "errors": stats["errors"],
                        "rss_mb": memory,
                    }
                )
                print(
                    f"{samples[-1]['elapsed_s']:5d}s {endpoint.method:4} {path:<40} {stats['rps']:7.0f} req/s "
                    f"errors {stats['errors']}  RSS MB {sorted(memory.values())}",
                    flush=True,
                )
    # Warm: after one round of every request kind (lazy imports and per-version memos are built then).
    warm, last = samples[min(len(requests), len(samples)) - 1]["rss_mb"], samples[-1]["rss_mb"]
    summary = {
        "minutes": args.minutes,
        "requests": sum(s["requests"] for s in samples),
        "errors": sum(s["errors"] for s in samples),
        "workers": len(last),
        "warm_rss_mb": warm,
        "end_rss_mb": last,
        "max_rss_mb": max(value for sample in samples for value in sample["rss_mb"].values()),
        "growth_mb": {pid: round(last[pid] - warm[pid], 1) for pid in last if pid in warm and last[pid] is not None},
        "same_workers": set(warm) == set(last),
        "samples": samples,
    }
    args.output.write_text(json.dumps(summary, indent=2, default=str))
    print(json.dumps({key: value for key, value in summary.items() if key != "samples"}, indent=2, default=str))


if __name__ == "__main__":
    main()
