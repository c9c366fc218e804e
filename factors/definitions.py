"""The skill model's definitions: four factors, twelve variables, and the "2025-tier1" coefficients.

Loadings and coefficients are the constants of the 2025 factor analysis. Display names and
descriptions are ours. ``higher_is_better`` says which way a variable's raw value points, so that
a higher normalized value always means a better driver.
"""

import datetime
from dataclasses import dataclass

from factors.models import Factor, ModelCoefficient, ModelVersion, Variable

FACTORS = (
    (
        "speed",
        "Raw Speed",
        (
            "How much pace a driver takes out of the car over one lap and over a race: qualifying, the "
            "single fastest race lap and the average of the best race laps."
        ),
    ),
    (
        "consistency",
        "Consistency",
        (
            "How repeatable a driver's laps are: small lap-to-lap and sector-to-sector variation and "
            "braking at the same point every lap."
        ),
    ),
    (
        "racecraft",
        "Racecraft",
        (
            "How a driver races other cars: places won from the grid to the flag and how much position "
            "traffic they take part in."
        ),
    ),
    (
        "tire_management",
        "Tire Management",
        (
            "How well a driver keeps pace as the tires wear: the lap-time loss from the start to the end "
            "of a race and the pace in its final laps."
        ),
    ),
)


@dataclass(frozen=True)
class VariableDefinition:
    id: str
    factor: str
    display_name: str
    loading: float
    higher_is_better: bool
    description: str


VARIABLES = (
    VariableDefinition(
        id="qualifying_pace",
        factor="speed",
        display_name="Qualifying Pace",
        loading=-0.693,
        higher_is_better=False,
        description="Qualifying lap time behind pole position, in percent, averaged over races.",
    ),
    VariableDefinition(
        id="best_race_lap",
        factor="speed",
        display_name="Best Race Lap",
        loading=-0.764,
        higher_is_better=False,
        description="Fastest race lap behind the race's fastest lap, in percent, averaged over races.",
    ),
    VariableDefinition(
        id="avg_top10_pace",
        factor="speed",
        display_name="Top 10 Lap Average",
        loading=-0.710,
        higher_is_better=False,
        description="Average of the ten best race laps behind the best such average in the race, in percent.",
    ),
    VariableDefinition(
        id="stint_consistency",
        factor="consistency",
        display_name="Stint Consistency",
        loading=-0.469,
        higher_is_better=False,
        description="Standard deviation of racing lap times (opening lap excluded), in seconds.",
    ),
    VariableDefinition(
        id="sector_consistency",
        factor="consistency",
        display_name="Sector Consistency",
        loading=-0.796,
        higher_is_better=False,
        description="Mean standard deviation of the three sector times over racing laps, in seconds.",
    ),
    VariableDefinition(
        id="braking_consistency",
        factor="consistency",
        display_name="Braking Consistency",
        loading=-0.934,
        higher_is_better=False,
        description="Spread of the braking point into the corners from lap to lap, in metres (from telemetry).",
    ),
    VariableDefinition(
        id="positions_gained",
        factor="racecraft",
        display_name="Positions Gained",
        loading=-0.857,
        higher_is_better=True,
        description="Grid position minus finishing position, averaged over races.",
    ),
    VariableDefinition(
        id="position_changes",
        factor="racecraft",
        display_name="Position Changes",
        loading=-0.737,
        higher_is_better=True,
        description="Places changed lap by lap (passes made and conceded), averaged over races.",
    ),
    VariableDefinition(
        id="early_vs_late_pace",
        factor="tire_management",
        display_name="Early vs Late Pace",
        loading=0.622,
        higher_is_better=False,
        description="Average of the last five laps minus the average of laps two to six, in seconds.",
    ),
    VariableDefinition(
        id="late_stint_perf",
        factor="tire_management",
        display_name="Late Stint Performance",
        loading=0.470,
        higher_is_better=False,
        description="Average of the last five laps behind the best such average in the race, in percent.",
    ),
)

MODEL_VERSION_NAME = "2025-tier1"
FINISH_INTERCEPT = 13.01
WEIGHTS = {"speed": 0.466, "consistency": 0.291, "racecraft": 0.149, "tire_management": 0.095}
# Negative: finish = intercept + sum(coefficient * z) improves (falls) as a skill rises.
FINISH_COEFFICIENTS = {"speed": -6.079, "consistency": -3.792, "racecraft": -1.943, "tire_management": -1.237}


def variable_weights() -> dict[str, float]:
    """Each variable's weight inside its factor: its share of the factor's absolute loadings."""
    totals: dict[str, float] = {}
    for variable in VARIABLES:
        totals[variable.factor] = totals.get(variable.factor, 0.0) + abs(variable.loading)
    return {v.id: round(abs(v.loading) / totals[v.factor], 4) for v in VARIABLES}


def model_objects(*, season: int) -> tuple[list[Factor], list[Variable], ModelVersion, list[ModelCoefficient]]:
    """Unsaved rows for the factor and variable definitions and the active model version."""
    factors = [
        Factor(id=factor_id, display_name=name, description=description, sort_order=order)
        for order, (factor_id, name, description) in enumerate(FACTORS, start=1)
    ]
    sort_orders: dict[str, int] = {}
    variables = []
    for definition in VARIABLES:
        sort_orders[definition.factor] = sort_orders.get(definition.factor, 0) + 1
        variables.append(
            Variable(
                id=definition.id,
                factor_id=definition.factor,
                display_name=definition.display_name,
                description=definition.description,
                loading=definition.loading,
                sort_order=sort_orders[definition.factor],
            )
        )
    version = ModelVersion(
        pk=1,
        name=MODEL_VERSION_NAME,
        description="Four-factor model of the 2025 season (tier 1 variables).",
        is_active=True,
        finish_intercept=FINISH_INTERCEPT,
        season=season,
        # A fixed timestamp keeps generated fixtures byte-identical from run to run.
        created_at=datetime.datetime(2025, 11, 1, tzinfo=datetime.UTC),
    )
    coefficients = [
        ModelCoefficient(
            pk=order,
            model_version_id=version.pk,
            factor_id=factor_id,
            weight=WEIGHTS[factor_id],
            finish_coefficient=FINISH_COEFFICIENTS[factor_id],
        )
        for order, (factor_id, _, _) in enumerate(FACTORS, start=1)
    ]
    return factors, variables, version, coefficients
