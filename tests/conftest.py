"""Shared fixtures. The real 2025 season lives outside the repository, in ../shared/grcup2025."""

from pathlib import Path

import pytest

SHARED_SEASON_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "grcup2025"


@pytest.fixture(scope="session")
def season_dir() -> Path:
    if not SHARED_SEASON_DIR.is_dir():
        pytest.skip(f"the real 2025 season data is not at {SHARED_SEASON_DIR}")
    return SHARED_SEASON_DIR
