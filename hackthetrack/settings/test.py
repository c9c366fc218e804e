"""Settings for the test suite: real PostgreSQL, faster password hashing.

Each test session starts its own warehouse emulator (free port, temporary folder), so parallel runs
never share one; it stops with the session. Set SNOWFLAKE_ACCOUNT to test against Snowflake."""

from .base import *  # noqa: F403
from .base import DATA_DIR, DATABASES, TELEMETRY_ENABLED, TELEMETRY_QUERY_TIMEOUT, env
from .local_services import local_databases

SECRET_KEY = env("SECRET_KEY", default="django-insecure-test-key")
DATABASES = local_databases(
    DATABASES,
    env=env,
    data_dir=DATA_DIR,
    telemetry_enabled=TELEMETRY_ENABLED,
    query_timeout=TELEMETRY_QUERY_TIMEOUT,
    ephemeral_warehouse=True,
)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
