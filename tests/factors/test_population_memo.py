"""The ranked drivers and their field statistics are built once per data version (and process)."""

import dataclasses

from django.db import transaction

from factors import selectors
from factors.models import DriverFactorScore, ModelCoefficient, ModelVersion
from hackthetrack.cache import invalidate_api_cache
from tests.factors.test_predictions_api import race_place

ADJUST = {"speed": 50, "consistency": 50, "racecraft": 50, "tire_management": 50}


def test_a_warm_population_is_shared_for_one_query_the_data_version(season, django_assert_num_queries):
    # (Within an API request the version is read already: none.)
    first = selectors.skill_population()
    with django_assert_num_queries(1):
        assert selectors.skill_population() is first
    # Built again (the version, then two queries) once the data version moves on.
    invalidate_api_cache()
    with django_assert_num_queries(3):
        rebuilt = selectors.skill_population()
    assert rebuilt is not first and rebuilt.by_number.keys() == season.ranked.keys()


def test_a_committed_write_is_served_by_the_next_request(client, season):
    path = "/api/drivers/3/improve/predict"  # a POST: never in the response cache
    before = client.post(path, ADJUST, content_type="application/json").json()
    assert before["current_skills"]["speed"] == season.ranked[3]["speed"]

    new_speed = 100 - season.ranked[3]["speed"]
    with transaction.atomic():  # nothing else: the write moves the data version on
        DriverFactorScore.objects.filter(driver__number=3, factor_id="speed").update(score=new_speed)

    after = client.post(path, ADJUST, content_type="application/json").json()
    assert after["current_skills"]["speed"] == new_speed


def test_a_kept_prediction_is_of_its_data_version(client, season):
    # A prediction without adjustments is kept with the population: asked again, the same answer;
    # after a committed write, the answer of the new data.
    payload = {"driver_number": 3, "track_id": "alpha"}
    before = client.post("/api/predict", payload, content_type="application/json").json()
    assert client.post("/api/predict", payload, content_type="application/json").json() == before
    assert before["predicted_finish"] == race_place(season, "alpha", 3, season.ranked[3])

    scores = {factor: 100.0 if before["predicted_finish"] > 1 else 0.0 for factor in season.ranked[3]}
    with transaction.atomic():
        for factor, score in scores.items():
            DriverFactorScore.objects.filter(driver__number=3, factor_id=factor).update(score=score)
    changed = dataclasses.replace(season, ranked={**season.ranked, 3: scores})

    after = client.post("/api/predict", payload, content_type="application/json").json()
    assert after["predicted_finish"] == race_place(changed, "alpha", 3, scores) != before["predicted_finish"]


def test_inside_a_transaction_of_its_own_the_field_is_read_anew(season):
    served = selectors.skill_population()
    with transaction.atomic():
        DriverFactorScore.objects.filter(driver__number=3, factor_id="speed").update(score=1.0)
        inside = selectors.skill_population()
        assert inside is not served and inside.by_number[3].scores["speed"] == 1.0
        transaction.set_rollback(True)
    # What the rolled-back transaction read is never served for the committed version.
    after = selectors.skill_population()
    assert after is not inside and after.by_number[3].scores["speed"] == served.by_number[3].scores["speed"]


def test_without_redis_the_field_is_read_for_every_request(client, season, unreachable_redis):
    response = client.post("/api/drivers/3/improve/predict", ADJUST, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["current_skills"]["speed"] == season.ranked[3]["speed"]


def test_a_version_over_other_factors_reads_those_scores(season):
    selectors.skill_population()  # the field's query compiled for the four factors
    two = ModelVersion.objects.create(name="two-factor", finish_intercept=13.0)
    for factor_id, weight in (("speed", 0.6), ("racecraft", 0.4)):
        ModelCoefficient.objects.create(model_version=two, factor_id=factor_id, weight=weight, finish_coefficient=-2)
    ModelVersion.objects.update(is_active=False)
    ModelVersion.objects.filter(pk=two.pk).update(is_active=True)

    population = selectors.skill_population()

    assert population.model.factors == ["speed", "racecraft"]
    assert {d.number: d.scores for d in population.drivers} == {
        number: {"speed": scores["speed"], "racecraft": scores["racecraft"]} for number, scores in season.ranked.items()
    }
