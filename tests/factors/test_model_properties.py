"""Properties of the model arithmetic and of the prediction input validation (hypothesis)."""

import pytest
from django.db import IntegrityError
from hypothesis import given
from hypothesis import strategies as st

from factors import skill_model
from factors.serializers import PredictRequestSerializer

FACTORS = ["speed", "consistency", "racecraft", "tire_management"]
score = st.floats(min_value=0, max_value=100, allow_nan=False)
profile = st.fixed_dictionaries({f: score for f in FACTORS})
field = st.lists(profile, min_size=2, max_size=40)
model = st.builds(
    lambda intercept, coefficients: skill_model.Coefficients(
        name="m",
        season=2025,
        intercept=intercept,
        weights=dict.fromkeys(FACTORS, 0.25),
        finish=dict(zip(FACTORS, coefficients, strict=True)),
        display_names={f: f for f in FACTORS},
    ),
    st.floats(min_value=-20, max_value=40),
    st.lists(st.floats(min_value=-10, max_value=0), min_size=4, max_size=4),
)


@given(field=field, model=model, driver=profile, factor=st.sampled_from(FACTORS), gain=st.floats(0, 100))
def test_raising_a_skill_never_worsens_the_predicted_finish(field, model, driver, factor, gain):
    spreads = skill_model.spreads_of(scores=field, factors=FACTORS)
    better = skill_model.adjusted_scores(scores=driver, adjustments={factor: gain})
    before = skill_model.predicted_finish(scores=driver, spreads=spreads, model=model, field_size=len(field))
    after = skill_model.predicted_finish(scores=better, spreads=spreads, model=model, field_size=len(field))
    assert after <= before
    assert 1 <= after <= len(field)


@given(
    field=field,
    driver=profile,
    demands=st.fixed_dictionaries({f: st.floats(min_value=-10, max_value=10) for f in FACTORS}),
)
def test_circuit_fit_stays_inside_0_to_100(field, driver, demands):
    spreads = skill_model.spreads_of(scores=field, factors=FACTORS)
    population_z = [skill_model.z_scores(scores=s, spreads=spreads) for s in field]
    spread = skill_model.fit_spread(population_z=population_z, demands=demands)
    z = skill_model.z_scores(scores=driver, spreads=spreads)
    assert 0 <= skill_model.circuit_fit(z=z, demands=demands, spread=spread) <= 100


def _validate(adjustments):
    serializer = PredictRequestSerializer(
        data={"driver_number": 7, "track_id": "barber", "skill_adjustments": adjustments},
        context={"factors": FACTORS},
    )
    return serializer.is_valid(), serializer.errors


@given(st.dictionaries(st.sampled_from(FACTORS), st.floats(min_value=-50, max_value=50), max_size=4))
def test_adjustments_within_50_points_of_known_skills_are_accepted(adjustments):
    assert _validate(adjustments) == (True, {})


@given(
    st.dictionaries(st.sampled_from(FACTORS), st.floats(min_value=-50, max_value=50), max_size=3),
    st.sampled_from(FACTORS),
    st.one_of(st.floats(min_value=50, exclude_min=True), st.floats(max_value=-50, exclude_max=True)),
)
def test_adjustments_outside_50_points_are_rejected(adjustments, factor, value):
    valid, errors = _validate({**adjustments, factor: value})
    assert not valid and set(errors) == {"skill_adjustments"}


@given(
    st.dictionaries(st.sampled_from(FACTORS), st.floats(min_value=-50, max_value=50), max_size=3),
    st.text(min_size=1).filter(lambda name: name not in FACTORS),
)
def test_unknown_skills_are_rejected(adjustments, unknown):
    valid, errors = _validate({**adjustments, unknown: 1.0})
    assert not valid and set(errors) == {"skill_adjustments"}


def test_the_database_refuses_a_finish_coefficient_that_rewards_losing(season):
    from factors.models import ModelCoefficient

    coefficient = ModelCoefficient.objects.first()
    coefficient.finish_coefficient = 6.079
    with pytest.raises(IntegrityError):
        coefficient.save()
