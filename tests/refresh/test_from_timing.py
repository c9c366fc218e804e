"""From an empty database, the official timing alone gives a complete, predicting service:
`ingest_timing DIR`, then `refresh_cache`, as docs/skill-model.md says (issue 14)."""

import csv
import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client

from drivers.models import Driver, Race, RaceEntry, Track
from drivers.track_catalogue import CATALOGUE
from factors import backtest
from factors.models import DriverFactorScore, ModelVersion, TrackDemand
from telemetry.models import BestLap, Lap, LapEvent, Load, Qualifying, Result, Sample

WAREHOUSE_TABLES = (Result, Lap, Qualifying, BestLap, LapEvent, Sample, Load)


def _warehouse_empty() -> None:
    with connections["warehouse"].cursor() as cursor:
        for model in WAREHOUSE_TABLES:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


@pytest.fixture(scope="module")
def timing_in_warehouse(season_dir, django_db_setup, django_db_blocker):
    """Every official timing file of the season, loaded with the documented command."""
    with django_db_blocker.unblock():
        _warehouse_empty()
        call_command("ingest_timing", str(season_dir / "timing"), stdout=io.StringIO(), stderr=io.StringIO())
    yield season_dir / "timing"
    with django_db_blocker.unblock():
        _warehouse_empty()


def _race_days(timing_dir) -> dict[tuple[str, int], str]:
    """Per race, the day most of its lap-start events carry, read plainly from the files."""
    days = {}
    for path in sorted((timing_dir / "lap_timing").glob("*_lap_start.csv")):
        track, race = path.name.split("_")[:2]
        with path.open(encoding="utf-8-sig", newline="") as handle:
            counts = Counter(row["timestamp"][:10] for row in csv.DictReader(handle))
        days[track, int(race.removeprefix("r"))] = max(sorted(counts), key=counts.get)
    return days


@pytest.fixture
def refreshed(timing_in_warehouse, warehouse_db):
    assert not Track.objects.exists() and not ModelVersion.objects.exists()  # an empty database
    out = io.StringIO()
    call_command("refresh_cache", stdout=out)
    return timing_in_warehouse, out.getvalue()


def test_the_refresh_creates_tracks_model_and_a_dated_calendar(refreshed):
    timing_dir, output = refreshed
    days = _race_days(timing_dir)
    raced = {track for track, _ in days}
    assert set(Track.objects.values_list("id", flat=True)) == raced | set(CATALOGUE)
    assert Track.objects.get(id="cota").name == "Circuit of the Americas"
    active = ModelVersion.objects.get(is_active=True)
    assert active.season == 2025
    assert "created the project's definition" in output
    # The refresh backtests the active version on what it has learned from, and keeps the figures.
    assert active.backtest["races"] == [
        "sebring:1",
        "sebring:2",
        "roadamerica:1",
        "roadamerica:2",
        "barber:1",
        "barber:2",
    ]
    assert "Backtest over 6 races" in output
    # Rounds follow the first day of each event; the 2025 season opened at Sonoma.
    first_day = {track: min(day for (t, _), day in days.items() if t == track) for track in raced}
    expected_rounds = {track: n for n, track in enumerate(sorted(raced, key=first_day.get), start=1)}
    stored = {(r.track_id, r.race_number): r for r in Race.objects.all()}
    assert len(stored) == len(days) == 10
    for (track, number), day in days.items():
        assert stored[track, number].date.isoformat() == day
        assert stored[track, number].round == expected_rounds[track]
    assert expected_rounds["sonoma"] == 1 and expected_rounds["barber"] == len(raced)


def test_every_track_gets_a_demand_profile_and_every_classified_driver_a_score(refreshed):
    demands: dict[str, dict[str, float]] = {}
    for row in TrackDemand.objects.all():
        demands.setdefault(row.track_id, {})[row.factor_id] = row.demand
    assert set(demands) == set(Track.objects.values_list("id", flat=True))
    # Tracks without a race share the all-track profile; raced tracks have learned their own.
    assert demands["vir"] == demands["indianapolis"]
    assert all(demands[track] != demands["vir"] for track in ("sonoma", "cota", "sebring", "roadamerica", "barber"))
    assert all(value >= 0 for profile in demands.values() for value in profile.values())
    classified = set(
        RaceEntry.objects.filter(status="Classified", driver__isnull=False).values_list("driver", flat=True)
    )
    scored = set(DriverFactorScore.objects.filter(factor_id="speed").values_list("driver", flat=True))
    assert classified and classified <= scored


