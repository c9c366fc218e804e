"""Request input and answers of the API's views through DRF serializers built once per class and
context: data validated by a serializer (else a 400 whose details name each bad field), a JSON body
that must be an object, and an answer represented by a serializer.

DRF builds every field of a serializer instance anew (a deep copy of the declared fields, about
12 µs a field with its validators): on ``POST /api/predict`` the request's serializer alone would
cost more than the skill model (bench/profile_predict.py). Validating
(``run_validation``) and representing (``to_representation``) keep no state on the serializer, so
one instance per class and context serves every request, in any thread: its fields are built
before it is shared, and only read afterwards. The errors and the answers are those of
``is_valid(raise_exception=True)`` and ``.data``.
"""

import functools
from collections.abc import Iterable, Mapping

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

# Distinct (serializer, context) pairs: a handful per active model version.
SHARED_SERIALIZERS_MAX = 256


@functools.lru_cache(maxsize=SHARED_SERIALIZERS_MAX)
def _serializer_built(serializer_class: type[BaseSerializer], context: tuple) -> BaseSerializer:
    serializer = serializer_class(context=dict(context))
    _ = serializer.fields  # built here, before any other thread can see the instance
    return serializer


def shared_serializer(serializer_class: type[BaseSerializer], context: Mapping | None = None) -> BaseSerializer:
    """The one instance of ``serializer_class`` with ``context`` (whose list values become tuples)."""
    frozen = tuple(
        sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in (context or {}).items())
    )
    return _serializer_built(serializer_class, frozen)


def validated(serializer_class: type[BaseSerializer], data, **context) -> dict:
    """``data`` validated by ``serializer_class``, with ``context`` as its serializer context."""
    return shared_serializer(serializer_class, context).run_validation(data)


def represented(serializer_class: type[BaseSerializer], instance, context: Mapping | None = None) -> dict:
    """``instance`` as ``serializer_class(instance, context=context).data`` gives it."""
    return shared_serializer(serializer_class, context).to_representation(instance)


def represented_many(serializer_class: type[BaseSerializer], instances: Iterable, context: Mapping | None = None):
    """``instances`` as ``serializer_class(instances, many=True, context=context).data`` gives them."""
    serializer = shared_serializer(serializer_class, context)
    return [serializer.to_representation(instance) for instance in instances]


def json_object(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    return request.data
