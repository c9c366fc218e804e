"""The ``curators`` group: add, change, delete and view every model of the drivers and factors
apps (the legacy audit rows: view only), and nothing else (no users, no groups).

Created by the data migration ``factors/0003_curators_group`` and, when it is missing after the
tables were flushed (as transactional tests do), again on ``post_migrate`` — the way Django
itself recreates permissions. An existing group is left as it is, so a deliberate change to its
permissions survives; a model added later needs a migration that grants its permissions
(``curators_group_grant``, as ``factors/0007_legacy_score_component`` does).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import router

CURATORS_GROUP = "curators"
CURATED_APPS = ["drivers", "factors"]
# Kept as imported, for audit: curators may look, not touch.
VIEW_ONLY_MODELS = {("factors", "legacyscorecomponent")}
ACTIONS = ["add", "change", "delete", "view"]


def curators_group_create(*, apps, using: str) -> bool:
    """Create the group with its permissions unless it exists; ``apps`` is the app registry (the
    historical one in a migration). Returns whether it was created."""
    Group = apps.get_model("auth", "Group")
    if Group.objects.using(using).filter(name=CURATORS_GROUP).exists():
        return False
    group = Group.objects.using(using).create(name=CURATORS_GROUP)
    for app_label in CURATED_APPS:
        codenames = [
            f"{action}_{model._meta.model_name}"
            for model in apps.get_app_config(app_label).get_models()
            for action in (["view"] if (app_label, model._meta.model_name) in VIEW_ONLY_MODELS else ACTIONS)
        ]
        _permissions_grant(group, apps=apps, using=using, app_label=app_label, codenames=codenames)
    return True


def curators_group_grant(*, apps, using: str, app_label: str, codenames: list[str]) -> None:
    """Grant an existing group the permissions ``codenames`` of ``app_label``, for a model that a
    migration adds after the group; without the group, nothing (``post_migrate`` creates it whole)."""
    group = apps.get_model("auth", "Group").objects.using(using).filter(name=CURATORS_GROUP).first()
    if group is not None:
        _permissions_grant(group, apps=apps, using=using, app_label=app_label, codenames=codenames)


def _permissions_grant(group, *, apps, using: str, app_label: str, codenames: list[str]) -> None:
    _create_permissions(apps.get_app_config(app_label), apps=apps, using=using)
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.using(using).filter(content_type__app_label=app_label, codename__in=codenames)
    )
    if len(permissions) != len(codenames):
        missing = sorted(set(codenames) - {permission.codename for permission in permissions})
        raise RuntimeError(f"curators group: permissions missing in {app_label}: {missing}")
    group.permissions.add(*permissions)


def _create_permissions(app_config, *, apps, using: str) -> None:
    # Permissions are normally created after the last migration; a migration needs them now. Its
    # stand-in app config has no models module, which create_permissions takes for "no models".
    stand_in = not getattr(app_config, "models_module", None)
    if stand_in:
        app_config.models_module = True
    try:
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    finally:
        if stand_in:
            app_config.models_module = None


def curators_group_restore(sender, *, using: str, apps=global_apps, **kwargs) -> None:
    """``post_migrate`` receiver (connected in factors/admin.py); ``flush`` sends no ``apps``."""
    # post_migrate fires for every alias; auth's tables exist only where the router allows them,
    # and a migrate limited to other apps (``migrate telemetry``) has no auth in its registry.
    if not router.allow_migrate(using, "auth", model_name="group"):
        return
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return
    curators_group_create(apps=apps, using=using)
