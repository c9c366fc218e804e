"""The driver list and change form: active-model scores, search, filters, inlines, history."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factors.models import DriverFactorScore
from hackthetrack.cache import data_version

from .conftest import FACTORS, SPEED_ONLY_WEIGHTS, WEIGHTS, add_drivers, score_of

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/drivers/driver/"


def cell(name: str, value) -> str:
    return f'<td class="field-{name}">{value}</td>'


def expected_overall(number: int, weights: dict[str, float]) -> float:
    return round(sum(weights[factor] * score_of(number, position) for position, (factor, *_) in enumerate(FACTORS)), 2)


def test_list_shows_overall_from_active_weights_and_each_factor_score(curator_client, season):
    add_drivers(season, count=1, first_number=7)
    html = curator_client.get(CHANGELIST).content.decode()
    assert cell("overall_score", expected_overall(7, WEIGHTS)) in html
    for position, (factor, name, *_rest) in enumerate(FACTORS):
        assert cell(f"score_{factor}", score_of(7, position)) in html
        assert f">{name}</a>" in html  # sortable column header
    assert cell("races", 1) in html


def test_list_follows_the_active_version(curator_client, season):
    add_drivers(season, count=1, first_number=7)
    season.active.is_active = False
    season.active.save()
    season.speed_only.is_active = True
    season.speed_only.save()
    html = curator_client.get(CHANGELIST).content.decode()
    assert cell("overall_score", expected_overall(7, SPEED_ONLY_WEIGHTS)) in html


def test_overall_score_is_empty_while_a_factor_score_is_missing(curator_client, season):
    (driver,) = add_drivers(season, count=1, first_number=7)
    DriverFactorScore.objects.filter(driver=driver, factor_id="racecraft").delete()
    assert cell("overall_score", "-") in curator_client.get(CHANGELIST).content.decode()


def test_list_query_count_does_not_grow_with_drivers(curator_client, season):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as context:
            assert curator_client.get(CHANGELIST).status_code == 200
        return len(context)

    add_drivers(season, count=3, first_number=1)
    few = queries_for_list()
    add_drivers(season, count=40, first_number=100)
    assert queries_for_list() == few


def test_sorting_by_a_factor_score(curator_client, season):
    add_drivers(season, count=10)
    response = curator_client.get(CHANGELIST, {"o": "-4"})  # columns: checkbox, number, name, overall, speed
    shown = [driver.number for driver in response.context["cl"].result_list]
    assert shown == sorted(range(1, 11), key=lambda number: -score_of(number, 0))


# Names are "Driver 001".."Driver 012"; every word must match the name or be the exact number.
@pytest.mark.parametrize(("query", "numbers"), [("Driver 007", [7]), ("12", [12]), ("driver 01", [1, 10, 11, 12])])
def test_search_by_name_or_exact_number(curator_client, season, query, numbers):
    add_drivers(season, count=12)
    response = curator_client.get(CHANGELIST, {"q": query})
    assert [driver.number for driver in response.context["cl"].result_list] == numbers


def test_filters_by_nationality_and_locked_values(curator_client, season):
    drivers = add_drivers(season, count=4)
    DriverFactorScore.objects.filter(driver=drivers[2], factor_id="speed").update(is_locked=True)
    by_nationality = curator_client.get(CHANGELIST, {"nationality": "GBR"}).context["cl"].result_list
    assert [d.number for d in by_nationality] == [1, 3]
    locked = curator_client.get(CHANGELIST, {"locked": "yes"}).context["cl"].result_list
    assert [d.number for d in locked] == [3]
    unlocked = curator_client.get(CHANGELIST, {"locked": "no"}).context["cl"].result_list
    assert [d.number for d in unlocked] == [1, 2, 4]
    html = curator_client.get(CHANGELIST).content.decode()
    assert html.count('<td class="field-has_locked_values"><img src="/static/admin/img/icon-yes.svg" alt="True">') == 1


def test_change_form_shows_scores_values_results_and_read_only_overall(curator_client, season):
    (driver,) = add_drivers(season, count=1, first_number=7)
    response = curator_client.get(f"{CHANGELIST}{driver.pk}/change/")
    html = response.content.decode()
    prefixes = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert prefixes == {"factor_scores", "variable_values", "entries", "season_stats"}
    assert f'<div class="readonly">{expected_overall(7, WEIGHTS)}</div>' in html
    assert "barber R1 (2025)" in html  # the result, linked to its entry


def score_formset_data(driver, **changes) -> dict:
    """The change form's POST data as the browser would send it, with some factor scores changed."""
    scores = list(driver.factor_scores.order_by("factor__sort_order"))
    data = {"number": driver.number, "name": driver.name, "nationality": driver.nationality}
    for prefix, count in [("factor_scores", len(scores)), ("variable_values", 0), ("entries", 1), ("season_stats", 1)]:
        data |= {f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": count, f"{prefix}-MIN_NUM_FORMS": 0}
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
    for i, score in enumerate(scores):
        data |= {
            f"factor_scores-{i}-id": score.pk,
            f"factor_scores-{i}-driver": driver.pk,
            f"factor_scores-{i}-factor": score.factor_id,
            f"factor_scores-{i}-score": changes.get(score.factor_id, score.score),
            f"factor_scores-{i}-percentile": score.percentile,
        }
    entry = driver.entries.get()
    stats = driver.season_stats.get()
    data |= {"entries-0-id": entry.pk, "entries-0-driver": driver.pk}
    data |= {"season_stats-0-id": stats.pk, "season_stats-0-driver": driver.pk, "season_stats-0-season": stats.season}
    for field in ["races", "wins", "podiums", "top5", "top10", "poles", "fastest_laps", "dnfs"]:
        data[f"season_stats-0-{field}"] = getattr(stats, field)
    return data


def test_saving_a_factor_score_records_history_and_invalidates_the_api_cache(
    curator_client, curator, season, django_capture_on_commit_callbacks
):
    (driver,) = add_drivers(season, count=1, first_number=7)
    version_before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(f"{CHANGELIST}{driver.pk}/change/", score_formset_data(driver, speed=91.5))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert DriverFactorScore.objects.get(driver=driver, factor_id="speed").score == 91.5
    assert data_version() > version_before
    entry = LogEntry.objects.get(object_id=str(driver.pk))
    assert entry.user == curator
    assert "Changed score for driver factor score" in entry.get_change_message()
    history = curator_client.get(f"{CHANGELIST}{driver.pk}/history/").content.decode()
    assert "Changed score for driver factor score" in history
    listed = curator_client.get(CHANGELIST).content.decode()
    assert "by curator</td>" in listed  # "last changed" column


def test_a_score_outside_0_to_100_is_refused_on_the_field(curator_client, season):
    (driver,) = add_drivers(season, count=1, first_number=7)
    response = curator_client.post(f"{CHANGELIST}{driver.pk}/change/", score_formset_data(driver, speed=120))
    assert response.status_code == 200
    (scores_formset,) = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "factor_scores"]
    assert scores_formset.formset.forms[0].errors["score"] == ["Ensure this value is less than or equal to 100."]
    assert DriverFactorScore.objects.get(driver=driver, factor_id="speed").score == score_of(7, 0)


