"""Views validate and represent through one serializer per class and context
(hackthetrack/validation.py): the answers and errors are DRF's own for a new serializer each time,
whatever was validated before, and the context picks the instance."""

import threading

import pytest
from rest_framework.exceptions import ValidationError

from factors.serializers import (
    PredictionSerializer,
    PredictRequestSerializer,
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
