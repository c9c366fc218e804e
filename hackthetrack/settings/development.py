"""Local use (bin/serve): DJANGO_SETTINGS_MODULE=hackthetrack.settings.development.

A development SECRET_KEY when none is set, and local stand-ins for what the environment does not
name: the embedded PostgreSQL in .data/postgres without DATABASE_URL, the warehouse emulator in
.data/warehouse without SNOWFLAKE_ACCOUNT (both started, or reused, when the settings load)."""

from .base import *  # noqa: F403
from .base import DATA_DIR, DATABASES, TELEMETRY_ENABLED, TELEMETRY_QUERY_TIMEOUT, env
from .local_services import local_databases

SECRET_KEY = env("SECRET_KEY", default="django-insecure-local-development-key-not-for-production")
DATABASES = local_databases(
    DATABASES, env=env, data_dir=DATA_DIR, telemetry_enabled=TELEMETRY_ENABLED, query_timeout=TELEMETRY_QUERY_TIMEOUT
)
