"""The API's JSON parser: DRF's, with JSON nested deeper than Python's recursion limit answered
400 like any malformed body instead of a 500 (RecursionError is not a ValueError)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc
