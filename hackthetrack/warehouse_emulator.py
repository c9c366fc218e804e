"""A local Snowflake emulator: fakesnow's HTTP server (DuckDB behind the Snowflake protocol).

The app reaches it through the real snowflake connector and django-snowflake, exactly as it
reaches Snowflake. It runs as its own process, so one emulator serves every process of the app
(manage.py commands, gunicorn workers): the first one starts it and records its port in
``<data_dir>/emulator.json``; the others find it there.

Run by hand: ``python -m hackthetrack.warehouse_emulator --data-dir .data/warehouse --port 8765``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger("hackthetrack.embedded")

STATE_FILE = "emulator.json"
STARTUP_TIMEOUT_S = 60.0


@dataclass
class Emulator:
    """A running emulator process: where it listens and which data folder it serves."""

    host: str
    port: int
    pid: int
    data_dir: Path
    parent_pid: int | None = None

    def is_up(self) -> bool:
        return _port_open(self.host, self.port)

    def stop(self, *, timeout_s: float = 10.0) -> None:
        """Stop the process (its data stays in ``data_dir``)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, 15)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and (_pid_alive(self.pid) or self.is_up()):
            time.sleep(0.05)

    def restart(self) -> None:
        """Stop and start again on the same port and data (to test outages and recovery)."""
        self.stop()
        self.pid = emulator_start(
            data_dir=self.data_dir, port=self.port, host=self.host, parent_pid=self.parent_pid
        ).pid


def emulator_start(
    *, data_dir: Path, port: int | None = None, host: str = "127.0.0.1", parent_pid: int | None = None
) -> Emulator:
    """Start an emulator serving ``data_dir`` on ``port`` (a free one when None) and wait until it
    accepts connections. With ``parent_pid`` it exits by itself when that process is gone."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or _free_port(host)
    command = [
        sys.executable,
        "-m",
        "hackthetrack.warehouse_emulator",
        "--data-dir",
        str(data_dir),
        "--host",
        host,
        "--port",
        str(port),
    ]
    if parent_pid:
        command += ["--parent-pid", str(parent_pid)]
    # The emulator stages PUT files in a temporary folder of its own: keep it inside data_dir.
    (data_dir / "stage").mkdir(exist_ok=True)
    # In UTC, as Snowflake sessions are here (DuckDB otherwise takes the host's time zone).
    environment = {**os.environ, "TMPDIR": str(data_dir / "stage"), "TZ": "UTC"}
    with open(data_dir / "emulator.log", "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=environment, start_new_session=True
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not _port_open(host, port):
        if process.poll() is not None:
            raise RuntimeError(f"the warehouse emulator exited with {process.returncode}; see {data_dir}/emulator.log")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the warehouse emulator did not start within {STARTUP_TIMEOUT_S:.0f}s")
        time.sleep(0.05)
    return Emulator(host=host, port=port, pid=process.pid, data_dir=data_dir, parent_pid=parent_pid)


def emulator_reuse_or_start(*, data_dir: Path, host: str = "127.0.0.1") -> Emulator:
    """The emulator recorded in ``data_dir`` if it is still up, else a newly started one (recorded),
    on the recorded port when that is free: processes that found the old one (gunicorn workers)
    reach the new one without a restart.

    A file lock makes concurrent callers (gunicorn workers booting together) start only one."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "emulator.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state_path = data_dir / STATE_FILE
        port = None
        if state_path.exists():
            state = json.loads(state_path.read_text())
            running = Emulator(host=state["host"], port=state["port"], pid=state["pid"], data_dir=data_dir)
            if _pid_alive(running.pid) and running.is_up():
                return running
            port = running.port if running.host == host and _port_free(host, running.port) else None
        emulator = emulator_start(data_dir=data_dir, host=host, port=port)
        state_path.write_text(json.dumps({"host": emulator.host, "port": emulator.port, "pid": emulator.pid}))
        logger.warning(
            "Started the warehouse emulator (fakesnow) on %s:%s, data in %s", emulator.host, emulator.port, data_dir
        )
        return emulator


def _free_port(host: str) -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _port_free(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def _port_open(host: str, port: int) -> bool:
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (exited, not yet reaped) still answers kill(0); /proc tells.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    return True


def _exit_when_parent_dies(parent_pid: int) -> None:
    while _pid_alive(parent_pid):
        time.sleep(1.0)
    os._exit(0)


def serve(*, data_dir: Path, host: str, port: int) -> None:
    """Run fakesnow's server in this process, every session sharing one DuckDB catalogue whose
    databases are files in ``data_dir`` (fakesnow's default keeps them in memory)."""
    import fakesnow.server
    import uvicorn
    from fakesnow.instance import FakeSnow

    fakesnow.server.shared_fs = FakeSnow(db_path=data_dir)
    uvicorn.run(fakesnow.server.app, host=host, port=port, log_level="warning")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    args = parser.parse_args(argv)
    if args.parent_pid:
        threading.Thread(target=_exit_when_parent_dies, args=(args.parent_pid,), daemon=True).start()
    serve(data_dir=args.data_dir.resolve(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
