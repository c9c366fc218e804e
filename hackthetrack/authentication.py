"""Sign-in with failed attempts limited per client address (AUTH_FAILURE_RATE), for the API's Basic
auth and the admin's login form alike: over the rate, the password is not even checked (each check
costs a hash), the API answers 429 and the admin's login refuses."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from drf_spectacular.authentication import BasicScheme
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import Throttled

from hackthetrack.throttling import credential_failure_count, credential_failures_exceeded


class FailureLimitedModelBackend(ModelBackend):
    """Django's backend; counts each failed sign-in of a request's client, refuses over the rate."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:  # a command or a shell: no client to limit
            return super().authenticate(request, username, password, **kwargs)
        if credential_failures_exceeded(request) is not None:
            raise PermissionDenied  # Django stops here: no other backend, no password hash
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            credential_failure_count(request)
        return user


class FailureLimitedBasicAuthentication(BasicAuthentication):
    """DRF's Basic auth, answering 429 with Retry-After once the client has spent its failures."""

    def authenticate_credentials(self, userid, password, request=None):
        if request is not None and (window := credential_failures_exceeded(request)) is not None:
            raise Throttled(wait=window.wait, detail="Too many failed sign-ins.")
        return super().authenticate_credentials(userid, password, request)


class FailureLimitedBasicScheme(BasicScheme):
    """In the OpenAPI schema it is HTTP Basic auth."""

    target_class = FailureLimitedBasicAuthentication
