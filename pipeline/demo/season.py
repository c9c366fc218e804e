"""A whole demo season as unsaved model rows: drivers, races, results, season statistics and scores.

Everything is derived from one seeded ``random.Random``: the same arguments give the same rows.
Each driver has four hidden skills (standard normal); the races are simulated from them
(``racing``), and the season statistics, model variables and factor scores are then measured from
the simulated results, so they agree with the results the way real ones would.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean
from typing import NamedTuple

from django.db import models

from drivers.models import Driver, DriverSeasonStats, Race, RaceEntry
from factors.definitions import VARIABLES, model_objects
from factors.learning import RaceRecord, ResultRecord, scores_fit
from factors.models import DriverFactorScore, DriverVariableValue, TrackDemand
from factors.scoring import VariableSpec
from pipeline.demo.circuits import CIRCUITS, circuit_objects
from pipeline.demo.names import FIRST_NAMES, NATIONALITIES, SURNAMES
from pipeline.demo.racing import CarResult, Skills, simulate_race
from pipeline.demo.scores import lap_time_std_s, race_variables, racing_laps

DEFAULT_SEED = 2025
SEASON = 2025
FIRST_RACE_DAY = datetime.date(2025, 3, 15)  # a Saturday; one event every five weeks
POINTS = (25, 18, 15, 12, 10, 8, 6, 4, 2, 1)  # for classified finishes 1..10
CLASSIFIED, RETIRED = "Classified", "DNF"


@dataclass(repr=False)  # a row's str() may query the database
class DemoSeason:
    """Unsaved rows with explicit primary keys, grouped by model in an order that loads cleanly."""

    tracks: list[models.Model]
    corners: list[models.Model]
    factors: list[models.Model]
    variables: list[models.Model]
    model_versions: list[models.Model]
    coefficients: list[models.Model]
    drivers: list[models.Model]
    races: list[models.Model]
    entries: list[models.Model]
    season_stats: list[models.Model]
    factor_scores: list[models.Model]
    variable_values: list[models.Model]
    track_demands: list[models.Model]

    def groups(self) -> dict[str, list[models.Model]]:
        return dict(vars(self))


def demo_season(*, drivers: int = 30, seed: int = DEFAULT_SEED) -> DemoSeason:
    """Generate a season of ``drivers`` fictional drivers over the six circuits (12 races)."""
    if not 1 <= drivers <= len(FIRST_NAMES) * len(SURNAMES):
        raise ValueError(f"drivers must be between 1 and {len(FIRST_NAMES) * len(SURNAMES)}, got {drivers}")
    rng = random.Random(seed)
    tracks, corners = circuit_objects(rng=rng)
    factors, variables, version, coefficients = model_objects(season=SEASON)
    driver_rows, skills = _drivers(count=drivers, rng=rng)
    number_to_pk = {driver.number: driver.pk for driver in driver_rows}
    races, entries, results = _races(skills=skills, number_to_pk=number_to_pk, rng=rng)

    # Braking consistency would come from telemetry; the demo draws it from the hidden skill.
    braking = {n: round(max(1.0, 5.0 - 1.2 * s.consistency + rng.gauss(0, 0.6)), 3) for n, s in skills.items()}
    specs = [VariableSpec(id=v.id, factor_id=v.factor, loading=v.loading) for v in VARIABLES]
    values, scores, _ = scores_fit(races=_race_records(races=races, results=results, braking=braking), variables=specs)
    return DemoSeason(
        tracks=tracks,
        corners=corners,
        factors=factors,
        variables=variables,
        model_versions=[version],
        coefficients=coefficients,
        drivers=driver_rows,
        races=races,
        entries=entries,
        season_stats=season_statistics(drivers=driver_rows, entries=entries),
        factor_scores=[
            DriverFactorScore(
                pk=pk,
                driver_id=number_to_pk[number],
                factor_id=factor,
                score=score.score,
                percentile=score.percentile,
                z_score=score.z_score,
                variables_left_out=sorted(
                    spec.id for spec in specs if spec.factor_id == factor and spec.id not in score.variables_used
                ),
            )
            for pk, (number, factor, score) in enumerate(_by_driver(scores), start=1)
        ],
        variable_values=[
            DriverVariableValue(pk=pk, driver_id=number_to_pk[number], variable_id=variable, **vars(value))
            for pk, (number, variable, value) in enumerate(_by_driver(values), start=1)
        ],
        track_demands=[
            TrackDemand(pk=pk, track_id=circuit.id, factor_id=factor, demand=demand)
            for pk, (circuit, factor, demand) in enumerate(
                ((c, f, d) for c in CIRCUITS for f, d in c.demand.items()), start=1
            )
        ],
    )


def _races(
    *, skills: dict[int, Skills], number_to_pk: dict[int, int], rng: random.Random
) -> tuple[list[Race], list[RaceEntry], list[list[CarResult]]]:
    """Two races per circuit; now and then a driver misses one event (both of its races)."""
    missed_round = {n: rng.randrange(1, len(CIRCUITS) + 1) if rng.random() < 0.2 else None for n in skills}
    affinity = {(c.id, n): rng.gauss(0, 0.002) for c in CIRCUITS for n in skills}
    races, entries, results = [], [], []
    for round_number, circuit in enumerate(CIRCUITS, start=1):
        field = {number: s for number, s in skills.items() if missed_round[number] != round_number}
        for race_number in (1, 2):
            race = Race(
                pk=len(races) + 1,
                track_id=circuit.id,
                season=SEASON,
                round=round_number,
                race_number=race_number,
                date=FIRST_RACE_DAY + datetime.timedelta(weeks=5 * (round_number - 1), days=race_number - 1),
            )
            cars = simulate_race(
                circuit=circuit,
                field_skills=field,
                affinity={number: affinity[circuit.id, number] for number in field},
                retirements=rng.choice((0, 1, 1, 2)),
                rng=rng,
            )
            races.append(race)
            results.append(cars)
            bests = _race_bests(cars)
            for car in cars:
                entry = _entry(
                    pk=len(entries) + 1,
                    race=race,
                    car=car,
                    cars=cars,
                    bests=bests,
                    driver_pk=number_to_pk[car.number],
                    length_m=circuit.length_m,
                )
                entries.append(entry)
    return races, entries, results


def _drivers(*, count: int, rng: random.Random) -> tuple[list[Driver], dict[int, Skills]]:
    numbers = sorted(rng.sample(range(1, max(120, 2 * count) + 1), count))
    names = rng.sample(range(len(FIRST_NAMES) * len(SURNAMES)), count)
    drivers, skills = [], {}
    for pk, (number, name_index) in enumerate(zip(numbers, names, strict=True), start=1):
        first, last = divmod(name_index, len(SURNAMES))
        name = f"{FIRST_NAMES[first]} {SURNAMES[last]}"
        drivers.append(Driver(pk=pk, number=number, name=name, nationality=rng.choice(NATIONALITIES)))
        skills[number] = Skills(*(rng.gauss(0, 1) for _ in range(4)))
    return drivers, skills


class RaceBests(NamedTuple):
    """The race's pole time, best lap and best sector times, in milliseconds."""

    pole: int
    lap: int
    sectors: tuple[int, int, int]


