"""The season a new row belongs to when nothing names one: the SEASON setting (not a literal in
each model)."""

from django.conf import settings


def current_season() -> int:
    return settings.SEASON
