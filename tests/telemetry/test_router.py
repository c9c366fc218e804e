"""The router keeps the telemetry app in the warehouse and everything else in PostgreSQL."""

import pytest
from django.apps import apps
from django.db import connections, router

from telemetry.models import Lap, Load, Sample

WAREHOUSE_MODELS = list(apps.get_app_config("telemetry").get_models())
OTHER_MODELS = [model for model in apps.get_models() if model._meta.app_label != "telemetry"]


def test_the_project_has_models_on_both_sides():
    assert {Lap, Load, Sample} <= set(WAREHOUSE_MODELS)
    assert {"drivers", "factors", "auth"} <= {model._meta.app_label for model in OTHER_MODELS}


@pytest.mark.parametrize("model", WAREHOUSE_MODELS, ids=lambda m: m.__name__)
def test_telemetry_models_read_and_write_in_the_warehouse(model):
    assert router.db_for_read(model) == "warehouse"
    assert router.db_for_write(model) == "warehouse"
    assert router.allow_migrate_model("warehouse", model)
    assert not router.allow_migrate_model("default", model)


@pytest.mark.parametrize("model", OTHER_MODELS, ids=lambda m: m._meta.label)
def test_other_models_never_go_to_the_warehouse(model):
    assert router.db_for_read(model) == "default"
    assert router.db_for_write(model) == "default"
    assert router.allow_migrate_model("default", model)
    assert not router.allow_migrate_model("warehouse", model)


def test_no_relation_crosses_the_databases():
    from drivers.models import Track

    lap, track = Lap(track="barber"), Track(id="barber")
    assert not router.allow_relation(lap, track)
    assert router.allow_relation(lap, Load(id="x"))
    assert router.allow_relation(track, Track(id="cota"))


def _tables(alias):
    return set(connections[alias].introspection.table_names())


@pytest.mark.django_db(databases=["default", "warehouse"])
def test_migrate_created_telemetry_tables_only_in_the_warehouse():
    """Both test databases were built by ``migrate``: each holds only its own side's tables."""
    warehouse_tables = {model._meta.db_table for model in WAREHOUSE_MODELS}
    other_tables = {model._meta.db_table for model in OTHER_MODELS}
    assert warehouse_tables <= _tables("warehouse")
    assert not (other_tables & _tables("warehouse"))
    assert _tables("warehouse") - warehouse_tables == {"django_migrations"}
    assert not (warehouse_tables & _tables("default"))
    assert other_tables <= _tables("default")


def test_the_orm_writes_and_reads_through_the_warehouse(warehouse_db):
    from django.utils import timezone

    Load.objects.create(
        id="a" * 32,
        kind=Load.Kind.LAPS.value,
        source="t.csv",
        season=2025,
        track="barber",
        race_number=1,
        row_count=0,
        loaded_at=timezone.now(),
    )
    with connections["warehouse"].cursor() as cursor:
        cursor.execute("SELECT source FROM telemetry_load WHERE id = %s", ["a" * 32])
        assert cursor.fetchone() == ("t.csv",)
    assert connections["warehouse"].vendor == "snowflake"
