"""Curators' admin for the skill model: definitions, model versions with their coefficients, and
the drivers' and tracks' scores. It extends the season's driver and track admins (drivers/admin.py)
with the skill model's parts and registers the subclasses in their place, the way projects extend
Django's UserAdmin: on drivers the active model's score columns (sortable), the factor score and
variable inlines and their locks in "locked values"; on tracks the demand inline."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.signals import post_migrate
from django.utils.html import format_html, format_html_join

from drivers.admin import DriverAdmin, TrackAdmin
from drivers.models import Driver, Track
from factors import skill_model
from factors.backtest import LABELS
from factors.models import (
    DriverFactorScore,
    DriverVariableValue,
    Factor,
    LegacyScoreComponent,
    ModelCoefficient,
    ModelVersion,
    TrackDemand,
    Variable,
)
from factors.selectors import NoActiveModel, active_model
from factors.services import model_version_activate, weights_validate_sum
from hackthetrack.admin_tools import BrowseOnlyModelAdmin, CuratedInline, CuratedModelAdmin, LockableModelAdmin
from hackthetrack.curators import curators_group_restore

# Brings the curators group back after a flush (hackthetrack/curators.py).
post_migrate.connect(curators_group_restore, sender=apps.get_app_config("factors"))

DRIVER_SEARCH_FIELDS = ["driver__name", "driver__number__exact"]


class DriverFactorScoreForm(forms.ModelForm):
    # Field-level bounds, so the message sits on the field (the database check would be generic).
    score = forms.FloatField(min_value=0, max_value=100)
    percentile = forms.FloatField(min_value=0, max_value=100)

    class Meta:
        model = DriverFactorScore
        fields = ["factor", "score", "percentile", "z_score", "is_locked"]


class DriverFactorScoreInline(CuratedInline):
    model = DriverFactorScore
    form = DriverFactorScoreForm
    plain_choice_fields = ("factor",)
    row_select_related = ("driver",)


class DriverVariableValueInline(CuratedInline):
    model = DriverVariableValue
    fields = ["variable", "raw_value", "normalized_value", "percentile", "weight", "contribution", "is_locked"]
    plain_choice_fields = ("variable",)
    row_select_related = ("driver",)
    classes = ["collapse"]


class TrackDemandInline(CuratedInline):
    model = TrackDemand
    plain_choice_fields = ("factor",)


class VariableInline(CuratedInline):
    model = Variable
    fields = ["id", "display_name", "loading", "sort_order"]


class ModelCoefficientForm(forms.ModelForm):
    weight = forms.FloatField(min_value=0, max_value=1, help_text="Weight in the overall score, 0 to 1")
    finish_coefficient = forms.FloatField(max_value=0, help_text="On the factor's z-score; 0 or negative")

    class Meta:
        model = ModelCoefficient
        fields = ["factor", "weight", "finish_coefficient"]


class ModelCoefficientFormSet(forms.BaseInlineFormSet):
    """The weights of a version must add up to 1: the error goes on every weight field, since
    no single one of them is wrong."""

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.has_changed() or form.instance.pk]
        kept = [form for form in kept if not self._should_delete_form(form)]
        if any(not form.is_valid() for form in kept):
            return
        try:
            weights_validate_sum(weights=[form.cleaned_data["weight"] for form in kept])
        except ValidationError as error:
            for form in kept:
                form.add_error("weight", error)


class ModelCoefficientInline(CuratedInline):
    model = ModelCoefficient
    form = ModelCoefficientForm
    formset = ModelCoefficientFormSet
    plain_choice_fields = ("factor",)
    row_select_related = ("model_version",)
    min_num = 1


@admin.register(Factor)
class FactorAdmin(CuratedModelAdmin):
    list_display = ["id", "display_name", "sort_order", "last_changed"]
    search_fields = ["id", "display_name"]
    inlines = [VariableInline]


@admin.register(Variable)
class VariableAdmin(CuratedModelAdmin):
    list_display = ["id", "display_name", "factor", "loading", "sort_order", "last_changed"]
    list_filter = ["factor"]
    list_select_related = ["factor"]
    search_fields = ["id", "display_name"]


@admin.register(ModelVersion)
class ModelVersionAdmin(CuratedModelAdmin):
    list_display = ["name", "is_active", "season", "min_races", "finish_intercept", "r_squared", "last_changed"]
    list_filter = ["is_active", "season"]
    search_fields = ["name", "description"]
    # Switched only by the "activate" action, which deactivates the previous version in the same transaction.
    # The backtest's figures and calibration are written by manage.py backtest, not by hand.
    readonly_fields = ["is_active", "created_at", "backtest_figures", "backtest_at", "noise_before", "noise_after"]
    exclude = ["backtest"]
    inlines = [ModelCoefficientInline]
    actions = ["activate"]

    @admin.display(description="Backtest (pooled, walk-forward)")
    def backtest_figures(self, obj):
        if not obj.backtest:
            return "Not backtested yet: run manage.py backtest"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    LABELS.get(method, method),
                    figures["spearman"],
                    figures["mae"],
                    f"{figures['top3_hits']} of {figures['top3_possible']}",
                )
                for method, figures in obj.backtest["pooled"].items()
            ),
        )
        verdict = format_html_join("", "<li>{}</li>", ((line,) for line in obj.backtest.get("shortfalls", [])))
        return format_html(
            "<table><tr><th>method</th><th>Spearman</th><th>mean error (places)</th><th>top 3</th></tr>{}</table>"
            "<p>{} races</p><ul>{}</ul>",
            rows,
            len(obj.backtest["races"]),
            verdict or format_html("<li>{}</li>", "Beats its baselines on Spearman and mean error."),
        )

    def has_delete_permission(self, request, obj=None):
        # The API always needs an active version.
        return super().has_delete_permission(request, obj) and not (obj and obj.is_active)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # could take the active version with it
        return actions

    @admin.action(permissions=["change"], description="Activate the selected version (the API uses it at once)")
    def activate(self, request, queryset):
        if len(queryset) != 1:
            self.message_user(request, "Select exactly one model version to activate.", messages.ERROR)
            return
        (version,) = queryset
        if version.is_active:
            self.message_user(request, f"{version.name} is already the active model version.", messages.INFO)
            return
        try:
            previous = model_version_activate(version=version)
        except ValidationError as error:
            self.message_user(request, f"{version.name} was not activated. {' '.join(error.messages)}", messages.ERROR)
            return
        self.log_change(request, version, "Activated")
        if previous is not None:
            self.log_change(request, previous, f"Deactivated: {version.name} activated")
        self.message_user(request, f"{version.name} is now the active model version.", messages.SUCCESS)


@admin.register(ModelCoefficient)
class ModelCoefficientAdmin(BrowseOnlyModelAdmin):
    """Browse only: a weight is edited inside its model version, where the sum is checked."""

    list_display = ["model_version", "factor", "weight", "finish_coefficient", "last_changed"]
    list_filter = ["model_version", "factor"]
    list_select_related = ["model_version", "factor"]


@admin.register(DriverFactorScore)
class DriverFactorScoreAdmin(LockableModelAdmin):
    form = DriverFactorScoreForm
    list_display = ["driver", "factor", "score", "percentile", "z_score", "is_locked", "last_changed"]
    list_editable = ["is_locked"]
    list_filter = ["factor", "is_locked"]
    list_select_related = ["driver", "factor"]
    search_fields = DRIVER_SEARCH_FIELDS
    autocomplete_fields = ["driver"]

    def get_fields(self, request, obj=None):
        return ["driver", *self.form.Meta.fields]


@admin.register(DriverVariableValue)
class DriverVariableValueAdmin(LockableModelAdmin):
    list_display = [
        "driver",
        "variable",
        "raw_value",
        "normalized_value",
        "percentile",
        "contribution",
        "is_locked",
        "last_changed",
    ]
    list_editable = ["is_locked"]
    list_filter = ["variable__factor", "variable", "is_locked"]
    list_select_related = ["driver", "variable"]
    search_fields = DRIVER_SEARCH_FIELDS
    autocomplete_fields = ["driver", "variable"]


@admin.register(TrackDemand)
class TrackDemandAdmin(CuratedModelAdmin):
    list_display = ["track", "factor", "demand", "last_changed"]
    list_filter = ["track", "factor"]
    list_select_related = ["track", "factor"]


@admin.register(LegacyScoreComponent)
class LegacyScoreComponentAdmin(BrowseOnlyModelAdmin):
    """Browse only: the legacy application's score composition, kept as imported for audit."""

    list_display = ["driver", "factor", "variable_name", "raw_value", "percentile", "weight", "contribution"]
    list_filter = ["factor"]
    list_select_related = ["driver", "factor"]
    search_fields = ["driver__name", "driver__number__exact", "variable_name"]


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


