"""Settings for the test suite: real PostgreSQL, faster password hashing."""

from .base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