def test_every_track_can_be_predicted_and_the_prediction_depends_on_the_track(refreshed):
    client = Client()
    ranked = client.get("/api/drivers").json()
    assert ranked
    finishes = {}
    for track in Track.objects.values_list("id", flat=True):
        answers = [
            client.post(
                "/api/predict",
                {"driver_number": driver["driver_number"], "track_id": track},
                content_type="application/json",
            )
            for driver in ranked
        ]
        assert {a.status_code for a in answers} == {200}, track
        bodies = [a.json() for a in answers]
        assert sorted(b["predicted_finish"] for b in bodies) == list(range(1, len(ranked) + 1))
        finishes[track] = [b["predicted_finish"] for b in bodies]
        order = client.get(f"/api/tracks/{track}/prediction").json()["predictions"]
        assert [row["driver_number"] for row in order] == [
            d["driver_number"] for _, d in sorted(zip(finishes[track], ranked, strict=True), key=lambda p: p[0])
        ]
    assert len({tuple(order) for order in finishes.values()}) > 1


def test_the_backtest_beats_the_baselines_on_the_shared_season(refreshed, tmp_path):
    """Issue 14's goal, pooled over the walk-forward races: before qualifying the model beats the
    mean previous finish, after it the qualifying order, on Spearman and on mean error."""
    out, err = io.StringIO(), io.StringIO()
    call_command("backtest", json=tmp_path / "b.json", plot=tmp_path / "b.png", stdout=out, stderr=err)
    figures = json.loads((tmp_path / "b.json").read_text())
    pooled = figures["pooled"]
    assert [race["race"] for race in figures["races"]] == [
        "sebring:1",
        "sebring:2",
        "roadamerica:1",
        "roadamerica:2",
        "barber:1",
        "barber:2",
    ]
    assert pooled[backtest.MODEL_BEFORE]["spearman"] > pooled[backtest.MEAN_PREVIOUS]["spearman"]
    assert pooled[backtest.MODEL_BEFORE]["mae"] < pooled[backtest.MEAN_PREVIOUS]["mae"]
    assert pooled[backtest.MODEL_AFTER]["spearman"] > pooled[backtest.QUALIFYING]["spearman"]
    assert pooled[backtest.MODEL_AFTER]["mae"] < pooled[backtest.QUALIFYING]["mae"]
    assert "warning" not in err.getvalue()
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ModelVersion.objects.get(is_active=True).backtest["pooled"] == pooled


def test_activating_a_version_that_loses_to_its_baseline_warns(refreshed):
    active = ModelVersion.objects.get(is_active=True)
    active.grid_weight = 0.0  # after qualifying, the grid ignored: the qualifying order does better
    active.save()
    err = io.StringIO()
    call_command("fit_model_version", name="grid-blind", activate=True, stdout=io.StringIO(), stderr=err)
    assert "warning: grid-blind scores below its baseline: model_after_qualifying" in err.getvalue()
    assert ModelVersion.objects.get(name="grid-blind").is_active


def test_an_imported_season_numbered_by_track_name_is_put_in_date_order(timing_in_warehouse, legacy_season):
    """import_legacy keeps the legacy's rounds (barber first, by name); the refresh dates the races
    and renumbers the events in date order without ever holding two races in one round. The legacy's
    VIR races have no timing, so no date: they follow the dated events."""
    assert Race.objects.get(track_id="barber", race_number=1).round == 1
    call_command("refresh_cache", stdout=io.StringIO())
    days = _race_days(timing_in_warehouse)
    by_round = sorted(Race.objects.all(), key=lambda r: (r.round, r.race_number))
    dated = [(r.track_id, r.race_number) for r in by_round if r.date is not None]
    assert dated == [(r.track_id, r.race_number) for r in by_round[: len(days)]]
    assert dated == sorted(days, key=lambda race: (days[race], race[1]))
    assert {r.track_id: r.round for r in by_round} == {
        "sonoma": 1,
        "cota": 2,
        "sebring": 3,
        "roadamerica": 4,
        "barber": 5,
        "vir": 6,
    }


def test_two_drivers_sharing_car_3_are_each_linked_to_their_own_entries(refreshed):
    """Car 3 at Sonoma and COTA: Jason Kos in group Legends, Karl Forman (written 03 in qualifying)
    in no group. Each entry is linked; Kos, who never raced alone under 3, has a Driver of his own."""
    timing_dir, output = refreshed
    names = {}
    for path in (timing_dir / "qualifying").glob("Cotard*Qualifying.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                if row["NUMBER"] in ("3", "03"):
                    names[row["GROUP"]] = f"{row['DRIVER_FIRSTNAME']} {row['DRIVER_SECONDNAME']}"
    entries = RaceEntry.objects.filter(car_number=3).select_related("driver", "race")
    assert entries.count() == 14 and not entries.filter(driver__isnull=True).exists()
    for entry in entries.filter(race__track_id__in=["sonoma", "cota"]):
        assert entry.driver.name == names[entry.group], (entry.race, entry.group)
    assert Driver.objects.get(name=names["Legends"]).number is None
    assert Driver.objects.get(number=3).name == names[""]
    assert "not linked" not in output