class DriverWithScoresAdmin(DriverAdmin):
    """The season's driver admin with the active model version's scores: the overall score and one
    sortable column per factor after the name, the factor score and variable inlines first."""

    inlines = [DriverFactorScoreInline, DriverVariableValueInline, *DriverAdmin.inlines]
    locked_value_models = [DriverFactorScore, DriverVariableValue, *DriverAdmin.locked_value_models]

    # The factor columns and the overall score depend on the active model version.
    def get_list_display(self, request):
        columns = _score_columns(request)
        season_columns = list(super().get_list_display(request))
        after_name = season_columns.index("name") + 1
        return [*season_columns[:after_name], columns.overall, *columns.factors, *season_columns[after_name:]]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), _score_columns(request).overall]

    def get_queryset(self, request):
        model = _score_columns(request).model
        scores = {
            _score_attribute(factor): Subquery(
                DriverFactorScore.objects.filter(driver=OuterRef("pk"), factor_id=factor).values("score")[:1]
            )
            for factor in (model.factors if model else [])
        }
        return super().get_queryset(request).annotate(**scores)


class TrackWithDemandsAdmin(TrackAdmin):
    """The season's track admin with the circuit's demand per factor."""

    inlines = [*TrackAdmin.inlines, TrackDemandInline]


admin.site.unregister(Driver)
admin.site.register(Driver, DriverWithScoresAdmin)
admin.site.unregister(Track)
admin.site.register(Track, TrackWithDemandsAdmin)
