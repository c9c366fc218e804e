"""Model versions: coefficients validated on their fields, one active version switched by an action."""

import pytest
from django.contrib.admin.models import LogEntry

from factors.models import ModelCoefficient, ModelVersion
from hackthetrack.cache import data_version

from .conftest import FACTORS, SPEED_ONLY_WEIGHTS, WEIGHTS, add_drivers

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/factors/modelversion/"


def version_form_data(version: ModelVersion, weights: dict[str, float]) -> dict:
    coefficients = list(version.coefficients.order_by("factor__sort_order"))
    data = {
        "name": version.name,
        "description": version.description,
        "finish_intercept": version.finish_intercept,
        "season": version.season,
        "min_races": version.min_races,
        "grid_weight": version.grid_weight,
        "demand_prior_results": version.demand_prior_results,
        "coefficients-TOTAL_FORMS": len(coefficients),
        "coefficients-INITIAL_FORMS": len(coefficients),
        "coefficients-MIN_NUM_FORMS": 1,
        "coefficients-MAX_NUM_FORMS": 1000,
    }
    for i, coefficient in enumerate(coefficients):
        data |= {
            f"coefficients-{i}-id": coefficient.pk,
            f"coefficients-{i}-model_version": version.pk,
            f"coefficients-{i}-factor": coefficient.factor_id,
            f"coefficients-{i}-weight": weights[coefficient.factor_id],
            f"coefficients-{i}-finish_coefficient": coefficient.finish_coefficient,
        }
    return data


def weight_errors(response) -> list[list[str]]:
    (formset,) = response.context["inline_admin_formsets"]
    return [form.errors.get("weight", []) for form in formset.formset.forms]


def test_weights_that_do_not_add_up_to_one_get_the_error_on_every_weight_field(curator_client, season):
    weights = WEIGHTS | {"speed": 0.6}  # adds 0.134
    response = curator_client.post(f"{CHANGELIST}{season.active.pk}/change/", version_form_data(season.active, weights))
    assert response.status_code == 200
    message = f"The weights add up to {sum(weights.values()):.3f}; they must add up to 1 (within 0.001)."
    assert weight_errors(response) == [[message]] * len(FACTORS)
    assert ModelCoefficient.objects.get(model_version=season.active, factor_id="speed").weight == WEIGHTS["speed"]


def test_a_weight_outside_0_to_1_gets_the_error_on_its_own_field(curator_client, season):
    weights = WEIGHTS | {"speed": 1.2, "consistency": -0.2}
    response = curator_client.post(f"{CHANGELIST}{season.active.pk}/change/", version_form_data(season.active, weights))
    assert weight_errors(response) == [
        ["Ensure this value is less than or equal to 1."],
        ["Ensure this value is greater than or equal to 0."],
        [],
        [],
    ]


# The legacy weights add up to 1.001 (speed .466): a thousandth off is accepted, two are not.
@pytest.mark.parametrize(("speed", "accepted"), [(0.466, True), (0.464, True), (0.467, False), (0.463, False)])
def test_weights_may_be_a_thousandth_off_one(curator_client, season, speed, accepted):
    weights = WEIGHTS | {"speed": speed}
    response = curator_client.post(f"{CHANGELIST}{season.active.pk}/change/", version_form_data(season.active, weights))
    assert response.status_code == (302 if accepted else 200)
    saved = ModelCoefficient.objects.get(model_version=season.active, factor_id="speed").weight
    assert saved == (speed if accepted else WEIGHTS["speed"])


def test_is_active_cannot_be_edited_on_the_form(curator_client, season):
    data = version_form_data(season.speed_only, SPEED_ONLY_WEIGHTS) | {"is_active": "on"}
    curator_client.post(f"{CHANGELIST}{season.speed_only.pk}/change/", data)
    assert list(ModelVersion.objects.filter(is_active=True)) == [season.active]


