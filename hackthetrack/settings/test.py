"""Settings for the test suite: real PostgreSQL, faster password hashing."""

import os

# Each test session starts its own warehouse emulator (free port, temporary folder), so parallel
# runs never share one; it stops with the session. Set SNOWFLAKE_ACCOUNT to test against Snowflake.
os.environ.setdefault("WAREHOUSE_EMULATOR_EPHEMERAL", "true")

from .base import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
