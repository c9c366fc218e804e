"""Warm the API response cache after a refresh. What to warm comes from the selectors (the skill
population: the active model's factors and the ranked drivers); each answer from the app's own
request handler and middleware (no network, no test client), the one code path that builds what a
client gets, so the response cache middleware stores exactly that answer under the new data
version. Useful where the cache is shared (Redis): every web worker then answers these from it."""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

from factors.selectors import NoActiveModel, skill_population

logger = logging.getLogger("pipeline.refresh")

# Drivers whose pages are warmed: 3 requests each, so a run stays well inside the anonymous rate
# limit (the warming requests are counted like any client's).
WARM_DRIVERS = 40


def hot_paths() -> list[str]:
    """The frontend's first screens: the driver list, tracks, factor statistics, and the card,
    statistics and results of the ranked drivers (the ones /api/drivers lists), at most WARM_DRIVERS
    by car number."""
    paths = ["/api/drivers", "/api/tracks"]
    try:
        population = skill_population()
    except NoActiveModel:
        return paths
    paths += [f"/api/factors/{factor}/stats" for factor in population.model.factors]
    for number in sorted(driver.number for driver in population.drivers)[:WARM_DRIVERS]:
        paths += [f"/api/drivers/{number}", f"/api/drivers/{number}/stats", f"/api/drivers/{number}/results"]
    return paths


def _host() -> str:
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    return hosts[0] if hosts else "localhost"


def _get_request(path: str) -> WSGIRequest:
    """An anonymous HTTPS GET of ``path``, as the router in front of the workers passes it on."""
    host = _host()
    return WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            # HTTPS either way it is told (production redirects plain HTTP, which would warm nothing).
            "wsgi.url_scheme": "https",
            "HTTP_X_FORWARDED_PROTO": "https",
            "wsgi.input": io.BytesIO(),
        }
    )


def api_cache_warm() -> int:
    """Request the hot paths; returns how many answered 200 (and so are cached)."""
    # The handler's middleware and views, without its request signals: they would close this
    # process's database connection, which may be inside a caller's transaction.
    handler = WSGIHandler()
    warmed = 0
    request_log = logging.getLogger("hackthetrack.request")
    level = request_log.level
    request_log.setLevel(logging.WARNING)  # one access-log line per warming request is noise
    try:
        for path in hot_paths():
            status = handler.get_response(_get_request(path)).status_code
            warmed += status == 200
            if status >= 500:
                logger.warning("warming %s answered %s", path, status)
    finally:
        request_log.setLevel(level)
    return warmed
