"""Integer inputs that take what the OpenAPI schema's ``integer`` admits, and nothing more.

DRF's ``IntegerField`` and Django's form field read a value with Python's ``int()`` after cutting off
a trailing ``.0``, so they also take "5.0", " 5", "1_000", other scripts' digits and, in a JSON body,
the string "5". A client the schema holds to would send none of these; schemathesis sends them as
invalid input and expects a 4xx (its check ST201: ``?limit=2770621305796250.0`` was answered 200).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

# A query string's integer: ASCII digits, a minus sign before a negative one.
_INTEGER_TEXT = re.compile(r"-?[0-9]+")


def _is_integer_text(value) -> bool:
    # str(): an int given in code reads as its digits; 5.0 and True do not.
    return _INTEGER_TEXT.fullmatch(str(value)) is not None


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter, written in digits."""

    def to_internal_value(self, data):
        if not _is_integer_text(data):
            self.fail("invalid")
        return super().to_internal_value(data)


def is_json_number(value) -> bool:
    """Whether a parsed JSON value is a number: true and false are not (Python counts them as ints)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class JsonIntegerField(serializers.IntegerField):
    """An integer in a JSON body: a JSON number without a fraction (5.0 is one, as JSON Schema says),
    never a string or a boolean."""

    def to_internal_value(self, data):
        if type(data) is int:  # as IntegerField reads it, without its text round trip
            return data
        if not is_json_number(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryIntegerFormField(forms.IntegerField):
    """``QueryIntegerField`` for django-filter's filters (Django form fields)."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_integer_text(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
