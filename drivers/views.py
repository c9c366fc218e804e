"""Tracks, and a driver's season statistics and race results (legacy paths, no trailing slash)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from drivers.filters import DriverResultFilter
from drivers.models import RaceEntry
from drivers.selectors import driver_result_list, driver_season_stats_get, track_list
from drivers.serializers import (
    DriverNumberParameter,
    DriverResultSerializer,
    DriverSeasonStatsSerializer,
    TrackSerializer,
)

DRIVER_NUMBER = OpenApiParameter(
    "number", int, OpenApiParameter.PATH, description="Car number the driver races with (400 if not an integer)"
)


class TrackViewSet(viewsets.ReadOnlyModelViewSet):
    """Circuits with their demand profile per factor."""

    serializer_class = TrackSerializer
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return track_list()

    def get_object(self):
        track_id = self.kwargs["pk"]
        track = self.get_queryset().filter(pk=track_id).first()
        if track is None:
            raise NotFound(f"Track {track_id} not found")
        return track


def _driver_number(raw: str) -> int:
    parameter = DriverNumberParameter(data={"number": raw})
    if not parameter.is_valid():
        raise ValidationError(parameter.errors)
    return parameter.validated_data["number"]


class DriverRecordViewSet(viewsets.GenericViewSet):
    """A driver's season statistics and race results. The driver list and detail are the skill
    model's (factors.urls); this viewset serves only its two detail actions."""

    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    serializer_class = DriverResultSerializer
    queryset = RaceEntry.objects.none()  # names the model for the schema; the actions use selectors
    filterset_class = DriverResultFilter  # documents the results filters; driver_result_list applies them

    @extend_schema(
        summary="A driver's statistics of their latest season",
        parameters=[DRIVER_NUMBER],
        responses=DriverSeasonStatsSerializer,
    )
    @action(detail=True, url_path="stats")
    def stats(self, request, number: str):
        driver_number = _driver_number(number)
        stats = driver_season_stats_get(driver_number=driver_number)
        if stats is None:
            raise NotFound(f"No season stats found for driver {driver_number}")
        return Response(DriverSeasonStatsSerializer(stats).data)

    @extend_schema(
        summary="A driver's race results in season order",
        parameters=[DRIVER_NUMBER],
        responses=DriverResultSerializer(many=True),
        filters=True,
    )
    @action(detail=True, url_path="results")
    def results(self, request, number: str):
        driver_number = _driver_number(number)
        results = driver_result_list(driver_number=driver_number, filters=request.query_params)
        page = self.paginate_queryset(results)
        rows = results if page is None else page
        # Unknown driver and driver without results alike: 404, as in the legacy API. An offset
        # past the end of a known driver's results, or filters nothing matches, give an empty list.
        if not rows and not driver_result_list(driver_number=driver_number).exists():
            raise NotFound(f"No race results found for driver {driver_number}")
        data = DriverResultSerializer(rows, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)
