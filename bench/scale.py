"""Lists, searches and stats at a million rows: p99 of page 1 and page 1,000 of every list, and every stats route.

Builds in a scratch database (created and dropped): one organization with 1,000,000 audit events, 200,000 orders
(one item each, nine in ten matched to one of 150 designs) and 100,000 files, and two organizations beside it
(300,000 events, 50,000 orders, 30,000 files; and a small one), all with SQL (generate_series), then folds the sales
totals' delta rows as the scheduler would and runs VACUUM ANALYZE. Each route is called through the Flask test
client (token, tenant guard, serialization included); the baseline of the same run is `/ping` and the single-object
read `GET /api/organizations/{id}`. For the events list it also times the queries the list ran before (a full
count(*) and an OFFSET page), next to what it runs now.
Targets: lists and searches <= 30 ms p99 at pages 1 and 1,000 (50 a page); stats <= 100 ms p99.
Usage: python bench/scale.py [--repeat 40] [--explain]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common

EVENTS, ORDERS, FILES = 1_000_000, 200_000, 100_000
LIST_TARGET_MS, STATS_TARGET_MS = 30.0, 100.0

_EVENTS_SQL = """
INSERT INTO events (org_id, user_id, event_type, entity_type, entity_id, level, source, payload, created_at)
SELECT :org, CASE WHEN g % 2 = 0 THEN :user::bigint END, 'bench.' || (g % 40),
       (ARRAY['files', 'orders', 'print_jobs', 'shops'])[1 + g % 4], (g % 5000)::text,
       CASE WHEN g % 16 = 0 THEN 'error' WHEN g % 16 = 1 THEN 'warning' ELSE 'info' END,
       CASE WHEN g % 3 = 0 THEN 'job' ELSE 'api' END, jsonb_build_object('i', g, 'note', 'bench event'),
       now() - make_interval(secs => (:n - g) * 31.536)
FROM generate_series(1, :n) g
"""
_SHOP_SQL = """INSERT INTO shops (org_id, etsy_shop_id, name, currency, status)
               VALUES (:org, :org * 1000, 'Bench shop', 'USD', 'connected') RETURNING id"""
_ORDERS_SQL = """
INSERT INTO orders (org_id, shop_id, etsy_receipt_id, buyer_name, status, is_paid, is_shipped, is_canceled,
                    grandtotal, currency, etsy_created_at, etsy_updated_at, paid_at)
SELECT :org, :shop, g, 'Buyer ' || g, 'paid', true, g <= :n - 3000, g % 97 = 0, 10 + g % 40, 'USD',
       now() - make_interval(secs => (:n - g) * 315.36), now() - make_interval(secs => (:n - g) * 315.36),
       now() - make_interval(secs => (:n - g) * 315.36)
FROM generate_series(1, :n) g
"""
_ITEMS_SQL = """
INSERT INTO order_items (org_id, order_id, etsy_transaction_id, listing_id, sku, title, quantity, match_status,
                         design_file_id)
SELECT o.org_id, o.id, o.etsy_receipt_id, 1000 + o.etsy_receipt_id % 300, 'SKU-' || o.etsy_receipt_id % 300,
       'Design ' || o.etsy_receipt_id % 300, 1 + o.etsy_receipt_id % 3,
       CASE WHEN o.etsy_receipt_id % 10 = 0 THEN 'unmatched' ELSE 'matched' END,
       CASE WHEN o.etsy_receipt_id % 10 <> 0 THEN first.id + o.etsy_receipt_id % 150 END  -- 150 designs
FROM orders o, (SELECT min(id) AS id FROM files WHERE org_id = :org) first WHERE o.org_id = :org
"""
_FILES_SQL = """
INSERT INTO files (org_id, file_type, status, storage_key, filename, original_filename, mime_type, size_bytes,
                   sha256, width_px, height_px, dpi_x, dpi_y, dpi, tags, created_at, updated_at)
SELECT :org, (ARRAY['designs', 'designs', 'designs', 'mockups', 'print_files'])[1 + g % 5],
       CASE WHEN g % 20 = 0 THEN 'archived' ELSE 'ready' END, 'org' || :org || '/f/' || g || '.png',
       'design-' || g || '.png', 'Design ' || g || '.png', 'image/png', 100000 + g % 9000000,
       md5(g::text) || md5(g::text),
       3000, 3000, 300, 300, (ARRAY[150, 300, 600])[1 + g % 3], ARRAY['tag' || g % 50],
       now() - make_interval(secs => (:n - g) * 315.36), now() - make_interval(secs => (:n - g) * 315.36)
