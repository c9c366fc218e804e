"""The official timing files read plainly (csv module), for expectations independent of the code
under test."""

import csv
from pathlib import Path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def classification(timing_dir: Path, track: str, race_number: int) -> list[dict[str, str]]:
    return rows(timing_dir / "provisional_results" / f"{track}_r{race_number}_provisional_results.csv")


def qualifying(timing_dir: Path, track: str, race_number: int) -> list[dict[str, str]]:
    name = f"{track}rd{race_number}qualifying.csv"
    [path] = [p for p in (timing_dir / "qualifying").iterdir() if p.name.lower() == name]
    return rows(path)


def integer(text: str) -> int | None:
    """Whole numbers as the exports write them: ``3``, ``03``, ``1.0``; empty is None."""
    return int(float(text)) if text else None
