"""The log formatter (hackthetrack/log_formatter.py) writes what ``logging.Formatter`` writes."""

import logging

import pytest

from hackthetrack.log_formatter import SecondCachedFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def record_at(created: float) -> logging.LogRecord:
    record = logging.LogRecord("hackthetrack.request", logging.INFO, __file__, 1, "line", None, None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    return record


@pytest.mark.parametrize("datefmt", [None, "%H:%M:%S"])
def test_the_same_lines_as_logging_across_seconds(datefmt):
    # Within a second, over its end, into the next, back to an earlier one (threads may be late).
    times = [
        1_700_000_000.001,
        1_700_000_000.998,
        1_700_000_001.003,
        1_700_000_001.5,
        1_700_000_000.75,
        1_700_003_600.2,
    ]
    cached, plain = SecondCachedFormatter(FORMAT, datefmt), logging.Formatter(FORMAT, datefmt)

    assert [cached.format(record_at(t)) for t in times] == [plain.format(record_at(t)) for t in times]
