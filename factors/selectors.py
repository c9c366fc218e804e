"""Reads of the skill model. Each function runs a fixed number of queries, whatever the field size.

A driver is *ranked* (served by /api/drivers, counted in every field statistic) when they have a
score for every factor of the active model version and at least ``min_races`` races in the
version's season. With the 2025 legacy data that reproduces the legacy API's 31 drivers.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from rest_framework.exceptions import APIException, NotFound, ValidationError

from drivers.models import Driver, DriverSeasonStats, Track
from factors import race_model, skill_model
from factors.filters import RankedDriverFilter
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)
from hackthetrack.cache import data_version

T = TypeVar("T")


class NoActiveModel(APIException):
    status_code = 503
    default_detail = "No active model version: activate one in the admin"


@dataclass(frozen=True)
class DriverProfile:
    driver_id: int
    number: int
    name: str
    scores: Mapping[str, float]
    percentiles: Mapping[str, float]


@dataclass(frozen=True)
class CircuitDemand:
    track_id: str
    name: str
    demands: Mapping[str, float]

    @cached_property
    def key(self) -> tuple:
        """What values derived from the circuit's demands are kept by (read on every prediction;
        the demands are complete when the circuit is built)."""
        return (self.track_id, tuple(sorted(self.demands.items())))

    @cached_property
    def most_demanded(self) -> tuple[str, float]:
        """The factor the circuit demands most and its share, in percent, of the positive demands
        (a prediction's explanation and a driver's coaching insights name both)."""
        most = max(self.demands, key=self.demands.get)
        return most, 100 * self.demands[most] / sum(max(d, 0.0) for d in self.demands.values())


@dataclass
class SkillPopulation:
    """The ranked drivers under the active model, with the field statistics derived from them."""

    model: skill_model.Coefficients
    drivers: list[DriverProfile]
    by_number: dict[int, DriverProfile] = field(init=False)
    _fit_spreads: dict[tuple, float] = field(init=False, default_factory=dict)
    _circuit_strengths: dict[tuple, dict[int, float]] = field(init=False, default_factory=dict)
    _ranked: dict[str, list[DriverProfile]] = field(init=False, default_factory=dict)
    _descending: dict[tuple[str, str], list[float]] = field(init=False, default_factory=dict)
    _derived: dict[tuple, object] = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.by_number = {driver.number: driver for driver in self.drivers}

    @property
    def field_size(self) -> int:
        # Predictions are positions among the ranked drivers, so the field is their number.
        return len(self.drivers)

    @cached_property
    def spreads(self) -> dict[str, skill_model.Spread]:
        return skill_model.spreads_of(scores=[d.scores for d in self.drivers], factors=self.model.factors)

    @cached_property
    def z_by_number(self) -> dict[int, dict[str, float]]:
        return {d.number: skill_model.z_scores(scores=d.scores, spreads=self.spreads) for d in self.drivers}

    def driver(self, number: int) -> DriverProfile:
        try:
            return self.by_number[number]
        except KeyError:
            raise NotFound(f"Driver {number} not found") from None

    def require_factor(self, factor_id: str) -> str:
        if factor_id not in self.model.weights:
            raise NotFound(f"Factor {factor_id} not found; factors: {', '.join(self.model.factors)}")
        return factor_id

    def overall(self, scores: Mapping[str, float]) -> float:
        return skill_model.overall_score(scores=scores, model=self.model)

    def raw_finish(self, scores: Mapping[str, float]) -> float:
        return skill_model.raw_finish(scores=scores, spreads=self.spreads, model=self.model)

    def predicted_finish(self, scores: Mapping[str, float]) -> float:
        return skill_model.predicted_finish(
            scores=scores, spreads=self.spreads, model=self.model, field_size=self.field_size
        )

    def fit_spread(self, circuit: CircuitDemand) -> float:
        # Memoised per circuit demand profile: the population is shared by the requests of a data
        # version (skill_population), and this is a pass over the whole field.
        key = circuit.key
        if key not in self._fit_spreads:
            population_z = list(self.z_by_number.values())
            self._fit_spreads[key] = skill_model.fit_spread(population_z=population_z, demands=circuit.demands)
        return self._fit_spreads[key]

    def circuit_strengths(self, circuit: CircuitDemand) -> dict[int, float]:
        """Each ranked driver's strength at the circuit (race_model.strength), in the field's order:
        memoised per circuit demand profile like ``fit_spread``, so a prediction computes one
        driver's, not the field's. Callers must not change it."""
        key = circuit.key
        if key not in self._circuit_strengths:
            self._circuit_strengths[key] = {
                d.number: race_model.strength(z=self.z_by_number[d.number], demands=circuit.demands)
                for d in self.drivers
            }
        return self._circuit_strengths[key]

    def derived(self, key: tuple, compute: Callable[[], T]) -> T:
        """``compute()``, a value of this population alone named by ``key``: computed once, then kept
        with the population (so once per data version and process). Callers must not change it."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def circuit_fit(self, scores: Mapping[str, float], circuit: CircuitDemand, spread: float) -> float:
        z = skill_model.z_scores(scores=scores, spreads=self.spreads)
        return skill_model.circuit_fit(z=z, demands=circuit.demands, spread=spread)

    @cached_property
    def _circuits(self) -> dict[str, CircuitDemand]:
        return circuit_demands()

    def circuits(self, track_id: str | None = None) -> list[CircuitDemand]:
        """Demand profiles of every circuit, or of one (404 when it has none): read the first time a
        request needs them, then kept with the population."""
        if track_id is None:
            return list(self._circuits.values())
        if track_id not in self._circuits:
            raise circuit_missing(track_id)
        return [self._circuits[track_id]]

    @cached_property
    def season_results(self) -> dict[int, dict]:
        """Season aggregates by driver id (season_results): read the first time a request needs them,
        then kept with the population."""
        return season_results(season=self.model.season)

    @cached_property
    def by_average_finish(self) -> list[DriverProfile]:
        """The /api/drivers order: by season average finish, drivers without one last, ties by car
        number. Callers slice it and must not change it."""

        def key(driver: DriverProfile) -> tuple:
            average = (self.season_results.get(driver.driver_id) or {}).get("avg_finish")
            return (average is None, average or 0.0, driver.number)

        return sorted(self.drivers, key=key)

    def ranked_by(self, factor_id: str) -> list[DriverProfile]:
        """Drivers by their percentile in one factor, best first (ties by car number). Sorted once
        per population; callers slice it and must not change it."""
        if factor_id not in self._ranked:
            self._ranked[factor_id] = sorted(self.drivers, key=lambda d: (-d.percentiles[factor_id], d.number))
        return self._ranked[factor_id]

    def top_average(self, factor_id: str, count: int, *, of: str = "scores") -> float:
        if (factor_id, of) not in self._descending:
            self._descending[factor_id, of] = sorted((getattr(d, of)[factor_id] for d in self.drivers), reverse=True)
        values = self._descending[factor_id, of][:count]
        return sum(values) / len(values) if values else 0.0


