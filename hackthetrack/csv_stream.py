"""CSV written line by line for a StreamingHttpResponse: nothing is buffered."""

import csv
from collections.abc import Iterable, Iterator, Sequence


class _Echo:
    """A file-like object whose write returns the line, so csv.writer hands each line back."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence]) -> Iterator[str]:
    """Each row (the header first, if any) as one CSV line."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
