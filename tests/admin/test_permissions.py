"""The curators group (data migration) can curate drivers and factors and nothing else."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

CURATED_APPS = ["drivers", "factors"]
# Written out, not derived from the app registry the way the migration derives them: a model added
# to either app fails this test until its permissions are granted on purpose.
CURATED_MODELS = {
    "drivers": ["driver", "track", "corner", "race", "raceentry", "driverseasonstats"],
    "factors": [
        "factor",
        "variable",
        "modelversion",
        "modelcoefficient",
        "driverfactorscore",
        "drivervariablevalue",
        "trackdemand",
    ],
}
VIEW_ONLY = [("factors", "view_legacyscorecomponent")]  # the legacy audit rows: look, not touch


def test_curators_group_has_all_rights_on_every_curated_model_and_no_other():
    granted = set(Group.objects.get(name="curators").permissions.values_list("content_type__app_label", "codename"))
    expected = {
        (app_label, f"{action}_{model}")
        for app_label, models in CURATED_MODELS.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    } | set(VIEW_ONLY)
    assert granted == expected


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_curator_is_forbidden_users_and_groups(curator_client, url):
    assert curator_client.get(url).status_code == 403


def test_curator_index_lists_curated_apps_only(curator_client):
    app_labels = {app["app_label"] for app in curator_client.get("/admin/").context["app_list"]}
    assert app_labels == set(CURATED_APPS)


def test_curator_can_open_every_curated_list(curator_client, season):
    for model in admin.site._registry:
        if model._meta.app_label in CURATED_APPS:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert curator_client.get(url).status_code == 200, url


def test_every_curated_model_is_registered_and_no_warehouse_model():
    registered = {model for model in admin.site._registry}
    for app_label in CURATED_APPS:
        assert set(apps.get_app_config(app_label).get_models()) <= registered
    assert not any(model._meta.app_label == "telemetry" for model in registered)


def test_staff_without_group_sees_nothing_to_curate(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", is_staff=True))
    assert client.get("/admin/drivers/driver/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/drivers/driver/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
