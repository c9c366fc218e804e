"""The ``curators`` group: add, change, delete and view the curated data of drivers and factors,
view the legacy audit rows, and nothing else (no users, no groups)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATED_MODELS = {
    "drivers": ["driver", "track", "corner", "race", "raceentry", "driverseasonstats"],
    "factors": [
        "factor", "variable", "modelversion", "modelcoefficient", "driverfactorscore", "drivervariablevalue",
        "trackdemand",
    ],
}
# Kept as imported, for audit: curators may look, not touch.
VIEW_ONLY_MODELS = {"drivers": ["legacyscorecomponent"]}
ACTIONS = ["add", "change", "delete", "view"]


def create_curators_group(apps, schema_editor):
    # Permissions are created after the last migration (post_migrate); this one needs them now.
    for app_label in CURATED_MODELS:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="curators")
    for app_label, models in CURATED_MODELS.items():
        codenames = [f"{action}_{model}" for model in models for action in ACTIONS]
        codenames += [f"view_{model}" for model in VIEW_ONLY_MODELS.get(app_label, [])]
        permissions = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        if len(permissions) != len(codenames):
            missing = set(codenames) - {permission.codename for permission in permissions}
            raise RuntimeError(f"curators group: permissions missing for {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)


def delete_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("drivers", "0002_legacy_import_fields"),
        ("factors", "0002_model_season_min_races_monotone"),
    ]

    operations = [migrations.RunPython(create_curators_group, delete_curators_group)]
