"""Database routing: race timing and car telemetry live in the warehouse (Snowflake), everything
else in PostgreSQL. Postgres never holds raw telemetry; the warehouse holds nothing else."""

WAREHOUSE = "warehouse"
WAREHOUSE_APPS = frozenset({"telemetry"})


class WarehouseRouter:
    """Send the ``telemetry`` app to the ``warehouse`` alias and every other app to ``default``."""

    def db_for_read(self, model, **hints):
        return WAREHOUSE if model._meta.app_label in WAREHOUSE_APPS else "default"

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        # No join or foreign key crosses the two databases.
        return (obj1._meta.app_label in WAREHOUSE_APPS) == (obj2._meta.app_label in WAREHOUSE_APPS)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return (app_label in WAREHOUSE_APPS) == (db == WAREHOUSE)
