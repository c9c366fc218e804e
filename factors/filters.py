"""Filters of the skill model's lists (django-filter), applied by the selectors."""

import django_filters

from drivers.models import Driver


class RankedDriverFilter(django_filters.FilterSet):
    """?name= (part of the name, any case) and ?min_<factor>= (that factor's score at least)."""

    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the driver's name, any case")
    min_speed = django_filters.NumberFilter(method="min_score", help_text="Speed score at least (0..100)")
    min_consistency = django_filters.NumberFilter(method="min_score", help_text="Consistency score at least")
    min_racecraft = django_filters.NumberFilter(method="min_score", help_text="Racecraft score at least")
    min_tire_management = django_filters.NumberFilter(method="min_score", help_text="Tire management score at least")

    class Meta:
        model = Driver
        fields = ["name"]

    def min_score(self, queryset, name, value):
        # One filter() per factor: each minimum applies to that factor's own score row.
        return queryset.filter(factor_scores__factor_id=name.removeprefix("min_"), factor_scores__score__gte=value)
