"""The four-factor skill model: definitions, the model's coefficients as data, the scores, and
the legacy application's score composition kept for audit. Built on the season (drivers.models),
which knows nothing of it."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from drivers.models import Driver, Track
from hackthetrack.seasons import current_season

PERCENT_RANGE = Q(score__gte=0) & Q(score__lte=100)


class Factor(models.Model):
    id = models.SlugField(primary_key=True, max_length=30)
    display_name = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.display_name


class Variable(models.Model):
    """One of the model's observed variables and its loading on its factor."""

    id = models.SlugField(primary_key=True, max_length=40)
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="variables")
    display_name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    loading = models.FloatField()
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["factor__sort_order", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(loading__gte=-1) & Q(loading__lte=1), name="variable_loading_in_range")
        ]

    def __str__(self):
        return self.display_name


class ModelVersion(models.Model):
    """A version of the model's coefficients. Exactly one version is active at a time."""

    name = models.CharField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)
    finish_intercept = models.FloatField(help_text="Intercept of the finish-position regression")
    season = models.PositiveSmallIntegerField(default=current_season, help_text="Season whose results the model ranks")
    min_races = models.PositiveSmallIntegerField(
        default=4, help_text="Races a driver needs in the season to be ranked (and served by /api/drivers)"
    )
    r_squared = models.FloatField(null=True, blank=True)
    cv_r_squared = models.FloatField(null=True, blank=True)
    mae = models.FloatField(null=True, blank=True)
    races_analyzed = models.PositiveIntegerField(null=True, blank=True)
    # The race predictions (factors.race_model): chosen by the pooled walk-forward backtest.
    grid_weight = models.FloatField(
        default=2.0, help_text="After qualifying: weight of the qualifying result beside the skills (0: skills only)"
    )
    demand_prior_results = models.PositiveIntegerField(
        default=80, help_text="Results at a track worth as much as the all-track demand profile (shrinkage)"
    )
    noise_before = models.FloatField(
        default=1.0, help_text="Spread of race-day luck before qualifying (calibrated by the backtest)"
    )
    noise_after = models.FloatField(
        default=1.0, help_text="Spread of race-day luck after qualifying (calibrated by the backtest)"
    )
    backtest = models.JSONField(
        null=True, blank=True, help_text="Pooled walk-forward backtest figures, per method (manage.py backtest)"
    )
    backtest_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model_version"),
            models.CheckConstraint(condition=Q(grid_weight__gte=0), name="model_grid_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(noise_before__gt=0) & Q(noise_after__gt=0), name="model_race_noise_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name}{' (active)' if self.is_active else ''}"


class ModelCoefficient(models.Model):
    """Per model version and factor: its weight in the overall score and its coefficient in the
    finish-position regression (on the factor's z-score)."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="coefficients")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="coefficients")
    weight = models.FloatField()
    finish_coefficient = models.FloatField()

    class Meta:
        ordering = ["model_version", "factor__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["model_version", "factor"], name="coefficient_unique_per_factor"),
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=1), name="coefficient_weight_0_to_1"),
            # A better skill must never predict a worse (higher) finish: the legacy model's bug.
            models.CheckConstraint(condition=Q(finish_coefficient__lte=0), name="coefficient_finish_not_positive"),
        ]

    def __str__(self):
        return f"{self.model_version.name}: {self.factor_id}"


class DriverFactorScore(models.Model):
    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="factor_scores")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="driver_scores")
    score = models.FloatField()
    percentile = models.FloatField()
    z_score = models.FloatField(null=True, blank=True)
    variables_left_out = ArrayField(
        models.CharField(max_length=40),
        default=list,
        blank=True,
        help_text="Variables this score was computed without (no data); their weight went to the others",
    )
    is_locked = models.BooleanField(default=False, help_text="Curated: refresh_cache leaves this row as it is")

    class Meta:
        ordering = ["driver", "factor__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "factor"], name="factor_score_unique_per_driver"),
            models.CheckConstraint(condition=PERCENT_RANGE, name="factor_score_0_to_100"),
            models.CheckConstraint(
                condition=Q(percentile__gte=0) & Q(percentile__lte=100), name="factor_percentile_0_to_100"
            ),
        ]

    def __str__(self):
        return f"{self.driver} {self.factor_id} {self.score}"


class DriverVariableValue(models.Model):
    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="variable_values")
    variable = models.ForeignKey(Variable, on_delete=models.PROTECT, related_name="driver_values")
    raw_value = models.FloatField(null=True, blank=True)
    normalized_value = models.FloatField(null=True, blank=True)
    percentile = models.FloatField(null=True, blank=True)
    weight = models.FloatField(null=True, blank=True)
    contribution = models.FloatField(null=True, blank=True)
    is_locked = models.BooleanField(default=False, help_text="Curated: refresh_cache leaves this row as it is")

    class Meta:
        ordering = ["driver", "variable"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "variable"], name="variable_value_unique_per_driver"),
        ]

    def __str__(self):
        return f"{self.driver} {self.variable_id}"


class TrackDemand(models.Model):
    """How much a circuit demands of one factor: the finish positions one standard deviation of it
    is worth there. refresh_cache learns it from the track's results unless a curator locked it."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="demands")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="track_demands")
    demand = models.FloatField()
    is_locked = models.BooleanField(default=False, help_text="Curated: refresh_cache leaves this row as it is")

    class Meta:
        ordering = ["track", "factor__sort_order"]
        constraints = [models.UniqueConstraint(fields=["track", "factor"], name="track_demand_unique_per_factor")]

    def __str__(self):
        return f"{self.track_id} {self.factor_id} {self.demand}"


class LegacyScoreComponent(models.Model):
    """How the legacy application composed a driver's factor score (``driver_factors.json``
    ``detailed_breakdowns``): weighted components, some reusing one variable under two factors.
    Kept exactly as imported, for audit and comparison; no computation or endpoint reads it. (Until
    migration 0007 it was a drivers model: that migration moves its table here.)"""

    driver = models.ForeignKey(Driver, on_delete=models.CASCADE, related_name="legacy_score_components")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="legacy_score_components")
    variable_name = models.CharField(max_length=40)
    display_name = models.CharField(max_length=80, blank=True)
    raw_value = models.FloatField(null=True, blank=True)
    normalized_value = models.FloatField(null=True, blank=True)
    percentile = models.FloatField(null=True, blank=True)
    weight = models.FloatField(null=True, blank=True)
    contribution = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["driver", "factor__sort_order", "variable_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["driver", "factor", "variable_name"], name="legacy_component_unique_per_driver_factor"
            ),
        ]

    def __str__(self):
        return f"{self.driver} {self.factor_id}/{self.variable_name}"
