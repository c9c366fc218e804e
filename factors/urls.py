"""Skill-model routes under /api/ (legacy paths: no trailing slash): circuits with their demand
profiles and race predictions, the ranked drivers and their what-ifs, factors, POST /api/predict,
/api/rankings/projected. A driver's season (/api/drivers/{n}/stats and /results) is drivers.urls';
both register the basename ``driver``, so every route keeps its URL name (``driver-list``,
``driver-stats``, ...)."""

from rest_framework.routers import SimpleRouter

from factors import views

router = SimpleRouter(trailing_slash=False)
# First: the edge answers cached GETs before Django resolves them (hackthetrack/edge_cache.py), a
# prediction is resolved on every request.
router.register("predict", views.PredictViewSet, basename="predict")
router.register("tracks", views.TrackViewSet, basename="track")
router.register("drivers", views.DriverViewSet, basename="driver")
router.register("factors", views.FactorViewSet, basename="factor")
router.register("rankings", views.RankingViewSet, basename="rankings")

urlpatterns = router.urls
