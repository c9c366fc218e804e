"""The local stand-ins of the development and test settings (never production's): the embedded
PostgreSQL when DATABASE_URL is unset, the warehouse emulator when SNOWFLAKE_ACCOUNT is."""

from pathlib import Path

import environ


def local_databases(
    databases: dict,
    *,
    env: environ.Env,
    data_dir: Path,
    telemetry_enabled: bool,
    query_timeout: int,
    ephemeral_warehouse: bool = False,
) -> dict:
    """``databases`` with the missing aliases filled in by local stand-ins (started, or reused)."""
    from hackthetrack.embedded import embedded_postgres_url
    from hackthetrack.settings.base import postgres_database
    from hackthetrack.warehouse import warehouse_database

    databases = dict(databases)
    if "default" not in databases:
        databases["default"] = postgres_database(embedded_postgres_url(data_dir / "postgres"))
    if telemetry_enabled and "warehouse" not in databases:
        databases["warehouse"] = warehouse_database(
            env=env, data_dir=data_dir / "warehouse", query_timeout=query_timeout, ephemeral=ephemeral_warehouse
        )
    return databases
