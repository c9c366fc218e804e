"""Settings shared by every environment; every value comes from the environment (django-environ).

Not a settings module to run with: choose ``development`` (local use: a development SECRET_KEY,
and the embedded PostgreSQL and warehouse emulator started for what the environment does not name),
``test`` (pytest) or ``production`` (refuses to start without its real services). This module
starts no process and names no service the environment does not."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = BASE_DIR / ".data"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)
# No default here (development.py has one for local use; production refuses to start without one).
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "hackthetrack",
    "drivers",
    "factors",
    "telemetry",
    "pipeline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "hackthetrack.middleware.RequestIdMiddleware",
    "hackthetrack.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Answers cached GETs as soon as it knows the user (its rate limit depends on it): the
    # middleware below has nothing to do for them, and skipping it serves about 10% more per core.
    "hackthetrack.cache.ApiResponseCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "hackthetrack.urls"
WSGI_APPLICATION = "hackthetrack.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def postgres_database(url: str) -> dict:
    """DATABASES["default"] for the PostgreSQL at ``url``."""
    database = env.db_url_config(url)
    # Django's, with bounded waits on a frozen server in the web processes (hackthetrack/db_deadline.py).
    database["ENGINE"] = "hackthetrack.postgres_backend"
    # One kept connection per worker thread, reused across requests. A connection PostgreSQL dropped
    # (a restart) is replaced at the next request (hackthetrack.db), so service resumes as soon as
    # PostgreSQL does; a pool would retry with a growing backoff instead.
    database["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=600)
    # QuerySet.iterator() (the admin's CSV export) reads its rows with the one query, bounded like
    # every query, not chunk by chunk from a server-side cursor, whose FETCHes pass no execute wrapper.
    # In autocommit such a cursor is WITH HOLD: PostgreSQL builds the whole result at once anyway.
    database["DISABLE_SERVER_SIDE_CURSORS"] = True
    database.setdefault("OPTIONS", {})
    database["OPTIONS"] |= {
        # Bounded waits, below gunicorn's worker timeout (25 s): connecting (libpq's minimum is 2 s),
        # and any one statement (the server cancels it).
        "connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=2),
        "options": f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', default=15_000)}",
    }
    return database


# The web processes' bound on each query's wait (0: none) and how long a worker then fails its
# queries at once before it tries PostgreSQL again (hackthetrack/db_deadline.py).
DB_QUERY_TIMEOUT = env.float("DB_QUERY_TIMEOUT", default=5.0)
DB_BREAKER_SECONDS = env.float("DB_BREAKER_SECONDS", default=1.0)

DATABASE_URL = env("DATABASE_URL", default="")
DATABASES = {"default": postgres_database(DATABASE_URL)} if DATABASE_URL else {}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Race timing and telemetry: Snowflake (SNOWFLAKE_* variables); without SNOWFLAKE_ACCOUNT only the
# development and test settings add one (the local emulator). The router keeps the telemetry app
# there and only there. TELEMETRY_ENABLED=false: no warehouse (production then needs none).
from hackthetrack.warehouse import warehouse_database  # noqa: E402

# Telemetry API reads of the warehouse (telemetry/warehouse_reads.py): per-query time limit (s),
# which also bounds the connection's socket reads and the server's statement timeout.
TELEMETRY_QUERY_TIMEOUT = env.int("TELEMETRY_QUERY_TIMEOUT", default=8)
TELEMETRY_ENABLED = env.bool("TELEMETRY_ENABLED", default=True)
if TELEMETRY_ENABLED and env("SNOWFLAKE_ACCOUNT", default=""):
    DATABASES["warehouse"] = warehouse_database(
        env=env, data_dir=DATA_DIR / "warehouse", query_timeout=TELEMETRY_QUERY_TIMEOUT
    )
DATABASE_ROUTERS = ["hackthetrack.routers.WarehouseRouter"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["hackthetrack.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "hackthetrack.negotiation.ContentNegotiation",
    "EXCEPTION_HANDLER": "hackthetrack.exceptions.envelope_exception_handler",
    # Plain JSON arrays; ?limit=/?offset= paginate on request (hackthetrack/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "hackthetrack.pagination.PlainListPagination",
    "UNAUTHENTICATED_USER": None,
    # Basic first, so an anonymous write gets 401 with WWW-Authenticate; sessions serve the admin's staff.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hackthetrack.authentication.FailureLimitedBasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["hackthetrack.permissions.ReadOnlyUnlessStaff"],
    "DEFAULT_THROTTLE_CLASSES": [
        "hackthetrack.throttling.AnonClientThrottle",
        "hackthetrack.throttling.UserClientThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_RATE_ANON", default="300/min"),
        "user": env("THROTTLE_RATE_USER", default="1200/min"),
    },
    # Proxies in front of the app whose X-Forwarded-For entries are trusted (Heroku's router: 1).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # OPTIONS is no documented operation: 405 with Allow (CORS preflights are answered by
    # corsheaders before any view). DRF's metadata would describe request serializers, which the
    # viewsets' computing actions do not declare (a 500).
    "DEFAULT_METADATA_CLASS": None,
}

# Failed sign-ins (API Basic auth, the admin's login) per client address; over it, 429 (API) or a
# refused login (admin) without checking the password (hackthetrack/throttling.py).
AUTH_FAILURE_RATE = env("AUTH_FAILURE_RATE", default="10/min")
AUTHENTICATION_BACKENDS = ["hackthetrack.authentication.FailureLimitedModelBackend"]
# Larger request bodies answer 413 before they are read (hackthetrack.middleware.RequestLimitsMiddleware).
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=1_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hackthetrack.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {
            "()": "hackthetrack.log_formatter.SecondCachedFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # The Snowflake connector logs every connection at INFO.
    "loggers": {
        "snowflake.connector": {"level": env("SNOWFLAKE_LOG_LEVEL", default="WARNING")},
        # pgserver logs its exit-time cleanup at INFO, after test runners have closed their streams.
        "pgserver": {"level": "WARNING"},
    },
}

# Constants of the skill model that are not curated data (the model's coefficients live in the
# database, see factors.ModelVersion).
HACKTHETRACK = {
    "TOP_DRIVERS_COUNT": 3,
    "SKILLS_BUDGET": 320,
    "PAGE_SIZE_DEFAULT": 100,
    "PAGE_SIZE_MAX": 100,
}

# --- Serving the API: caching, CORS, OpenAPI (see docs/operations.md "Configuration") ---
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Bounded waits on a down or frozen Redis; then the circuit breaker skips it for a while
    # (hackthetrack/redis_cache.py).
    _redis_timeout = env.float("REDIS_TIMEOUT", default=0.5)
    _redis_options = {"socket_connect_timeout": _redis_timeout, "socket_timeout": _redis_timeout}
    if REDIS_URL.startswith("rediss://"):
        # Heroku Redis presents a self-signed certificate: REDIS_SSL_CERT_REQS=none there.
        _redis_options["ssl_cert_reqs"] = env("REDIS_SSL_CERT_REQS", default="required")
    CACHES = {
        "default": {
            "BACKEND": "hackthetrack.redis_cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            # One Redis may serve several deployments (staging, production): a prefix each.
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="htt"),
            "OPTIONS": _redis_options,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hackthetrack"}}

REDIS_BREAKER_SECONDS = env.float("REDIS_BREAKER_SECONDS", default=2.0)

API_PATH_PREFIX = "/api/"
API_CACHE_TIMEOUT = env.int("API_CACHE_TIMEOUT", default=600)
API_CACHE_MAX_AGE = env.int("API_CACHE_MAX_AGE", default=0)
API_CACHE_MAX_BYTES = env.int("API_CACHE_MAX_BYTES", default=2_000_000)
# Cached anonymous GETs answered at the WSGI edge from each worker's memory, at most this many bytes
# of answers per worker (hackthetrack/edge_cache.py).
EDGE_CACHE = env.bool("EDGE_CACHE", default=True)
EDGE_CACHE_MAX_BYTES = env.int("EDGE_CACHE_MAX_BYTES", default=16_000_000)
# With Redis counting the rates, each worker keeps the data version as PostgreSQL announces it, so a
# cached answer costs one Redis round trip and none to PostgreSQL (hackthetrack/version_watch.py):
# confirmed at least every DATA_VERSION_CONFIRM_SECONDS, its connection tried again after a failure
# every DATA_VERSION_RETRY_SECONDS (meanwhile each request reads the version).
DATA_VERSION_WATCH = env.bool("DATA_VERSION_WATCH", default=bool(REDIS_URL))
DATA_VERSION_CONFIRM_SECONDS = env.float("DATA_VERSION_CONFIRM_SECONDS", default=1.0)
DATA_VERSION_RETRY_SECONDS = env.float("DATA_VERSION_RETRY_SECONDS", default=1.0)
# Rates counted in Redis: each worker may hold back up to RATE_BATCH_SHARE of a client's rate and
# adds what it holds in Redis at least every RATE_SYNC_SECONDS (hackthetrack/rate_batches.py); 0
# counts every hit in Redis as it comes.
RATE_BATCH_SHARE = env.float("RATE_BATCH_SHARE", default=0.02)
RATE_SYNC_SECONDS = env.float("RATE_SYNC_SECONDS", default=0.25)
# /api/health answers within 2 s: the warehouse probe's share (Redis 0.5 s at most, PostgreSQL refuses at once).
HEALTH_WAREHOUSE_TIMEOUT = env.float("HEALTH_WAREHOUSE_TIMEOUT", default=1.0)
# bench/run only: serve the floor view /api/bench/floor (hackthetrack/bench_views.py).
BENCH_FLOOR = env.bool("BENCH_FLOOR", default=False)
# Telemetry API reads: attempts and first backoff (s) for transient errors; once the warehouse is
# found down, 503 without trying it (a probe in the background watches for its return) and
# Retry-After of RETRY_AFTER s.
TELEMETRY_QUERY_ATTEMPTS = env.int("TELEMETRY_QUERY_ATTEMPTS", default=3)
TELEMETRY_RETRY_BACKOFF = env.float("TELEMETRY_RETRY_BACKOFF", default=0.2)
TELEMETRY_UNAVAILABLE_RETRY_AFTER = env.float("TELEMETRY_UNAVAILABLE_RETRY_AFTER", default=5.0)
# Most rows a telemetry list answers in one page (?limit=, ?offset= page through the rest).
TELEMETRY_MAX_ROWS = env.int("TELEMETRY_MAX_ROWS", default=5000)
# The season ingest_timing, ingest_telemetry, generate_demo_telemetry and refresh_cache act on
# unless given --season.
SEASON = env.int("SEASON", default=2025)

CORS_ALLOWED_ORIGINS = env.list(
    "CORS_ALLOWED_ORIGINS",
    default=["http://localhost:5173", "http://127.0.0.1:5173", "http://localhost:3000", "http://127.0.0.1:3000"],
)
CORS_ALLOWED_ORIGIN_REGEXES = env.list("CORS_ALLOWED_ORIGIN_REGEXES", default=[])
if not DEBUG and any("*" in origin for origin in CORS_ALLOWED_ORIGINS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("CORS_ALLOWED_ORIGINS may not contain a wildcard when DEBUG is off; list the origins.")
CORS_URLS_REGEX = r"^/api/.*$"
CSRF_FAILURE_VIEW = "hackthetrack.exceptions.csrf_failure"
CORS_EXPOSE_HEADERS = ["ETag", "X-Request-ID", "Retry-After"]

# Static files (the admin's) served by whitenoise: found in the apps' folders on each request
# outside production; production serves the collected, compressed files (production.py).
WHITENOISE_AUTOREFRESH = env.bool("WHITENOISE_AUTOREFRESH", default=True)

SPECTACULAR_SETTINGS = {
    "TITLE": "HackTheTrack API",
    "DESCRIPTION": (
        "Toyota GR Cup analytics: drivers, tracks, results, the four-factor skill model, circuit fit "
        "and telemetry. Reading is public; writes need a staff user. Every error answers "
        '{"error", "details", "path"}. GET answers carry ETag and Last-Modified for revalidation.'
    ),
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema is validated by its own test; check --deploy stays about deployment.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hackthetrack.openapi.add_error_responses",
        "hackthetrack.openapi.forbid_nul_characters",
        "hackthetrack.openapi.allow_empty_optional_queries",
    ],
}
