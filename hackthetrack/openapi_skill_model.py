"""OpenAPI descriptions of the prediction endpoints (factors.views.PredictView and
RankingsProjectedView), plain APIViews that return dicts and so give drf-spectacular nothing to read.
Transitional: the other skill-model endpoints are viewsets answering through factors.serializers,
and these two follow once the predictions settle.
"""

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from drivers.views import DEMO_DRIVER_NUMBER as DEMO_DRIVER
from factors.serializers import SKILL_NAMES, PredictRequestSerializer
from hackthetrack.openapi import ErrorEnvelopeSerializer

TAG = "skill model"


def _factor_fields(field_factory) -> dict:
    return {factor: field_factory() for factor in SKILL_NAMES}


def _serializer(name: str, fields: dict, doc: str = "") -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), {**fields, "__doc__": doc})


def _scores(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(min_value=0, max_value=100, **kwargs)


def FactorMap(**kwargs) -> serializers.DictField:  # noqa: N802 (reads like the other field types)
    return serializers.DictField(child=serializers.FloatField(), **kwargs)



Prediction = _serializer(
    "Prediction",
    {
        "driver_number": serializers.IntegerField(),
        "track_id": serializers.CharField(),
        "circuit_fit_score": serializers.FloatField(),
        "predicted_finish": serializers.FloatField(),
        "field_size": serializers.IntegerField(),
        "model_version": serializers.CharField(),
        "explanation": serializers.CharField(),
        "adjusted_scores": FactorMap(required=False),
        "current_circuit_fit_score": serializers.FloatField(required=False),
        "current_predicted_finish": serializers.FloatField(required=False),
    },
    "The last three fields come only with skill_adjustments.",
)

RankingRow = _serializer(
    "RankingRow",
    {
        "rank": serializers.IntegerField(),
        "driver_number": serializers.IntegerField(),
        "driver_name": serializers.CharField(),
        **_factor_fields(serializers.FloatField),
        "overall_score": serializers.FloatField(),
        "avg_finish": serializers.FloatField(help_text="Predicted average finish"),
        "is_user": serializers.BooleanField(),
        "is_projected": serializers.BooleanField(),
    },
)

ProjectedRankings = _serializer(
    "ProjectedRankings",
    {
        "user_driver_number": serializers.IntegerField(),
        "current_rank": serializers.IntegerField(),
        "projected_rank": serializers.IntegerField(),
        "positions_gained": serializers.IntegerField(),
        "projected_avg_finish": serializers.FloatField(),
        "current_avg_finish": serializers.FloatField(),
        "rankings_table": RankingRow(many=True),
        "confidence_level": serializers.ChoiceField(choices=["high", "low"]),
    },
)

RankingsQuery = _serializer(
    "RankingsQuery", {"driver_number": serializers.IntegerField(min_value=1), **_factor_fields(_scores)}
)

NO_MODEL = "No active model version: every skill-model endpoint answers 503 until one is activated."


def document(view_path: str, method: str, **schema) -> None:
    """Attach an OpenAPI description to ``method`` of the view at ``view_path``."""

    schema["responses"] = {
        **schema["responses"],
        404: OpenApiResponse(ErrorEnvelopeSerializer, description="No such driver, track or factor."),
        503: OpenApiResponse(ErrorEnvelopeSerializer, description=NO_MODEL),
    }

    def view_replacement(self):
        documented = type(self.target.__name__, (self.target,), {"__module__": self.target.__module__})
        return extend_schema_view(**{method: extend_schema(tags=[TAG], **schema)})(documented)

    name = view_path.rsplit(".", 1)[1] + "Schema"
    type(name, (OpenApiViewExtension,), {"target_class": view_path, "view_replacement": view_replacement})


document(
    "factors.views.PredictView",
    "post",
    operation_id="predict",
    summary="Circuit fit and predicted finish (public, writes nothing)",
    request=PredictRequestSerializer,
    responses={200: Prediction},
    examples=[
        OpenApiExample("at barber", request_only=True, value={"driver_number": DEMO_DRIVER, "track_id": "barber"}),
        OpenApiExample(
            "with adjusted skills",
            request_only=True,
            value={"driver_number": DEMO_DRIVER, "track_id": "barber", "skill_adjustments": {"speed": 5, "racecraft": -2}},
        ),
    ],
)
document(
    "factors.views.RankingsProjectedView",
    "get",
    operation_id="rankings_projected",
    summary="The field ranked with the driver as they are and as projected",
    parameters=[RankingsQuery],
    responses={200: ProjectedRankings},
)