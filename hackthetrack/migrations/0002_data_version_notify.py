"""Every new data version is announced on a PostgreSQL channel when its transaction commits, so the
workers can keep the version in memory (hackthetrack/version_watch.py) instead of reading it per
request."""

from django.db import migrations

from hackthetrack.data_version import NOTIFY_CHANNEL, NOTIFY_FUNCTION, NOTIFY_TRIGGER, TABLE


class Migration(migrations.Migration):
    dependencies = [("hackthetrack", "0001_data_version_and_rate_counts")]

    operations = [
        migrations.RunSQL(
            sql=[
                # No payload: PostgreSQL folds a transaction's identical notifications into one,
                # however many statements bumped the version; a listener reads the version itself.
                f"""CREATE FUNCTION {NOTIFY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('{NOTIFY_CHANNEL}', '');
                    RETURN NULL;
                END $$""",
                f"CREATE TRIGGER {NOTIFY_TRIGGER} AFTER UPDATE ON {TABLE} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {NOTIFY_FUNCTION}()",
            ],
            reverse_sql=[f"DROP FUNCTION {NOTIFY_FUNCTION}() CASCADE"],
        ),
    ]
