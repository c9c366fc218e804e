"""The real URLs plus probe endpoints that exercise the cross-cutting layers on demand."""

from django.db import connection
from django.http import Http404
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from drivers.models import Track
from hackthetrack.cache import data_version, invalidate_api_cache
from hackthetrack.data_version import version_bump
from hackthetrack.exceptions import ServiceUnavailable
from hackthetrack.urls import handler400, handler403, handler404, handler500
from hackthetrack.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class TrackInput(serializers.Serializer):
    id = serializers.SlugField()
    name = serializers.CharField()


class TracksProbe(APIView):
    """A read that queries the database, and a write that staff may make."""

    def get(self, request):
        return Response([{"id": track.id, "name": track.name} for track in Track.objects.order_by("id")])

    def post(self, request):
        data = TrackInput(data=request.data)
        data.is_valid(raise_exception=True)
        track = Track.objects.create(**data.validated_data)
        return Response({"id": track.id}, status=201)


class MissingProbe(APIView):
    def get(self, request):
        raise Http404("No such track.")


class CrashProbe(APIView):
    def get(self, request):
        raise RuntimeError("probe crash with a secret-looking detail")


class WarehouseDownProbe(APIView):
    def get(self, request):
        raise ServiceUnavailable()


class DatabaseTimeoutProbe(APIView):
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 10")
            cursor.execute("SELECT pg_sleep(1)")
        return Response({})


class DataVersionProbe(APIView):
    """The data version a request reads, before and after another process starts a new one, and
    after this request starts one itself."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response(self._versions())

    def post(self, request):
        return Response(self._versions())

    def _versions(self) -> dict:
        started = data_version()
        version_bump()  # as another process's write would
        meanwhile = data_version()
        own = invalidate_api_cache()
        return {"started": started, "meanwhile": meanwhile, "own": own, "after_own": data_version()}


class SnapshotProbe(APIView):
    """What a computed GET's queries run in: their transaction's isolation and access mode, and the
    data version the request reads."""

    permission_classes = [AllowAny]

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')")
            isolation, read_only = cursor.fetchone()
        return Response({"isolation": isolation, "read_only": read_only, "version": data_version()})


urlpatterns = [
    path("api/probe/tracks", TracksProbe.as_view()),
    path("api/probe/snapshot", SnapshotProbe.as_view()),
    path("api/probe/data-version", DataVersionProbe.as_view()),
    path("api/probe/missing", MissingProbe.as_view()),
    path("api/probe/crash", CrashProbe.as_view()),
    path("api/probe/warehouse-down", WarehouseDownProbe.as_view()),
    path("api/probe/database-timeout", DatabaseTimeoutProbe.as_view()),
    *project_urlpatterns,
]
