"""The skill-model endpoints' serializers: input validation, then the answers' shapes.

Factor names come from the active model version, which the view passes in the serializer context
as ``factors``. Without a context (drf-spectacular building the schema) they are the four factors
of the legacy contract, ``SKILL_NAMES``."""

import math

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers

from drivers.models import Track
from factors.predictions import AFTER_QUALIFYING, BEFORE_QUALIFYING
from factors.selectors import SkillPopulation
from hackthetrack.fields import JsonIntegerField, QueryIntegerField, is_json_number
from hackthetrack.openapi import ErrorEnvelopeSerializer
from hackthetrack.pagination import BIGINT_MAX

ADJUSTMENT_LIMIT = 50.0
SKILL_NAMES = ("speed", "consistency", "racecraft", "tire_management")


def context_factors(field: serializers.Field) -> list[str] | tuple[str, ...]:
    """The active model's factors from the serializer context; the legacy four for the schema."""
    return field.context.get("factors", SKILL_NAMES)


def factor_context(population: SkillPopulation) -> dict:
    """Serializer context naming the active model's factors (read by ``context_factors``)."""
    return {"factors": population.model.factors}


def _check_factor_keys(value: dict, factors: list[str]) -> dict:
    unknown = sorted(set(value) - set(factors))
    if unknown:
        raise serializers.ValidationError(f"Unknown skill(s): {', '.join(unknown)}. Allowed: {', '.join(factors)}.")
    return value


