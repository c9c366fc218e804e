"""The API's JSON parser: DRF's rules (the request's charset, no NaN or Infinity constants, a
ParseError naming what is wrong), with JSON nested deeper than Python's recursion limit answered
400 like any malformed body instead of a 500 (RecursionError is not a ValueError).

It decodes the body whole with one decoder built once, where DRF's wraps the stream in a codecs
reader and builds a ``JSONDecoder`` per request: about 3 µs less per request (docs/benchmarks.md).
It answers the data with its (no) files, as DRF's multipart parser does: DRF finds a bare value's
files missing by an AttributeError it raises and catches, on every body.
A charset Python does not know never gets here: Django then reads the body as DEFAULT_CHARSET.
"""

import json

from django.conf import settings
from django.utils.datastructures import MultiValueDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

_DECODER = json.JSONDecoder(parse_constant=strict_constant)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = _DECODER.decode(stream.read().decode(encoding))
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc
        return parsers.DataAndFiles(data, MultiValueDict())
