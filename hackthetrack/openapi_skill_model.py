"""OpenAPI descriptions of the skill-model endpoints (factors.views), which are plain APIViews that
return dicts and so give drf-spectacular nothing to read. The shapes are the legacy frontend
contract (../shared/grcup2025/legacy-api) as factors/*_reports.py and predictions.py build them;
factors/views.py's own annotations (parameters, request examples) stay, these add the shapes.

The descriptions attach through drf-spectacular view extensions, without edits to factors/views.py
(its owner may move them there). The factor fields are the views' SKILL_NAMES (the legacy contract's four); the API
itself takes its factors from the active model version.
"""

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from factors.serializers import DriversQuerySerializer, PredictRequestSerializer
from factors.views import SKILL_NAMES
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


def Strings(**kwargs) -> serializers.ListField:  # noqa: N802
    return serializers.ListField(child=serializers.CharField(), **kwargs)

SkillScores = _serializer("SkillScores", _factor_fields(_scores), "One score per factor, 0 to 100.")

FactorBlock = _serializer(
    "FactorBlock",
    {
        "name": serializers.CharField(),
        "score": serializers.FloatField(),
        "percentile": serializers.FloatField(),
        "z_score": serializers.FloatField(help_text="From the ranked field's own spread"),
    },
)
DriverCardStats = _serializer(
    "DriverCardStats",
    {
        "driver_number": serializers.IntegerField(),
        "overall_score": serializers.FloatField(),
        "races_completed": serializers.IntegerField(),
        "average_finish": serializers.FloatField(allow_null=True),
        "best_finish": serializers.IntegerField(allow_null=True),
        "worst_finish": serializers.IntegerField(allow_null=True),
        "wins": serializers.IntegerField(),
        "top10": serializers.IntegerField(),
        "dnfs": serializers.IntegerField(),
    },
)
DriverCard = _serializer(
    "DriverCard",
    {
        "driver_number": serializers.IntegerField(),
        "driver_name": serializers.CharField(),
        "overall_score": serializers.FloatField(),
        **_factor_fields(FactorBlock),
        "stats": DriverCardStats(),
        "circuit_fits": serializers.DictField(
            child=serializers.FloatField(), help_text="Circuit fit 0-100 per track id; only the ?track_id= asked for"
        ),
    },
    "A ranked driver: overall score, the four factors, season stats and circuit fits.",
)
FactorStats = _serializer(
    "FactorStats",
    {
        "factor": serializers.CharField(),
        "top_3_average": serializers.FloatField(),
        "league_average": serializers.FloatField(allow_null=True),
        "min": serializers.FloatField(allow_null=True),
        "max": serializers.FloatField(allow_null=True),
        "count": serializers.IntegerField(),
    },
)
FactorTopAverage = _serializer(
    "FactorTopAverage",
    {"factor": serializers.CharField(), "top_average": serializers.FloatField(), "count": serializers.IntegerField()},
)
TopAverageQuery = _serializer(
    "TopAverageQuery", {"limit": serializers.IntegerField(min_value=1, required=False, help_text="Default 3")}
)
BreakdownVariable = _serializer(
    "BreakdownVariable",
    {
        "name": serializers.CharField(),
        "display_name": serializers.CharField(),
        "normalized_value": serializers.FloatField(allow_null=True),
        "percentile": serializers.FloatField(allow_null=True),
        "loading": serializers.FloatField(),
        "description": serializers.CharField(),
    },
)
FactorBreakdown = _serializer(
    "FactorBreakdown",
    {
        "factor_name": serializers.CharField(),
        "explanation": serializers.CharField(),
        "variables": BreakdownVariable(many=True),
    },
)
ComparisonEntry = _serializer(
    "ComparisonEntry",
    {
        "driver_number": serializers.IntegerField(),
        "driver_name": serializers.CharField(),
        "percentile": serializers.FloatField(),
        "variables": serializers.DictField(child=serializers.FloatField(allow_null=True)),
    },
)
FactorComparison = _serializer(
    "FactorComparison",
    {
        "factor_name": serializers.CharField(),
        "user_driver": ComparisonEntry(),
        "top_drivers": ComparisonEntry(many=True),
        "insights": Strings(),
    },
)
VariableGap = _serializer(
    "VariableGap",
    {
        "variable": serializers.CharField(),
        "display_name": serializers.CharField(),
        "percentile": serializers.FloatField(),
        "top_average": serializers.FloatField(allow_null=True),
        "gap": serializers.FloatField(allow_null=True),
    },
)
FactorCoaching = _serializer(
    "FactorCoaching",
    {
        "driver_number": serializers.IntegerField(),
        "factor_name": serializers.CharField(),
        "factor_percentile": serializers.FloatField(),
        "factor_rank": serializers.IntegerField(),
        "total_drivers": serializers.IntegerField(),
        "coaching_analysis": serializers.CharField(),
        "strongest_variable": VariableGap(allow_null=True),
        "weakest_variable": VariableGap(allow_null=True),
        "variable_gaps": VariableGap(many=True),
        "generated_at": serializers.DateTimeField(allow_null=True, help_text="Always null: computed per request"),
    },
)
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
ImprovedPrediction = _serializer(
    "ImprovedPrediction",
    {
        "predicted_finish": serializers.FloatField(),
        "current_predicted_finish": serializers.FloatField(),
        "positions_gained": serializers.FloatField(),
        "field_size": serializers.IntegerField(),
        "model_version": serializers.CharField(),
    },
)
ImproveSimilarDriver = _serializer(
    "ImproveSimilarDriver",
    {
        "driver_number": serializers.IntegerField(),
        "driver_name": serializers.CharField(),
        "similarity_score": serializers.FloatField(),
        "skill_differences": FactorMap(),
        "predicted_finish": serializers.FloatField(),
    },
)
ImproveRecommendation = _serializer(
    "ImproveRecommendation",
    {
        "factor_name": serializers.CharField(),
        "display_name": serializers.CharField(),
        "current_score": serializers.FloatField(),
        "priority": serializers.IntegerField(),
        "impact_estimate": serializers.CharField(),
    },
)
Improvement = _serializer(
    "Improvement",
    {
        "driver_number": serializers.IntegerField(),
        "current_skills": FactorMap(),
        "adjusted_skills": FactorMap(),
        "points_used": serializers.FloatField(),
        "skills_budget": serializers.FloatField(),
        "points_available": serializers.FloatField(),
        "prediction": ImprovedPrediction(),
        "similar_drivers": ImproveSimilarDriver(many=True),
        "recommendations": ImproveRecommendation(many=True),
    },
)
SkillGap = _serializer(
    "SkillGap",
    {
        "factor_name": serializers.CharField(),
        "display_name": serializers.CharField(),
        "current_percentile": serializers.FloatField(),
        "top3_average": serializers.FloatField(),
        "gap_percentile": serializers.FloatField(),
        "position_impact": serializers.FloatField(),
        "priority_rank": serializers.IntegerField(),
        "telemetry_evidence": Strings(),
    },
)
SkillGaps = _serializer(
    "SkillGaps",
    {
        "driver_number": serializers.IntegerField(),
        "driver_name": serializers.CharField(),
        "current_overall_rank": serializers.IntegerField(),
        "total_drivers": serializers.IntegerField(),
        "skill_gaps": SkillGap(many=True),
        "primary_weakness": serializers.CharField(allow_null=True),
        "estimated_potential_rank": serializers.IntegerField(),
        "coach_summary": serializers.CharField(),
    },
)
CoachRecommendation = _serializer(
    "CoachRecommendation",
    {
        "priority": serializers.IntegerField(),
        "skill_area": serializers.CharField(),
        "recommendation": serializers.CharField(),
        "evidence": Strings(),
        "expected_improvement": serializers.CharField(),
    },
)
CoachRecommendations = _serializer(
    "CoachRecommendations",
    {
        "driver_number": serializers.IntegerField(),
        "recommendations": CoachRecommendation(many=True),
        "track_specific_insights": serializers.DictField(child=Strings(), help_text="Sentences per track id"),
        "summary": serializers.CharField(),
    },
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
SimilarDriver = _serializer(
    "SimilarDriver",
    {
        "driver_number": serializers.IntegerField(),
        "driver_name": serializers.CharField(),
        "skills": FactorMap(),
        "match_score": serializers.FloatField(),
        "distance": serializers.FloatField(),
        "avg_finish": serializers.FloatField(),
        "performance_improvement": serializers.FloatField(),
        "current_avg_finish": serializers.FloatField(),
    },
)
MatchingAlgorithm = _serializer(
    "MatchingAlgorithm",
    {
        "method": serializers.CharField(),
        "description": serializers.CharField(),
        "filters_applied": Strings(),
        "skill_deltas": FactorMap(),
    },
)
SimilarDrivers = _serializer(
    "SimilarDrivers",
    {
        "similar_drivers": SimilarDriver(many=True),
        "current_avg_finish": serializers.FloatField(),
        "total_better_drivers": serializers.IntegerField(),
        "matching_algorithm": MatchingAlgorithm(),
    },
)
FindSimilarRequest = _serializer(
    "FindSimilarRequest", {"current_driver_number": serializers.IntegerField(min_value=1), "target_skills": SkillScores()}
)
MatchedDriver = _serializer(
    "MatchedDriver",
    {
        "driver_number": serializers.IntegerField(),
        "driver_name": serializers.CharField(),
        "match_percentage": serializers.FloatField(),
        "shared_attributes": Strings(),
        "overall_score": serializers.FloatField(),
        "factors": FactorMap(),
    },
)
DriverMatch = _serializer(
    "DriverMatch",
    {
        "target_driver": serializers.IntegerField(),
        "adjusted_profile": serializers.BooleanField(),
        "similar_drivers": MatchedDriver(many=True),
    },
)
MatchQuery = _serializer(
    "MatchQuery",
    {
        "top_n": serializers.IntegerField(min_value=1, max_value=10, default=5),
        **_factor_fields(lambda: _scores(required=False, help_text="Adjusted percentile for this factor")),
    },
)

NO_MODEL = "No active model version: every skill-model endpoint answers 503 until one is activated."
FACTOR = OpenApiParameter(
    "factor", str, OpenApiParameter.PATH, description="Factor id, e.g. speed", examples=[
        OpenApiExample("Speed", value="speed")
    ]
)
# Examples name a ranked driver of the demo season (fixtures/), so they answer on what bin/serve loads.
DEMO_DRIVER = 59
NUMBER = OpenApiParameter(
    "number", int, OpenApiParameter.PATH, description="Car number the driver races with", examples=[
        OpenApiExample("A driver of the demo season", value=DEMO_DRIVER)
    ]
)


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
    "factors.views.DriverListView",
    "get",
    operation_id="drivers_list",
    summary="Ranked drivers, best average finish first",
    parameters=[DriversQuerySerializer],
    responses={200: DriverCard(many=True)},
    description="Drivers the active model ranks. `?track_id=` adds each driver's circuit fit there.",
)
document(
    "factors.views.DriverDetailView",
    "get",
    operation_id="drivers_detail",
    summary="One ranked driver",
    parameters=[NUMBER, DriversQuerySerializer],
    responses={200: DriverCard},
)
document(
    "factors.views.FactorStatsView",
    "get",
    operation_id="factors_stats",
    summary="A factor across the ranked field",
    parameters=[FACTOR],
    responses={200: FactorStats},
)
document(
    "factors.views.FactorTopAverageView",
    "get",
    operation_id="factors_top_average",
    summary="Average score of the top drivers in a factor",
    parameters=[FACTOR, TopAverageQuery],
    responses={200: FactorTopAverage},
)
document(
    "factors.views.FactorBreakdownView",
    "get",
    operation_id="factors_breakdown",
    summary="A driver's variables within a factor",
    parameters=[FACTOR, NUMBER],
    responses={200: FactorBreakdown},
)
document(
    "factors.views.FactorComparisonView",
    "get",
    operation_id="factors_comparison",
    summary="A driver against the top drivers of a factor",
    parameters=[FACTOR, NUMBER],
    responses={200: FactorComparison},
)
document(
    "factors.views.FactorCoachingView",
    "get",
    operation_id="factors_coaching",
    summary="Coaching for one factor, from the data",
    parameters=[FACTOR, NUMBER],
    responses={200: FactorCoaching},
)
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
    "factors.views.ImprovePredictView",
    "post",
    operation_id="drivers_improve_predict",
    summary="What-if: the driver with other skill scores (public, writes nothing)",
    parameters=[NUMBER],
    request=SkillScores,
    responses={200: Improvement},
    description="The scores may add up to at most the skills budget (320).",
)
document(
    "factors.views.SkillGapsView",
    "get",
    operation_id="drivers_skill_gaps",
    summary="Where the driver trails the top drivers",
    parameters=[NUMBER],
    responses={200: SkillGaps},
)
document(
    "factors.views.CoachRecommendationsView",
    "get",
    operation_id="drivers_coach_recommendations",
    summary="Prioritised recommendations and per-track insights",
    parameters=[NUMBER],
    responses={200: CoachRecommendations},
)
document(
    "factors.views.RankingsProjectedView",
    "get",
    operation_id="rankings_projected",
    summary="The field ranked with the driver as they are and as projected",
    parameters=[RankingsQuery],
    responses={200: ProjectedRankings},
)
document(
    "factors.views.FindSimilarView",
    "post",
    operation_id="drivers_find_similar",
    summary="Better-finishing drivers closest to target skills (public, writes nothing)",
    request=FindSimilarRequest,
    responses={200: SimilarDrivers},
)
document(
    "factors.views.MatchView",
    "get",
    operation_id="drivers_match",
    summary="Drivers with the most similar profile",
    parameters=[NUMBER, MatchQuery],
    responses={200: DriverMatch},
)
