"""PostgreSQL stopped under a running app, then started again: 503 in the envelope at once (no
pool timeout), /api/health names each component, and the first request after PostgreSQL returns
is served by the same workers, with nothing stored lost."""


def test_postgres_down_answers_503_and_the_first_request_after_it_returns_is_served(
    postgres_server_with_barber, app_servers
):
    postgres_server = postgres_server_with_barber
    app = app_servers(DATABASE_URL=postgres_server.url)
    assert app.get("/api/tracks")[0] == 200

    postgres_server.stop()
    status, body = app.get("/api/tracks")
    health_status, health = app.get("/api/health")

    assert status == 503
    assert body["error"] == "Database unavailable, try again later." and body["path"] == "/api/tracks"
    assert health_status == 503
    assert health["details"]["database"] == "unavailable"
    assert health["details"]["cache"] == "local"
    assert "warehouse" in health["details"]

    postgres_server.start()
    status, tracks = app.get("/api/tracks")  # the worker's kept connection is dead: replaced at once

    assert status == 200
    assert [track["id"] for track in tracks] == ["barber"]
    assert app.get("/api/health")[0] == 200
