from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from factors.urls import predict_urlpatterns
from hackthetrack.api_root import ApiRootView
from hackthetrack.health import HealthView

# Django tries the patterns in order on every request it resolves, so the API's come first, and
# POST /api/predict (never cached) first of all, not nested in an include; none of them overlap.
urlpatterns = [
    *predict_urlpatterns,
    path("", RedirectView.as_view(pattern_name="api-root"), name="root"),
    path("api/", ApiRootView.as_view(), name="api-root"),
    path("api/", include("factors.urls")),
    path("api/", include("drivers.urls")),
    path("api/", include("telemetry.urls")),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
]
if settings.BENCH_FLOOR:
    from hackthetrack.bench_views import FloorView

    urlpatterns.insert(0, path("api/bench/floor", FloorView.as_view(), name="bench-floor"))

# Errors Django raises itself answer in the API's envelope under /api/ (see exceptions.py).
handler400 = "hackthetrack.exceptions.handler400"
handler403 = "hackthetrack.exceptions.handler403"
handler404 = "hackthetrack.exceptions.handler404"
handler500 = "hackthetrack.exceptions.handler500"
