"""Curated locks (actions, filter, list editing) and CSV export of the current list."""

import csv
import io
import re

import pytest
from django.contrib.admin.models import LogEntry

from drivers.models import Race, RaceEntry, Track
from factors.models import DriverFactorScore
from hackthetrack.cache import data_version

from .conftest import FACTORS, WEIGHTS, add_drivers, score_of

pytestmark = pytest.mark.django_db

SCORES = "/admin/factors/driverfactorscore/"


def run_action(client, url: str, action: str, pks: list[int]):
    return client.post(url, {"action": action, "index": 0, "_selected_action": pks}, follow=True)


def test_lock_and_unlock_actions_mark_rows_log_them_and_invalidate_the_cache(
    curator_client, curator, season, django_capture_on_commit_callbacks
):
    drivers = add_drivers(season, count=2)
    speed = list(DriverFactorScore.objects.filter(factor_id="speed").order_by("driver__number"))
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(curator_client, SCORES, "lock_rows", [score.pk for score in speed])
    assert "Locked 2 driver factor scores." in response.content.decode()
    assert set(DriverFactorScore.objects.filter(is_locked=True)) == set(speed)
    assert data_version() > before
    logged = LogEntry.objects.filter(user=curator).values_list("object_id", "change_message")
    assert sorted(logged) == sorted((str(s.pk), "Locked: refresh_cache leaves this row as it is") for s in speed)

    run_action(curator_client, SCORES, "unlock_rows", [speed[0].pk])
    assert list(DriverFactorScore.objects.filter(is_locked=True)) == [speed[1]]
    locked_list = curator_client.get(SCORES, {"is_locked__exact": "1"}).context["cl"].result_list
    assert list(locked_list) == [speed[1]]
    assert drivers[1].factor_scores.get(factor_id="speed").is_locked


def test_locked_rows_show_in_the_list_and_can_be_locked_there(curator_client, season):
    add_drivers(season, count=1, first_number=7)
    entry = RaceEntry.objects.get()
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-id": entry.pk,
        "form-0-is_locked": "on",
        "_save": "Save",
    }
    assert curator_client.post("/admin/drivers/raceentry/", data).status_code == 302
    entry.refresh_from_db()
    assert entry.is_locked
    html = curator_client.get("/admin/drivers/raceentry/").content.decode()
    (checkbox,) = re.findall(r'<input type="checkbox" name="form-0-is_locked"[^>]*>', html)
    assert " checked" in checkbox


def csv_rows(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_driver_export_follows_the_search_and_has_the_list_columns(curator_client, season):
    add_drivers(season, count=12)
    rows = csv_rows(curator_client.get("/admin/drivers/driver/export.csv", {"q": "Driver 01"}))
    assert [row["Number"] for row in rows] == ["1", "10", "11", "12"]
    first = rows[0]
    factor_columns = [name for _, name, *_ in FACTORS]
    assert set(first) == {"Number", "Name", "Overall score", *factor_columns, "Races", "Locked values", "Last changed"}
    expected_overall = sum(WEIGHTS[f] * score_of(1, position) for position, (f, *_) in enumerate(FACTORS))
    assert float(first["Overall score"]) == round(expected_overall, 2)
    assert float(first["Speed"]) == score_of(1, 0)


def test_results_export_follows_filters_and_ordering_and_covers_every_page(curator_client, season):
    drivers = add_drivers(season, count=60)  # more than a page (50)
    sonoma = Race.objects.create(track=Track.objects.create(id="sonoma", name="Sonoma"), round=2, race_number=1)
    RaceEntry.objects.create(race=sonoma, car_number=drivers[0].number, driver=drivers[0], finish_position=1)
    url = "/admin/drivers/raceentry/export.csv"
    rows = csv_rows(curator_client.get(url, {"race__track__id__exact": "barber", "o": "-9"}))  # finish, descending
    assert [int(row["Finish position"]) for row in rows] == list(range(60, 0, -1))
    rows = csv_rows(curator_client.get(url, {"race__track__id__exact": "sonoma"}))
    assert [(row["Race"], row["Driver"]) for row in rows] == [("sonoma R1 (2025)", "#1 Driver 001")]


def test_score_export_follows_the_factor_filter(curator_client, season):
    add_drivers(season, count=3)
    rows = csv_rows(curator_client.get(f"{SCORES}export.csv", {"factor__id__exact": "racecraft"}))
    assert [(row["Driver"], float(row["Score"])) for row in rows] == [
        (f"#{n} Driver {n:03d}", score_of(n, 2)) for n in (1, 2, 3)
    ]


def test_export_refuses_an_unknown_filter(curator_client, season):
    assert curator_client.get(f"{SCORES}export.csv", {"no_such_field": "1"}).status_code == 400


def test_export_needs_a_login(client, season):
    assert client.get(f"{SCORES}export.csv").status_code == 302


def test_results_filter_by_track_round_and_status(curator_client, season):
    drivers = add_drivers(season, count=4)
    RaceEntry.objects.filter(driver=drivers[3]).update(status="DNF", finish_position=None)
    sonoma = Race.objects.create(track=Track.objects.create(id="sonoma", name="Sonoma"), round=2, race_number=1)
    RaceEntry.objects.create(race=sonoma, car_number=1, driver=drivers[0], finish_position=1, status="Classified")

    def shown(**filters) -> list[tuple[str, int]]:
        changelist = curator_client.get("/admin/drivers/raceentry/", filters).context["cl"]
        return sorted((entry.race.track_id, entry.car_number) for entry in changelist.result_list)

    assert shown(race__round="2") == [("sonoma", 1)]
    assert shown(race__track__id__exact="barber", status="Classified") == [("barber", 1), ("barber", 2), ("barber", 3)]
    assert shown(status="DNF") == [("barber", 4)]


def test_race_list_filters_by_track_and_round(curator_client, season):
    sonoma = Race.objects.create(track=Track.objects.create(id="sonoma", name="Sonoma"), round=2, race_number=1)
    changelist = curator_client.get("/admin/drivers/race/", {"track__id__exact": "sonoma"}).context["cl"]
    assert list(changelist.result_list) == [sonoma]
    assert list(curator_client.get("/admin/drivers/race/", {"round": "1"}).context["cl"].result_list) == [season.race]
