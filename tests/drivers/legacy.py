"""The legacy stores and captured legacy responses, read the way tests need them."""

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED_SEASON_DIR

LEGACY_DIR = SHARED_SEASON_DIR / "legacy"
LEGACY_API_DIR = SHARED_SEASON_DIR / "legacy-api"


def read_store(name: str, directory: Path = LEGACY_DIR):
    return json.loads((directory / name).read_text())


def captured_requests(*endpoint_files: str) -> list:
    """One pytest param per captured request of the given legacy-api files (skipped without them)."""
    if not LEGACY_API_DIR.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no captured legacy API at {LEGACY_API_DIR}"))]
    return [
        pytest.param(response, id=f"{response['request']['method']} {response['request']['url']}")
        for name in endpoint_files
        for response in read_store(f"{name}.json", LEGACY_API_DIR)["responses"]
    ]
