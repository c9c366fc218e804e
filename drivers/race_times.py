"""Race times as text and as seconds: ``1:38.326``, ``26.842``, ``1:02:03.456``, gaps ``+0.432``.

The one reader of race times, for the legacy stores and the official timing exports alike. The
database keeps seconds (floats); the API writes them back in the legacy notation. Everything goes
through whole milliseconds so that a value read and written again gives the same text.
"""

import re

_RACE_TIME = re.compile(r"^([+-]?)(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d*)?)$")
FORMS = "ss.sss, m:ss.sss or h:mm:ss.sss"


def parse_race_time(text: str, *, signed: bool = False) -> float:
    """Seconds from ``h:mm:ss.sss``, ``m:ss.sss`` or ``ss.sss``, rounded to the millisecond (the
    notation's precision). Minutes and seconds after a first part run to 59; the first part is not
    bounded (a gap of ``83.782`` s). With ``signed``, a leading ``+`` or ``-`` (gaps).

    Raises ValueError, naming the text, on anything else."""
    match = _RACE_TIME.match(text.strip())
    if not match or (match[1] and not signed):
        raise ValueError(f"not a time ({FORMS}{', signed' if signed else ''}): {text!r}")
    sign, hours, minutes, seconds = match.groups()
    if (hours is not None and int(minutes) >= 60) or (minutes is not None and float(seconds) >= 60):
        raise ValueError(f"not a time (minutes and seconds after the first part run to 59): {text!r}")
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)
    return (-1 if sign == "-" else 1) * round(total * 1000) / 1000


def format_lap_time(seconds: float | None) -> str | None:
    """``m:ss.sss`` (``h:mm:ss.sss`` from an hour on), the notation of lap times."""
    if seconds is None:
        return None
    millis = round(seconds * 1000)
    minutes, millis = divmod(millis, 60_000)
    hours, minutes = divmod(minutes, 60)
    fraction = f"{millis // 1000:02d}.{millis % 1000:03d}"
    return f"{hours}:{minutes:02d}:{fraction}" if hours else f"{minutes}:{fraction}"


def format_sector_time(seconds: float | None) -> str | None:
    """``ss.sss`` below a minute (the notation of sector times), else as a lap time."""
    if seconds is None:
        return None
    if round(seconds * 1000) < 60_000:
        return f"{round(seconds * 1000) / 1000:.3f}"
    return format_lap_time(seconds)


def format_gap(seconds: float | None) -> str | None:
    """``+0.432`` behind, ``0.000`` level: seconds, never minutes (a gap of 83.782 s stays so)."""
    if seconds is None:
        return None
    millis = round(seconds * 1000)
    return f"{'+' if millis > 0 else ''}{millis / 1000:.3f}"
