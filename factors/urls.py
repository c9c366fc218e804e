"""Skill-model routes under /api/ (legacy paths: no trailing slash): circuits with their demand
profiles and race predictions, the ranked drivers and their what-ifs, factors,
/api/rankings/projected; and POST /api/predict, which the root URL conf puts first on its own
(``predict_urlpatterns``). A driver's season (/api/drivers/{n}/stats and /results) is drivers.urls';
both register the basename ``driver``, so every route keeps its URL name (``driver-list``,
``driver-stats``, ...)."""

from rest_framework.routers import SimpleRouter

from factors import views

# A prediction is resolved on every request (the edge answers cached GETs before Django resolves
# them, hackthetrack/edge_cache.py), so its route is tried first and outside an include: resolving
# it through one cost each prediction about 14 µs (docs/benchmarks.md). Hence its full path.
predict_router = SimpleRouter(trailing_slash=False)
predict_router.register("api/predict", views.PredictViewSet, basename="predict")
predict_urlpatterns = predict_router.urls

router = SimpleRouter(trailing_slash=False)
router.register("tracks", views.TrackViewSet, basename="track")
router.register("drivers", views.DriverViewSet, basename="driver")
router.register("factors", views.FactorViewSet, basename="factor")
router.register("rankings", views.RankingViewSet, basename="rankings")

urlpatterns = router.urls
