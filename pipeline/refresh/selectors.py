"""Postgres reads of the refresh: season statistics aggregated from the race entries (one query),
the scores before the run, the active model's variables."""

from __future__ import annotations

from django.db.models import Avg, Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When

from drivers.models import RaceEntry
from factors.models import DriverFactorScore, ModelVersion, Variable
from factors.scoring import HIGHER_IS_BETTER, VariableSpec
from pipeline.demo.season import POINTS

CLASSIFIED = "Classified"
# Statuses that are neither a classified finish nor a retirement (the car never raced).
NOT_STARTED = ("Not started", "DNS", "")


def active_model_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()


def model_variables(*, version: ModelVersion) -> tuple[list[VariableSpec], list[str]]:
    """The variables of the version's factors the refresh can compute, and the ids of those it
    cannot (no definition here: left as they are)."""
    rows = Variable.objects.filter(factor__coefficients__model_version=version).order_by(
        "factor__sort_order", "sort_order", "id"
    )
    known = [VariableSpec(id=v.id, factor_id=v.factor_id, loading=v.loading) for v in rows if v.id in HIGHER_IS_BETTER]
    return known, [v.id for v in rows if v.id not in HIGHER_IS_BETTER]


def factor_scores_by_driver() -> dict[int, dict[str, float]]:
    scores: dict[int, dict[str, float]] = {}
    for driver_id, factor_id, score in DriverFactorScore.objects.values_list("driver_id", "factor_id", "score"):
        scores.setdefault(driver_id, {})[factor_id] = score
    return scores


def season_stats_values(*, season: int) -> dict[int, dict]:
    """Per driver id with entries in the season: DriverSeasonStats field values computed from the
    entries in one aggregate query. Wins, podiums, top 5/10 and points count classified finishes;
    a DNF is any status other than classified or not started; the fastest lap of a race is the
    entry with the quickest classified fastest lap (a tie to the better finisher); averages skip
    entries without the value. Championship position: points, then wins, then podiums."""
    classified = Q(status=CLASSIFIED)
    race_fastest = (
        RaceEntry.objects.filter(race=OuterRef("race"), fastest_lap_s__isnull=False)
        .order_by("fastest_lap_s", F("finish_position").asc(nulls_last=True), "car_number", "group")
        .values("pk")[:1]
    )
    points = Case(
        *(When(classified & Q(finish_position=p), then=Value(n)) for p, n in enumerate(POINTS, start=1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        RaceEntry.objects.filter(race__season=season, driver__isnull=False)
        .annotate(race_fastest=Subquery(race_fastest))
        .values("driver_id")
        .annotate(
            races=Count("pk"),
            wins=Count("pk", filter=classified & Q(finish_position=1)),
            podiums=Count("pk", filter=classified & Q(finish_position__lte=3)),
            top5=Count("pk", filter=classified & Q(finish_position__lte=5)),
            top10=Count("pk", filter=classified & Q(finish_position__lte=10)),
            poles=Count("pk", filter=Q(grid_position=1)),
            fastest_laps=Count("pk", filter=Q(race_fastest=F("pk"))),
            dnfs=Count("pk", filter=~classified & ~Q(status__in=NOT_STARTED)),
            avg_finish=Avg("finish_position"),
            avg_grid=Avg("grid_position"),
            avg_positions_gained=Avg(F("grid_position") - F("finish_position")),
            points=Sum(points),
        )
        .order_by("driver_id")
    )
    values = {}
    for row in rows:
        driver_id = row.pop("driver_id")
        for name in ("avg_finish", "avg_grid", "avg_positions_gained"):
            row[name] = round(row[name], 2) if row[name] is not None else None
        values[driver_id] = row
    standings = sorted(values, key=lambda d: (-values[d]["points"], -values[d]["wins"], -values[d]["podiums"], d))
    for position, driver_id in enumerate(standings, start=1):
        values[driver_id]["championship_position"] = position
    return values
