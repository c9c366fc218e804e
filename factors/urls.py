"""Skill-model routes under /api/ (legacy paths: no trailing slash). The drivers' skill-model routes
are drivers.urls' (drivers.views.DriverViewSet)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from factors import views

router = SimpleRouter(trailing_slash=False)
router.register("factors", views.FactorViewSet, basename="factor")

urlpatterns = [
    *router.urls,
    path("predict", views.PredictView.as_view(), name="predict"),
    path("tracks/<str:track_id>/prediction", views.RacePredictionView.as_view(), name="track-race-prediction"),
    path("rankings/projected", views.RankingsProjectedView.as_view(), name="rankings-projected"),
]
