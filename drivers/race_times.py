"""Race times as text and as seconds: ``1:38.326``, ``26.842``, ``1:02:03.456``, gaps ``+0.432``.

The database keeps seconds (floats); the API writes them back in the legacy notation. Everything
goes through whole milliseconds so that a value read and written again gives the same text.
"""


def parse_race_time(text: str) -> float:
    """Seconds from ``h:mm:ss.sss``, ``m:ss.sss`` or ``ss.sss``, with an optional sign (gaps).

    Raises ValueError on anything else."""
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    parts = body.split(":")
    if not body or len(parts) > 3 or any(not part or part.startswith(" ") for part in parts):
        raise ValueError(f"not a race time: {text!r}")
    seconds = 0.0
    for index, part in enumerate(parts):
        value = float(part)  # ValueError for anything that is not a number
        if value < 0 or (index > 0 and value >= 60):
            raise ValueError(f"not a race time: {text!r}")
        seconds = seconds * 60 + value
    return sign * round(seconds * 1000) / 1000


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
