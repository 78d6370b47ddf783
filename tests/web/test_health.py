"""/ping, /health (including a dropped database), /metrics."""
from __future__ import annotations

from sqlalchemy import create_engine, pool

from models import db
from tests import helpers


def test_ping(client):
    response = client.get("/ping")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_health_reports_components(client):
    response = client.get("/health")
    body = response.get_json()
    assert response.status_code == 200, body
    components = body["components"]
    for name in ("database", "queue_schema", "workers", "storage", "process", "requests_last_hour"):
        assert name in components, name
    assert components["database"]["status"] == "ok"
    assert components["storage"]["backend"] == "local" and components["storage"]["writable"] is True
    assert components["storage"]["status"] == "ok"
    assert components["process"]["rss_mb"] > 0


def test_health_503_names_the_database_when_it_is_down(client, monkeypatch):
    dead = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", poolclass=pool.NullPool,
                         connect_args={"connect_timeout": 1})
    monkeypatch.setattr(db, "_engine", dead)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["database"]
    monkeypatch.undo()
    assert client.get("/health").status_code == 200  # recovers once the database is back


def test_api_answers_503_while_database_is_unreachable(app, settings, monkeypatch):
    owner_client = app.test_client()
    dead = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", poolclass=pool.NullPool,
                         connect_args={"connect_timeout": 1})
    db.bind(dead)
    try:
        response = owner_client.post("/api/auth/login", json={"email": "a@b.co", "password": "whatever-pw"})
        helpers.assert_error(response, 503)
    finally:
        db.bind(db.engine())


def test_metrics_exposition(client):
    client.get("/ping")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'esa_http_request_duration_seconds_bucket{endpoint="/ping"' in text
    assert "esa_queue_depth" in text or "# HELP esa_queue_depth" in text


def test_health_checks_redis_when_configured(app, client, settings, monkeypatch):
    import dataclasses
    import os

    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(settings, redis_url=redis_url))
    body = client.get("/health").get_json()
    assert body["components"]["redis"]["status"] == "ok", body
    monkeypatch.setitem(app.extensions, "esa_settings",
                        dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    response = client.get("/health")
    assert response.status_code == 503 and response.get_json()["failing"] == ["redis"]
