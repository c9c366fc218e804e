"""A driver's season under /api/ (legacy paths: no trailing slash): /api/drivers/{n}/stats and
/results. The router generates only the routes its viewset has; the other /api/drivers routes
and /api/tracks are factors.urls' (the two routers' paths do not overlap)."""

from rest_framework.routers import SimpleRouter

from drivers import views

router = SimpleRouter(trailing_slash=False)
router.register("drivers", views.DriverSeasonViewSet, basename="driver")

urlpatterns = router.urls
