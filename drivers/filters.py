"""Filters of the drivers app's lists (django-filter), applied by the selectors."""

import django_filters

from drivers.models import RaceEntry
from hackthetrack.fields import QueryIntegerFormField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (0.5 is no season); empty is no filter, as for every optional query parameter."""

    field_class = QueryIntegerFormField


class DriverResultFilter(django_filters.FilterSet):
    """?track=&season=&race_number=&finish_position_min=&finish_position_max= on a driver's results."""

    track = django_filters.CharFilter(field_name="race__track_id", help_text="Track id, e.g. barber")
    season = IntegerFilter(field_name="race__season", help_text="Season year, e.g. 2025")
    race_number = IntegerFilter(field_name="race__race_number", help_text="Race 1 or 2 of the event")
    finish_position_min = IntegerFilter(
        field_name="finish_position", lookup_expr="gte", help_text="Finish position at least"
    )
    finish_position_max = IntegerFilter(
        field_name="finish_position", lookup_expr="lte", help_text="Finish position at most"
    )

    class Meta:
        model = RaceEntry
        fields = ["track", "season", "race_number", "finish_position_min", "finish_position_max"]
