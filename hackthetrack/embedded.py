"""Embedded services for a laptop with no DATABASE_URL: a real PostgreSQL from the pgserver wheel.

The server lives in a local data folder and keeps running after the process that started it, so
the next run (or another gunicorn worker) reuses it instead of starting a second one.
"""

import logging
import os
import warnings
from pathlib import Path

logger = logging.getLogger("hackthetrack.embedded")


def embedded_postgres_url(data_dir: Path, database: str = "hackthetrack") -> str:
    """Start (or reuse) the embedded PostgreSQL in ``data_dir`` and return a URL for ``database``."""
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime folder when imported, which warns on every
        # command where XDG_RUNTIME_DIR is unset (containers, CI, su); its fallback folder serves.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    logger.warning("DATABASE_URL is not set: using the embedded PostgreSQL in %s", data_dir)
    return server.get_uri(database)


# Set when this process started a throw-away emulator (the test session): tests stop and restart it.
ephemeral_warehouse = None


def embedded_warehouse(data_dir: Path, *, ephemeral: bool = False) -> tuple[str, int, str]:
    """Start (or reuse) the local Snowflake emulator and return its (host, port, protocol).

    ``ephemeral``: a private emulator on a free port with a temporary data folder, stopped and
    removed when this process exits (each test session, so parallel runs never share one)."""
    global ephemeral_warehouse
    import atexit
    import shutil
    import tempfile

    from hackthetrack.warehouse_emulator import emulator_reuse_or_start, emulator_start

    if ephemeral:
        temp_dir = Path(tempfile.mkdtemp(prefix="htt-warehouse-"))
        emulator = ephemeral_warehouse = emulator_start(data_dir=temp_dir, parent_pid=os.getpid())

        def _cleanup():
            if ephemeral_warehouse:
                ephemeral_warehouse.stop()
            shutil.rmtree(temp_dir, ignore_errors=True)

        atexit.register(_cleanup)
    else:
        emulator = emulator_reuse_or_start(data_dir=data_dir)
        logger.warning(
            "SNOWFLAKE_ACCOUNT is not set: using the warehouse emulator on %s:%s (data in %s)",
            emulator.host,
            emulator.port,
            data_dir,
        )
    return emulator.host, emulator.port, "http"
