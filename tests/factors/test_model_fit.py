"""Fitting the finish regression: exact recovery of known coefficients, the sign constraint, and the
service and command that store a fitted version."""

import random
from statistics import fmean, pstdev

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from drivers.models import DriverSeasonStats
from factors.model_fit import fit_finish
from factors.models import ModelVersion
from factors.services import model_version_fit
from tests.factors.conftest import FACTORS

NAMES = list(FACTORS)


def _observations(truth: dict[str, float], intercept: float, n: int = 30, seed: int = 3):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        z = {f: rng.gauss(0, 1) for f in NAMES}
        rows.append((z, intercept + sum(truth[f] * z[f] for f in NAMES)))
    return rows


def test_recovers_non_positive_coefficients_exactly():
    truth = {"speed": -5.0, "consistency": -2.5, "racecraft": -1.0, "tire_management": -0.25}
    fit = fit_finish(observations=_observations(truth, 14.0), factors=NAMES)
    assert fit.intercept == pytest.approx(14.0)
    assert fit.coefficients == pytest.approx(truth)
    assert fit.r_squared == pytest.approx(1.0) and fit.mae == pytest.approx(0, abs=1e-9)


def test_a_skill_that_would_worsen_the_finish_gets_zero():
    truth = {"speed": -5.0, "consistency": 3.0, "racecraft": -1.0, "tire_management": 0.0}
    fit = fit_finish(observations=_observations(truth, 14.0), factors=NAMES)
    assert fit.coefficients["consistency"] == 0.0
    assert all(c <= 0 for c in fit.coefficients.values())
    assert fit.r_squared < 1.0


def test_too_few_observations():
    with pytest.raises(ValueError, match="cannot fit"):
        fit_finish(observations=_observations({f: -1.0 for f in NAMES}, 10.0, n=5), factors=NAMES)


def _plant_finishes(season, truth, intercept):
    """Give every ranked driver the season average finish the truth says, from the z-scores."""
    field = list(season.ranked.values())
    spreads = {f: (fmean(s[f] for s in field), pstdev(s[f] for s in field)) for f in NAMES}
    for number, scores in season.ranked.items():
        z = {f: (scores[f] - spreads[f][0]) / spreads[f][1] for f in NAMES}
        DriverSeasonStats.objects.filter(driver__number=number).update(
            avg_finish=intercept + sum(truth[f] * z[f] for f in NAMES)
        )


def test_service_stores_a_fitted_inactive_version(season):
    truth = {"speed": -4.0, "consistency": -2.0, "racecraft": -1.0, "tire_management": -0.5}
    _plant_finishes(season, truth, 12.0)
    version = model_version_fit(name="fitted")
    assert not version.is_active and version.finish_intercept == pytest.approx(12.0)
    stored = {c.factor_id: c for c in version.coefficients.all()}
    assert {f: c.finish_coefficient for f, c in stored.items()} == pytest.approx(truth)
    assert {f: c.weight for f, c in stored.items()} == {f: w for f, (_, w, _) in FACTORS.items()}
    assert version.r_squared == pytest.approx(1.0)
    with pytest.raises(ValidationError):
        model_version_fit(name="fitted")


def test_command_activates_and_predictions_follow(client, season, warehouse_db):
    truth = {"speed": -4.0, "consistency": -2.0, "racecraft": -1.0, "tire_management": -0.5}
    _plant_finishes(season, truth, 6.0)
    call_command("fit_model_version", "--name", "fitted", "--activate", verbosity=0)
    assert ModelVersion.objects.get(is_active=True).name == "fitted"
    scores = season.ranked[1]
    body = client.get("/api/rankings/projected", {"driver_number": 1, **scores}).json()
    expected = DriverSeasonStats.objects.get(driver__number=1).avg_finish
    assert body["current_avg_finish"] == pytest.approx(round(min(max(expected, 1), len(season.ranked)), 2))
    predicted = client.post("/api/predict", {"driver_number": 1, "track_id": "alpha"}, content_type="application/json")
    assert predicted.json()["model_version"] == "fitted"
    with pytest.raises(CommandError, match="exists already"):
        call_command("fit_model_version", "--name", "fitted", verbosity=0)
