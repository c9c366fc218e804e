"""The service as production runs it, started and stopped by bench/run.

gunicorn with gunicorn.conf.py and ``hackthetrack.settings.production`` (DEBUG off), PostgreSQL
in a database of the bench's own (dropped and created for each data set), Redis for the response
cache and rate-limit counters (a database number and key prefix of its own), and a warehouse
emulator of its own under bench/out/warehouse. Every process started here is stopped here.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable

# Heroku's router terminates TLS and appends the client's address: the load generator sends the
# same two headers (production redirects plain HTTP and rate-limits per forwarded address).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"}


@dataclass
class BenchConfig:
    database_url: str = "postgres://postgres@127.0.0.1:5432/htt_bench"
    redis_url: str = "redis://127.0.0.1:6379/9"
    port: int = 8765
    extra_env: dict[str, str] = field(default_factory=dict)  # bench/run --env NAME=VALUE

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def bench_env(config: BenchConfig, *, warehouse_port: int, **overrides: str) -> dict[str, str]:
    """The environment of every process of the bench: production settings, our database, Redis, emulator."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SNOWFLAKE_", "DJANGO_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "hackthetrack.settings.production",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": config.database_url,
        "REDIS_URL": config.redis_url,
        "CACHE_KEY_PREFIX": "htt-bench",
        "BENCH_FLOOR": "true",
        "PORT": str(config.port),
        # The emulator this bench started (not .data/warehouse, which a developer's server may use).
        "SNOWFLAKE_ACCOUNT": "fakesnow",
        "SNOWFLAKE_EMULATOR": "true",
        "SNOWFLAKE_HOST": "127.0.0.1",
        "SNOWFLAKE_PORT": str(warehouse_port),
        "SNOWFLAKE_PROTOCOL": "http",
        "PYTHONPATH": str(ROOT),
    }
    return env | config.extra_env | overrides


def database_recreate(database_url: str) -> None:
    """Drop and create the bench's database (it holds nothing but what the bench loads)."""
    url = urlsplit(database_url)
    args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    name = url.path.lstrip("/")
    if not name.startswith("htt_bench"):
        sys.exit(f"refusing to drop {name!r}: the bench only recreates databases named htt_bench*")
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *args, name], check=True)


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def python_module(env: dict[str, str], module: str, *args: str) -> str:
    """Run ``python -m module`` in the bench environment; its stdout (stderr passes through)."""
    result = subprocess.run([PYTHON, "-m", module, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if result.returncode:
        sys.exit(f"python -m {module} {' '.join(args)} failed with {result.returncode}")
    return result.stdout


def api_cache_invalidate(env: dict[str, str]) -> None:
    """Start a new data version in the bench's Redis: no answer cached by an earlier series (or by
    bench/query_counts.py, whose test client sends no Accept header, like wrk) is served again."""
    code = "import django; django.setup(); from hackthetrack.cache import invalidate_api_cache; invalidate_api_cache()"
    subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, check=True)


@contextmanager
def warehouse_emulator():
    """A warehouse emulator of the bench's own, empty (data in bench/out/warehouse): what an earlier
    run loaded, such as its 10x ingest into the trace's race, must not change this run's figures."""
    from hackthetrack.warehouse_emulator import emulator_start

    shutil.rmtree(OUT / "warehouse", ignore_errors=True)
    emulator = emulator_start(data_dir=OUT / "warehouse", parent_pid=os.getpid())
    try:
        yield emulator
    finally:
        emulator.stop()


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    base_url: str,
    log_name: str = "gunicorn.log",
    app: str = "hackthetrack.wsgi",
    probe_path: str = "/api/bench/floor",
):
    """gunicorn as the Procfile starts it (or serving another WSGI ``app`` with the same config);
    yields once ``probe_path`` answers, stops it on exit."""
    log = open(OUT / log_name, "ab")
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_serving(process, base_url=base_url, log_path=OUT / log_name, probe_path=probe_path)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_until_idle(*, base_url: str, quick_s: float = 0.5, timeout_s: float = 60) -> None:
    """Wait until a floor request answers quickly: wrk stops sending at the end of a run, but the
    workers still owe the answers queued behind a slow endpoint, which would slow the next run."""
    request = urllib.request.Request(f"{base_url}/api/bench/floor", headers=PROXY_HEADERS)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                response.read()
        except OSError:
            pass
        if time.monotonic() - started < quick_s:
            return


def _wait_until_serving(
    process: subprocess.Popen, *, base_url: str, log_path: Path, probe_path: str, timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    request = urllib.request.Request(f"{base_url}{probe_path}", headers=PROXY_HEADERS)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not answer within {timeout_s:.0f}s; see {log_path}")


def workers_rss_mb(master_pid: int) -> dict[int, float]:
    """Resident memory (VmRSS, MB) of each worker of the gunicorn master ``master_pid``."""
    result = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    memory = {}
    for pid in sorted(int(pid) for pid in result.stdout.split()):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:  # exited meanwhile (recycled)
            continue
        kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        memory[pid] = round(kb / 1024, 1)
    return memory