def active_model() -> skill_model.Coefficients:
    """The active model version's coefficients, in one query."""
    rows = list(
        ModelCoefficient.objects.filter(model_version__is_active=True)
        .select_related("model_version", "factor")
        .order_by("factor__sort_order", "factor_id")
    )
    if not rows:
        raise NoActiveModel()
    version = rows[0].model_version
    return skill_model.Coefficients(
        name=version.name,
        season=version.season,
        intercept=version.finish_intercept,
        weights={row.factor_id: row.weight for row in rows},
        finish={row.factor_id: row.finish_coefficient for row in rows},
        display_names={row.factor_id: row.factor.display_name for row in rows},
        grid_weight=version.grid_weight,
        noise_before=version.noise_before,
        noise_after=version.noise_after,
    )


def ranked_driver_ids() -> QuerySet:
    """Ids of the ranked drivers, as a subquery (evaluated inside the caller's query)."""
    active = ModelVersion.objects.filter(is_active=True)
    active_factor_count = (
        ModelCoefficient.objects.filter(model_version__is_active=True)
        .values("model_version")
        .annotate(n=Count("id"))
        .values("n")
    )
    enough_races = DriverSeasonStats.objects.filter(
        driver=OuterRef("pk"),
        season=Subquery(active.values("season")[:1]),
        races__gte=Subquery(active.values("min_races")[:1]),
    )
    return (
        Driver.objects.filter(number__isnull=False)
        .alias(
            scored=Count("factor_scores", filter=Q(factor_scores__factor__coefficients__model_version__is_active=True)),
            has_races=Exists(enough_races),
        )
        .filter(scored=Subquery(active_factor_count[:1]), has_races=True)
        .values("pk")
    )


