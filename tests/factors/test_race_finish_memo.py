"""A prediction reads the field's strengths at a circuit from the population (computed once per
circuit and data version) and computes only the predicted driver's, placing it among the others
(ranked once per driver and circuit) before qualifying: its places and expected finishes are exactly
those of the race model run over the whole field, before and after qualifying."""

import random
from dataclasses import replace

import pytest

from factors import predictions, race_model, skill_model
from factors.selectors import CircuitDemand, DriverProfile, SkillPopulation

FACTORS = ("speed", "consistency", "racecraft")
MODEL = skill_model.Coefficients(
    name="memo-test",
    season=2025,
    intercept=15.0,
    weights=dict.fromkeys(FACTORS, 1 / 3),
    finish={"speed": -3.0, "consistency": -1.0, "racecraft": -2.0},
    display_names={f: f.title() for f in FACTORS},
    grid_weight=1.5,
    noise_before=1.2,
    noise_after=0.8,
)
CIRCUIT = CircuitDemand("barber", "Barber", {"speed": 3.0, "consistency": 0.5, "racecraft": 1.5})


@pytest.fixture(scope="module")
def population() -> SkillPopulation:
    rng = random.Random(7)
    drivers = [
        DriverProfile(
            driver_id=n,
            number=n,
            name=f"Driver {n}",
            percentiles=dict.fromkeys(FACTORS, 50.0),
            scores={f: round(rng.uniform(30, 95), 1) for f in FACTORS},
        )
        for n in range(2, 26)
    ]
    drivers.append(replace(drivers[0], driver_id=99, number=99))  # a tie: the same scores as car 2
    return SkillPopulation(model=MODEL, drivers=drivers)


def race_finish_over_the_field(population, number, scores, grid_position):
    """The prediction as the race model computes it from every entrant's z-scores."""
    z = skill_model.z_scores(scores=scores, spreads=population.spreads)
    entrants = [
        race_model.Entrant(key=d.number, z=z if d.number == number else population.z_by_number[d.number])
        for d in population.drivers
    ]
    if grid_position is not None:
        before = race_model.race_scores(entrants=entrants, demands=CIRCUIT.demands, grid_weight=0.0)
        others = sorted((e.key for e in entrants if e.key != number), key=lambda key: (-before[key], key))
        slots = [slot for slot in range(1, len(entrants) + 1) if slot != grid_position]
        grids = dict(zip(others, slots, strict=True)) | {number: grid_position}
        entrants = [replace(e, grid=grids[e.key]) for e in entrants]
    scores_ = race_model.race_scores(entrants=entrants, demands=CIRCUIT.demands, grid_weight=MODEL.grid_weight)
    position = 1 + sum(1 for key, score in scores_.items() if key != number and score > scores_[number])
    noise = MODEL.noise_before if grid_position is None else MODEL.noise_after
    return position, race_model.expected_finish(scores=scores_, key=number, noise=noise)


@pytest.mark.parametrize("grid_position", [None, 1, 7, 25])
@pytest.mark.parametrize("adjust", [0.0, 12.5, -20.0])
def test_every_driver_gets_exactly_the_whole_field_computation(population, grid_position, adjust):
    for driver in population.drivers:
        scores = skill_model.adjusted_scores(scores=driver.scores, adjustments={"speed": adjust})
        z = skill_model.z_scores(scores=scores, spreads=population.spreads)
        strength = race_model.strength(z=z, demands=CIRCUIT.demands)
        assert predictions.race_finish(
            population=population, number=driver.number, strength=strength, circuit=CIRCUIT, grid_position=grid_position
        ) == race_finish_over_the_field(population, driver.number, scores, grid_position)


def test_the_field_strengths_are_kept_per_circuit(population):
    first = population.circuit_strengths(CIRCUIT)

    assert population.circuit_strengths(CIRCUIT) is first
    assert list(first) == [d.number for d in population.drivers]
    other = CircuitDemand("sonoma", "Sonoma", {"speed": 1.0, "consistency": 2.0, "racecraft": 0.0})
    assert population.circuit_strengths(other) is not first


def test_a_derived_value_is_computed_once_per_population(population):
    computed = []

    def compute():
        computed.append(1)
        return object()

    first = population.derived(("probe", CIRCUIT.key), compute)

    assert population.derived(("probe", CIRCUIT.key), compute) is first
    assert computed == [1]
    another_version = SkillPopulation(model=MODEL, drivers=population.drivers)
    assert another_version.derived(("probe", CIRCUIT.key), compute) is not first


def test_cars_that_fall_in_one_place_among_the_field_get_what_each_gets_alone():
    strengths = [0.5, -1.0, 0.5, 2.0, -0.3, 1.1, 0.0, -2.2]  # two level at 0.5
    kept = race_model.FieldLessOne.of(strengths)
    # Two between 0.0 and 0.5, two level with the pair at 0.5, two below them all, one above.
    cars = [0.2, 0.3, 0.5, 0.5, -9.0, -8.0, 9.0]
    for strength in cars:
        alone = race_model.finish_among(race_model.FieldLessOne.of(strengths), strength=strength, noise=1.2)
        assert race_model.finish_among(kept, strength=strength, noise=1.2) == alone
    assert len(kept.expected_at) == 4  # each place's sum computed once
