"""Skill-model routes under /api/ (legacy paths: no trailing slash): factors, POST /api/predict,
/api/rankings/projected. The drivers' and tracks' skill-model routes are drivers.urls' (the
driver's card and what-ifs, a track's race prediction)."""

from rest_framework.routers import SimpleRouter

from factors import views

router = SimpleRouter(trailing_slash=False)
router.register("factors", views.FactorViewSet, basename="factor")
router.register("predict", views.PredictViewSet, basename="predict")
router.register("rankings", views.RankingViewSet, basename="rankings")

urlpatterns = router.urls
