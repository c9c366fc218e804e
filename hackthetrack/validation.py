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

A JSON object given to a serializer that adds nothing to its fields' validation (no ``validate`` or
``validate_<field>`` method, no validators of its own, each value under its field's name) is
validated by its fields alone: DRF's loop around them took as long as the fields themselves on
``POST /api/predict``. The rules stay the fields' own, and any error is DRF's, from its full run.
"""

import functools
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.fields import Field, SkipField, empty
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer, Serializer

# Distinct (serializer, context) pairs: a handful per active model version.
SHARED_SERIALIZERS_MAX = 256
# A serializer's writable fields when they alone validate a JSON object, else None (``_fields_only``).
FieldsOnly = tuple[Field, ...] | None


@functools.lru_cache(maxsize=SHARED_SERIALIZERS_MAX)
def _serializer_built(serializer_class: type[BaseSerializer], context: tuple) -> tuple[BaseSerializer, FieldsOnly]:
    serializer = serializer_class(context=dict(context))
    _ = serializer.fields  # built here, before any other thread can see the instance
    return serializer, _fields_only(serializer)


def _fields_only(serializer: BaseSerializer) -> FieldsOnly:
    """The writable fields of ``serializer`` when its validation of a JSON object is theirs and
    nothing more: what ``Serializer.run_validation`` adds is then the loop over them. Else None."""
    cls = type(serializer)
    adds_nothing = isinstance(serializer, Serializer) and all(
        getattr(cls, name) is getattr(Serializer, name)
        for name in ("run_validation", "to_internal_value", "run_validators", "validate")
    )
    if not adds_nothing or serializer.validators:
        return None
    fields = tuple(field for field in serializer.fields.values() if not field.read_only)
    for field in fields:
        if hasattr(serializer, f"validate_{field.field_name}") or field.source_attrs != [field.field_name]:
            return None
    return fields


def shared_serializer(serializer_class: type[BaseSerializer], context: Mapping | None = None) -> BaseSerializer:
    """The one instance of ``serializer_class`` with ``context`` (whose list values become tuples)."""
    return _shared(serializer_class, context or {})[0]


def _shared(serializer_class: type[BaseSerializer], context: Mapping) -> tuple[BaseSerializer, FieldsOnly]:
    frozen = tuple(sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in context.items()))
    return _serializer_built(serializer_class, frozen)


def validated(serializer_class: type[BaseSerializer], data, **context) -> dict:
    """``data`` validated by ``serializer_class``, with ``context`` as its serializer context."""
    serializer, fields = _shared(serializer_class, context)
    if fields is not None and type(data) is dict:  # a JSON object (query parameters are a QueryDict)
        try:
            return _by_fields(fields, data)
        except (ValidationError, DjangoValidationError):
            pass  # the errors of every field, as DRF names them: its full run below
    return serializer.run_validation(data)


def _by_fields(fields: tuple[Field, ...], data: dict) -> dict:
    """``data`` validated by each of ``fields``; the first field's error raised as it comes."""
    values = {}
    for field in fields:
        value = field.get_value(data)
        if value is empty and field.default is empty and not field.required:
            continue  # absent and optional: DRF's fields say so by raising SkipField
        try:
            values[field.field_name] = field.run_validation(value)
        except SkipField:  # a default may still skip its field, as DRF's CreateOnlyDefault does
            pass
    return values


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
