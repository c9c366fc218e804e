"""Writes of the skill model."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from factors.models import ModelVersion
from hackthetrack.cache import invalidate_api_cache

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
        transaction.on_commit(invalidate_api_cache)
    return previous
