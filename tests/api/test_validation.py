"""Views validate and represent through one serializer per class and context
(hackthetrack/validation.py): the answers and errors are DRF's own for a new serializer each time,
whatever was validated before, and the context picks the instance. A JSON object given to a
serializer that adds nothing to its fields is validated by the fields alone, with the same answers
and errors; whatever a serializer adds still runs."""

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from factors.serializers import (
    FindSimilarSerializer,
    PredictionSerializer,
    PredictRequestSerializer,
    RacePredictionQuerySerializer,
    SkillScoresSerializer,
)
from hackthetrack.validation import represented, represented_many, validated

FOUR = ["speed", "consistency", "racecraft", "tire_management"]

BODIES = [
    {"driver_number": 13, "track_id": "barber"},
    {"driver_number": 13, "track_id": "barber", "grid_position": 3, "skill_adjustments": {"speed": 5}},
    {"driver_number": 0, "track_id": ""},
    {"driver_number": "x", "grid_position": 1000, "skill_adjustments": {"flying": 1}},
    {"track_id": "barber", "skill_adjustments": {"speed": True}},
    {},
    {"driver_number": 13, "track_id": "barber", "skill_adjustments": {"speed": 1e9}},
]


def drf_errors(serializer_class, data, **context):
    serializer = serializer_class(data=data, context=context)
    return None if serializer.is_valid() else serializer.errors


def errors(serializer_class, data, **context):
    try:
        validated(serializer_class, data, **context)
    except ValidationError as error:
        return error.detail
    return None


@pytest.mark.parametrize("body", BODIES)
def test_validation_answers_as_a_new_serializer_does(body):
    # Each body after every other one: nothing a validation leaves behind changes the next.
    for before in BODIES:
        errors(PredictRequestSerializer, before, factors=FOUR)
        assert errors(PredictRequestSerializer, body, factors=FOUR) == drf_errors(
            PredictRequestSerializer, body, factors=FOUR
        )
    if drf_errors(PredictRequestSerializer, body, factors=FOUR) is None:
        serializer = PredictRequestSerializer(data=body, context={"factors": FOUR})
        serializer.is_valid()
        assert validated(PredictRequestSerializer, body, factors=FOUR) == serializer.validated_data


JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60)
JSON_VALUES = JSON_SCALARS | st.lists(JSON_SCALARS, max_size=3)
# Values near what the fields take, so that many objects are valid and the rest fail in one field.
NEAR_VALID = st.one_of(
    st.integers(-2, 1001), st.floats(-200, 200), st.sampled_from(["barber", "", " ", "x" * 51]), st.just(True)
)


SKILL_MAPS = st.dictionaries(st.sampled_from([*FOUR, "flying"]), NEAR_VALID, max_size=5)


def json_objects(valid: dict):
    """``valid`` with each of its keys kept, dropped or given another value, and maybe one more key."""
    kept_or_changed = {
        key: st.sampled_from([value, None]) | NEAR_VALID | SKILL_MAPS | JSON_VALUES for key, value in valid.items()
    }
    return st.builds(
        lambda values, extra: {key: value for key, value in values.items() if value is not None} | extra,
        st.fixed_dictionaries(kept_or_changed),
        st.dictionaries(st.just("unexpected"), JSON_VALUES, max_size=1),
    )


def outcome(serializer_class, data, **context):
    """What a view gets from ``validated``: the values, or the errors."""
    try:
        return "valid", validated(serializer_class, data, **context)
    except ValidationError as error:
        return "invalid", error.detail


def drf_outcome(serializer_class, data, **context):
    serializer = serializer_class(data=data, context=context)
    return ("valid", serializer.validated_data) if serializer.is_valid() else ("invalid", serializer.errors)


@given(json_objects({"driver_number": 13, "track_id": "barber", "skill_adjustments": {"speed": 5}, "grid_position": 3}))
def test_a_json_object_is_validated_by_the_fields_as_by_drf(body):
    assert outcome(PredictRequestSerializer, body, factors=FOUR) == drf_outcome(
        PredictRequestSerializer, body, factors=FOUR
    )


@given(json_objects(dict.fromkeys(FOUR, 50)))
def test_a_serializer_with_fields_from_its_context_validates_as_drf(body):
    assert outcome(SkillScoresSerializer, body, factors=FOUR) == drf_outcome(SkillScoresSerializer, body, factors=FOUR)


