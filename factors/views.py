"""The skill model's routes (legacy paths, no trailing slash): the ranked drivers (cards, gaps,
coaching, similar drivers, what-ifs) and the circuits with their demand profiles and race
predictions, the factors, predictions and projected rankings. Views validate, call selectors and
the report functions, and answer through the response serializers; errors go through the
project's error envelope. A driver's season (statistics, results) is drivers.views'."""

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from drivers.models import Driver
from drivers.serializers import DEMO_DRIVER_NUMBER, DRIVER_NUMBER, parse_driver_number
from factors import driver_reports, factor_reports, predictions, selectors
from factors.filters import RankedDriverFilter
from factors.serializers import (
    GRID_PARAMETER,
    SKILL_MODEL_ERRORS,
    CoachRecommendationsSerializer,
    DriverCardSerializer,
    DriverMatchSerializer,
    DriversQuerySerializer,
    FactorBreakdownSerializer,
    FactorCoachingSerializer,
    FactorComparisonSerializer,
    FactorStatsSerializer,
    FactorTopAverageSerializer,
    FindSimilarSerializer,
    ImprovementSerializer,
    MatchQuerySerializer,
    PredictionSerializer,
    PredictRequestSerializer,
    ProjectedRankingsSerializer,
    RaceOrderSerializer,
    RacePredictionQuerySerializer,
    RankingsProjectedQuerySerializer,
    SimilarDriversSerializer,
    SkillGapsSerializer,
    SkillScoresSerializer,
    TopAverageQuerySerializer,
    TrackSerializer,
    factor_context,
)
from hackthetrack.validation import json_object, represented, represented_many, validated

SKILLS_EXAMPLE = OpenApiExample(
    "Skills", value={"speed": 85, "consistency": 80, "racecraft": 75, "tire_management": 70}
)


# Track and factor ids are slugs (drivers.Track.id, as the legacy paths): their routes match nothing else.
SLUG_REGEX = "[-a-zA-Z0-9_]+"


