"""The ``curators`` group (see hackthetrack/curators.py)."""

from django.db import migrations

from hackthetrack.curators import CURATORS_GROUP, curators_group_create


def create_curators_group(apps, schema_editor):
    curators_group_create(apps=apps, using=schema_editor.connection.alias)


def delete_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=CURATORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("drivers", "0002_legacy_import_fields"),
        ("factors", "0002_model_season_min_races_monotone"),
    ]

    operations = [migrations.RunPython(create_curators_group, delete_curators_group)]
