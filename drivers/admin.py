"""Curators' admin for the season: drivers with their scores and results, tracks, races, entries."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from drivers.models import Corner, Driver, DriverSeasonStats, LegacyScoreComponent, Race, RaceEntry, Track
from factors import skill_model
from factors.admin import DriverFactorScoreInline, DriverVariableValueInline, TrackDemandInline
from factors.models import DriverFactorScore, DriverVariableValue
from factors.selectors import NoActiveModel, active_model
from hackthetrack.admin_tools import BrowseOnlyModelAdmin, CuratedInline, CuratedModelAdmin, LockableModelAdmin

ENTRY_SEARCH_FIELDS = ["driver__name", "driver__number__exact", "car_number__exact"]


@dataclass(frozen=True)
class _ScoreColumns:
    """The active model version and the list columns built from it."""

    model: skill_model.Coefficients | None
    overall: Callable
    factors: list[Callable]


def _score_columns(request) -> _ScoreColumns:
    """Built once per request: the queryset, the columns and the sortable columns all need them,
    and the admin compares columns by identity. (A ModelAdmin is shared between threads, so the
    request is where a per-request value can live.)"""
    if not hasattr(request, "_admin_score_columns"):
        try:
            model = active_model()
        except NoActiveModel:
            model = None
        factors = [_factor_score_column(f, name) for f, name in model.display_names.items()] if model else []
        request._admin_score_columns = _ScoreColumns(model, _overall_score_column(model), factors)
    return request._admin_score_columns


def _score_attribute(factor_id: str) -> str:
    return f"score_{factor_id}"


def _overall_score_column(model: skill_model.Coefficients | None):
    @admin.display(description="overall score")
    def overall_score(obj: Driver) -> float | None:
        """From the active model version's weights; empty while a factor score is missing."""
        if model is None:
            return None
        scores = {factor: getattr(obj, _score_attribute(factor), None) for factor in model.factors}
        if any(score is None for score in scores.values()):
            return None
        return round(skill_model.overall_score(scores=scores, model=model), 2)

    return overall_score


def _factor_score_column(factor_id: str, display_name: str):
    @admin.display(description=display_name, ordering=_score_attribute(factor_id))
    def column(obj: Driver) -> float | None:
        return getattr(obj, _score_attribute(factor_id))

    column.__name__ = _score_attribute(factor_id)
    return column


def _has_locked_values() -> Exists:
    """Whether any of a driver's curated rows is locked."""
    return (
        Exists(DriverFactorScore.objects.filter(driver=OuterRef("pk"), is_locked=True))
        | Exists(DriverVariableValue.objects.filter(driver=OuterRef("pk"), is_locked=True))
        | Exists(RaceEntry.objects.filter(driver=OuterRef("pk"), is_locked=True))
        | Exists(DriverSeasonStats.objects.filter(driver=OuterRef("pk"), is_locked=True))
    )


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
    list_filter = ["nationality", ("entries__race__track", admin.RelatedOnlyFieldListFilter), HasLockedValuesFilter]
    inlines = [DriverFactorScoreInline, DriverVariableValueInline, DriverResultInline, DriverSeasonStatsInline]

    # The factor columns and the overall score depend on the active model version.
    def get_list_display(self, request):
        columns = _score_columns(request)
        return ["number", "name", columns.overall, *columns.factors, "races", "has_locked_values", "last_changed"]

    def get_readonly_fields(self, request, obj=None):
        return [_score_columns(request).overall]

    def get_queryset(self, request):
        model = _score_columns(request).model
        scores = {
            _score_attribute(factor): Subquery(
                DriverFactorScore.objects.filter(driver=OuterRef("pk"), factor_id=factor).values("score")[:1]
            )
            for factor in (model.factors if model else [])
        }
        races = RaceEntry.objects.filter(driver=OuterRef("pk")).values("driver").annotate(n=Count("pk")).values("n")
        return (
            super()
            .get_queryset(request)
            .annotate(
                **scores,
                races=Coalesce(Subquery(races, output_field=IntegerField()), 0),
                has_locked_values=_has_locked_values(),
            )
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
    inlines = [CornerInline, TrackDemandInline]

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


@admin.register(LegacyScoreComponent)
class LegacyScoreComponentAdmin(BrowseOnlyModelAdmin):
    """Browse only: the legacy application's score composition, kept as imported for audit."""

    list_display = ["driver", "factor", "variable_name", "raw_value", "percentile", "weight", "contribution"]
    list_filter = ["factor"]
    list_select_related = ["driver", "factor"]
    search_fields = ["driver__name", "driver__number__exact", "variable_name"]