@given(json_objects({"current_driver_number": 13, "target_skills": {"speed": 80}}))
def test_a_serializer_with_a_field_validation_method_validates_as_drf(body):
    assert outcome(FindSimilarSerializer, body, factors=FOUR) == drf_outcome(FindSimilarSerializer, body, factors=FOUR)


class EvenSum(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField(required=False, default=0)

    def validate(self, attrs):
        if (attrs["a"] + attrs["b"]) % 2:
            raise serializers.ValidationError("a + b must be even.")
        return attrs


class Renamed(serializers.Serializer):
    given_name = serializers.CharField(source="name")
    checked = serializers.IntegerField(validators=[])

    def validate_checked(self, value):
        if value == 13:
            raise serializers.ValidationError("Not 13.")
        return value * 2


def different(attrs):
    if attrs["low"] >= attrs["high"]:
        raise serializers.ValidationError("low must be below high.")


class Ordered(serializers.Serializer):
    low = serializers.IntegerField()
    high = serializers.IntegerField()

    class Meta:
        validators = [different]


class WithDefault(serializers.Serializer):
    size = serializers.IntegerField(default=20, min_value=1)
    note = serializers.CharField(required=False)


class WithReadOnly(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(max_length=3)


@pytest.mark.parametrize(
    ("serializer_class", "data"),
    [
        (EvenSum, {"a": 3}),
        (EvenSum, {"a": 3, "b": 1}),
        (Renamed, {"given_name": "Ann", "checked": 2}),
        (Renamed, {"given_name": "Ann", "checked": 13}),
        (Ordered, {"low": 2, "high": 1}),
        (Ordered, {"low": 1, "high": 2}),
        (WithDefault, {}),
        (WithDefault, {"size": 0}),
        (WithDefault, {"note": "n"}),
        (WithReadOnly, {"id": 7, "label": "abc"}),
        (WithReadOnly, {"label": "abcd"}),
        (RacePredictionQuerySerializer, {"grid": "4,7,4"}),
        (RacePredictionQuerySerializer, {"grid": "4,7"}),
    ],
)
def test_what_a_serializer_adds_to_its_fields_still_runs(serializer_class, data):
    assert outcome(serializer_class, data) == drf_outcome(serializer_class, data)


def test_the_context_picks_the_serializer():
    scores = {"speed": 80, "consistency": 70}

    assert validated(SkillScoresSerializer, scores, factors=["speed", "consistency"]) == scores
    # Another model's factors: another serializer, with its own fields.
    assert "racecraft" in errors(SkillScoresSerializer, scores, factors=FOUR)
    assert validated(SkillScoresSerializer, {"speed": 80}, factors=["speed"]) == {"speed": 80}


def test_representation_is_drf_s_own():
    prediction = {
        "driver_number": 13,
        "track_id": "barber",
        "circuit_fit_score": 71.25,
        "predicted_finish": 4,
        "expected_finish": 4.4,
        "grid_position": None,
        "stage": "before_qualifying",
        "field_size": 30,
        "model_version": "v1",
        "explanation": "why",
    }
    with_adjustments = {**prediction, "adjusted_scores": {"speed": 90.0}, "current_predicted_finish": 6}

    for instance in (prediction, with_adjustments):
        assert (
            represented(PredictionSerializer, instance, {"factors": FOUR})
            == PredictionSerializer(instance, context={"factors": FOUR}).data
        )
    assert represented_many(PredictionSerializer, [prediction, with_adjustments], {"factors": FOUR}) == (
        PredictionSerializer([prediction, with_adjustments], many=True, context={"factors": FOUR}).data
    )


def test_threads_validating_at_once_each_get_their_own_answer():
    results = {}

    def validate(index):
        body = {"driver_number": index + 1, "track_id": f"track{index}"} if index % 2 else {"driver_number": -index}
        outcomes = []
        for _ in range(200):
            try:
                outcomes.append(validated(PredictRequestSerializer, body, factors=FOUR))
            except ValidationError as error:
                outcomes.append(error.detail)
        results[index] = (body, outcomes)

    threads = [threading.Thread(target=validate, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for body, outcomes in results.values():
        expected = drf_errors(PredictRequestSerializer, body, factors=FOUR) or body
        assert all(outcome == expected for outcome in outcomes)
