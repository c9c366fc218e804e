"""Reads of the season: a driver's season statistics and race results. Each runs a fixed
number of queries whatever the number of rows."""

from collections.abc import Mapping

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from rest_framework.exceptions import ValidationError

from drivers.filters import DriverResultFilter
from drivers.models import DriverSeasonStats, RaceEntry


def driver_season_stats_get(*, driver_number: int) -> DriverSeasonStats | None:
    """The driver's statistics of their latest season, or None."""
    return (
        DriverSeasonStats.objects.select_related("driver")
        .filter(driver__number=driver_number)
        .order_by("-season")
        .first()
    )


def _season_race_ordinal() -> Subquery:
    """1 for the driver's first race of the season, 2 for the second, ... (the legacy ``race_id``),
    counted over all their entries of the season so that a filtered list keeps each row's number
    (a window function would number the filtered rows only)."""
    up_to_this_race = RaceEntry.objects.filter(
        Q(race__round__lt=OuterRef("race__round"))
        | Q(race__round=OuterRef("race__round"), race__race_number__lte=OuterRef("race__race_number")),
        driver=OuterRef("driver"),
        race__season=OuterRef("race__season"),
    )
    return Subquery(up_to_this_race.values("driver").annotate(n=Count("pk")).values("n"))


def driver_result_list(*, driver_number: int, filters: Mapping[str, str] | None = None) -> QuerySet[RaceEntry]:
    """The driver's race entries in season order, each with ``season_race_ordinal``; ``filters``
    are DriverResultFilter's query parameters (400 naming the parameter when one is invalid)."""
    entries = RaceEntry.objects.filter(driver__number=driver_number)
    if filters is not None:
        filterset = DriverResultFilter(filters, queryset=entries)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        entries = filterset.qs
    return (
        entries.select_related("race__track")
        .annotate(season_race_ordinal=_season_race_ordinal())
        .order_by("race__season", "race__round", "race__race_number")
    )
