"""What bench/run measures: each endpoint's name, method, path and body ({n}: a ranked driver's number)."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    body: dict | None = None
    read: bool = True  # a read endpoint: measured at every field size (cost growth)

    def body_json(self) -> str | None:
        return None if self.body is None else json.dumps(self.body)


FLOOR = Endpoint("floor", "/api/bench/floor", read=False)
# The floor of POST endpoints: the same view, reached every time (a POST is never answered from the cache).
FLOOR_POST = Endpoint("floor (POST)", "/api/bench/floor", method="POST", body={"status": "ok"}, read=False)
ENDPOINTS = [
    Endpoint("drivers", "/api/drivers"),
    Endpoint("drivers?limit=20", "/api/drivers?limit=20"),
    Endpoint("drivers/{n}", "/api/drivers/{n}"),
    Endpoint("speed/stats", "/api/factors/speed/stats"),
    Endpoint("speed/breakdown/{n}", "/api/factors/speed/breakdown/{n}"),
    Endpoint("speed/top-average", "/api/factors/speed/top-average"),
    Endpoint("tracks", "/api/tracks"),
    Endpoint(
        "POST predict",
        "/api/predict",
        method="POST",
        body={"driver_number": "{n}", "track_id": "barber", "skill_adjustments": {"speed": 10}},
        read=False,
    ),
]
# The race bench/run loads with a million samples or more (bench/ingest_telemetry.py's wide file; see
# telemetry_race in http_load.py), and the trace on it.
TELEMETRY_TRACK, TELEMETRY_RACE = "barber", 1
TELEMETRY_TRACE = Endpoint(
    "telemetry/trace",
    f"/api/telemetry/trace?track_id={TELEMETRY_TRACK}&race_num={TELEMETRY_RACE}&driver_number={{car}}",
    read=False,
)
TELEMETRY_COMPARE = Endpoint(
    "telemetry/compare",
    f"/api/telemetry/compare?track_id={TELEMETRY_TRACK}&race_num={TELEMETRY_RACE}&driver_1={{car}}&driver_2=2",
    read=False,
)


def with_driver(endpoint: Endpoint, *, driver_number: int, car_number: int | None = None) -> tuple[str, str | None]:
    """The endpoint's path and body for this data set."""
    path = endpoint.path.replace("{n}", str(driver_number))
    if car_number is not None:
        path = path.replace("{car}", str(car_number))
    body = endpoint.body_json()
    if body is not None:
        body = body.replace('"{n}"', str(driver_number))
    return path, body