class FiniteFloatField(serializers.FloatField):
    """A finite number: "nan" and "inf" parse as floats but are no skill (and no valid JSON)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class StrictFloatField(FiniteFloatField):
    """A JSON number: true/false and numeric strings are not silently turned into one."""

    def to_internal_value(self, data):
        if not is_json_number(data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            name: {"type": "number", "minimum": -ADJUSTMENT_LIMIT, "maximum": ADJUSTMENT_LIMIT} for name in SKILL_NAMES
        },
        # As validated: skills of the model only, each optional.
        "additionalProperties": False,
    }
)
class SkillAdjustmentsField(serializers.DictField):
    child = StrictFloatField(min_value=-ADJUSTMENT_LIMIT, max_value=ADJUSTMENT_LIMIT)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return _check_factor_keys(value, self.context["factors"])


# A grid position (POST /api/predict) is at most this (the database's small positive integers hold it).
MAX_GRID_POSITION = 999


class PredictRequestSerializer(serializers.Serializer):
    driver_number = JsonIntegerField(min_value=1)
    track_id = serializers.CharField(min_length=1, max_length=50)
    skill_adjustments = SkillAdjustmentsField(required=False)
    grid_position = JsonIntegerField(
        min_value=1,
        max_value=MAX_GRID_POSITION,
        required=False,
        help_text="Starting position after qualifying (1 = pole); without it the prediction is before qualifying",
    )


# A starting grid lists at most this many cars: more than any race's field, and a URL that every
# server and proxy on the way takes (gunicorn's request line: 8 KB).
GRID_CARS_MAX = 200
GRID_HELP = "After qualifying: car numbers in starting order, comma-separated (unlisted cars start behind)"
# The grid as the schema publishes it: what RacePredictionQuerySerializer takes, each car once
# (which a pattern cannot say), as a comma-separated array.
GRID_PARAMETER = OpenApiParameter(
    "grid",
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 1, "maximum": 9999},
        "uniqueItems": True,
        "maxItems": GRID_CARS_MAX,
    },
    OpenApiParameter.QUERY,
    style="form",
    explode=False,
    description=GRID_HELP,
)


class RacePredictionQuerySerializer(serializers.Serializer):
    grid = serializers.RegexField(
        r"^[1-9][0-9]{0,3}(,[1-9][0-9]{0,3})*$",  # car numbers 1..9999
        required=False,
        allow_blank=True,  # grid= is no grid, as an absent parameter
        help_text=GRID_HELP,
    )

    def validate_grid(self, value: str) -> list[int] | None:
        if not value:
            return None
        numbers = [int(number) for number in value.split(",")]
        if len(set(numbers)) != len(numbers):
            raise serializers.ValidationError("A car number appears twice.")
        if len(numbers) > GRID_CARS_MAX:
            raise serializers.ValidationError(f"At most {GRID_CARS_MAX} cars.")
        return numbers


class SkillScoresSerializer(serializers.Serializer):
    """All factor scores of the active model, each 0 to 100 (fields built from the context)."""

    def get_fields(self):
        return {factor: StrictFloatField(min_value=0, max_value=100) for factor in context_factors(self)}


class RankingsProjectedQuerySerializer(SkillScoresSerializer):
    def get_fields(self):
        fields = {"driver_number": QueryIntegerField(min_value=1)}
        fields.update({factor: FiniteFloatField(min_value=0, max_value=100) for factor in context_factors(self)})
        return fields


@extend_schema_field(
    {
        "type": "object",
        "properties": {name: {"type": "number", "minimum": 0, "maximum": 100} for name in SKILL_NAMES},
        "required": list(SKILL_NAMES),
        # As validated: every skill of the model, and no other key.
        "additionalProperties": False,
    }
)
class TargetSkillsField(serializers.DictField):
    """A JSON object of skill scores, validated whole by ``FindSimilarSerializer``."""


class FindSimilarSerializer(serializers.Serializer):
    current_driver_number = JsonIntegerField(min_value=1)
    target_skills = TargetSkillsField()

    def validate_target_skills(self, value):
        inner = SkillScoresSerializer(data=value, context=self.context)
        _check_factor_keys(value, self.context["factors"])
        inner.is_valid(raise_exception=True)
        return inner.validated_data


class MatchQuerySerializer(serializers.Serializer):
    """top_n plus an optional adjusted profile given as query parameters (speed=..., ...)."""

    top_n = QueryIntegerField(min_value=1, max_value=10, default=5)

    def get_fields(self):
        fields = super().get_fields()
        for factor in context_factors(self):
            fields[factor] = FiniteFloatField(
                min_value=0, max_value=100, required=False, help_text="Adjusted percentile for this factor"
            )
        return fields


class TopAverageQuerySerializer(serializers.Serializer):
    limit = QueryIntegerField(
        min_value=1,
        max_value=BIGINT_MAX,
        required=False,
        help_text="How many top scores (default 3); beyond the ranked field, the whole field (see count)",
    )


class DriversQuerySerializer(serializers.Serializer):
    # track_id= (empty) is no track, as the legacy read it: an empty string is no circuit id.
    track_id = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="Add this circuit's fit to `circuit_fits`"
    )


# --- Answers. Shapes of the legacy frontend's contract (../shared/grcup2025/legacy-api), as
# factors/*_reports.py and predictions.py build them. The views pass every answer through these,
# so the schema drf-spectacular reads from them is what the API sends.

# The errors every skill-model endpoint may answer besides those of the shared layers.
SKILL_MODEL_ERRORS = {
    404: OpenApiResponse(ErrorEnvelopeSerializer, description="No such driver, track or factor."),
    503: OpenApiResponse(
        ErrorEnvelopeSerializer,
        description="No active model version: every skill-model endpoint answers 503 until one is activated.",
    ),
}


def FactorMapField(**kwargs) -> serializers.DictField:
    """Factor id -> number."""
    return serializers.DictField(child=serializers.FloatField(), **kwargs)


def StringsField(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), **kwargs)


class FactorKeyedSerializer(serializers.Serializer):
    """Adds one field per factor of the active model (``factor_field()``) after the declared ones;
    ``trailing_fields`` go after the factors, in the legacy answers' key order."""

    trailing_fields: tuple[str, ...] = ()

    def factor_field(self) -> serializers.Field:
        raise NotImplementedError

    def get_fields(self):
        declared = super().get_fields()
        fields = {name: field for name, field in declared.items() if name not in self.trailing_fields}
        fields.update({factor: self.factor_field() for factor in context_factors(self)})
        fields.update({name: declared[name] for name in self.trailing_fields})
        return fields


class TrackSerializer(serializers.ModelSerializer):
    demand_profile = serializers.SerializerMethodField()

    class Meta:
        model = Track
        fields = ["id", "name", "length_miles", "location", "demand_profile", "description"]

    @extend_schema_field(serializers.DictField(child=serializers.FloatField()))
    def get_demand_profile(self, track: Track) -> dict[str, float]:
        """Factor id -> demand, in factor order (prefetched by factors.selectors.track_list)."""
        return {demand.factor_id: demand.demand for demand in track.demands.all()}


class FactorBlockSerializer(serializers.Serializer):
    name = serializers.CharField()
    score = serializers.FloatField()
    percentile = serializers.FloatField()
    z_score = serializers.FloatField(help_text="From the ranked field's own spread")


class DriverCardStatsSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    overall_score = serializers.FloatField()
    races_completed = serializers.IntegerField()
    average_finish = serializers.FloatField(allow_null=True)
    best_finish = serializers.IntegerField(allow_null=True)
    worst_finish = serializers.IntegerField(allow_null=True)
    wins = serializers.IntegerField()
    top10 = serializers.IntegerField()
    dnfs = serializers.IntegerField()


