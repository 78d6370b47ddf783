"""Component checks behind /health: each gives a status ("ok", "degraded" or "fail") and never raises."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

import config
from models import db
from nas import shared
from services import queue as services_queue
from services import workers as services_workers
from web import observability, resources

# Only these fail the probe (503): without them no request can be served. The rest degrade it.
CRITICAL = ("database", "queue", "storage")
# A job waiting longer than this means the workers of its type are missing or cannot keep up.
QUEUE_WAIT_DEGRADED_SECONDS = 900


def _timed(check: Callable[[], dict[str, Any]], failed: str = "fail") -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a health probe reports every failure instead of raising
        result = {"status": failed, "error": f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}"}
    result.setdefault("status", "ok")
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database() -> dict[str, Any]:
    """A round trip to PostgreSQL with a short statement timeout."""
    with db.engine().connect() as conn:
        conn.execute(text("SET LOCAL statement_timeout = 2000"))
        conn.execute(text("SELECT 1"))
        return {"status": "ok"}


def queue(settings: config.Settings) -> dict[str, Any]:
    """The queue's schema, live workers per WORKER_TYPE and the oldest waiting job; missing workers degrade."""
    with Session(db.engine()) as session:
        session.execute(text("SET LOCAL statement_timeout = 2000"))
        installed = session.execute(text(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AND to_regclass('worker_processes') IS NOT NULL"
            " AND to_regprocedure('procrastinate_fetch_job_v2(character varying[], bigint)') IS NOT NULL")).scalar()
        if not installed:
            return {"status": "fail", "error": "the queue's schema is missing: run the migrations"}
        alive = services_workers.live_by_type(session, settings.stalled_worker_seconds)
        queues = services_queue.waiting(session)
    oldest = max((q["oldest_wait_seconds"] for q in queues.values()), default=0.0)
    problems = [f"no live {kind} worker" for kind, count in alive.items() if count == 0]
    if oldest > QUEUE_WAIT_DEGRADED_SECONDS:
        problems.append(f"a job has waited {oldest:.0f} s")
    return {"status": "degraded" if problems else "ok", "problems": problems, "workers": alive,
            "waiting": sum(q["waiting"] for q in queues.values()), "oldest_wait_seconds": oldest, "queues": queues}


def redis(settings: config.Settings) -> dict[str, Any]:
    """PING the cache; it is optional, so its absence or outage only degrades (requests skip the cache)."""
    if not settings.redis_url:
        return {"status": "degraded", "configured": False, "problems": ["REDIS_URL is not set: no cache"]}
    import redis as redis_lib

    client = redis_lib.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis_lib.RedisError as exc:
        return {"status": "degraded", "configured": True, "error": f"{exc.__class__.__name__}: {exc}"[:200]}
    finally:
        client.close()
    return {"status": "ok", "configured": True}


def storage(settings: config.Settings) -> dict[str, Any]:
    """The storage backend is reachable and writable."""
    result = dict(shared.storage_for(settings).check())
    # Hybrid keeps accepting uploads while the NAS is away, so an outage there degrades rather than fails.
    status = "fail" if not result.get("ok") else ("degraded" if result.get("degraded") else "ok")
    return {"backend": settings.storage_backend, **result, "status": status}


def run_all(settings: config.Settings) -> dict[str, Any]:
    """Every check: the overall status ("fail" when a critical component fails), the failing and degraded names."""
    components: dict[str, Any] = {"database": _timed(database)}
    if components["database"]["status"] == "ok":
        components["queue"] = _timed(lambda: queue(settings))
    else:
        components["queue"] = {"status": "fail", "error": "the database is unreachable"}
    components["storage"] = _timed(lambda: storage(settings))
    components["redis"] = _timed(lambda: redis(settings), failed="degraded")
    components["host"] = _timed(resources.host, failed="degraded")
    components["process"] = _timed(resources.process, failed="degraded")
    components["requests_last_hour"] = {"status": "ok", **observability.errors_window.rate()}
    failing = [name for name in CRITICAL if components[name]["status"] == "fail"]
    degraded = [name for name, c in components.items() if c["status"] != "ok" and name not in failing]
    return {"status": "fail" if failing else ("degraded" if degraded else "ok"), "failing": failing,
            "degraded": degraded, "components": components}


def public(report: dict[str, Any]) -> dict[str, Any]:
    """What anyone may see: the states, without paths, hosts, figures or error texts."""
    return {"status": report["status"], "failing": report["failing"], "degraded": report["degraded"],
            "components": {name: {"status": c["status"]} for name, c in report["components"].items()}}