@extend_schema_view(
    list=extend_schema(summary="All circuits"),
    retrieve=extend_schema(summary="One circuit"),
)
class TrackViewSet(viewsets.ReadOnlyModelViewSet):
    """Circuits with their demand profile per factor."""

    serializer_class = TrackSerializer
    lookup_value_regex = SLUG_REGEX

    def get_queryset(self):
        return selectors.track_list()

    def get_object(self):
        track_id = self.kwargs["pk"]
        track = self.get_queryset().filter(pk=track_id).first()
        if track is None:
            raise NotFound(f"Track {track_id} not found")
        return track

    @extend_schema(
        operation_id="tracks_prediction",
        summary="The ranked field's predicted order in a race at the circuit, with win and podium chances",
        parameters=[
            OpenApiParameter(
                "id",
                str,
                OpenApiParameter.PATH,
                pattern=f"^{SLUG_REGEX}$",
                examples=[OpenApiExample("Barber", value="barber")],
            ),
            GRID_PARAMETER,
        ],
        responses={200: RaceOrderSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True)
    def prediction(self, request: Request, pk: str) -> Response:
        population = selectors.skill_population()
        query = validated(RacePredictionQuerySerializer, request.query_params)
        (circuit,) = population.circuits(pk)
        order = predictions.race_order(population=population, circuit=circuit, grid=query.get("grid"))
        return Response(represented(RaceOrderSerializer, order, factor_context(population)))


class DriverViewSet(viewsets.GenericViewSet):
    """A driver, by the car number they race with."""

    # The docstring above is drivers.views.DriverSeasonViewSet's too: drf-spectacular describes
    # every /api/drivers operation with it, whichever app serves the route.
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    # The model the list's filters are on and the filters (for the schema); the actions read
    # through selectors, and selectors.driver_numbers_filtered applies the filters.
    queryset = Driver.objects.none()
    filterset_class = RankedDriverFilter

    @extend_schema(
        summary="Ranked drivers, best average finish first",
        description="The drivers the active model ranks. `?track_id=` adds each driver's circuit fit there.",
        parameters=[DriversQuerySerializer],
        responses={200: DriverCardSerializer(many=True), **SKILL_MODEL_ERRORS},
    )
    def list(self, request: Request) -> Response:
        track_id = validated(DriversQuerySerializer, request.query_params).get("track_id") or None
        population = selectors.skill_population()
        selected = selectors.driver_numbers_filtered(
            filters=request.query_params, factors=population.model.display_names
        )
        drivers = population.by_average_finish
        if selected is not None:
            # Filters pick drivers; every statistic on their cards stays over the whole ranked field.
            drivers = [driver for driver in drivers if driver.number in selected]
        page = self.paginate_queryset(drivers)
        # Cards of the page only: the order and every field statistic come from the population.
        cards = driver_reports.driver_cards(
            population=population, track_id=track_id, drivers=drivers if page is None else page
        )
        data = represented_many(DriverCardSerializer, cards, factor_context(population))
        return Response(data) if page is None else self.get_paginated_response(data)

    @extend_schema(
        operation_id="drivers_detail",
        summary="One ranked driver",
        parameters=[DRIVER_NUMBER, DriversQuerySerializer],
        responses={200: DriverCardSerializer, **SKILL_MODEL_ERRORS},
    )
    def retrieve(self, request: Request, number: str) -> Response:
        number = parse_driver_number(number)
        track_id = validated(DriversQuerySerializer, request.query_params).get("track_id") or None
        population = selectors.skill_population()
        driver = population.driver(number)
        (card,) = driver_reports.driver_cards(population=population, track_id=track_id, drivers=[driver])
        return Response(represented(DriverCardSerializer, card, factor_context(population)))

    @extend_schema(
        operation_id="drivers_skill_gaps",
        summary="Where the driver trails the top drivers",
        parameters=[DRIVER_NUMBER],
        responses={200: SkillGapsSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True, url_path="skill-gaps")
    def skill_gaps(self, request: Request, number: str) -> Response:
        number = parse_driver_number(number)
        population = selectors.skill_population()
        gaps = driver_reports.skill_gaps(population=population, driver_number=number)
        return Response(represented(SkillGapsSerializer, gaps, factor_context(population)))

    @extend_schema(
        operation_id="drivers_coach_recommendations",
        summary="Prioritised recommendations and per-track insights",
        parameters=[DRIVER_NUMBER],
        responses={200: CoachRecommendationsSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True, url_path="coach-recommendations")
    def coach_recommendations(self, request: Request, number: str) -> Response:
        number = parse_driver_number(number)
        population = selectors.skill_population()
        recommendations = driver_reports.coach_recommendations(population=population, driver_number=number)
        return Response(represented(CoachRecommendationsSerializer, recommendations, factor_context(population)))

    @extend_schema(
        operation_id="drivers_match",
        summary="Drivers with the most similar profile",
        parameters=[DRIVER_NUMBER, MatchQuerySerializer],
        responses={200: DriverMatchSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True)
    def match(self, request: Request, number: str) -> Response:
        number = parse_driver_number(number)
        population = selectors.skill_population()
        query = validated(MatchQuerySerializer, request.query_params, **factor_context(population))
        top_n = query.pop("top_n")
        matches = driver_reports.match(population=population, driver_number=number, top_n=top_n, adjusted=query)
        return Response(represented(DriverMatchSerializer, matches, factor_context(population)))

    @extend_schema(
        operation_id="drivers_find_similar",
        summary="Better-finishing drivers closest to target skills (public, writes nothing)",
        request=FindSimilarSerializer,
        responses={200: SimilarDriversSerializer, **SKILL_MODEL_ERRORS},
        examples=[
            OpenApiExample(
                "Closer to the front",
                request_only=True,
                value={"current_driver_number": DEMO_DRIVER_NUMBER, "target_skills": SKILLS_EXAMPLE.value},
            )
        ],
    )
    # Computes from the body and writes nothing: public, as in the legacy.
    @action(detail=False, methods=["post"], url_path="find-similar", permission_classes=[AllowAny])
    def find_similar(self, request: Request) -> Response:
        population = selectors.skill_population()
        body = validated(FindSimilarSerializer, json_object(request), **factor_context(population))
        similar = driver_reports.find_similar(
            population=population, driver_number=body["current_driver_number"], target=body["target_skills"]
        )
        return Response(represented(SimilarDriversSerializer, similar, factor_context(population)))

    @extend_schema(
        operation_id="drivers_improve_predict",
        summary="What-if: the driver with other skill scores (public, writes nothing)",
        description="`points_available` is the skills budget (320) less the scores' sum: negative when they "
        "add up to more (answered all the same: a budget is the caller's rule of play, not the model's).",
        parameters=[DRIVER_NUMBER],
        request=SkillScoresSerializer,
        responses={200: ImprovementSerializer, **SKILL_MODEL_ERRORS},
        examples=[SKILLS_EXAMPLE],
    )
    @action(detail=True, methods=["post"], url_path="improve/predict", permission_classes=[AllowAny])
    def improve_predict(self, request: Request, number: str) -> Response:
        number = parse_driver_number(number)
        population = selectors.skill_population()
        driver = population.driver(number)
        target = validated(SkillScoresSerializer, json_object(request), **factor_context(population))
        improvement = predictions.improve(population=population, driver=driver, target=target)
        return Response(represented(ImprovementSerializer, improvement, factor_context(population)))


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
    lookup_value_regex = SLUG_REGEX

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
        return Response(represented(FactorStatsSerializer, stats))

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
        return Response(represented(FactorTopAverageSerializer, top_average))

    @extend_schema(
        operation_id="factors_breakdown",
        summary="A driver's variables within a factor",
        parameters=[FACTOR, DRIVER_NUMBER],
        responses={200: FactorBreakdownSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True, url_path=DRIVER_IN_FACTOR.format("breakdown"))
    def breakdown(self, request: Request, factor: str, number: str) -> Response:
        definition, values = selectors.factor_with_values(factor_id=factor, driver_number=parse_driver_number(number))
        return Response(represented(FactorBreakdownSerializer, {"factor": definition, "variables": values}))

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
        return Response(represented(FactorComparisonSerializer, comparison, factor_context(population)))

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
        return Response(represented(FactorCoachingSerializer, coaching, factor_context(population)))


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
        # Built in its published shape (PredictionSerializer documents it, and
        # tests/factors/test_prediction_shape.py holds every kind of answer to it): it is computed
        # on every request, where representing it again took a fifth of the view's own time.
        return Response(prediction)


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
        return Response(represented(ProjectedRankingsSerializer, rankings, factor_context(population)))
