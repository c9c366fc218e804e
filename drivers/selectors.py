"""Reads of the season: tracks, a driver's season statistics and race results. Each runs a fixed
number of queries whatever the number of rows."""

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from drivers.models import DriverSeasonStats, RaceEntry, Track
from factors.models import TrackDemand


def track_list() -> QuerySet[Track]:
    """Tracks with their demand profile prefetched (two queries)."""
    demands = TrackDemand.objects.order_by("factor__sort_order", "factor_id")
    return Track.objects.order_by("id").prefetch_related(Prefetch("demands", queryset=demands))


def driver_season_stats_get(*, driver_number: int) -> DriverSeasonStats | None:
    """The driver's statistics of their latest season, or None."""
    return (
        DriverSeasonStats.objects.select_related("driver")
        .filter(driver__number=driver_number)
        .order_by("-season")
        .first()
    )


def driver_result_list(*, driver_number: int) -> QuerySet[RaceEntry]:
    """The driver's race entries in season order, each with ``season_race_ordinal``: 1 for the
    driver's first race of that season, 2 for the second, ... (the legacy ``race_id``)."""
    return (
        RaceEntry.objects.filter(driver__number=driver_number)
        .select_related("race__track")
        .annotate(
            season_race_ordinal=Window(
                RowNumber(),
                partition_by=[F("race__season")],
                order_by=[F("race__round").asc(), F("race__race_number").asc()],
            )
        )
        .order_by("race__season", "race__round", "race__race_number")
    )
