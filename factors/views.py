"""Skill-model endpoints (legacy paths, no trailing slash). Views validate, call selectors and the
report functions, and return their data; errors go through the project's error envelope."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drivers.models import Driver
from drivers.serializers import DriverNumberParameter
from factors import driver_reports, factor_reports, predictions, selectors
from factors.filters import RankedDriverFilter
from factors.serializers import (
    DriversQuerySerializer,
    FindSimilarSerializer,
    ImprovePredictSerializer,
    MatchQuerySerializer,
    PredictRequestSerializer,
    RankingsProjectedQuerySerializer,
    TopAverageQuerySerializer,
)


def _validated(serializer_class, data, population: selectors.SkillPopulation | None = None, **context) -> dict:
    if population is not None:
        context["factors"] = population.model.factors
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# For the schema: the factors are the active model version's (these four with the legacy data).
SKILL_NAMES = ("speed", "consistency", "racecraft", "tire_management")
TRACK_PARAMETER = OpenApiParameter("track_id", str, description="Add this circuit's fit to `circuit_fits`")
SKILL_EXAMPLE = OpenApiExample("Skills", value={"speed": 85, "consistency": 80, "racecraft": 75, "tire_management": 70})


def _skill_parameters(*, required: bool) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(name, float, required=required, description="Skill score, 0 to 100")
        for name in SKILL_NAMES
    ]


def _driver_number(raw: str) -> int:
    """The path's driver number: a positive integer, else 400 naming ``number``."""
    return _validated(DriverNumberParameter, {"number": raw})["number"]


