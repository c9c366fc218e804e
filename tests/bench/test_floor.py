"""The benchmarks' floor view: routed only with BENCH_FLOOR, a constant answer whose only query is
the one every API request makes (the data version and the rate counts, hackthetrack.cache)."""

import importlib

import pytest
from django.urls import clear_url_caches

import hackthetrack.urls
from hackthetrack.bench_views import FLOOR_BODY

FLOOR = "/api/bench/floor"


def _reload_urls() -> None:
    importlib.reload(hackthetrack.urls)
    clear_url_caches()


@pytest.fixture
def floor_routed(settings):
    settings.BENCH_FLOOR = True
    _reload_urls()
    yield
    settings.BENCH_FLOOR = False
    _reload_urls()


@pytest.mark.django_db
def test_floor_is_not_routed_by_default(client, settings):
    assert settings.BENCH_FLOOR is False
    response = client.get(FLOOR)
    assert response.status_code == 404
    assert response.json()["path"] == FLOOR


@pytest.mark.django_db
def test_floor_answers_a_constant_through_the_api_stack(client, floor_routed, django_assert_num_queries):
    with django_assert_num_queries(1):  # the data version
        response = client.get(FLOOR)
    assert response.status_code == 200
    assert response.json() == FLOOR_BODY == {"status": "ok"}
    # The same middleware as every endpoint: request id, and the response cache's validators.
    assert response["X-Request-ID"]
    assert response["ETag"]
    assert client.get(FLOOR, headers={"If-None-Match": response["ETag"]}).status_code == 304


@pytest.mark.django_db
def test_floor_answers_an_anonymous_post_every_time(client, floor_routed, django_assert_num_queries):
    with django_assert_num_queries(2):  # the data version, for each
        responses = [client.post(FLOOR, {"driver_number": 7}, content_type="application/json") for _ in range(2)]

    assert [response.status_code for response in responses] == [200, 200]
    assert responses[1].json() == FLOOR_BODY
    # Never from the response cache: a POST's floor is the view running.
    assert "ETag" not in responses[1]


def test_floor_is_left_out_of_the_schema(floor_routed):
    from drf_spectacular.generators import SchemaGenerator

    assert FLOOR not in SchemaGenerator().get_schema(request=None, public=True)["paths"]