def activate(client, version: ModelVersion, *others: ModelVersion):
    selected = [version.pk, *(other.pk for other in others)]
    return client.post(CHANGELIST, {"action": "activate", "index": 0, "_selected_action": selected}, follow=True)


def test_activate_switches_the_active_version_logs_both_and_invalidates_the_cache(
    curator_client, curator, season, django_capture_on_commit_callbacks
):
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = activate(curator_client, season.speed_only)
    assert "Speed-only is now the active model version." in response.content.decode()
    assert list(ModelVersion.objects.filter(is_active=True)) == [season.speed_only]
    assert data_version() > before
    messages = dict(LogEntry.objects.filter(user=curator).values_list("object_repr", "change_message"))
    assert messages == {"speed-only (active)": "Activated", "v-2025": "Deactivated: speed-only activated"}


def test_activating_a_version_changes_the_api_at_once(curator_client, season, django_capture_on_commit_callbacks):
    add_drivers(season, count=1, first_number=7)
    speed = curator_client.get("/api/drivers/7").json()["speed"]["score"]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        activate(curator_client, season.speed_only)
    # The speed-only version weighs speed alone.
    assert curator_client.get("/api/drivers/7").json()["overall_score"] == pytest.approx(speed, abs=0.01)


def test_activate_needs_exactly_one_version(curator_client, season):
    response = activate(curator_client, season.speed_only, season.active)
    assert "Select exactly one model version to activate." in response.content.decode()
    assert list(ModelVersion.objects.filter(is_active=True)) == [season.active]


def test_activating_the_active_version_changes_nothing(curator_client, season):
    response = activate(curator_client, season.active)
    assert "V-2025 is already the active model version." in response.content.decode()
    assert not LogEntry.objects.exists()


def test_a_version_whose_weights_do_not_add_up_is_not_activated(curator_client, season):
    ModelCoefficient.objects.filter(model_version=season.speed_only, factor_id="speed").update(weight=0.5)
    response = activate(curator_client, season.speed_only)
    assert "Speed-only was not activated. The weights add up to 0.500" in response.content.decode()
    assert list(ModelVersion.objects.filter(is_active=True)) == [season.active]


def test_the_active_version_cannot_be_deleted(curator_client, season):
    assert curator_client.get(f"{CHANGELIST}{season.active.pk}/delete/").status_code == 403
    assert curator_client.get(f"{CHANGELIST}{season.speed_only.pk}/delete/").status_code == 200


def test_coefficients_are_browsed_not_edited_outside_their_version(curator_client, season):
    coefficient = season.active.coefficients.first()
    assert curator_client.get("/admin/factors/modelcoefficient/").status_code == 200
    response = curator_client.post(
        f"/admin/factors/modelcoefficient/{coefficient.pk}/change/", {"weight": 0.9, "finish_coefficient": -1}
    )
    assert response.status_code == 403


def test_the_change_page_shows_the_stored_backtest(curator_client, season):
    version = season.active
    version.backtest = {
        "pooled": {
            "model_before_qualifying": {"spearman": 0.71, "mae": 4.08, "top3_hits": 10, "top3_possible": 18},
            "mean_previous_finish": {"spearman": 0.62, "mae": 4.55, "top3_hits": 8, "top3_possible": 18},
        },
        "races": ["sebring:1", "sebring:2"],
        "shortfalls": ["model_after_qualifying: Spearman 0.700 <= qualifying_order 0.740"],
    }
    version.save()
    page = curator_client.get(f"{CHANGELIST}{version.pk}/change/").content.decode()
    assert "<td>model, before qualifying</td><td>0.71</td><td>4.08</td><td>10 of 18</td>" in page
    assert "<li>model_after_qualifying: Spearman 0.700 &lt;= qualifying_order 0.740</li>" in page
    assert "2 races" in page
    other = curator_client.get(f"{CHANGELIST}{season.speed_only.pk}/change/").content.decode()
    assert "Not backtested yet: run manage.py backtest" in other
