"""The benchmarks' floor: the cheapest answer a DRF view can give through this project's stack.

Routed at ``/api/bench/floor`` only when ``BENCH_FLOOR`` is set (``bench/run`` sets it), so it goes
through the same gunicorn, middleware (response cache and throttling included, it is under /api/),
DRF settings and renderer as every endpoint; bench/RESULTS.md reports each endpoint's requests per
second as a share of this view's for the same method. A GET is answered from the response cache after
the first, as every GET; a POST reaches the view every time, as every POST.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

FLOOR_BODY = {"status": "ok"}


@extend_schema(exclude=True)
class FloorView(APIView):
    permission_classes = [AllowAny]  # as the frontend's computing POSTs (predict): public

    def get(self, request: Request) -> Response:
        return Response(FLOOR_BODY)

    def post(self, request: Request) -> Response:
        return Response(FLOOR_BODY)
