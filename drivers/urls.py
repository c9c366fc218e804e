"""Routes under /api/ (legacy paths: no trailing slash). /api/drivers and /api/drivers/{n} are the
skill model's (factors.urls); this router generates only the routes its viewsets have."""

from rest_framework.routers import SimpleRouter

from drivers import views

router = SimpleRouter(trailing_slash=False)
router.register("tracks", views.TrackViewSet, basename="track")
router.register("drivers", views.DriverRecordViewSet, basename="driver-record")

urlpatterns = router.urls
