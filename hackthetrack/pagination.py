"""Pagination for list endpoints whose response is a plain JSON array (the frontend expects one).

Without ``limit`` or ``offset`` (or with both empty: an empty query value is no value, as for
every query parameter) the whole list comes back, as from the legacy API. With either,
the array holds that page only and the ``X-Total-Count`` header the length of the whole list.
``limit`` runs 1..PAGE_SIZE_MAX (default PAGE_SIZE_DEFAULT), ``offset`` 0..2^63-1; anything else is
a 400 naming the parameter. Use it with ``pagination_class = PlainListPagination`` on a generic
view (the project default for DRF list views), or call ``paginate_queryset`` by hand.
"""

from django.conf import settings
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from hackthetrack.fields import QueryIntegerField

TOTAL_COUNT_HEADER = "X-Total-Count"
# PostgreSQL's LIMIT and OFFSET are bigints: a larger number answers 400 rather than a database error.
BIGINT_MAX = 2**63 - 1


def _limits() -> tuple[int, int]:
    config = settings.HACKTHETRACK
    return config["PAGE_SIZE_DEFAULT"], config["PAGE_SIZE_MAX"]


class PageParameters(serializers.Serializer):
    limit = QueryIntegerField(required=False, min_value=1)
    offset = QueryIntegerField(required=False, min_value=0, max_value=BIGINT_MAX, default=0)

    def validate_limit(self, value: int) -> int:
        _, maximum = _limits()
        if value > maximum:
            raise serializers.ValidationError(f"Ensure this value is less than or equal to {maximum}.")
        return value


class PlainListPagination(BasePagination):
    def paginate_queryset(self, queryset, request, view=None):
        self.count = None
        if not request.query_params.get("limit") and not request.query_params.get("offset"):
            return None
        parameters = PageParameters(data=request.query_params)
        if not parameters.is_valid():
            raise ValidationError(parameters.errors)
        default_limit, _ = _limits()
        limit = parameters.validated_data.get("limit", default_limit)
        offset = parameters.validated_data["offset"]
        self.count = len(queryset) if isinstance(queryset, list) else queryset.count()
        return list(queryset[offset : offset + limit])

    def get_paginated_response(self, data):
        return Response(data, headers={TOTAL_COUNT_HEADER: str(self.count)})

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        default_limit, maximum = _limits()
        return [
            {
                "name": "limit",
                "required": False,
                "in": "query",
                "description": f"Page size, 1..{maximum} (default {default_limit} once paginating). "
                "Without limit and offset the whole list is returned.",
                "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
            },
            {
                "name": "offset",
                "required": False,
                "in": "query",
                "description": "Rows to skip (default 0).",
                "schema": {"type": "integer", "minimum": 0, "maximum": BIGINT_MAX},
            },
        ]