FROM generate_series(1, :n) g
"""


def build(url: str, env: dict[str, str]) -> dict[str, int]:
    """The organizations and their rows; returns ids of the big organization, its owner and another org."""
    import psycopg

    org_id, token = common.seed(env)
    from models import db
    from services import organizations

    session = db.get_session()
    others = [organizations.create(session, name=name).id for name in ("Neighbour Prints", "Tiny Prints")]
    session.commit()
    db.dispose()
    sizes = {org_id: (EVENTS, ORDERS, FILES), others[0]: (300_000, 50_000, 30_000), others[1]: (2_000, 500, 200)}
    with psycopg.connect(url, autocommit=True) as conn:
        user = conn.execute("SELECT id FROM users WHERE org_id = %s", (org_id,)).fetchone()[0]
        for org, (events, orders, files) in sizes.items():
            params = {"org": org, "user": user if org == org_id else None}
            _run(conn, _EVENTS_SQL, {**params, "n": events})
            _run(conn, _FILES_SQL, {**params, "n": files})  # before the items, matched to some of them
            shop = _run(conn, _SHOP_SQL, params).fetchone()[0]
            _run(conn, _ORDERS_SQL, {**params, "shop": shop, "n": orders})
            _run(conn, _ITEMS_SQL, params)
    from services import sales_totals

    session = db.get_session()  # the scheduler's fold of the sales totals' delta rows, as in production
    sales_totals.fold(session)
    session.commit()
    db.dispose()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"org": org_id, "user": user, "other": others[0], "token": token}  # type: ignore[dict-item]


def _server(url: str) -> str:
    """Which server answered, and whether it has pg_trgm (searches by name use its indexes; without it they read
    every row of the organization: the embedded development server ships without it, Railway's and Debian's
    PostgreSQL have it)."""
    import psycopg

    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        trigram = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone() is not None
    state = ("installed: name searches use trigram indexes" if trigram
             else "missing: the q= searches read every row (set DATABASE_URL to a server with it)")
    return f"server: PostgreSQL {version}; pg_trgm {state}"


def _run(conn, sql: str, params: dict):
    import re

    return conn.execute(re.sub(r"(?<!:):(\w+)(?!\w)", r"%(\1)s", sql.replace("%", "%%")), params)


def routes(ids: dict) -> tuple[list[str], list[str]]:
    """(list and search paths without the page, stats paths) of the big organization."""
    base = f"/api/organizations/{ids['org']}"
    lists = [f"{base}/events/", f"{base}/events/search?event_type=bench.7", f"{base}/events/system-errors",
             f"{base}/events/audit-trail/orders/42", f"{base}/events/users/{ids['user']}/activity",
             f"{base}/orders/", f"{base}/orders/?is_shipped=false", f"{base}/orders/?q=Buyer%201999",
             f"{base}/orders/unmatched", f"{base}/files/search", f"{base}/files/search?file_type=designs",
             f"{base}/files/search?q=design-1999", f"{base}/files/search?status=archived",
             f"{base}/print-jobs/", f"{base}/shipments/", f"{base}/members/", f"{base}/shops/",
             f"{base}/design-mappings/", f"{base}/listing-drafts/", f"{base}/mockup-templates/", "/api/printers/",
             "/api/organizations/"]
    stats = [f"{base}/stats", f"{base}/events/stats/summary", f"{base}/files/stats/storage",
             f"{base}/print-jobs/stats/summary", f"{base}/print-jobs/queue/info", "/api/printers/stats/summary",
             f"{base}/insights/sales-by-month", f"{base}/insights/top-designs", f"{base}/insights/top-listings",
             f"{base}/insights/film-by-day", f"{base}/insights/cost-per-order"]
    return lists, stats


def p99(client, path: str, headers: dict, repeat: int) -> float:
    """p99 latency in ms of `repeat` calls after five warm-up calls (the nearest rank): a route's first calls
    compile its statements and fill caches once per process, which is not what it costs each time."""
    for _ in range(5):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return times[max(0, int(len(times) * 0.99 + 0.5) - 1)]


def old_queries(url: str, org: int, repeat: int) -> dict[str, float]:
    """The events list's queries of before: a full count(*) and an OFFSET page, timed bare (p99 ms)."""
    import psycopg

    out = {}
    with psycopg.connect(url) as conn:
        for label, sql in (("count(*)", "SELECT count(*) FROM events WHERE org_id = %(org)s"),
                           ("page 1,000 by OFFSET", "SELECT * FROM events WHERE org_id = %(org)s "
                            "ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET 49950")):
            times = []
            for _ in range(max(5, repeat // 4)):
                started = time.perf_counter()
                conn.execute(sql, {"org": org}).fetchall()
                times.append((time.perf_counter() - started) * 1000)
            out[label] = sorted(times)[-1]
    return out


def explain(url: str, client, path: str, headers: dict) -> None:
    """EXPLAIN ANALYZE of every SQL statement one call runs (prints the plans)."""
    from sqlalchemy import event as sa_event

    from models import db

    statements: list[tuple[str, object]] = []
    listener = lambda conn, cursor, sql, params, *rest: statements.append((sql, params))  # noqa: E731
    sa_event.listen(db.engine(), "before_cursor_execute", listener)
    client.get(path, headers=headers)
    sa_event.remove(db.engine(), "before_cursor_execute", listener)
    import psycopg

    with psycopg.connect(url) as conn:
        print(f"--- {path}")
        for sql, params in statements:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
                print("\n".join(row[0] for row in plan) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each route's queries")
    args = parser.parse_args()
    with common.database() as url:
        env = {**common.BASE_ENV, "DATABASE_URL": url}
        started = time.perf_counter()
        ids = build(url, env)
        print(f"built {EVENTS:,} events, {ORDERS:,} orders and {FILES:,} files in one organization (and two beside "
              f"it) in {time.perf_counter() - started:.0f} s")
        print(_server(url))
        import gc

        from web import create_app

        client = create_app().test_client()
        gc.freeze()  # as web/wsgi.py does in each gunicorn worker
        headers = {"Authorization": f"Bearer {ids['token']}"}
        lists, stats = routes(ids)
        ping = p99(client, "/ping", {}, args.repeat)
        single = p99(client, f"/api/organizations/{ids['org']}", headers, args.repeat)
        print(f"baseline p99: /ping {ping:.1f} ms, GET /api/organizations/{{id}} {single:.1f} ms "
              f"({args.repeat} calls each, Flask test client)")
        failed = []
        print(f"{'list or search (50 a page)':64s} {'page 1':>9s} {'page 1000':>10s}  (target {LIST_TARGET_MS:.0f} ms)")
        for path in lists:
            sep = "&" if "?" in path else "?"
            first = p99(client, f"{path}{sep}page_size=50", headers, args.repeat)
            deep = p99(client, f"{path}{sep}page_size=50&page=1000", headers, args.repeat)
            mark = "" if max(first, deep) <= LIST_TARGET_MS else "  OVER"
            failed += [path] if mark else []
            print(f"  {path.split(str(ids['org']), 1)[-1]:62s} {first:7.1f}ms {deep:8.1f}ms{mark}")
        print(f"{'stats':64s} {'p99':>9s}  (target {STATS_TARGET_MS:.0f} ms)")
        for path in stats:
            took = p99(client, path, headers, args.repeat)
            mark = "" if took <= STATS_TARGET_MS else "  OVER"
            failed += [path] if mark else []
            print(f"  {path.split(str(ids['org']), 1)[-1]:62s} {took:7.1f}ms{mark}")
        old = old_queries(url, ids["org"], args.repeat)
        print("the events list's queries of before, bare SQL p99: "
              + ", ".join(f"{k} {v:.1f} ms" for k, v in old.items()))
        if args.explain:
            for path in lists + stats:
                sep = "&" if "?" in path else "?"
                explain(url, client, f"{path}{sep}page_size=50&page=1000" if path in lists else path, headers)
        from models import db

        db.dispose()
    print("all within target" if not failed else f"{len(failed)} over target")


if __name__ == "__main__":
    main()
