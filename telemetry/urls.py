from django.urls import path

from telemetry import views

urlpatterns = [
    path("telemetry/drivers", views.TelemetryDriversView.as_view(), name="telemetry-drivers"),
    path("telemetry/laps", views.TelemetryLapsView.as_view(), name="telemetry-laps"),
    path("telemetry/trace", views.TelemetryTraceView.as_view(), name="telemetry-trace"),
    path("telemetry/compare", views.TelemetryCompareView.as_view(), name="telemetry-compare"),
    path("telemetry/detailed", views.TelemetryDetailedView.as_view(), name="telemetry-detailed"),
]
