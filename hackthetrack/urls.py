from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("drivers.urls")),
    path("api/", include("factors.urls")),
    path("api/", include("telemetry.urls")),
]
