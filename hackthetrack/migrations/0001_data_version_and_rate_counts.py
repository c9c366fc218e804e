"""The shared data version (hackthetrack/data_version.py) and the rate-limit counters
(hackthetrack/throttling.py), both in PostgreSQL so that every process sees the same."""

from django.db import migrations

from hackthetrack.data_version import BUMP_FUNCTION, NEXT_VERSION, TABLE

RATE_COUNTS = "hackthetrack_rate_count"


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(
            sql=[
                f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)",
                f"INSERT INTO {TABLE} (id, version) VALUES (1, (extract(epoch FROM clock_timestamp()) * 1e9)::bigint)",
                f"""CREATE FUNCTION {BUMP_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE {TABLE} SET version = {NEXT_VERSION} WHERE id = 1;
                    RETURN NULL;
                END $$""",
                # Unlogged: no write-ahead log for a counter bumped on every request; a crash empties it.
                f"""CREATE UNLOGGED TABLE {RATE_COUNTS} (
                    key text PRIMARY KEY,
                    window_index bigint NOT NULL,
                    hits integer NOT NULL,
                    expires_at timestamptz NOT NULL
                )""",
            ],
            reverse_sql=[
                f"DROP TABLE {RATE_COUNTS}",
                f"DROP FUNCTION {BUMP_FUNCTION}() CASCADE",
                f"DROP TABLE {TABLE}",
            ],
        ),
    ]