def driver_numbers_filtered(*, filters: Mapping[str, str], factors: Mapping[str, str]) -> set[int] | None:
    """Numbers of the drivers RankedDriverFilter's query parameters select (one query), or None
    when no filter is given; 400 naming the parameter when a value is invalid. ``factors`` (id ->
    display name) are the active version's: each has its ``min_<factor>`` filter."""
    filterset = RankedDriverFilter(filters, queryset=Driver.objects.all(), factors=factors.items())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    if all(filterset.form.cleaned_data.get(name) in (None, "") for name in filterset.filters):
        return None
    return set(filterset.qs.values_list("number", flat=True))


@dataclass(frozen=True)
class _PopulationMemo:
    version: int
    population: SkillPopulation


# The latest population built in this process (one entry: a new data version replaces it).
_population_memo: _PopulationMemo | None = None


def skill_population() -> SkillPopulation:
    """The ranked drivers and their field statistics, built once per data version and process.

    Every write to what it reads starts a new data version in its own transaction
    (hackthetrack.data_version), so the memo never outlives its data, in any process. A transaction
    that has written reads its own, uncommitted version, so what it builds is never served for a
    committed one. A cold memo runs two queries; a warm one none (within an API request, which has
    read the version already). Callers share the population and must not change it.
    """
    global _population_memo
    # The version is read before the data: a write committed meanwhile moves it past this one.
    version = data_version()
    memo = _population_memo
    if memo is not None and memo.version == version:
        return memo.population
    population = build_skill_population()
    _population_memo = _PopulationMemo(version=version, population=population)
    return population


def build_skill_population() -> SkillPopulation:
    """The ranked drivers and their factor scores, read now: two queries."""
    model = active_model()
    sql, params = _population_rows_sql(tuple(model.factors))
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    scores: dict[int, dict[str, float]] = {}
    percentiles: dict[int, dict[str, float]] = {}
    people: dict[int, tuple[int, str]] = {}
    for driver_id, number, name, factor_id, score, percentile in rows:
        people[number] = (driver_id, name)
        scores.setdefault(number, {})[factor_id] = score
        percentiles.setdefault(number, {})[factor_id] = percentile
    drivers = [
        DriverProfile(
            driver_id=driver_id,
            number=number,
            name=name,
            scores={f: scores[number][f] for f in model.factors},
            percentiles={f: percentiles[number][f] for f in model.factors},
        )
        for number, (driver_id, name) in people.items()
    ]
    return SkillPopulation(model=model, drivers=drivers)


@lru_cache(maxsize=16)
def _population_rows_sql(factors: tuple[str, ...]) -> tuple[str, tuple]:
    """The ranked drivers' scores in the factors, as ``(driver_id, number, name, factor_id, score,
    percentile)`` rows by car number. Plain tuples, not model instances: the population reads the
    whole field (bench/run: a third of its time at 300 drivers went to building two instances per
    row). Its parameters are the factors and constants, so it is compiled once per process and set
    of factors: the ORM took 2.6 ms of CPU to build it, half of a population's (the first answer of
    every data version in every worker)."""
    rows = (
        DriverFactorScore.objects.filter(driver__in=ranked_driver_ids(), factor_id__in=factors)
        .order_by("driver__number")
        .values_list("driver_id", "driver__number", "driver__name", "factor_id", "score", "percentile")
    )
    return rows.query.sql_with_params()


def season_results(*, season: int) -> dict[int, dict]:
    """Per driver id of the season: season aggregates plus best and worst classified finish, in one
    query."""
    in_season = Q(driver__entries__race__season=season)
    rows = (
        DriverSeasonStats.objects.filter(season=season)
        .annotate(
            best_finish=Min("driver__entries__finish_position", filter=in_season),
            worst_finish=Max("driver__entries__finish_position", filter=in_season),
        )
        .values("driver_id", "races", "avg_finish", "wins", "top10", "dnfs", "best_finish", "worst_finish")
    )
    return {row["driver_id"]: row for row in rows}