def _json_object(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    return request.data


@extend_schema(parameters=[TRACK_PARAMETER], responses=OpenApiTypes.OBJECT)
class DriverListView(GenericAPIView):
    """The ranked drivers as a plain array; ?limit=/&offset= page it (PlainListPagination)."""

    queryset = Driver.objects.none()  # names the model for the schema; the view reads through selectors
    filterset_class = RankedDriverFilter  # documents the filters; selectors.driver_numbers_filtered applies them

    def get(self, request: Request) -> Response:
        track_id = _validated(DriversQuerySerializer, request.query_params).get("track_id")
        selected = selectors.driver_numbers_filtered(filters=request.query_params)
        population = selectors.skill_population()
        drivers = population.by_average_finish
        if selected is not None:
            # Filters pick drivers; every statistic on their cards stays over the whole ranked field.
            drivers = [driver for driver in drivers if driver.number in selected]
        page = self.paginate_queryset(drivers)
        # Cards of the page only: the order and every field statistic come from the population.
        cards = driver_reports.driver_cards(
            population=population, track_id=track_id, drivers=drivers if page is None else page
        )
        return Response(cards) if page is None else self.get_paginated_response(cards)


@extend_schema(parameters=[TRACK_PARAMETER], responses=OpenApiTypes.OBJECT)
class DriverDetailView(APIView):
    def get(self, request: Request, number: str) -> Response:
        number = _driver_number(number)
        track_id = _validated(DriversQuerySerializer, request.query_params).get("track_id")
        population = selectors.skill_population()
        driver = population.driver(number)
        return Response(driver_reports.driver_cards(population=population, track_id=track_id, drivers=[driver])[0])


@extend_schema(responses=OpenApiTypes.OBJECT)
class FactorStatsView(APIView):
    def get(self, request: Request, factor: str) -> Response:
        return Response(factor_reports.factor_stats(population=selectors.skill_population(), factor_id=factor))


@extend_schema(
    parameters=[
        OpenApiParameter("limit", int, description="How many top scores, 1..number of ranked drivers (default 3)")
    ],
    responses=OpenApiTypes.OBJECT,
)
class FactorTopAverageView(APIView):
    def get(self, request: Request, factor: str) -> Response:
        limit = _validated(TopAverageQuerySerializer, request.query_params).get(
            "limit", settings.HACKTHETRACK["TOP_DRIVERS_COUNT"]
        )
        result = selectors.factor_top_average(factor_id=factor, limit=limit)
        if result["count"] < limit:
            raise ValidationError({"limit": [f"Ensure this value is less than or equal to {result['count']}."]})
        return Response({"factor": factor, "top_average": round(result["top_average"], 2), "count": result["count"]})


@extend_schema(responses=OpenApiTypes.OBJECT)
class FactorBreakdownView(APIView):
    def get(self, request: Request, factor: str, number: str) -> Response:
        number = _driver_number(number)
        definition, values = selectors.factor_with_values(factor_id=factor, driver_number=number)
        return Response(
            {
                "factor_name": definition.id,
                "explanation": definition.description,
                "variables": [
                    {
                        "name": value.variable_id,
                        "display_name": value.variable.display_name,
                        "normalized_value": value.normalized_value,
                        "percentile": value.percentile,
                        "loading": value.variable.loading,
                        "description": value.variable.description,
                    }
                    for value in values
                ],
            }
        )


@extend_schema(responses=OpenApiTypes.OBJECT)
class FactorComparisonView(APIView):
    def get(self, request: Request, factor: str, number: str) -> Response:
        number = _driver_number(number)
        population = selectors.skill_population()
        return Response(
            factor_reports.factor_comparison(population=population, factor_id=factor, driver_number=number)
        )


@extend_schema(responses=OpenApiTypes.OBJECT)
class FactorCoachingView(APIView):
    def get(self, request: Request, factor: str, number: str) -> Response:
        number = _driver_number(number)
        population = selectors.skill_population()
        return Response(factor_reports.factor_coaching(population=population, factor_id=factor, driver_number=number))


@extend_schema(request=PredictRequestSerializer, responses=OpenApiTypes.OBJECT)
class PredictView(APIView):
    permission_classes = [AllowAny]  # computes from the body and writes nothing: public, as in the legacy

    def post(self, request: Request) -> Response:
        population = selectors.skill_population()
        body = _validated(PredictRequestSerializer, _json_object(request), population)
        driver = population.driver(body["driver_number"])
        (circuit,) = population.circuits(body["track_id"])
        return Response(
            predictions.predict(
                population=population, driver=driver, circuit=circuit, adjustments=body.get("skill_adjustments")
            )
        )


@extend_schema(request=OpenApiTypes.OBJECT, examples=[SKILL_EXAMPLE], responses=OpenApiTypes.OBJECT)
class ImprovePredictView(APIView):
    permission_classes = [AllowAny]  # computes from the body and writes nothing: public, as in the legacy

    def post(self, request: Request, number: str) -> Response:
        number = _driver_number(number)
        population = selectors.skill_population()
        driver = population.driver(number)
        target = _validated(
            ImprovePredictSerializer,
            _json_object(request),
            population,
            skills_budget=settings.HACKTHETRACK["SKILLS_BUDGET"],
        )
        return Response(predictions.improve(population=population, driver=driver, target=target))


@extend_schema(responses=OpenApiTypes.OBJECT)
class SkillGapsView(APIView):
    def get(self, request: Request, number: str) -> Response:
        number = _driver_number(number)
        return Response(driver_reports.skill_gaps(population=selectors.skill_population(), driver_number=number))


@extend_schema(responses=OpenApiTypes.OBJECT)
class CoachRecommendationsView(APIView):
    def get(self, request: Request, number: str) -> Response:
        number = _driver_number(number)
        population = selectors.skill_population()
        return Response(driver_reports.coach_recommendations(population=population, driver_number=number))


@extend_schema(
    parameters=[OpenApiParameter("driver_number", int, required=True), *_skill_parameters(required=True)],
    responses=OpenApiTypes.OBJECT,
)
class RankingsProjectedView(APIView):
    def get(self, request: Request) -> Response:
        population = selectors.skill_population()
        query = _validated(RankingsProjectedQuerySerializer, request.query_params, population)
        number = query.pop("driver_number")
        return Response(predictions.rankings_projected(population=population, driver_number=number, skills=query))


@extend_schema(request=FindSimilarSerializer, responses=OpenApiTypes.OBJECT)
class FindSimilarView(APIView):
    permission_classes = [AllowAny]  # computes from the body and writes nothing: public, as in the legacy

    def post(self, request: Request) -> Response:
        population = selectors.skill_population()
        body = _validated(FindSimilarSerializer, _json_object(request), population)
        return Response(
            driver_reports.find_similar(
                population=population, driver_number=body["current_driver_number"], target=body["target_skills"]
            )
        )


@extend_schema(
    parameters=[
        OpenApiParameter("top_n", int, description="How many drivers, 1..10 (default 5)"),
        *_skill_parameters(required=False),
    ],
    responses=OpenApiTypes.OBJECT,
)
class MatchView(APIView):
    def get(self, request: Request, number: str) -> Response:
        number = _driver_number(number)
        population = selectors.skill_population()
        query = _validated(MatchQuerySerializer, request.query_params, population)
        top_n = query.pop("top_n")
        return Response(driver_reports.match(population=population, driver_number=number, top_n=top_n, adjusted=query))
