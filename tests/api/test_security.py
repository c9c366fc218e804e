"""Production settings, CORS and who may write."""

import secrets
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIRequestFactory

from hackthetrack.permissions import ReadOnlyUnlessStaff

from .subprocess_django import PROJECT_DIR, run_manage, run_python

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "hackthetrack.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "hackthetrack-api.herokuapp.com",
    "CORS_ALLOWED_ORIGINS": "https://hackthetrack.vercel.app",
}
TRACKS = "/api/probe/tracks"
FRONTEND = "http://localhost:5173"


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SNOWFLAKE_ACCOUNT"])
def test_production_refuses_to_start_without_its_real_services(missing):
    # check --deploy included: the settings themselves refuse, before any command runs.
    result = run_manage("check", "--deploy", **{**PRODUCTION, missing: ""})

    assert result.returncode != 0
    assert "ImproperlyConfigured: Production settings need" in result.stderr
    assert missing in result.stderr.splitlines()[-1]


def test_production_without_telemetry_needs_no_warehouse_and_starts_no_emulator():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(sorted(settings.DATABASES))",
        **{**PRODUCTION, "SNOWFLAKE_ACCOUNT": "", "TELEMETRY_ENABLED": "false"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['default']"]


@pytest.mark.parametrize("module", ["hackthetrack.settings.production", "hackthetrack.settings.development"])
def test_settings_leave_the_environment_as_they_found_it(module):
    # Given every service, no settings module starts one or writes a variable for one.
    code = (
        "import os; before = dict(os.environ); import django; django.setup(); "
        "from django.conf import settings; settings.DATABASES; print(before == dict(os.environ))"
    )
    result = run_python(code, **{**PRODUCTION, "DJANGO_SETTINGS_MODULE": module})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_manage_and_wsgi_have_no_default_settings():
    from .subprocess_django import child_env

    environment = {key: value for key, value in child_env().items() if key != "DJANGO_SETTINGS_MODULE"}
    manage = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    wsgi = subprocess.run(
        [sys.executable, "-c", "import hackthetrack.wsgi"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert manage.returncode != 0 and "DJANGO_SETTINGS_MODULE is not set" in manage.stderr
    assert wsgi.returncode != 0 and "DJANGO_SETTINGS_MODULE is not set" in wsgi.stderr


def test_a_wildcard_cors_origin_is_refused_when_debug_is_off():
    result = run_manage("check", **{**PRODUCTION, "CORS_ALLOWED_ORIGINS": "*"})

    assert result.returncode != 0
    assert "CORS_ALLOWED_ORIGINS may not contain a wildcard when DEBUG is off" in result.stderr


def test_collectstatic_works_with_production_settings(tmp_path):
    result = run_manage("collectstatic", "--noinput", **PRODUCTION, STATIC_ROOT=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").is_file()  # the manifest whitenoise serves from
    assert list(tmp_path.glob("admin/css/base.*.css"))
    assert list(tmp_path.glob("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.*.js"))


@pytest.mark.django_db
@pytest.mark.urls("tests.api.urls")
class TestCors:
    def test_allowed_origin_gets_its_preflight_and_response_headers(self, client):
        preflight = client.options(TRACKS, headers={"Origin": FRONTEND, "Access-Control-Request-Method": "GET"})
        response = client.get(TRACKS, headers={"Origin": FRONTEND})

        assert preflight["Access-Control-Allow-Origin"] == FRONTEND
        assert response["Access-Control-Allow-Origin"] == FRONTEND
        assert {"etag", "x-request-id"} <= {
            h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")
        }

    def test_other_origins_get_no_cors_headers(self, client):
        response = client.get(TRACKS, headers={"Origin": "https://evil.example"})

        assert "Access-Control-Allow-Origin" not in response

    def test_origins_come_from_settings(self, client, settings):
        settings.CORS_ALLOWED_ORIGINS = ["https://hackthetrack.vercel.app"]

        assert "Access-Control-Allow-Origin" not in client.get(TRACKS, headers={"Origin": FRONTEND})
        allowed = client.get(TRACKS, headers={"Origin": "https://hackthetrack.vercel.app"})
        assert allowed["Access-Control-Allow-Origin"] == "https://hackthetrack.vercel.app"

    def test_admin_is_not_a_cors_resource(self, client):
        assert "Access-Control-Allow-Origin" not in client.get("/admin/login/", headers={"Origin": FRONTEND})


@pytest.mark.django_db
@pytest.mark.urls("tests.api.urls")
class TestWrites:
    def test_staff_may_write(self, admin_client):
        response = admin_client.post(TRACKS, {"id": "vir", "name": "VIR"}, content_type="application/json")

        assert response.status_code == 201

    def test_staff_may_write_with_basic_auth(self, admin_user):
        admin_user.set_password("staff-password-9")
        admin_user.save()
        import base64

        credentials = base64.b64encode(f"{admin_user.username}:staff-password-9".encode()).decode()
        response = Client().post(
            TRACKS,
            {"id": "vir", "name": "VIR"},
            content_type="application/json",
            headers={"Authorization": f"Basic {credentials}"},
        )

        assert response.status_code == 201

    def test_reading_needs_no_login(self, client):
        assert client.get(TRACKS).status_code == 200

    def test_admin_needs_login(self, client):
        response = client.get("/admin/")

        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")

    @pytest.mark.parametrize("path", ["/api/predict", "/api/drivers/find-similar", "/api/drivers/13/improve/predict"])
    def test_the_frontends_computing_posts_are_public(self, path):
        request = APIRequestFactory().post(path, {}, format="json")
        request.user = None

        assert ReadOnlyUnlessStaff().has_permission(request, view=object())

    @pytest.mark.parametrize("path", ["/api/predictions", "/api/drivers/13", "/api/drivers/13/improve/predict/x"])
    def test_other_posts_are_not(self, path):
        request = APIRequestFactory().post(path, {}, format="json")
        request.user = get_user_model()(username="member", is_staff=False)

        class Writable:
            def post(self, request): ...

        assert not ReadOnlyUnlessStaff().has_permission(request, view=Writable())