class DriverCardSerializer(FactorKeyedSerializer):
    """A ranked driver: overall score, one block per factor, season stats and circuit fits."""

    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    overall_score = serializers.FloatField()
    stats = DriverCardStatsSerializer()
    circuit_fits = FactorMapField(help_text="Circuit fit 0-100 per track id; only the ?track_id= asked for")
    trailing_fields = ("stats", "circuit_fits")

    def factor_field(self):
        return FactorBlockSerializer()


class FactorStatsSerializer(serializers.Serializer):
    factor = serializers.CharField()
    top_3_average = serializers.FloatField()
    league_average = serializers.FloatField(allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class FactorTopAverageSerializer(serializers.Serializer):
    factor = serializers.CharField()
    top_average = serializers.FloatField()
    count = serializers.IntegerField()


class BreakdownVariableSerializer(serializers.Serializer):
    """A driver's value of one variable (a ``DriverVariableValue``) with the variable's definition."""

    name = serializers.CharField(source="variable_id")
    display_name = serializers.CharField(source="variable.display_name")
    normalized_value = serializers.FloatField(allow_null=True)
    percentile = serializers.FloatField(allow_null=True)
    loading = serializers.FloatField(source="variable.loading")
    description = serializers.CharField(source="variable.description")


class FactorBreakdownSerializer(serializers.Serializer):
    """A factor (``Factor``) with the driver's values of its variables (``variables``)."""

    factor_name = serializers.CharField(source="factor.id")
    explanation = serializers.CharField(source="factor.description")
    variables = BreakdownVariableSerializer(many=True)


class ComparisonEntrySerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    percentile = serializers.FloatField()
    variables = serializers.DictField(child=serializers.FloatField(allow_null=True))


class FactorComparisonSerializer(serializers.Serializer):
    factor_name = serializers.CharField()
    user_driver = ComparisonEntrySerializer()
    top_drivers = ComparisonEntrySerializer(many=True)
    insights = StringsField()


class VariableGapSerializer(serializers.Serializer):
    variable = serializers.CharField()
    display_name = serializers.CharField()
    percentile = serializers.FloatField()
    top_average = serializers.FloatField(allow_null=True)
    gap = serializers.FloatField(allow_null=True)


class FactorCoachingSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    factor_name = serializers.CharField()
    factor_percentile = serializers.FloatField()
    factor_rank = serializers.IntegerField()
    total_drivers = serializers.IntegerField()
    coaching_analysis = serializers.CharField()
    strongest_variable = VariableGapSerializer(allow_null=True)
    weakest_variable = VariableGapSerializer(allow_null=True)
    variable_gaps = VariableGapSerializer(many=True)
    generated_at = serializers.DateTimeField(allow_null=True, help_text="Always null: computed per request")


class SkillGapSerializer(serializers.Serializer):
    factor_name = serializers.CharField()
    display_name = serializers.CharField()
    current_percentile = serializers.FloatField()
    top3_average = serializers.FloatField()
    gap_percentile = serializers.FloatField()
    position_impact = serializers.FloatField()
    telemetry_evidence = StringsField()
    priority_rank = serializers.IntegerField()


class SkillGapsSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    current_overall_rank = serializers.IntegerField()
    total_drivers = serializers.IntegerField()
    skill_gaps = SkillGapSerializer(many=True)
    primary_weakness = serializers.CharField(allow_null=True)
    estimated_potential_rank = serializers.IntegerField()
    coach_summary = serializers.CharField()


class CoachRecommendationSerializer(serializers.Serializer):
    priority = serializers.IntegerField()
    skill_area = serializers.CharField()
    recommendation = serializers.CharField()
    evidence = StringsField()
    expected_improvement = serializers.CharField()


class CoachRecommendationsSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    recommendations = CoachRecommendationSerializer(many=True)
    track_specific_insights = serializers.DictField(child=StringsField(), help_text="Sentences per track id")
    summary = serializers.CharField()


class SimilarDriverSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    skills = FactorMapField()
    match_score = serializers.FloatField()
    distance = serializers.FloatField()
    avg_finish = serializers.FloatField()
    performance_improvement = serializers.FloatField()
    current_avg_finish = serializers.FloatField()
    # Only on the best finisher's self-match (no driver finishes better on average).
    is_elite_self_match = serializers.BooleanField(required=False)
    target_factor = serializers.CharField(required=False, help_text="The factor to work on first")


class MatchingAlgorithmSerializer(serializers.Serializer):
    method = serializers.CharField()
    description = serializers.CharField()
    filters_applied = StringsField()
    skill_deltas = FactorMapField()


class SimilarDriversSerializer(serializers.Serializer):
    similar_drivers = SimilarDriverSerializer(many=True)
    current_avg_finish = serializers.FloatField()
    total_better_drivers = serializers.IntegerField()
    message = serializers.CharField(required=False, help_text="Why there is no faster driver to compare with")
    matching_algorithm = MatchingAlgorithmSerializer()


class MatchedDriverSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    match_percentage = serializers.FloatField()
    shared_attributes = StringsField()
    overall_score = serializers.FloatField()
    factors = FactorMapField()


class DriverMatchSerializer(serializers.Serializer):
    target_driver = serializers.IntegerField()
    adjusted_profile = serializers.BooleanField()
    similar_drivers = MatchedDriverSerializer(many=True)


class ImprovedPredictionSerializer(serializers.Serializer):
    predicted_finish = serializers.FloatField()
    current_predicted_finish = serializers.FloatField()
    positions_gained = serializers.FloatField()
    field_size = serializers.IntegerField()
    model_version = serializers.CharField()


class ImproveSimilarDriverSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    similarity_score = serializers.FloatField()
    skill_differences = FactorMapField()
    predicted_finish = serializers.FloatField()


class ImproveRecommendationSerializer(serializers.Serializer):
    factor_name = serializers.CharField()
    display_name = serializers.CharField()
    current_score = serializers.FloatField()
    priority = serializers.IntegerField()
    impact_estimate = serializers.CharField()


class ImprovementSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField()
    current_skills = FactorMapField()
    adjusted_skills = FactorMapField()
    points_used = serializers.FloatField()
    skills_budget = serializers.FloatField()
    points_available = serializers.FloatField()
    prediction = ImprovedPredictionSerializer()
    similar_drivers = ImproveSimilarDriverSerializer(many=True)
    recommendations = ImproveRecommendationSerializer(many=True)


STAGES = [BEFORE_QUALIFYING, AFTER_QUALIFYING]


# POST /api/predict's answer as factors.predictions.predict builds it: the view returns it unchanged.
class PredictionSerializer(serializers.Serializer):
    """The last three fields come only with skill_adjustments."""

    driver_number = serializers.IntegerField()
    track_id = serializers.CharField()
    circuit_fit_score = serializers.FloatField()
    predicted_finish = serializers.IntegerField(help_text="Predicted place in a race of the ranked field")
    expected_finish = serializers.FloatField()
    grid_position = serializers.IntegerField(allow_null=True)
    stage = serializers.ChoiceField(choices=STAGES)
    field_size = serializers.IntegerField()
    model_version = serializers.CharField()
    explanation = serializers.CharField()
    adjusted_scores = FactorMapField(required=False)
    current_circuit_fit_score = serializers.FloatField(required=False)
    current_predicted_finish = serializers.IntegerField(required=False)


class RaceForecastSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    grid_position = serializers.IntegerField(allow_null=True)
    expected_finish = serializers.FloatField()
    win_probability = serializers.FloatField()
    podium_probability = serializers.FloatField()


class RaceOrderSerializer(serializers.Serializer):
    track_id = serializers.CharField()
    track_name = serializers.CharField()
    stage = serializers.ChoiceField(choices=STAGES)
    field_size = serializers.IntegerField()
    model_version = serializers.CharField()
    predictions = RaceForecastSerializer(many=True)


class RankingRowSerializer(FactorKeyedSerializer):
    rank = serializers.IntegerField()
    driver_number = serializers.IntegerField()
    driver_name = serializers.CharField()
    overall_score = serializers.FloatField()
    avg_finish = serializers.FloatField(help_text="Predicted average finish")
    is_user = serializers.BooleanField()
    is_projected = serializers.BooleanField()
    trailing_fields = ("overall_score", "avg_finish", "is_user", "is_projected")

    def factor_field(self):
        return serializers.FloatField()


class ProjectedRankingsSerializer(serializers.Serializer):
    user_driver_number = serializers.IntegerField()
    current_rank = serializers.IntegerField()
    projected_rank = serializers.IntegerField()
    positions_gained = serializers.IntegerField()
    projected_avg_finish = serializers.FloatField()
    current_avg_finish = serializers.FloatField()
    rankings_table = RankingRowSerializer(many=True)
    confidence_level = serializers.ChoiceField(choices=["high", "low"])
