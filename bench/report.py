"""bench/run's report: the machine and versions, the tables printed at the end and bench/RESULTS.md.

Render a report again from a run's raw numbers (after a change to this module):

    .venv/bin/python -m bench.report bench/out/RESULTS.json bench/RESULTS.md
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from bench.endpoints import ENDPOINTS

PACKAGES = ("Django", "djangorestframework", "gunicorn", "uvicorn", "psycopg", "redis", "django-snowflake", "fakesnow")
# Issue 8's targets.
FLOOR_SHARE_TARGET, P99_TARGET_MS, TRACE_P99_TARGET_MS, TOP_AVERAGE_BYTES = 0.8, 50.0, 500.0, 200
TRACE_RACE_SAMPLES = 1_000_000  # the trace is measured on a race of at least this many
# The legacy FastAPI app, measured the same way on this kind of machine (issue 8), and "half again".
LEGACY_RPS = {"drivers": 1600, "speed/breakdown/{n}": 1100}
LEGACY_FACTOR = 1.5
READ_ENDPOINTS = {endpoint.name for endpoint in ENDPOINTS if endpoint.read}
# Issue 17: the legacy app's req/s in its own run on this kind of machine; /api/drivers and the
# breakdown are to reach twice theirs, every other cached read at least the legacy's.
LEGACY_17_RPS = {"drivers": 1858, "drivers/{n}": 5252, "speed/stats": 5623, "speed/breakdown/{n}": 1375, "tracks": 5459}
LEGACY_17_DOUBLED = {"drivers", "speed/breakdown/{n}"}
# The bare WSGI floor of that run (3 sync workers): a machine faster or slower than it moves every figure,
# the legacy app's too, so each goal is judged at this run's speed (scaled by the two runs' sync floors).
LEGACY_17_WSGI_FLOOR = 9288
WSGI_FLOOR_SHARE_TARGET, CACHED_P99_TARGET_MS, PREDICT_POST_FLOOR_TARGET = 0.8, 30.0, 0.8


def _command_output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def gunicorn_workers(env: dict[str, str]) -> int:
    """The worker count gunicorn.conf.py gives in the service's environment (the file decides)."""
    config = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
    code = f"import runpy; print(runpy.run_path({str(config)!r})['workers'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return int(result.stdout)


