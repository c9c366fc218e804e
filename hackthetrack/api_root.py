"""The API's front page: ``/api/`` answers links to the main resources and to the docs, so a
newcomer (or a client) finds its way from the address bin/serve prints. Every endpoint, with its
parameters, is in the OpenAPI schema the links point to."""

from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# Link name -> URL name.
LINKS = {
    "drivers": "driver-list",
    "tracks": "track-list",
    "predict": "predict-list",
    "rankings_projected": "rankings-projected",
    "telemetry_drivers": "telemetry-drivers",
    "health": "health",
    "schema": "schema",
    "docs": "docs",
}
# Routes with path parameters, as templates under /api/.
TEMPLATES = {
    "driver": "drivers/{number}",
    "factor_stats": "factors/{factor}/stats",
    "track_prediction": "tracks/{id}/prediction",
}


@extend_schema(exclude=True)  # a table of contents, not an operation of the contract
# Its links are of the host and scheme asked: an answer cached for one host would send another
# host's clients there; it reads nothing, so computing it each time costs little.
@method_decorator(never_cache, name="dispatch")
class ApiRootView(APIView):
    def get(self, request: Request) -> Response:
        links = {name: request.build_absolute_uri(reverse(url_name)) for name, url_name in LINKS.items()}
        api_root = request.build_absolute_uri(reverse("api-root"))
        links |= {name: api_root + template for name, template in TEMPLATES.items()}
        links["admin"] = request.build_absolute_uri(reverse("admin:index"))
        return Response(links)
