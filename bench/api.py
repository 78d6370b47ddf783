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
import statistics
import sys
import time
import urllib.request
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common


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


def _auth_cost(org_id: int, token: str, n: int = 500) -> tuple[float, int]:
    """In-process ms per request that the token check, user and membership lookup and api_access gate take (web/auth,
    web/features: the request's fixed cost before the view), and their SQL statements."""
    from sqlalchemy import event as sa_event

    from models import db
    from web import auth, create_app

    app = create_app()
    headers = {"Authorization": f"Bearer {token}"}
    statements: list[str] = []

    def once(check: bool) -> None:
        with app.test_request_context(f"/api/organizations/{org_id}", headers=headers):
            if check:
                auth.authenticate(org_id)
            auth.teardown()
            db.session.remove()

    listener = lambda *args, **kwargs: statements.append(args[2])  # noqa: E731
    took = {}
    for check in (False, True, False, True):
        for _ in range(50):
            once(check)
        started = time.perf_counter()
        for _ in range(n):
            once(check)
        took[check] = min(took.get(check, 1e9), (time.perf_counter() - started) / n * 1000)
    sa_event.listen(db.engine(), "before_cursor_execute", listener)
    once(True)
    sa_event.remove(db.engine(), "before_cursor_execute", listener)
    return took[True] - took[False], len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with common.database() as url:
        env = {**common.BASE_ENV, "DATABASE_URL": url}
        org_id, token = common.seed(env, events=10_000)
        with common.gunicorn(env) as (base, _):
            auth = {"Authorization": f"Bearer {token}"}
            results = {
                "GET /ping (baseline: no db, no auth)": _load(base + "/ping", {}, args.requests, args.concurrency),
                "GET /api/organizations/{id}": _load(f"{base}/api/organizations/{org_id}", auth, args.requests,
                                                     args.concurrency),
                "GET events search (10k events, page 50)": _load(
                    f"{base}/api/organizations/{org_id}/events/?event_type=bench.3&page_size=50", auth,
                    args.requests, args.concurrency),
            }
        counts = _query_counts(env, org_id, token)
        auth_ms, auth_sql = _auth_cost(org_id, token)
    print(f"gunicorn 2 workers x 4 threads on loopback, {args.requests} requests, concurrency {args.concurrency}")
    for label, r in results.items():
        print(f"  {label:45s} {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms")
    baseline = results["GET /ping (baseline: no db, no auth)"]["rps"]
    for label, r in list(results.items())[1:]:
        print(f"  {label:45s} {r['rps'] / baseline:6.2f}x the baseline's throughput")
    targets = (("GET /api/organizations/{id}", 0.5), ("GET events search (10k events, page 50)", 0.25))
    for label, share in targets:
        r = results[label]
        met = r["rps"] >= share * baseline and r["p99_ms"] < 30
        print(f"  target {label}: >= {share}x and p99 < 30 ms: {'met' if met else 'NOT met'}")
    print(f"auth per request (token, user and membership, api_access; in-process): {auth_ms:.2f} ms, "
          f"{auth_sql} SQL statements")
    print("SQL statements per events-search request by page size: "
          + json.dumps({str(k): v for k, v in counts.items()}))
    if len(set(counts.values())) != 1:
        raise SystemExit("query count grows with the page size")


if __name__ == "__main__":
    main()
