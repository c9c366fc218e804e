from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _bump_triggers_install(app_config, using, **kwargs):
    from hackthetrack.data_version import SERVED_APPS, bump_triggers_install

    if app_config.label in SERVED_APPS and using == "default":
        bump_triggers_install(using, labels=[app_config.label])


class HackTheTrackConfig(AppConfig):
    """The project's own tables: the shared data version and the rate-limit counters."""

    name = "hackthetrack"
    label = "hackthetrack"

    def ready(self):
        post_migrate.connect(_bump_triggers_install, dispatch_uid="hackthetrack.data_version.triggers")
