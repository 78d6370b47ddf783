"""/ping, /health (components, states for anyone and details for superusers, a dropped database), /metrics."""
from __future__ import annotations

import dataclasses
import os

import pytest
from sqlalchemy import create_engine, pool, text

import config
from models import db
from tests import helpers
from tests.web.test_organizations import _superuser

COMPONENTS = {"database", "queue", "storage", "redis", "host", "process", "requests_last_hour"}
DEAD_DB = "postgresql+psycopg://postgres@127.0.0.1:1/none"


def _dead_engine():
    return create_engine(DEAD_DB, poolclass=pool.NullPool, connect_args={"connect_timeout": 1})


def test_ping(client):
    response = client.get("/ping")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_anonymous_callers_see_component_states_only(client, settings):
    response = client.get("/health")
    body = response.get_json()
    assert response.status_code == 200, body
    assert set(body["components"]) == COMPONENTS
    assert all(component == {"status": component["status"]} for component in body["components"].values()), body
    assert body["components"]["database"]["status"] == "ok" and body["components"]["storage"]["status"] == "ok"
    text_ = response.get_data(as_text=True)
    for secret in (settings.local_root_path, "127.0.0.1", "postgres", "REDIS_URL", "rss_mb"):
        assert secret not in text_, secret


def test_members_who_are_not_superusers_see_states_only(client):
    owner = helpers.register(client)
    body = client.get("/health", headers=owner["headers"]).get_json()
    assert body["components"]["storage"] == {"status": "ok"}
    assert client.get("/health", headers=helpers.bearer("not-a-token")).status_code == 200


def test_superusers_see_every_figure(client, session, settings):
    su = _superuser(client, session)
    body = client.get("/health", headers=su["headers"]).get_json()
    components = body["components"]
    assert components["storage"]["backend"] == "local" and components["storage"]["writable"] is True
    assert set(components["queue"]["workers"]) == set(config.WORKER_TYPES)
    assert "oldest_wait_seconds" in components["queue"] and "waiting" in components["queue"]
    host = components["host"]
    assert 0 <= host["memory"]["percent"] <= 100 and host["disk"]["total_gb"] > 0 and host["cpu"]["count"] >= 1
    assert components["process"]["rss_mb"] > 0
    # No Redis configured: the cache is missing, the service still serves.
    assert components["redis"]["status"] == "degraded" and components["redis"]["configured"] is False
    assert body["status"] == "degraded" and "redis" in body["degraded"] and body["failing"] == []


@pytest.fixture
def queue_rows(database):
    """A live general worker and a job waiting for 20 minutes, committed (the checks use their own connection)."""
    with db.engine().begin() as conn:
        worker = conn.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")).scalar()
        conn.execute(text("INSERT INTO worker_processes (worker_id, worker_type, hostname, pid)"
                          " VALUES (:w, 'general', 'test-host', 1)"), {"w": worker})
        job = conn.execute(text("INSERT INTO procrastinate_jobs (queue_name, task_name) VALUES ('designs', 'x')"
                                " RETURNING id")).scalar()
        conn.execute(text("UPDATE procrastinate_events SET at = now() - interval '20 minutes' WHERE job_id = :j"),
                     {"j": job})
    yield
    with db.engine().begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs WHERE id = :j"), {"j": job})
        conn.execute(text("DELETE FROM procrastinate_workers WHERE id = :w"), {"w": worker})


def test_queue_reports_workers_per_type_and_the_oldest_wait(client, session, queue_rows):
    su = _superuser(client, session)
    queue = client.get("/health", headers=su["headers"]).get_json()["components"]["queue"]
    assert queue["workers"]["general"] >= 1 and queue["workers"]["print_jobs"] == 0
    assert queue["queues"]["designs"]["waiting"] >= 1
    assert 1190 <= queue["oldest_wait_seconds"] < 1300
    assert queue["status"] == "degraded"
    assert "no live print_jobs worker" in queue["problems"] and any("waited" in p for p in queue["problems"])


def test_health_503_names_the_database_when_it_is_down(client, monkeypatch):
    monkeypatch.setattr(db, "_engine", _dead_engine())
    response = client.get("/health")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "fail"
    assert body["failing"] == ["database", "queue"]
    assert "127.0.0.1" not in response.get_data(as_text=True) and body["components"]["database"] == {"status": "fail"}
    monkeypatch.undo()
    assert client.get("/health").status_code == 200  # recovers once the database is back


def test_api_answers_503_while_database_is_unreachable(app, settings, monkeypatch):
    owner_client = app.test_client()
    db.bind(_dead_engine())
    try:
        response = owner_client.post("/api/auth/login", json={"email": "a@b.co", "password": "whatever-pw"})
        helpers.assert_error(response, 503)
    finally:
        db.bind(db.engine())


def test_metrics_exposition(client):
    client.get("/ping")
    text_ = client.get("/metrics").get_data(as_text=True)
    assert 'esa_http_request_duration_seconds_bucket{endpoint="/ping"' in text_
    assert "esa_queue_depth" in text_ or "# HELP esa_queue_depth" in text_


def test_redis_is_optional_its_outage_only_degrades(app, client, session, settings, monkeypatch):
    su = _superuser(client, session)
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(settings, redis_url=redis_url))
    body = client.get("/health", headers=su["headers"]).get_json()
    assert body["components"]["redis"]["status"] == "ok", body
    monkeypatch.setitem(app.extensions, "esa_settings",
                        dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    response = client.get("/health")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "degraded", body
    assert body["components"]["redis"] == {"status": "degraded"} and "redis" in body["degraded"]
    assert body["failing"] == []
