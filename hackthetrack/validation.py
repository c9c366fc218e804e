"""Request input for the API's views: data validated by a serializer (else a 400 whose details name
each bad field), and a JSON body that must be an object."""

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


def validated(serializer_class, data, **context) -> dict:
    """``data`` validated by ``serializer_class``, with ``context`` as its serializer context."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def json_object(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    return request.data
