"""Tracks and drivers (legacy paths, no trailing slash). A driver is served two ways: as the skill
model ranks them (the card, gaps, coaching, similar drivers, what-ifs: factors' selectors and
reports) and by their season (statistics, race results: this app's selectors). A track also
answers the skill model's predicted order of a race there."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from drivers.filters import DriverResultFilter
from drivers.models import Driver, RaceEntry
from drivers.selectors import driver_result_list, driver_season_stats_get, track_list
from drivers.serializers import (
    DEMO_DRIVER_NUMBER,
    DRIVER_NUMBER,
    DriverResultSerializer,
    DriverSeasonStatsSerializer,
    TrackSerializer,
    parse_driver_number,
)
from factors import driver_reports, predictions, selectors
from factors.filters import RankedDriverFilter
from factors.serializers import (
    SKILL_MODEL_ERRORS,
    CoachRecommendationsSerializer,
    DriverCardSerializer,
    DriverMatchSerializer,
    DriversQuerySerializer,
    FindSimilarSerializer,
    ImprovementSerializer,
    MatchQuerySerializer,
    RaceOrderSerializer,
    RacePredictionQuerySerializer,
    SimilarDriversSerializer,
    SkillGapsSerializer,
    SkillScoresSerializer,
    factor_context,
)
from hackthetrack.validation import json_object, validated

SKILLS_EXAMPLE = OpenApiExample(
    "Skills", value={"speed": 85, "consistency": 80, "racecraft": 75, "tire_management": 70}
)


@extend_schema_view(
    list=extend_schema(summary="All circuits"),
    retrieve=extend_schema(summary="One circuit"),
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

    @extend_schema(
        operation_id="tracks_prediction",
        summary="The ranked field's predicted order in a race at the circuit, with win and podium chances",
        parameters=[
            OpenApiParameter("id", str, OpenApiParameter.PATH, examples=[OpenApiExample("Barber", value="barber")]),
            RacePredictionQuerySerializer,
        ],
        responses={200: RaceOrderSerializer, **SKILL_MODEL_ERRORS},
    )
    @action(detail=True)
    def prediction(self, request: Request, pk: str) -> Response:
        population = selectors.skill_population()
        query = validated(RacePredictionQuerySerializer, request.query_params)
        (circuit,) = population.circuits(pk)
        order = predictions.race_order(population=population, circuit=circuit, grid=query.get("grid"))
        return Response(RaceOrderSerializer(order, context=factor_context(population)).data)


class DriverViewSet(viewsets.GenericViewSet):
    """A driver, by the car number they race with."""

    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        # Names the model the action's filters are on (for the schema); the actions read through selectors.
        return RaceEntry.objects.none() if self.action == "results" else Driver.objects.none()

    @property
    def filterset_class(self):
        # Documents the filters; selectors.driver_numbers_filtered and driver_result_list apply them.
        return DriverResultFilter if self.action == "results" else RankedDriverFilter

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
        data = DriverCardSerializer(cards, many=True, context=factor_context(population)).data
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
        return Response(DriverCardSerializer(card, context=factor_context(population)).data)

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
        return Response(DriverSeasonStatsSerializer(stats).data)

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
        data = DriverResultSerializer(rows, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

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
        return Response(SkillGapsSerializer(gaps, context=factor_context(population)).data)

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
        return Response(CoachRecommendationsSerializer(recommendations, context=factor_context(population)).data)

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
        return Response(DriverMatchSerializer(matches, context=factor_context(population)).data)

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
        return Response(SimilarDriversSerializer(similar, context=factor_context(population)).data)

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
        return Response(ImprovementSerializer(improvement, context=factor_context(population)).data)
