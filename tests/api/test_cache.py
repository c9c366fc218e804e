"""Response caching and revalidation: ETag/Last-Modified tied to the data version, 304 without a query."""

import base64
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date, parse_http_date

from drivers.models import Track
from hackthetrack.cache import data_version, invalidate_api_cache, last_modified
from hackthetrack.data_version import version_bump
from hackthetrack.release import code_release

from .subprocess_django import run_python

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

TRACKS = "/api/probe/tracks"


@pytest.fixture
def barber():
    return Track.objects.create(id="barber", name="Barber Motorsports Park")


def test_get_answer_carries_validators_of_its_body_and_the_data_version(client, barber):
    response = client.get(TRACKS)

    assert response.status_code == 200
    assert re.fullmatch(r'"[^"]+"', response["ETag"])  # a strong validator
    assert parse_http_date(response["Last-Modified"]) == last_modified(data_version())
    assert "must-revalidate" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "Accept" in response["Vary"]
    # The tag is of the body, not of the data version: in a new version the same body has the same tag.
    invalidate_api_cache()
    again = client.get(TRACKS)
    assert again.content == response.content and again["ETag"] == response["ETag"]


def test_matching_if_none_match_gets_304_with_one_query_the_data_version(client, barber, django_assert_num_queries):
    etag = client.get(TRACKS)["ETag"]

    with django_assert_num_queries(1):
        response = client.get(TRACKS, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_weak_and_listed_etags_match_too(client, barber):
    etag = client.get(TRACKS)["ETag"]

    assert client.get(TRACKS, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304


def test_if_modified_since_the_data_version_gets_304(client, barber):
    modified = client.get(TRACKS)["Last-Modified"]

    assert client.get(TRACKS, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = http_date(parse_http_date(modified) - 1)
    assert client.get(TRACKS, headers={"If-Modified-Since": earlier}).status_code == 200


def test_repeated_get_is_served_from_the_cache_with_one_query_the_data_version(
    client, barber, django_assert_num_queries
):
    first = client.get(TRACKS)

    with django_assert_num_queries(1):
        second = client.get(TRACKS)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


@pytest.fixture
def another_release(settings, tmp_path):
    """This process runs other code from now on: a checkout whose source differs."""
    (tmp_path / "factors").mkdir()
    (tmp_path / "factors" / "race_model.py").write_text("# a fix\n")
    settings.BASE_DIR = tmp_path
    code_release.cache_clear()
    yield
    code_release.cache_clear()


def test_an_answer_another_release_cached_is_computed_again(client, barber, django_assert_num_queries, request):
    first = client.get(TRACKS)
    request.getfixturevalue("another_release")

    with CaptureQueriesContext(connection) as computed:
        again = client.get(TRACKS)
    with django_assert_num_queries(1):  # then cached by this release
        client.get(TRACKS)

    assert len(computed) > 1  # the view's query beside the data version's
    assert again.content == first.content


def test_a_cached_answer_carries_the_headers_of_the_computed_one(client, barber, settings):
    # As deployed: with rate limits, which read the session user (Vary: Cookie) on both paths.
    rates = {"anon": "60/min", "user": "60/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    computed = client.get(TRACKS)
    cached = client.get(TRACKS)

    # Everything a client or a proxy acts on is the same.
    assert _lasting_headers(cached) == _lasting_headers(computed)
    assert cached["X-Frame-Options"] == "DENY"


def _lasting_headers(response) -> dict:
    return {name: value for name, value in response.items() if name != "X-Request-ID"}  # new for each request


def test_a_request_with_credentials_is_answered_by_the_view(client, barber, admin_user):
    admin_user.set_password("staff-password-9")
    admin_user.save()
    client.get(TRACKS)  # now cached

    # As when computed: wrong credentials are refused, right ones answered.
    wrong = client.get(TRACKS, headers={"Authorization": _basic(admin_user.username, "wrong")})
    right = client.get(TRACKS, headers={"Authorization": _basic(admin_user.username, "staff-password-9")})
    assert wrong.status_code == 401
    assert right.status_code == 200


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_request_reads_one_data_version_until_it_starts_one(client, method):
    before = data_version()
    versions = getattr(client, method)("/api/probe/data-version").json()

    # The version read with the request's rate counts holds while another process moves on...
    assert versions["started"] == versions["meanwhile"] == before
    # ...and a new version this request starts is what it reads from then on.
    assert versions["after_own"] == versions["own"] > before
    assert data_version() == versions["own"]  # outside a request: the current one


def test_a_write_is_answered_by_the_next_request_with_new_validators(client, barber):
    before = client.get(TRACKS)

    Track.objects.create(id="cota", name="Circuit of the Americas")  # nothing else: the version moves on
    after = client.get(TRACKS)

    assert [track["id"] for track in after.json()] == ["barber", "cota"]
    assert after["ETag"] != before["ETag"]
    assert parse_http_date(after["Last-Modified"]) >= parse_http_date(before["Last-Modified"])
    assert client.get(TRACKS, headers={"If-None-Match": before["ETag"]}).status_code == 200


def test_invalidation_always_moves_the_version_forward():
    first = invalidate_api_cache()
    second = invalidate_api_cache()

    assert second > first
    assert data_version() == second


def test_query_strings_are_cached_apart(client, barber):
    plain = client.get(TRACKS)
    Track.objects.create(id="cota", name="Circuit of the Americas")

    with_query = client.get(TRACKS, {"page": 1})

    assert len(with_query.json()) == 2
    assert len(plain.json()) == 1


@pytest.mark.urls("hackthetrack.urls")
def test_the_api_roots_links_are_of_the_host_and_scheme_asked(client, settings):
    settings.ALLOWED_HOSTS = ["api.example", "staging.example"]

    links = [
        client.get("/api/", headers={"Host": host}, secure=secure).json()["drivers"]
        for host, secure in [("api.example", False), ("staging.example", False), ("api.example", True)]
    ]

    assert links == [
        "http://api.example/api/drivers",
        "http://staging.example/api/drivers",
        "https://api.example/api/drivers",
    ]


def test_a_host_not_allowed_gets_400_for_a_cached_answer_too(client, barber, settings):
    assert client.get(TRACKS).status_code == 200  # now cached

    settings.ALLOWED_HOSTS = ["api.example"]

    assert client.get(TRACKS).status_code == 400


def test_errors_and_writes_are_not_cached(client, admin_client, barber):
    assert "ETag" not in client.get("/api/probe/missing")
    created = admin_client.post(TRACKS, {"id": "cota", "name": "COTA"}, content_type="application/json")
    assert created.status_code == 201
    assert "ETag" not in created


def test_health_is_never_cached(client, barber):
    response = client.get("/api/health")

    assert "ETag" not in response
    assert "no-store" in response["Cache-Control"]


def test_without_redis_the_api_answers_uncached_and_the_rate_holds(
    client, barber, settings, unreachable_redis, throttle_clock
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "user": None}}

    responses = [client.get(TRACKS) for _ in range(3)]

    # Counted in PostgreSQL, not in the cache: the rate holds without it.
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[0].json() == [{"id": "barber", "name": "Barber Motorsports Park"}]
    assert responses[0].content == responses[1].content


@pytest.mark.django_db(transaction=True)
def test_a_computed_answer_is_read_in_one_read_only_snapshot_and_keyed_by_its_version(client):
    version_bump()  # as a write would: the version the snapshot sees is this one

    response = client.get("/api/probe/snapshot")

    assert response.json() == {"isolation": "repeatable read", "read_only": "on", "version": data_version()}
    assert response["Last-Modified"] == http_date(last_modified(data_version()))
    with connection.cursor() as cursor:  # the request's transaction is over
        cursor.execute("SELECT current_setting('transaction_isolation')")
        assert cursor.fetchone() == ("read committed",)


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_process_is_answered_by_the_next_request(client, barber, shared_redis):
    from django.db import connection

    from .subprocess_django import database_url

    before = client.get(TRACKS)
    assert client.get(TRACKS).content == before.content  # cached in Redis

    # As an admin save, refresh_cache or a shell would, from a process of its own.
    result = run_python(
        "import django; django.setup(); from drivers.models import Track; "
        "Track.objects.create(id='cota', name='Circuit of the Americas')",
        DJANGO_SETTINGS_MODULE="hackthetrack.settings.development",
        DATABASE_URL=database_url(connection.settings_dict),
        **shared_redis,
    )
    assert result.returncode == 0, result.stderr

    after = client.get(TRACKS)
    assert [track["id"] for track in after.json()] == ["barber", "cota"]
    assert after["ETag"] != before["ETag"]