def track_list() -> QuerySet[Track]:
    """Tracks with their demand profile prefetched (two queries)."""
    demands = TrackDemand.objects.order_by("factor__sort_order", "factor_id")
    return Track.objects.order_by("id").prefetch_related(Prefetch("demands", queryset=demands))


def circuit_demands() -> dict[str, CircuitDemand]:
    """Demand profiles of every circuit, by track id: one query."""
    names: dict[str, str] = {}
    demands: dict[str, dict[str, float]] = {}
    for row in TrackDemand.objects.select_related("track").order_by("track_id", "factor__sort_order"):
        names[row.track_id] = row.track.name
        demands.setdefault(row.track_id, {})[row.factor_id] = row.demand
    return {track_id: CircuitDemand(track_id, names[track_id], demands[track_id]) for track_id in demands}


def circuit_missing(track_id: str) -> NotFound:
    """The 404 for a track without a demand profile, saying whether the track exists (one query)."""
    exists = Track.objects.filter(pk=track_id).exists()
    return NotFound(f"Track {track_id} has no demand profile" if exists else f"Track {track_id} not found")


def factor_with_values(*, factor_id: str, driver_number: int) -> tuple[Factor, list[DriverVariableValue]]:
    """A factor's definition and one driver's values of its variables (any driver that has them):
    one query, and a second only to say which of the two is missing (404)."""
    values = list(
        DriverVariableValue.objects.filter(variable__factor_id=factor_id, driver__number=driver_number)
        .select_related("variable__factor")
        .order_by("variable__sort_order", "variable_id")
    )
    if not values:
        if not Factor.objects.filter(pk=factor_id).exists():
            raise NotFound(f"Factor {factor_id} not found")
        raise NotFound(f"Driver {driver_number} has no {factor_id} breakdown")
    return values[0].variable.factor, values


def variable_percentiles(
    *, driver_ids: list[int], factor_id: str | None = None
) -> tuple[dict[int, dict[str, float | None]], dict[str, Variable]]:
    """Per driver id {variable: percentile} (of one factor, or all), and the variables by id: one query."""
    rows = (
        DriverVariableValue.objects.filter(driver_id__in=driver_ids)
        .select_related("variable")
        .order_by("variable__factor__sort_order", "variable__sort_order", "variable_id")
    )
    if factor_id is not None:
        rows = rows.filter(variable__factor_id=factor_id)
    values: dict[int, dict[str, float | None]] = {driver_id: {} for driver_id in driver_ids}
    variables: dict[str, Variable] = {}
    for row in rows:
        values[row.driver_id][row.variable_id] = row.percentile
        variables[row.variable_id] = row.variable
    return values, variables


@cache
def _ranked_driver_ids_sql() -> tuple[str, tuple]:
    # Its parameters are constants, so it is compiled once per process: building it with the ORM
    # took about 6 ms of CPU, most of a top-average request (bench/run).
    return ranked_driver_ids().query.sql_with_params()


def factor_top_average(*, factor_id: str, limit: int) -> dict:
    """Average of the ``limit`` best ranked scores of a factor: ORDER BY, LIMIT and AVG in one query.

    ``count`` is how many scores were averaged; it is below ``limit`` only when fewer drivers exist.
    An unknown factor (or one nobody is ranked in) costs a second query, to tell which it is.
    """
    ranked_sql, ranked_params = _ranked_driver_ids_sql()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT AVG(top.score), COUNT(*) FROM (
                SELECT score.score FROM {DriverFactorScore._meta.db_table} score
                WHERE score.factor_id = %s AND score.driver_id IN ({ranked_sql})
                ORDER BY score.score DESC, score.driver_id LIMIT %s
            ) top
            """,
            [factor_id, *ranked_params, limit],
        )
        top_average, count = cursor.fetchone()
    result = {"top_average": top_average, "count": count}
    if count == 0:
        if not Factor.objects.filter(pk=factor_id).exists():
            raise NotFound(f"Factor {factor_id} not found")
        raise NotFound(f"No ranked driver has a {factor_id} score")
    return result