def machine(env: dict[str, str]) -> dict:
    meminfo = dict(line.split(":", 1) for line in open("/proc/meminfo").read().splitlines() if ":" in line)
    database = urlsplit(env["DATABASE_URL"])
    redis = urlsplit(env["REDIS_URL"])
    redis_info = _command_output(["redis-cli", "-h", redis.hostname, "-p", str(redis.port or 6379), "INFO", "server"])
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(int(meminfo["MemTotal"].split()[0]) / 1024 / 1024, 1),
        "cpu": next(
            (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
            platform.processor(),
        ),
        "os": platform.platform(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "postgresql": _command_output(
            [
                "psql",
                "-h",
                database.hostname,
                "-p",
                str(database.port or 5432),
                "-U",
                database.username or "postgres",
                "-tAc",
                "SHOW server_version",
                "postgres",
            ]
        ),
        "redis": next(
            (line.split(":", 1)[1] for line in redis_info.splitlines() if line.startswith("redis_version")), "unknown"
        ),
        "wrk": _command_output(["sh", "-c", "wrk --version 2>&1 | head -1"]).split(" Copyright")[0],
        "workers": gunicorn_workers(env),
    }


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _queries(row: dict | None) -> str:
    if not row:
        return "-"
    text = str(row["queries"])
    if "cached_queries" in row:
        text += f" / {row['cached_queries']} / {row['conditional_queries']} ({row['conditional_status']})"
    return text


def _mode_cells(stats: dict | None) -> list[str]:
    if not stats:
        return ["-"] * 4
    return [f"{stats['rps']:,.0f}", ratio(stats), f"{stats['p50_ms']:.1f}", f"{stats['p99_ms']:.1f}"]


def ratio(stats: dict) -> str:
    return "-" if stats["floor_ratio"] is None else f"{stats['floor_ratio']:.2f}"


def main_table(results: dict) -> str:
    size, first = next(iter(results["sizes"].items()))
    modes = first["modes"]
    cached, computed = modes.get("cached", {}).get("endpoints", {}), modes["computed"]["endpoints"]
    rows = []
    for name in dict.fromkeys([*cached, *computed]):
        count_row = first["queries"].get(name)
        errors = sum(mode["endpoints"][name]["errors"] for mode in modes.values() if name in mode["endpoints"])
        rows.append(
            [
                name,
                *_mode_cells(cached.get(name)),
                *_mode_cells(computed.get(name)),
                str(errors),
                str(count_row["body_bytes"]) if count_row else "-",
                _queries(count_row),
            ]
        )
    header = [
        "endpoint",
        "cached req/s",
        "x floor",
        "p50 ms",
        "p99 ms",
        "computed req/s",
        "x floor",
        "p50 ms",
        "p99 ms",
        "errors",
        "body bytes",
        "queries computed / cached / If-None-Match",
    ]
    floors = "; ".join(
        f"{mode_name} {mode['floor_rps']['mean']:,.0f} req/s (runs from {mode['floor_rps']['min']:,.0f} "
        f"to {mode['floor_rps']['max']:,.0f})"
        for mode_name, mode in modes.items()
    )
    return f"{size} drivers, {results['connections']} connections. Floor: {floors}.\n\n" + _table(header, rows)


WSGI_FLOOR_NAMES = ("WSGI", "WSGI+Redis", "WSGI sync", "WSGI+Redis sync")


def wsgi_floor_means(results: dict) -> dict[str, float]:
    """Each bare WSGI floor's req/s, the mean of its runs (before and after the cached series); the sync
    worker's floors in runs since 2026-12-05."""
    runs = results.get("wsgi_floors") or []
    return {
        name: sum(run[name]["rps"] for run in runs) / len(runs)
        for name in WSGI_FLOOR_NAMES
        if runs and all(name in run for run in runs)
    }


def issue_17_floors(floors: dict[str, float]) -> tuple[str, str]:
    """The floors issue 17's targets are judged by: its own, under gunicorn's sync worker, when measured."""
    if "WSGI sync" in floors:
        return "WSGI sync", "WSGI+Redis sync"
    return "WSGI", "WSGI+Redis"


def wsgi_floor_table(results: dict) -> str:
    """The cached series against the bare WSGI floors (issue 17)."""
    runs = results.get("wsgi_floors")
    if not runs:
        return "Not measured (a run before the bare WSGI floors existed)."
    floors = wsgi_floor_means(results)
    cached = next(iter(results["sizes"].values()))["modes"]["cached"]["endpoints"]
    rows = []
    for name, stats in cached.items():
        rows.append(
            [
                name,
                f"{stats['rps']:,.0f}",
                *(f"{stats['rps'] / floors[floor]:.2f}" for floor in floors),
                ratio(stats),
                f"{stats['p50_ms']:.1f}",
                f"{stats['p99_ms']:.1f}",
                str(stats["errors"]),
            ]
        )
    described = "; ".join(
        f"{name} {floors[name]:,.0f} req/s ("
        + " and ".join(f"{run[name]['rps']:,.0f}" for run in runs)
        + f", p99 {max(run[name]['p99_ms'] for run in runs):.1f} ms)"
        for name in floors
    )
    header = ["as deployed", "req/s", *(f"x {floor}" for floor in floors), "x DRF floor", "p50 ms", "p99 ms", "errors"]
    return (
        f"Bare WSGI floors under the same gunicorn config, before and after the series: {described}; "
        f"the Redis value is {runs[0]['redis_value_bytes']:,} bytes.\n\n" + _table(header, rows)
    )


def targets_17(results: dict) -> list[str]:
    """Issue 17's targets, each met or missed, from the cached series of the first size."""
    floors = wsgi_floor_means(results)
    modes = next(iter(results["sizes"].values()))["modes"]
    cached = modes.get("cached", {}).get("endpoints", {})
    if not floors or not cached:
        return ["NOT MEASURED: no bare WSGI floors in this run"]
    bare, with_redis = issue_17_floors(floors)
    lines = []
    for name, stats in cached.items():
        if name not in READ_ENDPOINTS:
            continue
        share = stats["rps"] / floors[with_redis]
        lines.append(
            f"{name}: {'met' if share >= WSGI_FLOOR_SHARE_TARGET else 'MISSED'} {share:.0%} of the "
            f"{with_redis} floor (target 80%); {'met' if stats['p99_ms'] < CACHED_P99_TARGET_MS else 'MISSED'} "
            f"p99 {stats['p99_ms']:.1f} ms (target < 30); errors {stats['errors']}"
        )
    speed = floors[bare] / LEGACY_17_WSGI_FLOOR
    for name, legacy in LEGACY_17_RPS.items():
        if name in cached:
            goal = legacy * (2 if name in LEGACY_17_DOUBLED else 1)
            verdict = "met" if cached[name]["rps"] >= goal * speed else "MISSED"
            lines.append(
                f"{verdict}: {name} {cached[name]['rps']:,.0f} req/s; goal {goal * speed:,.0f} at this run's speed "
                f"({goal:,} in issue 17's run, legacy {legacy:,}, scaled by the bare {bare} floors: "
                f"{floors[bare]:,.0f} here, {LEGACY_17_WSGI_FLOOR:,} there)"
            )
    if line := _predict_target_line(modes):
        lines.append(line)
    return lines + telemetry_lines(results) + memory_lines(results)


def _predict_target_line(modes: dict) -> str | None:
    """POST predict's share of the POST floor: the median of every alternated pair's, in every mode
    (a POST is never cached, so each mode measures it alike)."""
    ratios = sorted(
        share
        for mode in modes.values()
        if (predict := mode["endpoints"].get("POST predict"))
        for share in predict.get("floor_ratios", [predict["floor_ratio"]])
        if share is not None
    )
    if not ratios:
        return None
    median = statistics.median(ratios)
    verdict = "met" if median >= PREDICT_POST_FLOOR_TARGET else "MISSED"
    pairs = ", ".join(f"{share:.2f}" for share in ratios)
    return (
        f"{verdict}: POST predict {median:.2f} of the POST floor (median of {len(ratios)} pairs: {pairs}; target 0.80)"
    )


def telemetry_lines(results: dict) -> list[str]:
    """The trace and the comparison under load, on the 1x race and after the 10x ingest (issue 17)."""
    first = next(iter(results["sizes"].values()))["modes"]
    runs = [("1x", results.get("ingest_1x", {}).get("race_samples"), first)]
    if "telemetry_10x" in results:
        runs.append(("10x", results["ingest_10x"].get("race_samples"), results["telemetry_10x"]))
    lines = []
    for label, samples, modes in runs:
        for mode_name, mode in modes.items():
            for name in ("telemetry/trace", "telemetry/compare"):
                if stats := mode["endpoints"].get(name):
                    met = "met" if stats["p99_ms"] < TRACE_P99_TARGET_MS and not stats["errors"] else "MISSED"
                    lines.append(
                        f"{met}: {name} {mode_name}, {label} race ({samples or 0:,} samples), "
                        f"{results['connections']} connections: p99 {stats['p99_ms']:.0f} ms (target < 500), "
                        f"{stats['rps']:,.0f} req/s, errors {stats['errors']}"
                    )
    return lines


def memory_lines(results: dict) -> list[str]:
    lines = []
    for size, size_results in results["sizes"].items():
        for mode_name, mode in size_results["modes"].items():
            if memory := mode.get("worker_rss_mb"):
                lines.append(
                    f"memory per worker after the {mode_name} series at {size} drivers: "
                    + ", ".join(f"{value:.0f}" for value in sorted(memory))
                    + " MB (RSS)"
                )
    return lines


def growth_table(results: dict) -> str:
    """Under wrk: requests per second, share of the floor and median latency, computed, per field size."""
    sizes = list(results["sizes"])
    names = list(results["sizes"][sizes[-1]]["modes"]["computed"]["endpoints"])
    rows = []
    for name in names:
        row = [name]
        for size in sizes:
            row += _mode_cells(results["sizes"][size]["modes"]["computed"]["endpoints"].get(name))[:3]
        rows.append(row)
    columns = ("req/s", "x floor", "p50 ms")
    header = ["computed, under wrk"] + [f"{size}: {column}" for size in sizes for column in columns]
    return _table(header, rows)


def request_cost_table(results: dict) -> str:
    """In-process, one request at a time: median wall / CPU ms of a computed answer, queries, bytes."""
    sizes = list(results["sizes"])
    names = list(results["sizes"][sizes[-1]]["queries"])
    rows = []
    for name in names:
        counts = [results["sizes"][size]["queries"].get(name) for size in sizes]
        rows.append(
            [
                name,
                *(f"{c['wall_ms']:.1f} ({c['wall_min_ms']:.1f}) / {c['cpu_ms']:.1f}" if c else "-" for c in counts),
                " / ".join(str(c["queries"]) if c else "-" for c in counts),
                " / ".join(str(c["body_bytes"]) if c else "-" for c in counts),
            ]
        )
    label = " / ".join(sizes)
    return _table(
        [
            "computed, in-process",
            *[f"{size}: wall (least) / CPU ms" for size in sizes],
            f"queries ({label})",
            f"body bytes ({label})",
        ],
        rows,
    )


def _floor_share_lines(mode_name: str, mode: dict) -> list[str]:
    lines = []
    for name, stats in mode.items():
        if name not in READ_ENDPOINTS and (name != "POST predict" or mode_name != "cached"):
            continue
        share_ok = stats["floor_ratio"] is not None and stats["floor_ratio"] >= FLOOR_SHARE_TARGET
        share = "?" if stats["floor_ratio"] is None else f"{stats['floor_ratio']:.0%}"
        p99_ok = stats["p99_ms"] < P99_TARGET_MS
        if name in READ_ENDPOINTS:
            lines.append(
                f"{name} ({mode_name}): {'met' if share_ok else 'MISSED'} {share} of the floor (target 80%); "
                f"{'met' if p99_ok else 'MISSED'} p99 {stats['p99_ms']:.0f} ms (target < 50)"
            )
        else:  # the targets are the read endpoints'
            lines.append(
                f"context, {name} (a computing POST, never cached; the target is the read endpoints'): "
                f"{share} of the POST floor, p99 {stats['p99_ms']:.0f} ms"
            )
    return lines


def targets(results: dict) -> list[str]:
    """Issue 8's targets, each met or missed, from the first size's measurements: the service as
    deployed ("cached"); then the same measures with the response cache off ("computed"), which
    are not the issue's targets but show the first answer after each data change."""
    first = next(iter(results["sizes"].values()))
    cached = first["modes"].get("cached", {}).get("endpoints", {})
    computed = first["modes"]["computed"]["endpoints"]
    lines = []
    first_errors = sum(s["errors"] for mode in first["modes"].values() for s in mode["endpoints"].values())
    lines.append(
        f"{'met' if first_errors == 0 else 'MISSED'}: zero errors ({first_errors} at "
        f"{next(iter(results['sizes']))} drivers, both series)"
    )
    for size, size_results in list(results["sizes"].items())[1:]:
        failed = {
            name: s["error_kinds"] for name, s in size_results["modes"]["computed"]["endpoints"].items() if s["errors"]
        }
        lines.append(
            f"{'met' if not failed else 'MISSED'}: zero errors at {size} drivers" + (f" ({failed})" if failed else "")
        )
    if floor := cached.get("floor"):
        lines.append(
            f"context, cached: the floor itself answered {floor['rps']:,.0f} req/s, p99 "
            f"{floor['p99_ms']:.0f} ms; {results['connections']} connections each answered within 50 ms "
            f"take at least {results['connections'] / 0.05:,.0f} req/s (Little's law)"
        )
    lines += _floor_share_lines("cached", cached)
    for name, row in first["queries"].items():
        if "conditional_status" in row:
            ok = row["conditional_status"] == 304 and row["conditional_queries"] == 0
            lines.append(
                f"{'met' if ok else 'MISSED'}: {name} If-None-Match -> {row['conditional_status']} with "
                f"{row['conditional_queries']} queries"
            )
    if top := first["queries"].get("speed/top-average"):
        lines.append(
            f"{'met' if top['body_bytes'] < TOP_AVERAGE_BYTES else 'MISSED'}: top-average "
            f"{top['body_bytes']} bytes (target < 200)"
        )
    traces = {
        mode_name: mode["telemetry/trace"]["p99_ms"]
        for mode_name, mode in (("cached", cached), ("computed", computed))
        if "telemetry/trace" in mode
    }
    if "cached" in traces:
        race_samples = results.get("ingest_1x", {}).get("race_samples", 0)
        lines.append(
            f"{'met' if race_samples >= TRACE_RACE_SAMPLES else 'MISSED'}: the trace's race (1x ingest) "
            f"holds {race_samples:,} samples in the warehouse (target: at least {TRACE_RACE_SAMPLES:,})"
        )
        lines.append(
            f"telemetry trace (cached): {'met' if traces['cached'] < TRACE_P99_TARGET_MS else 'MISSED'} p99 "
            f"{traces['cached']:.0f} ms on that race (target < 500)"
        )
    if not traces:
        reason = (
            "skipped: --no-telemetry"
            if results.get("telemetry") is False
            else "no telemetry API at the time of the run"
        )
        lines.append(f"NOT MEASURED: telemetry trace ({reason})")
    for name, legacy in LEGACY_RPS.items():
        if name in cached:
            goal = legacy * LEGACY_FACTOR
            lines.append(
                f"{'met' if cached[name]['rps'] >= goal else 'MISSED'}: {name} {cached[name]['rps']:,.0f} "
                f"req/s as deployed (legacy {legacy:,}, goal {goal:,.0f}); "
                f"{computed[name]['rps']:,.0f} computed"
            )
    lines.append("beyond the targets, computed (every answer computed, as the first after a data change):")
    lines += _floor_share_lines("computed", computed)
    if "computed" in traces:
        lines.append(
            f"telemetry trace (computed): {'met' if traces['computed'] < TRACE_P99_TARGET_MS else 'MISSED'} "
            f"p99 {traces['computed']:.0f} ms under {results['connections']} connections (target < 500)"
        )
    return lines


def summary_table(results: dict) -> str:
    return "\n\n".join(
        [
            main_table(results),
            "Against the bare WSGI floors:\n\n" + wsgi_floor_table(results),
            "Targets (issue 17):\n" + "\n".join(f"- {line}" for line in targets_17(results)),
            "Cost growth:\n\n" + growth_table(results),
            request_cost_table(results),
            "Targets:\n" + "\n".join(f"- {line}" for line in targets(results)),
        ]
    )


def _timings(results: dict) -> str:
    lines = []
    for key, label in (("ingest_1x", "ingest 1x"), ("ingest_10x", "ingest 10x")):
        if run := results.get(key):
            lines.append(
                f"- {label} (`bench/ingest_telemetry.py --samples {run['samples']}`): {run['wall_s']} s wall, "
                f"generating the file included when it was not yet in bench/out\n\n  ```\n  "
                + run["output"].replace("\n", "\n  ")
                + "\n  ```"
            )
    if run := results.get("refresh"):
        lines.append(
            f"- refresh_cache (`bench/refresh_cache.py`: the real season at 1x and 10x, its own databases): "
            f"{run['wall_s']} s wall in all\n\n  ```\n  " + run["output"].replace("\n", "\n  ") + "\n  ```"
        )
    return "\n".join(lines) or "- not measured (no bench/ingest_telemetry.py or bench/refresh_cache.py at run time)"


def results_markdown(results: dict) -> str:
    m = results["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in m["packages"].items())
    datasets = "\n".join(
        f"  - {size} drivers: {size_results['dataset']['rows']:,} rows, {size_results['dataset']['ranked']} ranked, "
        f"per-driver endpoints ask for driver {size_results['dataset']['driver_number']}"
        for size, size_results in results["sizes"].items()
    )
    return f"""# Benchmark results

Written by `bench/run` (see docs/benchmarks.md); do not edit by hand, run it again.

- Date: {results["started"]} to {results["finished"]} (UTC)
- Command: `{results["command"]}`
- Machine: {m["cores"]} cores ({m["cpu"]}), {m["memory_gb"]} GB memory, {m["os"]}; load average at
  start {m["load_average_at_start"]}, at end {m.get("load_average_at_end")} (other work on the machine shares
  the cores: compare the floor ratios)
- Versions: Python {m["python"]}, {packages}, PostgreSQL {m["postgresql"]}, Redis {m["redis"]}, {m["wrk"]}
- Service: gunicorn -c gunicorn.conf.py ({m["workers"]} workers, a request at a time each),
  `hackthetrack.settings.production`, DEBUG off, Redis cache, warehouse emulator;
  load: wrk, 1 thread, {results["connections"]} connections,
  {results["duration_s"]} s per endpoint after a warm-up, each request from its own forwarded client address
- Data:
{datasets}

"cached" is the service as deployed (answers from the Redis response cache after the first);
"computed" sets `API_CACHE_TIMEOUT=0` so every request computes its answer. "x floor" is requests per
second divided by the floor's (`/api/bench/floor`, a DRF view with a constant answer) for the same
method, measured for half as long right before the endpoint (the floor rows: the floor against the
floor before it). `GET` floor answers come from the response cache like every GET's; `POST` floor
answers, like every POST's, from the view, with the endpoint's body.
Queries: per request, computed / repeated (cached) / revalidated with If-None-Match (status).

## Throughput and latency

{main_table(results)}

## Against the server's own floors (issue 17)

"x WSGI" and "x WSGI+Redis" divide each endpoint's requests per second, as deployed, by those of a
bare WSGI app under the same gunicorn config (`bench/wsgi_floors.py`) answering a constant, and
answering one Redis GET of a ~1.5 KB value; "sync": the same under gunicorn's sync worker, issue 17's
floors, by which its targets are judged (the deployed worker keeps connections open, the sync worker
takes a new one per request); "x DRF floor" is the ratio to the DRF floor view above.

{wsgi_floor_table(results)}

Targets:

{chr(10).join(f"- {line}" for line in targets_17(results))}

## Cost growth

Under load (wrk, 32 connections), every answer computed:

{growth_table(results)}

One request at a time, in-process (`bench/query_counts.py`: Django's test client through the whole
middleware stack, 15 requests): median wall time (the least in brackets), and the median of this
process's CPU time, which the machine's other load disturbs far less (database time is in
PostgreSQL's processes and counts in wall time only).

{request_cost_table(results)}

## Ingest and refresh

{_timings(results)}

## Targets (issue 8)

{chr(10).join(f"- {line}" for line in targets(results))}
"""


if __name__ == "__main__":
    raw, markdown = sys.argv[1:3]
    with open(raw) as source, open(markdown, "w") as target:
        target.write(results_markdown(json.load(source)))
