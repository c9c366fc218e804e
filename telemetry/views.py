"""The telemetry API: thin views over telemetry.selectors (warehouse SQL) and telemetry.comparisons."""

from __future__ import annotations

from itertools import chain

from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from hackthetrack.csv_stream import csv_lines
from hackthetrack.openapi import ErrorEnvelopeSerializer
from telemetry import comparisons, selectors
from telemetry import serializers as s
from telemetry.comparisons import rounded
from telemetry.filters import Condition, filters_parse, filters_schema
from telemetry.selectors import RaceKey
from telemetry.warehouse_reads import query_tag


class JsonOnly(DefaultContentNegotiation):
    """``?format=csv`` is the views' own parameter (a streamed CSV), not a renderer choice; every
    other answer, errors included, is JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def csv_response(*, rows: list[dict], columns: list[str], filename: str) -> StreamingHttpResponse:
    lines = csv_lines(chain([columns], ([row.get(column) for column in columns] for row in rows)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _race(data: dict) -> RaceKey:
    return RaceKey(track=data["track_id"], race_number=data["race_num"], season=data.get("season"))


def filters_parameter(columns, query_class) -> OpenApiParameter:
    """The operator filters of a list whose filterable columns are ``columns`` (a name that is also
    one of the query's own parameters is that parameter)."""
    return OpenApiParameter(
        name="filters",
        type=filters_schema(set(columns) - set(query_class().fields)),
        style="form",
        explode=True,
        description="Operator filters on the numeric columns of the rows: `column__op=value` with op one of exact, "
        "lt, lte, gt, gte, in (comma-separated), e.g. `speed__gte=200`, `lap__in=3,4`. Other names are "
        "a 400.",
    )


ERRORS_503 = {503: ErrorEnvelopeSerializer}


class TelemetryView(APIView):
    content_negotiation_class = JsonOnly
    query_class: type = None
    filter_columns: dict[str, str] = {}

    def initial(self, request, *args, **kwargs):
        # The warehouse's query history names the request each query served.
        self._query_tag = query_tag.set(
            f"hackthetrack web {request.path} request_id={getattr(request, 'request_id', '-')}"
        )
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        if hasattr(self, "_query_tag"):
            query_tag.reset(self._query_tag)
        return super().finalize_response(request, response, *args, **kwargs)

    def query(self, request) -> tuple[dict, list[Condition]]:
        """Validated parameters and operator filters; a 400 naming every bad or unknown parameter."""
        serializer = self.query_class(data=request.query_params)
        others = {name: value for name, value in request.query_params.items() if name not in serializer.fields}
        conditions, errors = filters_parse(params=others, columns=set(self.filter_columns))
        if not serializer.is_valid():
            errors = {**serializer.errors, **errors}
        if errors:
            raise ValidationError(errors)
        return serializer.validated_data, conditions


def _paged_response(page: selectors.Page, body) -> Response:
    response = Response(body)
    response["X-Total-Count"] = str(page.total)
    return response


class TelemetryDriversView(TelemetryView):
    query_class = s.DriversQuery
    filter_columns = selectors.CAR_COLUMNS

    @extend_schema(
        operation_id="telemetry_drivers",
        summary="Cars with telemetry",
        tags=["telemetry"],
        parameters=[s.DriversQuery, filters_parameter(selectors.CAR_COLUMNS, s.DriversQuery)],
        responses={
            (200, "application/json"): s.TelemetryDriversSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            **ERRORS_503,
        },
    )
    def get(self, request):
        data, conditions = self.query(request)
        page = selectors.telemetry_cars(
            track=data.get("track_id") or None,
            race_number=data.get("race_num"),
            season=data.get("season"),
            conditions=conditions,
            offset=data["offset"],
            limit=data.get("limit", settings.TELEMETRY_MAX_ROWS),
        )
        if data["format"] == "csv":
            return csv_response(
                rows=page.rows, columns=list(s.TelemetryCarSerializer().fields), filename="telemetry-drivers.csv"
            )
        numbers = sorted({row["driver_number"] for row in page.rows})
        return _paged_response(page, {"drivers_with_telemetry": numbers, "count": len(numbers), "cars": page.rows})


class TelemetryLapsView(TelemetryView):
    query_class = s.LapsQuery
    filter_columns = selectors.LAP_COLUMNS

    @extend_schema(
        operation_id="telemetry_laps",
        summary="Per lap: time, sectors, speeds, brake and throttle use",
        tags=["telemetry"],
        parameters=[s.LapsQuery, filters_parameter(selectors.LAP_COLUMNS, s.LapsQuery)],
        responses={
            (200, "application/json"): s.LapSummarySerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **ERRORS_503,
        },
    )
    def get(self, request):
        data, conditions = self.query(request)
        cars = [data["driver_number"]] if "driver_number" in data else None
        page = selectors.lap_summaries(
            race=_race(data),
            car_numbers=cars,
            conditions=conditions,
            offset=data["offset"],
            limit=data.get("limit", settings.TELEMETRY_MAX_ROWS),
        )
        if data["format"] == "csv":
            return csv_response(
                rows=page.rows,
                columns=list(s.LapSummarySerializer().fields),
                filename=f"telemetry-laps-{data['track_id']}-r{data['race_num']}.csv",
            )
        return _paged_response(page, page.rows)


def _no_trace_reason(*, race: RaceKey, car: int, lap: int | None) -> str:
    """Why there is no trace: no telemetry for the car (or the lap) at all, or telemetry without a
    complete green-flag lap to default to."""
    where = f"in {race.track} race {race.race_number}"
    if lap is not None:
        return f"No telemetry for car {car} lap {lap} {where}"
    has_samples = Condition(column="driver_number", operator="exact", values=(car,))
    cars = selectors.telemetry_cars(
        track=race.track, race_number=race.race_number, season=race.season, conditions=[has_samples], limit=1, offset=0
    )
    if not cars.rows:
        return f"No telemetry for car {car} {where}"
    return (
        f"Car {car} has telemetry {where} but no complete green-flag lap: ask for one of its laps with "
        "?lap= (see /api/telemetry/laps)"
    )


RESAMPLING = (
    "Distance bins of equal width from 0 to the lap's longest distance, computed in the warehouse: "
    "continuous channels are the bin's mean, gear the bin's most frequent value; empty bins are absent."
)


class TelemetryTraceView(TelemetryView):
    query_class = s.TraceQuery
    filter_columns = selectors.TRACE_COLUMNS

    @extend_schema(
        operation_id="telemetry_trace",
        summary="One lap resampled onto distance bins",
        tags=["telemetry"],
        parameters=[s.TraceQuery, filters_parameter(selectors.TRACE_COLUMNS, s.TraceQuery)],
        responses={(200, "application/json"): s.TraceSerializer, (200, "text/csv"): OpenApiTypes.STR, **ERRORS_503},
    )
    def get(self, request):
        data, conditions = self.query(request)
        race, car = _race(data), data["driver_number"]
        if "lap" in data:
            summary = selectors.lap_summaries(
                race=race,
                car_numbers=[car],
                limit=1,
                offset=0,
                conditions=[Condition(column="lap", operator="exact", values=(data["lap"],))],
            ).rows
        else:
            summary = list(selectors.fastest_laps(race=race, car_numbers=[car]).values())
        if not summary or not summary[0]["samples"]:
            raise NotFound(_no_trace_reason(race=race, car=car, lap=data.get("lap")))
        lap = summary[0]
        length, rows = comparisons.trace_bins(
            race=race, car=car, lap=lap["lap"], points=data["points"], conditions=conditions
        )
        if length is None:
            length = float(lap["distance"] or 0.0)
        if data["format"] == "csv":
            return csv_response(
                rows=rows,
                columns=list(s.TraceBinSerializer().fields),
                filename=f"telemetry-trace-{race.track}-r{race.race_number}-{car}-{lap['lap']}.csv",
            )
        return Response(
            {
                "track_id": race.track,
                "race_num": race.race_number,
                "driver_number": car,
                "lap": lap["lap"],
                "lap_time": rounded(lap["lap_time"], 3),
                "points": data["points"],
                "bin_width": rounded(length / data["points"], 3),
                "length": rounded(length, 2),
                "resampling": RESAMPLING,
                "trace": rows,
            }
        )


class TelemetryCompareView(TelemetryView):
    query_class = s.CompareQuery

    @extend_schema(
        operation_id="telemetry_compare",
        summary="Two drivers or laps compared",
        tags=["telemetry"],
        description="The legacy comparison (laps, best-lap sector deltas, insights) and, where both "
        "laps have telemetry, `telemetry`: speed traces aligned by distance, the "
        "approximate time delta along the lap, sector deltas checked against the timing, "
        "and the segments where driver 1 loses most time.",
        parameters=[s.CompareQuery],
        responses={200: s.CompareSerializer, **ERRORS_503},
    )
    def get(self, request):
        data, _ = self.query(request)
        return Response(
            comparisons.compare_build(
                race=_race(data),
                driver_1=data["driver_1"],
                driver_2=data["driver_2"],
                lap_1=data.get("lap_1"),
                lap_2=data.get("lap_2"),
                points=data["points"],
            )
        )


class TelemetryDetailedView(TelemetryView):
    query_class = s.DetailedQuery

    @extend_schema(
        operation_id="telemetry_detailed",
        summary="Three-tier speed traces (legacy)",
        tags=["telemetry"],
        parameters=[s.DetailedQuery],
        responses={200: s.DetailedSerializer, **ERRORS_503},
    )
    def get(self, request):
        data, _ = self.query(request)
        return Response(
            comparisons.detailed_build(
                race=_race(data), driver=data["driver_number"], lap_number=data.get("lap_number"), points=data["points"]
            )
        )
