"""Who may do what: reading the API is public, writing needs a signed-in staff user.

The public frontend's three POST endpoints only compute an answer from the request body and write
nothing, so they stay public like the reads (the legacy contract; the frontend has no login).
"""

import re

from rest_framework.permissions import SAFE_METHODS, BasePermission

# POST endpoints that compute without writing (the legacy frontend contract).
PUBLIC_COMPUTE_POST_PATHS = re.compile(r"^/api/(predict|drivers/find-similar|drivers/[^/]+/improve/predict)$")


def is_public_compute(request) -> bool:
    return request.method == "POST" and PUBLIC_COMPUTE_POST_PATHS.match(request.path_info) is not None


class ReadOnlyUnlessStaff(BasePermission):
    message = "Writing needs a signed-in staff user."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS or is_public_compute(request):
            return True
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405 Method Not Allowed, which is the truthful answer
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
