"""API throughput and latency under gunicorn on loopback, and SQL queries per request vs page size.

Measures `GET /api/organizations/{id}` and an events search over 10,000 events, next to the bare `/ping` route
of the same server as the baseline (what gunicorn + Flask cost with no database and no auth). Prints requests/s,
p50/p99 latency, and how many SQL statements one request runs at page sizes 10, 50 and 100.
Usage: python bench/api.py [--requests 2000] [--concurrency 8]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import dbsetup  # noqa: E402 - path set above


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> float:
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def _load(url: str, headers: dict[str, str], total: int, concurrency: int) -> dict[str, float]:
    for _ in range(20):
        _get(url, headers)  # warm the pools
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(lambda _: _get(url, headers), range(total)))
    elapsed = time.perf_counter() - started
    return {"rps": total / elapsed, "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000}


def _seed(env: dict[str, str]) -> tuple[int, str]:
    """One organization with 10,000 events; returns its id and an access token."""
    os.environ.update(env)
    import config
    from jobs import context
    from models import db, event, membership
    from models import organization as org_model
    from web import tokens

    settings = config.get_settings()
    session = db.get_session()
    org = org_model.create(session, name="Bench Prints")
    with context.org_scope(org.id):
        user = membership.new_user(session, org_id=org.id, email="bench@example.com", role="owner",
                                   password_hash=tokens.hash_password("bench-password"))
        session.bulk_save_objects([event.Event(org_id=org.id, user_id=user.id, event_type=f"bench.{i % 7}",
                                               entity_type="things", entity_id=str(i % 100), payload={"i": i})
                                   for i in range(10_000)])
        session.commit()
    pair = tokens.issue(settings, user_id=user.id, org_id=org.id, role="owner", token_version=user.token_version)
    db.dispose()
    return org.id, pair["access_token"]


def _query_counts(env: dict[str, str], org_id: int, token: str) -> dict[int, int]:
    """SQL statements per events-search request at several page sizes (in-process, same code path)."""
    from sqlalchemy import event as sa_event

    from models import db
    from web import create_app

    app = create_app()
    counts: dict[int, int] = {}
    statements: list[str] = []
    listener = lambda *args, **kwargs: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine(), "before_cursor_execute", listener)
    client = app.test_client()
    for size in (10, 50, 100):
        statements.clear()
        response = client.get(f"/api/organizations/{org_id}/events/?page_size={size}",
                              headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200 and len(response.get_json()) == size
        counts[size] = len(statements)
    sa_event.remove(db.engine(), "before_cursor_execute", listener)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    server = dbsetup.server_url()
    name = f"esa_bench_{os.getpid()}"
    dbsetup.create_database(server, name)
    url = dbsetup.with_database(server, name)
    env = {"DATABASE_URL": url, "APP_ENV": "test", "JWT_SECRET": "bench-" + "s" * 40,
           "TOKEN_ENCRYPTION_KEY": "bench-" + "k" * 40, "LOG_LEVEL": "WARNING"}
    port = _free_port()
    web = None
    try:
        dbsetup.migrate(url.replace("postgresql://", "postgresql+psycopg://", 1))
        org_id, token = _seed(env)
        web = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
                                "--log-level", "warning", "web.wsgi:app"],
                               cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                _get(base + "/ping", {})
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}"}
        results = {
            "GET /ping (baseline: no db, no auth)": _load(base + "/ping", {}, args.requests, args.concurrency),
            "GET /api/organizations/{id}": _load(f"{base}/api/organizations/{org_id}", auth, args.requests,
                                                     args.concurrency),
            "GET events search (10k events, page 50)": _load(
                f"{base}/api/organizations/{org_id}/events/?event_type=bench.3&page_size=50", auth, args.requests,
                args.concurrency),
        }
        counts = _query_counts(env, org_id, token)
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=30)
        from models import db

        db.dispose()
        dbsetup.drop_database(server, name)
    print(f"gunicorn 2 workers x 4 threads on loopback, {args.requests} requests, concurrency {args.concurrency}")
    for label, r in results.items():
        print(f"  {label:45s} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms")
    baseline = results["GET /ping (baseline: no db, no auth)"]["rps"]
    for label, r in list(results.items())[1:]:
        print(f"  {label:45s} {r['rps'] / baseline:6.2f}x the baseline's throughput")
    print("SQL statements per events-search request by page size: "
          + json.dumps({str(k): v for k, v in counts.items()}))
    if len(set(counts.values())) != 1:
        raise SystemExit("query count grows with the page size")


if __name__ == "__main__":
    main()
