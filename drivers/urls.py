"""Tracks and drivers under /api/ (legacy paths: no trailing slash). The router generates only the
routes its viewsets have: no /api/factors list, for instance."""

from rest_framework.routers import SimpleRouter

from drivers import views

router = SimpleRouter(trailing_slash=False)
router.register("tracks", views.TrackViewSet, basename="track")
router.register("drivers", views.DriverViewSet, basename="driver")

urlpatterns = router.urls
