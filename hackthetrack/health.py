"""GET /api/health: the legacy keys plus the state of the two databases, and nothing secret.

- healthy: PostgreSQL answers and the warehouse runs a query on its tables;
- degraded (200): PostgreSQL answers but the warehouse does not, lacks its tables (``not_migrated``)
  or none is configured: everything but telemetry works;
- ``cache``: Redis ``ok`` or ``unavailable`` (degraded: answers are computed each time), or
  ``local`` memory;
- unhealthy (503): PostgreSQL does not answer; the body is the error envelope with the report in
  ``details``.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from drivers.models import Track
from factors.selectors import ranked_driver_ids
from hackthetrack.db import reconnecting_once
from hackthetrack.exceptions import envelope
from hackthetrack.openapi import ErrorEnvelopeSerializer

WAREHOUSE_ALIAS = "warehouse"
OK, UNAVAILABLE, NOT_MIGRATED, NOT_CONFIGURED = "ok", "unavailable", "not_migrated", "not_configured"
HEALTHY, DEGRADED, UNHEALTHY = "healthy", "degraded", "unhealthy"
LOCAL = "local"


def warehouse_status(*, timeout: float) -> str:
    """Whether the warehouse runs a query on its tables (telemetry/warehouse_probe.py), waited for
    at most ``timeout`` seconds; ``not_migrated`` when it answers without the telemetry tables."""
    if WAREHOUSE_ALIAS not in settings.DATABASES:
        return NOT_CONFIGURED
    from telemetry.warehouse_probe import probe

    return probe.state(timeout=timeout)


def health_report() -> tuple[dict, int]:
    """The report and its HTTP status."""
    warehouse = warehouse_status(timeout=settings.HEALTH_WAREHOUSE_TIMEOUT)
    cache_state = cache_status()
    try:
        tracks_loaded, drivers_loaded = reconnecting_once(_loaded_counts)
    except DatabaseError:
        report = {"status": UNHEALTHY, "database": UNAVAILABLE, "warehouse": warehouse, "cache": cache_state}
        return report, 503
    report = {
        "status": HEALTHY if warehouse == OK and cache_state != UNAVAILABLE else DEGRADED,
        "tracks_loaded": tracks_loaded,
        "drivers_loaded": drivers_loaded,
        "data_source": "PostgreSQL",
        "database": OK,
        "warehouse": warehouse,
        "cache": cache_state,
    }
    return report, 200


def cache_status() -> str:
    """The response cache: Redis ``ok`` or ``unavailable`` (the API answers uncached), or ``local``
    (each process's memory, no REDIS_URL)."""
    ping = getattr(cache, "ping", None)  # hackthetrack.redis_cache
    if ping is None:
        return LOCAL
    return OK if ping() else UNAVAILABLE


def _loaded_counts() -> tuple[int, int]:
    return Track.objects.count(), ranked_driver_ids().count()


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[HEALTHY, DEGRADED])
    tracks_loaded = serializers.IntegerField(help_text="Tracks in the database")
    drivers_loaded = serializers.IntegerField(help_text="Drivers that GET /api/drivers serves")
    data_source = serializers.CharField()
    database = serializers.ChoiceField(choices=[OK, UNAVAILABLE])
    cache = serializers.ChoiceField(choices=[OK, UNAVAILABLE, LOCAL], help_text="local: each process's memory")
    warehouse = serializers.ChoiceField(
        choices=[OK, UNAVAILABLE, NOT_MIGRATED, NOT_CONFIGURED],
        help_text="not_migrated: the warehouse answers without the telemetry tables "
        "(manage.py migrate --database=warehouse)",
    )


@method_decorator(never_cache, name="dispatch")
class HealthView(APIView):
    # Monitors poll this: never throttled, never cached.
    throttle_classes = []

    @extend_schema(
        operation_id="health",
        summary="Service health",
        tags=["health"],
        responses={200: HealthSerializer, 503: ErrorEnvelopeSerializer},
        examples=[
            OpenApiExample(
                "healthy",
                response_only=True,
                status_codes=["200"],
                value={
                    "status": HEALTHY,
                    "tracks_loaded": 6,
                    "drivers_loaded": 31,
                    "data_source": "PostgreSQL",
                    "database": OK,
                    "warehouse": OK,
                },
            ),
            OpenApiExample(
                "unhealthy",
                response_only=True,
                status_codes=["503"],
                value=envelope(
                    error="Database unavailable",
                    details={"status": UNHEALTHY, "database": UNAVAILABLE, "warehouse": OK},
                    path="/api/health",
                ),
            ),
        ],
    )
    def get(self, request):
        report, status = health_report()
        if status != 200:
            return Response(envelope(error="Database unavailable", details=report, path=request.path), status=status)
        return Response(report)
