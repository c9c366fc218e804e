"""Production (Heroku): DJANGO_SETTINGS_MODULE=hackthetrack.settings.production (the Procfile names it).

Fails closed: it refuses to load (so no command and no worker starts, ``check --deploy`` included)
without SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, and the Snowflake account unless
TELEMETRY_ENABLED=false. It never starts a local stand-in (embedded PostgreSQL, warehouse emulator).
Secure by default behind Heroku's router, which terminates TLS and sets X-Forwarded-Proto. Every
value can still be changed from the environment; ``manage.py check --deploy`` reports nothing.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import TELEMETRY_ENABLED, env

REQUIRED = {
    "SECRET_KEY": 'a long random value, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))"',
    "DATABASE_URL": "the PostgreSQL to serve from (the Heroku Postgres add-on sets it)",
    "ALLOWED_HOSTS": "the host names the API answers to",
}
if TELEMETRY_ENABLED:
    REQUIRED["SNOWFLAKE_ACCOUNT"] = "the Snowflake account of the warehouse (or TELEMETRY_ENABLED=false)"
if missing := [f"{name} ({why})" for name, why in REQUIRED.items() if not env(name, default="")]:
    raise ImproperlyConfigured("Production settings need " + "; ".join(missing) + ".")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The frontend's origins only (e.g. https://hackthetrack.vercel.app); nothing by default.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

# HTTPS: the router terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": env.int("NUM_PROXIES", default=1)}  # noqa: F405

# Collected, compressed, fingerprinted static files (collectstatic runs at build time on Heroku).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")  # noqa: F405
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
