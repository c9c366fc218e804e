"""Curators' admin for the season: drivers with their results and season statistics, tracks with
their corners, races, entries. It imports nothing of the skill model: factors/admin.py extends the
driver and track admins with the scores, the factor inlines and the demands, and registers its
subclasses in their place (as projects extend Django's UserAdmin)."""

import operator
from functools import reduce

from django.contrib import admin
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from drivers.models import Corner, Driver, DriverSeasonStats, Race, RaceEntry, Track
from hackthetrack.admin_tools import CuratedInline, CuratedModelAdmin, LockableModelAdmin

ENTRY_SEARCH_FIELDS = ["driver__name", "driver__number__exact", "car_number__exact"]


class HasLockedValuesFilter(admin.SimpleListFilter):
    title = "locked values"
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", "Has locked values"), ("no", "No locked values")]

    def queryset(self, request, queryset):
        # has_locked_values: annotated by DriverAdmin.get_queryset.
        if self.value() in ("yes", "no"):
            return queryset.filter(has_locked_values=self.value() == "yes")
        return queryset


class DriverSeasonStatsInline(CuratedInline):
    model = DriverSeasonStats
    row_select_related = ("driver",)
    classes = ["collapse"]


class DriverResultInline(CuratedInline):
    """The driver's results, read here and edited on the entry (link) or the race."""

    model = RaceEntry
    fields = ["race", "car_number", "group", "grid_position", "finish_position", "status", "laps", "is_locked"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    row_select_related = ("race",)
    verbose_name_plural = "results"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Driver)
class DriverAdmin(CuratedModelAdmin):
    search_fields = ["name", "number__exact"]
    search_help_text = "Name or exact car number"
    list_display = ["number", "name", "races", "has_locked_values", "last_changed"]
    list_filter = ["nationality", ("entries__race__track", admin.RelatedOnlyFieldListFilter), HasLockedValuesFilter]
    inlines = [DriverResultInline, DriverSeasonStatsInline]
    # The rows a curator can lock, each with a ``driver`` key: "locked values" (column and filter) reads them.
    locked_value_models = [RaceEntry, DriverSeasonStats]

    def get_queryset(self, request):
        races = RaceEntry.objects.filter(driver=OuterRef("pk")).values("driver").annotate(n=Count("pk")).values("n")
        return (
            super()
            .get_queryset(request)
            .annotate(
                races=Coalesce(Subquery(races, output_field=IntegerField()), 0),
                has_locked_values=self._has_locked_values(),
            )
        )

    def _has_locked_values(self) -> Exists:
        """Whether any of a driver's lockable rows is locked."""
        return reduce(
            operator.or_,
            (Exists(model.objects.filter(driver=OuterRef("pk"), is_locked=True)) for model in self.locked_value_models),
        )

    @admin.display(description="races", ordering="races")
    def races(self, obj: Driver) -> int:
        return obj.races

    @admin.display(description="locked values", boolean=True, ordering="has_locked_values")
    def has_locked_values(self, obj: Driver) -> bool:
        return obj.has_locked_values


class CornerInline(CuratedInline):
    model = Corner
    fields = ["number", "name", "type", "distance_start_m", "distance_apex_m", "distance_exit_m", "speed_class"]


@admin.register(Track)
class TrackAdmin(CuratedModelAdmin):
    list_display = ["id", "name", "location", "length_miles", "direction", "corner_count", "last_changed"]
    list_filter = ["direction"]
    search_fields = ["id", "name", "location"]
    inlines = [CornerInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(corner_count=Count("corners"))

    @admin.display(description="corners", ordering="corner_count")
    def corner_count(self, obj: Track) -> int:
        return obj.corner_count


@admin.register(Corner)
class CornerAdmin(CuratedModelAdmin):
    list_display = ["track", "number", "name", "type", "distance_start_m", "distance_apex_m", "distance_exit_m"]
    list_filter = ["track", "type"]
    list_select_related = ["track"]
    search_fields = ["name", "track__name"]


class RaceEntryInline(CuratedInline):
    model = RaceEntry
    fields = [
        "car_number",
        "group",
        "driver",
        "car_class",
        "status",
        "grid_position",
        "finish_position",
        "laps",
        "total_time_s",
        "gap_to_winner",
        "fastest_lap_s",
        "is_locked",
    ]
    plain_choice_fields = ("driver",)
    row_select_related = ("race",)
    show_change_link = True


@admin.register(Race)
class RaceAdmin(CuratedModelAdmin):
    list_display = ["__str__", "track", "season", "round", "race_number", "date", "entry_count", "last_changed"]
    list_filter = ["season", "track", "round", "race_number"]
    list_select_related = ["track"]
    search_fields = ["track__id", "track__name"]
    date_hierarchy = "date"
    inlines = [RaceEntryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description="entries", ordering="entry_count")
    def entry_count(self, obj: Race) -> int:
        return obj.entry_count


@admin.register(RaceEntry)
class RaceEntryAdmin(LockableModelAdmin):
    list_display = [
        "race",
        "car_number",
        "group",
        "driver",
        "car_class",
        "status",
        "grid_position",
        "finish_position",
        "laps",
        "total_time_s",
        "fastest_lap_s",
        "is_locked",
        "last_changed",
    ]
    list_editable = ["is_locked"]
    # "Driver: empty" lists the entries refresh_cache could not link (a shared car number without names).
    list_filter = [
        "race__season",
        "race__track",
        "race__round",
        "race__race_number",
        "status",
        "car_class",
        "is_locked",
        ("driver", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["race", "driver"]
    search_fields = ENTRY_SEARCH_FIELDS
    search_help_text = "Driver name, driver number or car number"
    autocomplete_fields = ["driver"]


@admin.register(DriverSeasonStats)
class DriverSeasonStatsAdmin(LockableModelAdmin):
    list_display = [
        "driver",
        "season",
        "races",
        "wins",
        "podiums",
        "top10",
        "avg_finish",
        "points",
        "championship_position",
        "is_locked",
        "last_changed",
    ]
    list_editable = ["is_locked"]
    list_filter = ["season", "is_locked"]
    list_select_related = ["driver"]
    search_fields = ["driver__name", "driver__number__exact"]
    autocomplete_fields = ["driver"]
