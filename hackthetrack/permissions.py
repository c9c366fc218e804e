"""Who may do what: reading the API is public, writing needs a signed-in staff user.

The public frontend's three POST endpoints only compute an answer from the request body and write
nothing, so they stay public like the reads (the legacy contract; the frontend has no login): each
says so itself with ``permission_classes=[AllowAny]``, which the OpenAPI schema shows too.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnlyUnlessStaff(BasePermission):
    message = "Writing needs a signed-in staff user."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405 Method Not Allowed, which is the truthful answer
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