def _race_bests(cars: list[CarResult]) -> RaceBests:
    sectors = [sector for car in cars for sector in car.sector_ms]
    return RaceBests(
        pole=min(car.qualifying_ms for car in cars),
        lap=min(lap for car in cars for lap in car.lap_ms),
        sectors=tuple(min(s[i] for s in sectors) for i in range(3)),
    )


def _entry(
    *,
    pk: int,
    race: Race,
    car: CarResult,
    cars: list[CarResult],
    bests: RaceBests,
    driver_pk: int,
    length_m: int,
) -> RaceEntry:
    winner, previous = cars[0], cars[car.finish - 2] if car.finish > 1 else None
    laps = racing_laps(car)
    fastest_ms = min(car.lap_ms) if car.lap_ms else None
    best_sectors_ms = [min(s[i] for s in car.sector_ms) for i in range(3)] if car.sector_ms else [None] * 3
    return RaceEntry(
        pk=pk,
        race_id=race.pk,
        car_number=car.number,
        driver_id=driver_pk,
        car_class="Am",
        status=RETIRED if car.retired else CLASSIFIED,
        grid_position=car.grid,
        finish_position=car.finish,
        laps=car.laps,
        total_time_s=car.total_ms / 1000,
        gap_to_winner=_gap(car, winner),
        gap_to_previous=_gap(car, previous) if previous else "-",
        fastest_lap_s=_seconds(fastest_ms),
        fastest_lap_number=car.lap_ms.index(fastest_ms) + 1 if fastest_ms else None,
        fastest_lap_kph=round(length_m / fastest_ms * 3600, 1) if fastest_ms else None,
        qualifying_time_s=car.qualifying_ms / 1000,
        gap_to_pole_s=(car.qualifying_ms - bests.pole) / 1000,
        # The demo has one timing source, so the lap analysis' best lap is the classified one.
        best_lap_s=_seconds(fastest_ms),
        gap_to_fastest_lap_s=_seconds(fastest_ms, minus=bests.lap),
        best_s1_s=_seconds(best_sectors_ms[0]),
        best_s2_s=_seconds(best_sectors_ms[1]),
        best_s3_s=_seconds(best_sectors_ms[2]),
        gap_to_best_s1_s=_seconds(best_sectors_ms[0], minus=bests.sectors[0]),
        gap_to_best_s2_s=_seconds(best_sectors_ms[1], minus=bests.sectors[1]),
        gap_to_best_s3_s=_seconds(best_sectors_ms[2], minus=bests.sectors[2]),
        avg_lap_s=round(fmean(laps) / 1000, 3) if laps else None,
        worst_lap_s=max(laps) / 1000 if laps else None,
        lap_time_std_s=lap_time_std_s(car),
    )


