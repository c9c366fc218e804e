"""A circuit breaker per process: after a failure that cost a wait (a server down or frozen), calls
fail at once for a while instead of each waiting again; the first call after that tries the server
again, so one that came back is used again without a restart."""

import logging
import time

from django.conf import settings

logger = logging.getLogger("hackthetrack.cache")


class CircuitBreaker:
    """Open (``check`` raises ``error``) for the ``seconds_setting`` setting's seconds after ``trip``."""

    def __init__(self, server: str, seconds_setting: str, error: type[Exception]):
        self.server = server
        self.seconds_setting = seconds_setting
        self.error = error
        self.open_until = 0.0

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def check(self) -> None:
        if self.is_open:
            raise self.error(f"{self.server} failed less than {self.seconds_setting} ago; not tried")

    def trip(self) -> None:
        seconds = getattr(settings, self.seconds_setting)
        if not self.is_open:
            logger.warning("%s unavailable: not tried for %s s", self.server, seconds)
        self.open_until = time.monotonic() + seconds

    def reset(self) -> None:
        self.open_until = 0.0
