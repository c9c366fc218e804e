"""Filters of the skill model's lists (django-filter), applied by the selectors."""

from collections.abc import Iterable

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drivers.models import Driver
from factors.definitions import FACTORS
from factors.skill_model import SCORE_MAX, SCORE_MIN


@extend_schema_field(serializers.FloatField(min_value=SCORE_MIN, max_value=SCORE_MAX))
class ScoreFilter(django_filters.NumberFilter):
    """A score from 0 to 100; another number is refused (400), as the schema says."""

    def __init__(self, **kwargs):
        super().__init__(min_value=SCORE_MIN, max_value=SCORE_MAX, **kwargs)


def _min_score_filter(display_name: str) -> ScoreFilter:
    return ScoreFilter(method="min_score", help_text=f"{display_name} score at least (0..100)")


class RankedDriverFilter(django_filters.FilterSet):
    """?name= (part of the name, any case) and ?min_<factor>= (that factor's score at least), one
    per factor of the active model version (``factors``); the schema documents the defined ones."""

    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the driver's name, any case")

    class Meta:
        model = Driver
        fields = ["name"]

    def __init__(self, *args, factors: Iterable[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for factor_id, display_name in factors:
            if f"min_{factor_id}" not in self.filters:
                extra = _min_score_filter(display_name)
                extra.field_name, extra.parent = f"min_{factor_id}", self
                self.filters[extra.field_name] = extra

    def min_score(self, queryset, name, value):
        # One filter() per factor: each minimum applies to that factor's own score row.
        return queryset.filter(factor_scores__factor_id=name.removeprefix("min_"), factor_scores__score__gte=value)


# The defined factors, for the schema (a filterset's class-level filters are what it documents).
for _factor_id, _display_name, _ in FACTORS:
    _filter = _min_score_filter(_display_name)
    _filter.field_name = f"min_{_factor_id}"
    RankedDriverFilter.base_filters[_filter.field_name] = _filter
