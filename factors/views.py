"""The skill model's factors (legacy paths, no trailing slash), and its predictions and projected
rankings. Views validate, call selectors and the report functions, and answer through the response
serializers; errors go through the project's error envelope. The drivers' skill-model answers are
drivers.views.DriverViewSet's."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from drivers.serializers import DEMO_DRIVER_NUMBER, DRIVER_NUMBER, parse_driver_number
from factors import factor_reports, predictions, selectors
from factors.serializers import (
    SKILL_MODEL_ERRORS,
    FactorBreakdownSerializer,
    FactorCoachingSerializer,
    FactorComparisonSerializer,
    FactorStatsSerializer,
    FactorTopAverageSerializer,
    PredictionSerializer,
    PredictRequestSerializer,
    ProjectedRankingsSerializer,
    RankingsProjectedQuerySerializer,
    TopAverageQuerySerializer,
    factor_context,
)
from hackthetrack.validation import json_object, validated

FACTOR = OpenApiParameter(
    "factor",
    str,
    OpenApiParameter.PATH,
    description="Factor id, e.g. speed",
    examples=[OpenApiExample("Speed", value="speed")],
)
# A driver within a factor: /factors/{factor}/<what>/{number}.
DRIVER_IN_FACTOR = r"{}/(?P<number>[^/]+)"


class FactorViewSet(viewsets.GenericViewSet):
    """A factor of the active model version: across the ranked field, and one driver within it."""

    lookup_field = "factor"
    lookup_value_regex = "[-a-zA-Z0-9_]+"  # a slug, as in the legacy paths

    @extend_schema(
        operation_id="factors_stats",
        summary="A factor across the ranked field",
        parameters=[FACTOR],
        responses={200: FactorStatsSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True)
    def stats(self, request: Request, factor: str) -> Response:
        population = selectors.skill_population()
        stats = factor_reports.factor_stats(population=population, factor_id=factor)
        return Response(FactorStatsSerializer(stats).data)

    @extend_schema(
        operation_id="factors_top_average",
        summary="Average score of the top drivers in a factor",
        parameters=[FACTOR, TopAverageQuerySerializer],
        responses={200: FactorTopAverageSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True, url_path="top-average")
    def top_average(self, request: Request, factor: str) -> Response:
        limit = validated(TopAverageQuerySerializer, request.query_params).get(
            "limit", settings.HACKTHETRACK["TOP_DRIVERS_COUNT"]
        )
        # A limit beyond the ranked field averages the whole field; count says how many that was.
        result = selectors.factor_top_average(factor_id=factor, limit=limit)
        top_average = {"factor": factor, "top_average": round(result["top_average"], 2), "count": result["count"]}
        return Response(FactorTopAverageSerializer(top_average).data)

    @extend_schema(
        operation_id="factors_breakdown",
        summary="A driver's variables within a factor",
        parameters=[FACTOR, DRIVER_NUMBER],
        responses={200: FactorBreakdownSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True, url_path=DRIVER_IN_FACTOR.format("breakdown"))
    def breakdown(self, request: Request, factor: str, number: str) -> Response:
        definition, values = selectors.factor_with_values(factor_id=factor, driver_number=parse_driver_number(number))
        return Response(FactorBreakdownSerializer({"factor": definition, "variables": values}).data)

    @extend_schema(
        operation_id="factors_comparison",
        summary="A driver against the top drivers of a factor",
        parameters=[FACTOR, DRIVER_NUMBER],
        responses={200: FactorComparisonSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True, url_path=DRIVER_IN_FACTOR.format("comparison"))
    def comparison(self, request: Request, factor: str, number: str) -> Response:
        number = parse_driver_number(number)
        population = selectors.skill_population()
        comparison = factor_reports.factor_comparison(population=population, factor_id=factor, driver_number=number)
        return Response(FactorComparisonSerializer(comparison, context=factor_context(population)).data)

    @extend_schema(
        operation_id="factors_coaching",
        summary="Coaching for one factor, from the data",
        parameters=[FACTOR, DRIVER_NUMBER],
        responses={200: FactorCoachingSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True, url_path=DRIVER_IN_FACTOR.format("coaching"))
    def coaching(self, request: Request, factor: str, number: str) -> Response:
        number = parse_driver_number(number)
        population = selectors.skill_population()
        coaching = factor_reports.factor_coaching(population=population, factor_id=factor, driver_number=number)
        return Response(FactorCoachingSerializer(coaching, context=factor_context(population)).data)


# Examples of the demo season's drivers, so they answer on what bin/serve loads.
PREDICT_EXAMPLES = [
    OpenApiExample("At barber", request_only=True, value={"driver_number": DEMO_DRIVER_NUMBER, "track_id": "barber"}),
    OpenApiExample(
        "After qualifying",
        request_only=True,
        value={"driver_number": DEMO_DRIVER_NUMBER, "track_id": "barber", "grid_position": 3},
    ),
    OpenApiExample(
        "With adjusted skills",
        request_only=True,
        value={"driver_number": DEMO_DRIVER_NUMBER, "track_id": "barber", "skill_adjustments": {"speed": 5}},
    ),
]


class PredictViewSet(viewsets.ViewSet):
    """A driver's predicted finish in a race at a circuit (``POST /api/predict``)."""

    permission_classes = [AllowAny]  # computes from the body and writes nothing: public, as in the legacy

    @extend_schema(
        operation_id="predict",
        summary="Circuit fit and predicted finish (public, writes nothing)",
        request=PredictRequestSerializer,
        responses={200: PredictionSerializer, **SKILL_MODEL_ERRORS},
        examples=PREDICT_EXAMPLES,
    )
    def create(self, request: Request) -> Response:
        population = selectors.skill_population()
        body = validated(PredictRequestSerializer, json_object(request), **factor_context(population))
        driver = population.driver(body["driver_number"])
        (circuit,) = population.circuits(body["track_id"])
        prediction = predictions.predict(
            population=population,
            driver=driver,
            circuit=circuit,
            adjustments=body.get("skill_adjustments"),
            grid_position=body.get("grid_position"),
        )
        return Response(PredictionSerializer(prediction, context=factor_context(population)).data)


class RankingViewSet(viewsets.ViewSet):
    """The ranked field ordered by the model's predicted finish."""

    @extend_schema(
        operation_id="rankings_projected",
        summary="The field ranked with the driver as they are and as projected",
        parameters=[RankingsProjectedQuerySerializer],
        responses={200: ProjectedRankingsSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=False)
    def projected(self, request: Request) -> Response:
        population = selectors.skill_population()
        query = validated(RankingsProjectedQuerySerializer, request.query_params, **factor_context(population))
        number = query.pop("driver_number")
        rankings = predictions.rankings_projected(population=population, driver_number=number, skills=query)
        return Response(ProjectedRankingsSerializer(rankings, context=factor_context(population)).data)