def test_a_score_saved_in_the_admin_shows_in_the_api_at_once(
    curator_client, season, django_capture_on_commit_callbacks
):
    (driver,) = add_drivers(season, count=1, first_number=7)
    assert curator_client.get("/api/drivers/7").json()["speed"]["score"] == score_of(7, 0)  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        curator_client.post(f"{CHANGELIST}{driver.pk}/change/", score_formset_data(driver, speed=91.5))
    shown = curator_client.get("/api/drivers/7").json()
    assert shown["speed"]["score"] == 91.5
    scores = {factor: score_of(7, position) for position, (factor, *_) in enumerate(FACTORS)} | {"speed": 91.5}
    assert shown["overall_score"] == pytest.approx(sum(WEIGHTS[f] * scores[f] for f in WEIGHTS), abs=0.01)


def test_race_change_form_query_count_does_not_grow_with_entries(curator_client, season):
    def queries_for_form() -> int:
        with CaptureQueriesContext(connection) as context:
            assert curator_client.get(f"/admin/drivers/race/{season.race.pk}/change/").status_code == 200
        return len(context)

    add_drivers(season, count=3, first_number=1)
    queries_for_form()  # warms per-process caches (content types)
    few = queries_for_form()
    add_drivers(season, count=30, first_number=100)
    assert queries_for_form() == few


def test_list_without_an_active_version_shows_no_scores(curator_client, season):
    add_drivers(season, count=1, first_number=7)
    season.active.is_active = False
    season.active.save()
    html = curator_client.get(CHANGELIST).content.decode()
    assert cell("overall_score", "-") in html and "field-score_speed" not in html