def _seconds(ms: int | None, *, minus: int = 0) -> float | None:
    return (ms - minus) / 1000 if ms is not None else None


def _gap(car: CarResult, ahead: CarResult) -> str:
    """As timing sheets print it: "-" for the car itself, "+2.740" on the same lap, else "1 Lap"."""
    if car is ahead:
        return "-"
    if car.laps < ahead.laps:
        down = ahead.laps - car.laps
        return f"{down} Lap" if down == 1 else f"{down} Laps"
    behind_ms = car.total_ms - ahead.total_ms
    return f"+{behind_ms // 1000}.{behind_ms % 1000:03d}"


def season_statistics(*, drivers: list[Driver], entries: list[RaceEntry]) -> list[DriverSeasonStats]:
    """Season aggregates of each driver's entries; championship by points, then wins, then podiums."""
    fastest_in_race: dict[int, RaceEntry] = {}
    for entry in entries:
        best = fastest_in_race.get(entry.race_id)
        if entry.fastest_lap_s is not None and (
            best is None or (entry.fastest_lap_s, entry.finish_position) < (best.fastest_lap_s, best.finish_position)
        ):
            fastest_in_race[entry.race_id] = entry
    entries_of: dict[int, list[RaceEntry]] = defaultdict(list)
    for entry in entries:
        entries_of[entry.driver_id].append(entry)
    stats = []
    for driver in drivers:
        own = entries_of[driver.pk]
        classified = [e.finish_position for e in own if e.status == CLASSIFIED]
        stats.append(
            DriverSeasonStats(
                pk=driver.pk,
                driver_id=driver.pk,
                season=SEASON,
                races=len(own),
                wins=sum(p == 1 for p in classified),
                podiums=sum(p <= 3 for p in classified),
                top5=sum(p <= 5 for p in classified),
                top10=sum(p <= 10 for p in classified),
                poles=sum(e.grid_position == 1 for e in own),
                fastest_laps=sum(fastest_in_race.get(e.race_id) is e for e in own),
                dnfs=sum(e.status == RETIRED for e in own),
                avg_finish=round(fmean(e.finish_position for e in own), 2) if own else None,
                avg_grid=round(fmean(e.grid_position for e in own), 2) if own else None,
                avg_positions_gained=round(fmean(e.grid_position - e.finish_position for e in own), 2) if own else None,
                points=sum(POINTS[p - 1] for p in classified if p <= len(POINTS)),
            )
        )
    ranked = sorted((s for s in stats if s.races), key=lambda s: (-s.points, -s.wins, -s.podiums, s.driver_id))
    for position, row in enumerate(ranked, start=1):
        row.championship_position = position
    return stats


def _race_records(*, races: list[Race], results: list[list[CarResult]], braking: dict[int, float]) -> list[RaceRecord]:
    """The simulated races as the skill model learns from them; braking consistency, which real
    races take from telemetry, is each driver's drawn figure in every race."""
    records = []
    for race, cars in zip(races, results, strict=True):
        variables = race_variables(cars)
        records.append(
            RaceRecord(
                key=f"{race.track_id}:{race.race_number}",
                track=race.track_id,
                date=race.date,
                results=tuple(
                    ResultRecord(
                        driver=car.number,
                        status=RETIRED if car.retired else CLASSIFIED,
                        position=car.finish,
                        grid=car.grid,
                        variables={**variables[car.number], "braking_consistency": braking[car.number]},
                    )
                    for car in cars
                ),
            )
        )
    return records


def _by_driver(rows: dict[int, dict]) -> list[tuple[int, str, object]]:
    """(car number, name, value) in car number order, then in the definitions' order."""
    return [(number, name, value) for number in sorted(rows) for name, value in rows[number].items()]
