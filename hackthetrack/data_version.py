"""The data version: one number in PostgreSQL that names the state of the data the API serves.

Every process (gunicorn workers, ``manage.py`` commands, a shell) shares PostgreSQL, so the version
lives there, in the one-row table ``hackthetrack_data_version``:

- A trigger on every table of the served apps (``SERVED_APPS``) bumps it in the same statement, so
  in the same transaction, as any write: an admin save, ``refresh_cache``, ``import_legacy``, a
  ``save()`` or ``update()`` or raw SQL from any process. The new version becomes visible exactly
  when the write commits, and never for a write that rolls back. Nothing has to be called after
  the commit, so nothing can fail after it.
- Writes PostgreSQL cannot see (the warehouse's telemetry) call ``version_bump()`` after their commit.
- Each new version is announced on the channel ``NOTIFY_CHANNEL`` when it commits (a trigger on the
  version row), so a process can keep it in memory (``hackthetrack.version_watch``).
- A transaction that has written reads its own, uncommitted version: what it builds from its own
  writes is never keyed by a committed version.

A version is the time of its bump in nanoseconds since the epoch (at least the previous one plus
one), so ``Last-Modified`` can be derived from it. The version row is locked from a transaction's
first write until its commit, which serialises writers of the served tables (admin saves wait for
a running refresh to commit); readers never wait.
"""

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections

TABLE = "hackthetrack_data_version"
BUMP_FUNCTION = "hackthetrack_data_version_bump"
TRIGGER = "hackthetrack_data_version_bump"
NOTIFY_CHANNEL = "hackthetrack_data_version"
NOTIFY_FUNCTION = "hackthetrack_data_version_notify"
NOTIFY_TRIGGER = "hackthetrack_data_version_notify"
# The apps whose PostgreSQL tables the API answers from.
SERVED_APPS = ("drivers", "factors")

NEXT_VERSION = "GREATEST(version + 1, (extract(epoch FROM clock_timestamp()) * 1e9)::bigint)"
VERSION_SELECT = f"SELECT version FROM {TABLE} WHERE id = 1"


def version_read(using: str = DEFAULT_DB_ALIAS) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(VERSION_SELECT)
        return cursor.fetchone()[0]


def version_bump(using: str = DEFAULT_DB_ALIAS) -> int:
    """Start a new version (for writes outside PostgreSQL); returns it."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET version = {NEXT_VERSION} WHERE id = 1 RETURNING version")
        return cursor.fetchone()[0]


def served_tables(labels=SERVED_APPS) -> list[str]:
    return [
        model._meta.db_table
        for label in labels
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def bump_triggers_install(using: str = DEFAULT_DB_ALIAS, labels=SERVED_APPS) -> list[str]:
    """Attach the bump trigger to every table of the apps ``labels`` that exists (idempotent); the
    tables. Run after every ``migrate`` (``post_migrate``), so a table a new migration adds gets it too."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [table for table in served_tables(labels) if table in existing]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {connection.ops.quote_name(table)} FOR EACH STATEMENT EXECUTE FUNCTION {BUMP_FUNCTION}()"
            )
    return tables


def tables_with_bump_trigger(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name = %s", [TRIGGER]
        )
        return {row[0] for row in cursor.fetchall()}
