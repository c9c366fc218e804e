"""One race, simulated lap by lap in integer milliseconds (so sums and gaps are exact).

A driver's lap time is the circuit's base lap, shifted by their speed, scattered by their
(in)consistency, slowed by tire wear that their tire management limits, plus an opening lap that
costs more the further back they start (less so for good racecraft). Qualifying orders the grid.
When the winner takes the flag every other car finishes the lap it is on, so slow cars can be
lapped. Retired cars stop after a random lap.
"""

import random
from dataclasses import dataclass, field

from pipeline.demo.circuits import Circuit

SPEED_PER_DEMAND = 0.0006  # lap-time share per standard deviation of speed, per unit of demand
CONSISTENCY_PER_DEMAND = 0.00025
TIRE_WEAR_PER_DEMAND = 0.00006
RACE_MINUTES = 45


@dataclass(frozen=True)
class Skills:
    speed: float
    consistency: float
    racecraft: float
    tire_management: float


@dataclass
class CarResult:
    number: int
    qualifying_ms: int
    grid: int = 0
    lap_ms: list[int] = field(default_factory=list)
    sector_ms: list[tuple[int, int, int]] = field(default_factory=list)
    retired: bool = False
    finish: int = 0
    position_changes: int = 0

    @property
    def laps(self) -> int:
        return len(self.lap_ms)

    @property
    def total_ms(self) -> int:
        return sum(self.lap_ms)


def race_laps(circuit: Circuit) -> int:
    return round(RACE_MINUTES * 60_000 / circuit.base_lap_ms)


def simulate_race(
    *,
    circuit: Circuit,
    field_skills: dict[int, Skills],
    affinity: dict[int, float],
    retirements: int,
    rng: random.Random,
) -> list[CarResult]:
    """Results in finishing order."""
    base, demand, laps = circuit.base_lap_ms, circuit.demand, race_laps(circuit)
    # Share of the base lap a driver is quicker by: skill at this circuit's demand, plus how the
    # circuit suits them (affinity).
    quicker = {
        number: SPEED_PER_DEMAND * demand["speed"] * skills.speed - affinity[number]
        for number, skills in field_skills.items()
    }
    day_form = {number: rng.gauss(0, 0.002) for number in field_skills}
    cars = [
        # Qualifying: fresh tires and an empty track make it about 1.2 % quicker than a race lap.
        CarResult(number=number, qualifying_ms=round(base * (0.988 - quicker[number] + rng.gauss(0, 0.0012))))
        for number in field_skills
    ]
    cars.sort(key=lambda car: (car.qualifying_ms, car.number))
    for grid, car in enumerate(cars, start=1):
        car.grid = grid
        skills = field_skills[car.number]
        pace = base * (1 - quicker[car.number] + day_form[car.number])
        scatter = base * max(0.0015, 0.0045 - CONSISTENCY_PER_DEMAND * demand["consistency"] * skills.consistency)
        tire_demand = demand["tire_management"]
        wear_share = 0.0003 + 0.0001 * tire_demand - TIRE_WEAR_PER_DEMAND * tire_demand * skills.tire_management
        wear = base * max(0.00005, wear_share)
        start_loss = 0.05 * base + (grid - 1) * max(100.0, 350 - 40 * demand["racecraft"] * skills.racecraft)
        for lap in range(1, laps + 1):
            lap_ms = round(pace + (lap - 1) * wear + rng.gauss(0, scatter) + (start_loss if lap == 1 else 0))
            car.lap_ms.append(lap_ms)
            car.sector_ms.append(_sectors(lap_ms=lap_ms, split=circuit.sector_split, scatter=scatter, rng=rng))
    for car in rng.sample(cars, min(retirements, len(cars) - 1)):  # someone always sees the flag
        car.retired = True
        stop = rng.randint(1, laps - 2)
        del car.lap_ms[stop:], car.sector_ms[stop:]
    _take_the_flag(cars)
    _count_position_changes(cars)
    # Classified by distance, then time: a retired car falls behind every car that ran more laps.
    order = sorted(cars, key=lambda car: (-car.laps, car.total_ms, car.number))
    for finish, car in enumerate(order, start=1):
        car.finish = finish
    return order


def _sectors(
    *, lap_ms: int, split: tuple[float, float, float], scatter: float, rng: random.Random
) -> tuple[int, int, int]:
    first = round(lap_ms * split[0] + rng.gauss(0, scatter / 3))
    second = round(lap_ms * split[1] + rng.gauss(0, scatter / 3))
    return first, second, lap_ms - first - second


def _take_the_flag(cars: list[CarResult]) -> None:
    """Cut each running car's laps at the first line crossing after the winner finished."""
    running = [car for car in cars if not car.retired]
    flag_ms = min(car.total_ms for car in running)
    for car in running:
        elapsed = 0
        for lap, lap_ms in enumerate(car.lap_ms, start=1):
            elapsed += lap_ms
            if elapsed >= flag_ms:
                del car.lap_ms[lap:], car.sector_ms[lap:]
                break


def _count_position_changes(cars: list[CarResult]) -> None:
    """Places changed lap by lap among the cars still running, starting from the grid."""
    elapsed = {car.number: 0 for car in cars}
    previous = {car.number: car.grid for car in cars}
    for lap in range(max(car.laps for car in cars)):
        on_track = [car for car in cars if car.laps > lap]
        for car in on_track:
            elapsed[car.number] += car.lap_ms[lap]
        on_track.sort(key=lambda car: (elapsed[car.number], car.number))
        for position, car in enumerate(on_track, start=1):
            car.position_changes += abs(position - previous[car.number])
            previous[car.number] = position
