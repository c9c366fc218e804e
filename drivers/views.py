"""A driver's season (legacy paths, no trailing slash): their statistics and race results, read
through this app's selectors. The rest of /api/drivers and all of /api/tracks (the skill model's
driver cards, gaps, coaching, what-ifs; a track's demand profile and race prediction) are
factors.views': this app imports nothing of the skill model."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from drivers.filters import DriverResultFilter
from drivers.models import Driver, RaceEntry
from drivers.selectors import driver_result_list, driver_season_stats_get
from drivers.serializers import (
    DRIVER_NUMBER,
    DriverResultSerializer,
    DriverSeasonStatsSerializer,
    parse_driver_number,
)
from hackthetrack.validation import represented, represented_many


class DriverSeasonViewSet(viewsets.GenericViewSet):
    """A driver, by the car number they race with."""

    # The docstring above is factors.views.DriverViewSet's too: drf-spectacular describes every
    # /api/drivers operation with it, whichever app serves the route.
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    # Documents the results' filters; selectors.driver_result_list applies them.
    filterset_class = DriverResultFilter

    def get_queryset(self):
        # Names the model the action's filters are on (for the schema); the actions read through selectors.
        return RaceEntry.objects.none() if self.action == "results" else Driver.objects.none()

    @extend_schema(
        summary="A driver's statistics of their latest season",
        parameters=[DRIVER_NUMBER],
        responses=DriverSeasonStatsSerializer,
    )
    @action(detail=True)
    def stats(self, request: Request, number: str) -> Response:
        number = parse_driver_number(number)
        stats = driver_season_stats_get(driver_number=number)
        if stats is None:
            raise NotFound(f"No season stats found for driver {number}")
        return Response(represented(DriverSeasonStatsSerializer, stats))

    @extend_schema(
        summary="A driver's race results in season order",
        parameters=[DRIVER_NUMBER],
        responses=DriverResultSerializer(many=True),
        filters=True,
    )
    @action(detail=True)
    def results(self, request: Request, number: str) -> Response:
        number = parse_driver_number(number)
        results = driver_result_list(driver_number=number, filters=request.query_params)
        page = self.paginate_queryset(results)
        rows = results if page is None else page
        # Unknown driver and driver without results alike: 404, as in the legacy API. An offset
        # past the end of a known driver's results, or filters nothing matches, give an empty list.
        if not rows and not driver_result_list(driver_number=number).exists():
            raise NotFound(f"No race results found for driver {number}")
        data = represented_many(DriverResultSerializer, rows)
        return Response(data) if page is None else self.get_paginated_response(data)
