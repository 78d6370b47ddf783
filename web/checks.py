"""Component checks behind /health: each returns a status dict and never raises."""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import psutil
from sqlalchemy import text
from sqlalchemy.orm import Session

import config
from models import db
from nas import shared
from services import workers as services_workers
from web import observability

_PROCESS = psutil.Process(os.getpid())


def _timed(check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a health probe reports every failure instead of raising
        result = {"status": "fail", "error": f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:200]}"}
    result.setdefault("status", "ok")
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database() -> dict[str, Any]:
    """A round trip to PostgreSQL with a short statement timeout."""
    with db.engine().connect() as conn:
        conn.execute(text("SET LOCAL statement_timeout = 2000"))
        conn.execute(text("SELECT 1"))
        return {"status": "ok"}


def queue_schema() -> dict[str, Any]:
    """procrastinate's tables and functions are installed."""
    with db.engine().connect() as conn:
        ok = conn.execute(text(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL"
            " AND to_regprocedure('procrastinate_fetch_job_v2(character varying[], bigint)') IS NOT NULL"
        )).scalar()
    return {"status": "ok" if ok else "fail", **({} if ok else {"error": "procrastinate schema missing"})}


def workers(settings: config.Settings) -> dict[str, Any]:
    """Live workers per WORKER_TYPE; a type with none is reported, not failed (the API still serves)."""
    with Session(db.engine()) as session:
        alive = services_workers.live_by_type(session, settings.stalled_worker_seconds)
    return {"status": "ok" if all(alive.values()) else "warn", "alive": sum(alive.values()), "by_type": alive}


def redis(settings: config.Settings) -> dict[str, Any]:
    """PING the cache."""
    import redis as redis_lib

    client = redis_lib.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"status": "ok"}


def storage(settings: config.Settings) -> dict[str, Any]:
    """The storage backend is reachable and writable."""
    result = dict(shared.storage_for(settings).check())
    # Hybrid keeps accepting uploads while the NAS is away, so an outage there degrades rather than fails.
    status = "fail" if not result.get("ok") else ("warn" if result.get("degraded") else "ok")
    return {"backend": settings.storage_backend, **result, "status": status}


def process() -> dict[str, Any]:
    """This process's resource use."""
    with _PROCESS.oneshot():
        mem = _PROCESS.memory_info()
        return {"status": "ok", "rss_mb": round(mem.rss / 2**20, 1), "cpu_percent": _PROCESS.cpu_percent(),
                "threads": _PROCESS.num_threads(), "open_files": _PROCESS.num_fds()}


def run_all(settings: config.Settings) -> tuple[bool, dict[str, Any]]:
    """Every check; healthy when no critical component fails."""
    components: dict[str, Any] = {"database": _timed(database)}
    db_ok = components["database"]["status"] == "ok"
    if db_ok:
        components["queue_schema"] = _timed(queue_schema)
        components["workers"] = _timed(lambda: workers(settings))
    if settings.redis_url:
        components["redis"] = _timed(lambda: redis(settings))
    components["storage"] = _timed(lambda: storage(settings))
    components["process"] = _timed(process)
    components["requests_last_hour"] = {"status": "ok", **observability.errors_window.rate()}
    failing = [name for name, c in components.items() if c["status"] == "fail"]
    return not failing, {"components": components, "failing": failing}
