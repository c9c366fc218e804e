"""Writes of the skill model."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from factors import selectors
from factors.model_fit import fit_finish
from factors.models import ModelCoefficient, ModelVersion

# The overall-score weights of a version must add up to 1 within this.
WEIGHT_SUM_TOLERANCE = 0.001
# Sums of three-decimal weights land a hair off in floating point (the legacy weights add up to
# 1.0010000000000001, which is within 0.001).
_FLOAT_SLACK = 1e-9


def weights_validate_sum(*, weights: Iterable[float]) -> None:
    total = sum(weights)
    if abs(total - 1) > WEIGHT_SUM_TOLERANCE + _FLOAT_SLACK:
        raise ValidationError(
            f"The weights add up to {total:.3f}; they must add up to 1 (within {WEIGHT_SUM_TOLERANCE}).",
            code="weights_sum",
        )


def model_version_activate(*, version: ModelVersion) -> ModelVersion | None:
    """Make ``version`` the one active model version; return the version it replaces, if any.

    Refuses a version whose weights do not add up to 1. Deactivating the old and activating the
    new happen in one transaction (the database allows one active version at most), and the API
    cache is invalidated once it commits, so the API answers with the new version at once.
    """
    with transaction.atomic():
        ModelVersion.objects.select_for_update().get(pk=version.pk)
        weights_validate_sum(weights=version.coefficients.values_list("weight", flat=True))
        previous = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        if previous is not None and previous.pk == version.pk:
            version.is_active = True
            return None
        if previous is not None:
            previous.is_active = False
            previous.save(update_fields=["is_active"])
        version.is_active = True
        version.save(update_fields=["is_active"])
    return previous


def model_version_fit(*, name: str, description: str = "") -> ModelVersion:
    """A new, inactive model version whose finish regression is fitted to the season.

    The observations are the active version's ranked drivers: their z-scores (against the field,
    as predictions use them) and their season average finish. The coefficients are least squares
    kept at or below zero (factors.model_fit); weights, season and minimum races are copied from
    the active version. Activate it in the admin (or ``fit_model_version --activate``).
    """
    if ModelVersion.objects.filter(name=name).exists():
        raise ValidationError(f"A model version named {name!r} exists already.", code="name_taken")
    active = ModelVersion.objects.filter(is_active=True).first()
    if active is None:
        raise ValidationError("No active model version to fit from.", code="no_active_version")
    # Read now, not the served memo: a fit is a write and must see the committed data.
    population = selectors.build_skill_population()
    results = population.season_results
    observations = [
        (population.z_by_number[d.number], results[d.driver_id]["avg_finish"])
        for d in population.drivers
        if results.get(d.driver_id, {}).get("avg_finish") is not None
    ]
    try:
        fit = fit_finish(observations=observations, factors=population.model.factors)
    except ValueError as exc:
        raise ValidationError(str(exc), code="too_few_drivers") from exc
    with transaction.atomic():
        version = ModelVersion.objects.create(
            name=name,
            description=description
            or (
                f"Finish regression fitted on {fit.observations} ranked drivers' {active.season} average "
                f"finish; weights from {active.name}."
            ),
            finish_intercept=fit.intercept,
            season=active.season,
            min_races=active.min_races,
            grid_weight=active.grid_weight,
            demand_prior_results=active.demand_prior_results,
            noise_before=active.noise_before,
            noise_after=active.noise_after,
            r_squared=fit.r_squared,
            mae=fit.mae,
            races_analyzed=sum(results[d.driver_id]["races"] for d in population.drivers if d.driver_id in results),
        )
        ModelCoefficient.objects.bulk_create(
            ModelCoefficient(
                model_version=version,
                factor_id=factor,
                weight=population.model.weights[factor],
                finish_coefficient=fit.coefficients[factor],
            )
            for factor in population.model.factors
        )
    return version
