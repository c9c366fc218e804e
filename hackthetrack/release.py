"""The release a process runs, as a digest of what computes the API's answers: the project's Python
source and its pinned requirements.

Cached answers are kept under it (hackthetrack/cache.py), so a deployment that changes an answer (a
fix in the skill model, a new field, stricter validation) never serves what the previous release
cached under the same data version; a deployment that changes nothing keeps them. It needs no
setting that an operator could forget, and every process of one checkout agrees on it: the web
workers, the nightly refresh that warms the cache, a one-off command.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings

# The project's code (not its tests or benchmarks) and the requirements a deployment installs.
SOURCE_PACKAGES = ("hackthetrack", "drivers", "factors", "telemetry", "pipeline")
REQUIREMENTS = "requirements.txt"


def source_digest(root: Path) -> str:
    """A digest of the source under ``root``: each file's path and content, in path order."""
    files = sorted(path for package in SOURCE_PACKAGES for path in (root / package).rglob("*.py"))
    files.append(root / REQUIREMENTS)
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@functools.cache
def code_release() -> str:
    """This checkout's ``source_digest``, read once per process."""
    return source_digest(Path(settings.BASE_DIR))
