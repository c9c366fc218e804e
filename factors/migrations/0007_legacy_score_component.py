"""LegacyScoreComponent moves from drivers to factors: it refers to a Factor, and drivers depends on
nothing of the skill model. drivers/0002 created it until then (and so depended on factors/0001,
while factors/0001 depends on drivers/0001); it no longer does.

State: the model is created here. Database: a database migrated with the old drivers/0002 has the
table ``drivers_legacyscorecomponent`` with its rows; it is renamed, and its content type moves to
factors, taking its permissions (the curators' view), admin history and the like along. Otherwise
the table is created and the curators may view it, as before (hackthetrack/curators.py)."""

import django.db.models.deletion
from django.db import migrations, models

from hackthetrack.curators import curators_group_grant

OLD_TABLE = "drivers_legacyscorecomponent"


def table_move_or_create(apps, schema_editor):
    model = apps.get_model("factors", "LegacyScoreComponent")
    using = schema_editor.connection.alias
    if OLD_TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.alter_db_table(model, OLD_TABLE, model._meta.db_table)
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.using(using).filter(app_label="drivers", model="legacyscorecomponent").update(
            app_label="factors"
        )
        ContentType.objects.clear_cache()
    else:
        schema_editor.create_model(model)
        curators_group_grant(apps=apps, using=using, app_label="factors", codenames=["view_legacyscorecomponent"])


def table_drop(apps, schema_editor):
    # Back to factors/0006, where (with drivers/0002 as it is now) no app has the model.
    schema_editor.delete_model(apps.get_model("factors", "LegacyScoreComponent"))


class Migration(migrations.Migration):
    dependencies = [
        ("drivers", "0004_season_default_setting"),
        ("factors", "0006_season_default_setting"),
    ]

    operations = [
        # The model enters the state first, so that the RunPython below sees it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LegacyScoreComponent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("variable_name", models.CharField(max_length=40)),
                        ("display_name", models.CharField(blank=True, max_length=80)),
                        ("raw_value", models.FloatField(blank=True, null=True)),
                        ("normalized_value", models.FloatField(blank=True, null=True)),
                        ("percentile", models.FloatField(blank=True, null=True)),
                        ("weight", models.FloatField(blank=True, null=True)),
                        ("contribution", models.FloatField(blank=True, null=True)),
                        (
                            "driver",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="legacy_score_components",
                                to="drivers.driver",
                            ),
                        ),
                        (
                            "factor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="legacy_score_components",
                                to="factors.factor",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["driver", "factor__sort_order", "variable_name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("driver", "factor", "variable_name"),
                                name="legacy_component_unique_per_driver_factor",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(table_move_or_create, table_drop),
    ]
