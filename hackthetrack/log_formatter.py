"""The log formatter of ``LOGGING`` (settings/base.py)."""

import logging
import time


class SecondCachedFormatter(logging.Formatter):
    """``logging.Formatter``, the same output, with the timestamp's ``strftime`` done once a second.

    Every request writes a line (hackthetrack/middleware.py), and formatting its time was a fifth of
    that line's cost at the edge (docs/benchmarks.md); within one second only the milliseconds change.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One tuple, replaced whole: threads of one worker may format at once.
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        cached_second, text = self._second
        if second != cached_second:
            text = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (second, text)
        return self.default_msec_format % (text, record.msecs) if self.default_msec_format else text
