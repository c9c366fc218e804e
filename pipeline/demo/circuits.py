"""The six circuits of the demo season and their generated corner layouts.

Names, locations, lengths, turn counts and directions come from the track catalogue. Corner
positions are generated (seeded), not surveyed: plausible layouts for demos and for the telemetry
generator, not maps of the real tracks. ``demand`` is written by us: how many finish
positions one standard deviation of each factor is worth at the circuit. The race simulation uses
it, and it is served as the circuit's demand profile, so the two agree by construction.
"""

import random
from dataclasses import dataclass

from drivers.models import Corner, Track
from drivers.track_catalogue import CATALOGUE, CW, TrackFacts


@dataclass(frozen=True)
class Circuit:
    facts: TrackFacts
    average_kph: float  # a GR86's typical race-lap average here
    sector_split: tuple[float, float, float]  # share of the lap time in sectors 1..3
    demand: dict[str, float]

    @property
    def id(self) -> str:
        return self.facts.id

    @property
    def name(self) -> str:
        return self.facts.name

    @property
    def length_m(self) -> int:
        return self.facts.length_m

    @property
    def base_lap_ms(self) -> int:
        return round(self.length_m / (self.average_kph / 3.6) * 1000)


CIRCUITS = (
    Circuit(
        facts=CATALOGUE["sebring"],
        average_kph=141.0,
        sector_split=(0.34, 0.31, 0.35),
        demand={"speed": 6.4, "consistency": 4.1, "racecraft": 1.4, "tire_management": 2.6},
    ),
    Circuit(
        facts=CATALOGUE["sonoma"],
        average_kph=128.0,
        sector_split=(0.36, 0.30, 0.34),
        demand={"speed": 5.6, "consistency": 5.4, "racecraft": 2.4, "tire_management": 2.0},
    ),
    Circuit(
        facts=CATALOGUE["cota"],
        average_kph=137.0,
        sector_split=(0.33, 0.38, 0.29),
        demand={"speed": 5.8, "consistency": 5.8, "racecraft": 1.5, "tire_management": 3.0},
    ),
    Circuit(
        facts=CATALOGUE["roadamerica"],
        average_kph=150.0,
        sector_split=(0.31, 0.37, 0.32),
        demand={"speed": 6.8, "consistency": 4.3, "racecraft": 1.1, "tire_management": 4.6},
    ),
    Circuit(
        facts=CATALOGUE["vir"],
        average_kph=143.0,
        sector_split=(0.35, 0.33, 0.32),
        demand={"speed": 4.8, "consistency": 6.6, "racecraft": 1.0, "tire_management": 1.4},
    ),
    Circuit(
        facts=CATALOGUE["barber"],
        average_kph=136.0,
        sector_split=(0.32, 0.35, 0.33),
        demand={"speed": 5.2, "consistency": 4.4, "racecraft": 1.2, "tire_management": 2.1},
    ),
)

SPEED_CLASS_GEARS = {"low": (2, 3), "medium": (3, 4), "high": (4, 5)}


def circuit_objects(*, rng: random.Random) -> tuple[list[Track], list[Corner]]:
    """Unsaved Track and Corner rows for every circuit, corners numbered along the lap."""
    tracks, corners = [], []
    for circuit in CIRCUITS:
        tracks.append(circuit.facts.track())
        corners.extend(_corners(circuit=circuit, first_pk=len(corners) + 1, rng=rng))
    return tracks, corners


def _corners(*, circuit: Circuit, first_pk: int, rng: random.Random) -> list[Corner]:
    # One corner per equal slice of the lap, its apex somewhere in the slice's middle: corners never
    # overlap and the last one ends before the finish line.
    slice_m = circuit.length_m / circuit.facts.turns
    likely_turn = "right" if circuit.facts.direction == CW else "left"
    corners = []
    for number in range(1, circuit.facts.turns + 1):
        slice_start = (number - 1) * slice_m
        apex = slice_start + slice_m * rng.uniform(0.35, 0.65)
        speed_class = rng.choices(["low", "medium", "high"], weights=[3, 4, 3])[0]
        corners.append(
            Corner(
                pk=first_pk + number - 1,
                track_id=circuit.id,
                number=number,
                name=f"Turn {number}",
                type=likely_turn if rng.random() < 0.6 else ("left" if likely_turn == "right" else "right"),
                distance_start_m=round(apex - slice_m * rng.uniform(0.15, 0.3)),
                distance_apex_m=round(apex),
                distance_exit_m=round(apex + slice_m * rng.uniform(0.15, 0.3)),
                speed_class=speed_class,
                typical_gear=rng.randint(*SPEED_CLASS_GEARS[speed_class]),
            )
        )
    return corners
