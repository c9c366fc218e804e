"""POST /api/predict answers the prediction as built, without representing it again: every kind of
answer must already be what PredictionSerializer, which the schema publishes, would make of it
(same fields, order and JSON types)."""

import pytest
from rest_framework.renderers import JSONRenderer

from factors.serializers import PredictionSerializer
from hackthetrack.validation import represented
from tests.factors.conftest import FACTORS

KINDS = {
    "before qualifying": {},
    "before qualifying, adjusted": {"skill_adjustments": {"speed": 12.5, "racecraft": -40}},
    "after qualifying": {"grid_position": 3},
    "after qualifying, adjusted": {"grid_position": 9, "skill_adjustments": {"tire_management": 7}},
    "behind the field, adjusted to the limits": {
        "grid_position": 50,
        "skill_adjustments": {"speed": 50, "consistency": -50},
    },
}


@pytest.mark.parametrize("extra", KINDS.values(), ids=KINDS)
def test_every_kind_of_prediction_is_answered_as_its_serializer_represents_it(client, season, extra):
    for number in season.ranked:
        for track_id in ("alpha", "beta"):
            payload = {"driver_number": number, "track_id": track_id, **extra}
            response = client.post("/api/predict", payload, content_type="application/json")
            assert response.status_code == 200, response.content
            representation = represented(PredictionSerializer, response.json(), {"factors": list(FACTORS)})
            # Bytes, not parsed values: 10.0 where the schema says integer would parse equal to 10.
            assert JSONRenderer().render(representation) == response.content
