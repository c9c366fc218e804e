"""Numbers typed as Snowflake types them (tests/warehouse_dialect.py): the suite's emulator answers
a division or an average over integers as Decimal, as the connector does on a real account, and
the API still computes and prints plain numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connections

from tests.telemetry.api_data import SectorLap, warehouse_delete_track, warehouse_load_laps

TRACK = "decimalring"
LAP = SectorLap(car=5, lap=1, lengths=(1000.0, 1000.0, 1000.0), speeds=(40.0, 50.0, 60.0))


@pytest.fixture(scope="module")
def race(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        warehouse_load_laps(track=TRACK, race_number=1, laps=[LAP])
        yield
        warehouse_delete_track(track=TRACK)


def test_the_emulator_answers_derived_numbers_as_decimal_unless_cast_to_float(warehouse_db):
    with connections["warehouse"].cursor() as cursor:
        cursor.execute(
            "/* Decimal on purpose */ SELECT AVG(IFF(x > 1, 1, 0)) AS share, CAST(AVG(x) AS FLOAT) AS mean "
            "FROM (SELECT 1 AS x UNION ALL SELECT 2 AS x UNION ALL SELECT 3 AS x UNION ALL SELECT 4 AS x)"
        )
        share, mean = cursor.fetchone()

    assert share == Decimal("0.750000") and type(share) is Decimal
    assert mean == 2.5 and type(mean) is float


def test_laps_compute_and_print_plain_numbers(client, warehouse_db, race):
    response = client.get("/api/telemetry/laps", {"track_id": TRACK, "format": "csv"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response.status_code == 200 and len(rows) == 1
    # A share prints as a float, never with NUMBER(p, 6)'s padding ("0.250000").
    for column in ("brake_share", "full_throttle_share", "avg_speed"):
        assert rows[0][column] == repr(float(rows[0][column])), column
    assert float(rows[0]["lap_time"]) == pytest.approx(LAP.sector_times[0] + LAP.sector_times[1] + LAP.sector_times[2])


def test_a_trace_answers_json_floats(client, warehouse_db, race):
    response = client.get("/api/telemetry/trace", {"track_id": TRACK, "driver_number": 5, "points": 30})

    assert response.status_code == 200
    trace = response.json()["trace"]
    assert trace and all(isinstance(row["elapsed"], float) for row in trace)
