"""Embedded services for a laptop with no DATABASE_URL: a real PostgreSQL from the pgserver wheel.

The server lives in a local data folder and keeps running after the process that started it, so
the next run (or another gunicorn worker) reuses it instead of starting a second one.
"""

import logging
from pathlib import Path

logger = logging.getLogger("hackthetrack.embedded")


def embedded_postgres_url(data_dir: Path, database: str = "hackthetrack") -> str:
    """Start (or reuse) the embedded PostgreSQL in ``data_dir`` and return a URL for ``database``."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    logger.warning("DATABASE_URL is not set: using the embedded PostgreSQL in %s", data_dir)
    return server.get_uri(database)
