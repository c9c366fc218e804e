"""Input validation for the skill-model endpoints. Factor names are checked against the active
model version, which the view passes in the serializer context as ``factors``."""

import math

from rest_framework import serializers

ADJUSTMENT_LIMIT = 50.0


def _check_factor_keys(value: dict, factors: list[str]) -> dict:
    unknown = sorted(set(value) - set(factors))
    if unknown:
        raise serializers.ValidationError(
            f"Unknown skill(s): {', '.join(unknown)}. Allowed: {', '.join(factors)}."
        )
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
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class SkillAdjustmentsField(serializers.DictField):
    child = StrictFloatField(min_value=-ADJUSTMENT_LIMIT, max_value=ADJUSTMENT_LIMIT)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return _check_factor_keys(value, self.context["factors"])


class PredictRequestSerializer(serializers.Serializer):
    driver_number = serializers.IntegerField(min_value=1)
    track_id = serializers.CharField(min_length=1, max_length=50)
    skill_adjustments = SkillAdjustmentsField(required=False)


class SkillScoresSerializer(serializers.Serializer):
    """All factor scores of the active model, each 0 to 100 (fields built from the context)."""

    def get_fields(self):
        return {factor: StrictFloatField(min_value=0, max_value=100) for factor in self.context["factors"]}


class ImprovePredictSerializer(SkillScoresSerializer):
    def validate(self, attrs):
        budget = self.context["skills_budget"]
        total = sum(attrs.values())
        if total > budget:
            raise serializers.ValidationError(f"The skills add up to {total:g}, over the budget of {budget}.")
        return attrs


class RankingsProjectedQuerySerializer(SkillScoresSerializer):
    def get_fields(self):
        fields = {"driver_number": serializers.IntegerField(min_value=1)}
        fields.update(
            {factor: FiniteFloatField(min_value=0, max_value=100) for factor in self.context["factors"]}
        )
        return fields


class FindSimilarSerializer(serializers.Serializer):
    current_driver_number = serializers.IntegerField(min_value=1)
    target_skills = serializers.DictField()

    def validate_target_skills(self, value):
        inner = SkillScoresSerializer(data=value, context=self.context)
        _check_factor_keys(value, self.context["factors"])
        inner.is_valid(raise_exception=True)
        return inner.validated_data


class MatchQuerySerializer(serializers.Serializer):
    """top_n plus an optional adjusted profile given as query parameters (speed=..., ...)."""

    top_n = serializers.IntegerField(min_value=1, max_value=10, default=5)

    def get_fields(self):
        fields = super().get_fields()
        for factor in self.context["factors"]:
            fields[factor] = FiniteFloatField(min_value=0, max_value=100, required=False)
        return fields


class TopAverageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, required=False)


class DriversQuerySerializer(serializers.Serializer):
    track_id = serializers.CharField(min_length=1, max_length=50, required=False)
