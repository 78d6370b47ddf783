"""Server time of every console page with 10,000 orders and 5,000 designs in one organization, next to /ping.

A bench database gets one organization with a connected shop, 10,000 paid orders (15,000 items, a tenth of them
unmatched, half of the rest in print jobs), 5,000 design files, 2,000 print jobs and 20,000 audit events. A
signed-in member's pages are then timed in this process through Flask's test client (the app's own time: routing,
queries, templates; no network): each page once to warm up, then `--repeat` times; the median and the worst are
printed next to /ping's, measured the same way in the same run. Target: every page under 200 ms.

    python bench/console.py [--orders N] [--designs N] [--repeat N]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common

TARGET_MS = 200.0


def build(org_id: int, orders: int, designs: int) -> dict[str, int]:
    """The organization's data, written in bulk; answers ids the page list needs."""
    from sqlalchemy import text

    from models import db, event, order, print_job, shop, tenancy
    from models import file as file_model

    session = db.get_session()
    now = dt.datetime.now(dt.UTC)
    with tenancy.org_scope(org_id):
        row = shop.Shop(org_id=org_id, status="connected", name="BenchShop", etsy_shop_id=4242)
        session.add(row)
        session.flush()
        session.execute(file_model.File.__table__.insert(), [
            {"org_id": org_id, "file_type": "designs", "status": "ready", "storage_key": f"bench/designs/d{i}.png",
             "filename": f"design-{i:05d}-{('sunflower', 'wave', 'fox', 'skull', 'rose')[i % 5]}.png",
             "mime_type": "image/png", "size_bytes": 1_000_000 + i, "sha256": f"{i:064x}", "width_px": 3000,
             "height_px": 3000, "dpi": 300.0, "tags": ["bench", ("kids", "halloween")[i % 2]],
             "has_thumbnail": False} for i in range(designs)])
        session.execute(print_job.PrintJob.__table__.insert(), [
            {"org_id": org_id, "job_type": "gang_sheets", "status": ("completed", "failed", "queued")[i % 3]
             if i >= 1990 else "completed", "params": {"items": []}, "progress": 100 if i < 1990 else 40,
             "error": "design missing" if i % 3 == 1 and i >= 1990 else None, "output_length_in": 60,
             "finished_at": now - dt.timedelta(hours=i), "created_at": now - dt.timedelta(hours=i)}
            for i in range(2000)])
        job_ids = list(session.scalars(print_job.PrintJob.__table__.select().with_only_columns(
            print_job.PrintJob.__table__.c.id).limit(1000)))
        session.execute(order.Order.__table__.insert(), [
            {"org_id": org_id, "shop_id": row.id, "etsy_receipt_id": 1_000_000 + i, "buyer_name": f"Buyer {i}",
             "status": "paid", "is_paid": True, "grandtotal": 24.5, "currency": "USD",
             "etsy_created_at": now - dt.timedelta(minutes=7 * i), "paid_at": now - dt.timedelta(minutes=7 * i)}
            for i in range(orders)])
        order_ids = list(session.scalars(order.Order.__table__.select().with_only_columns(
            order.Order.__table__.c.id).order_by(order.Order.__table__.c.id)))
        items = []
        for n, oid in enumerate(order_ids):
            for k in range(1 + (n % 2)):
                unmatched = (n + k) % 10 == 0
                items.append({"org_id": org_id, "order_id": oid, "etsy_transaction_id": 10 * n + k,
                              "listing_id": 500 + n % 300, "title": f"Sunflower tee {n % 300}", "sku": f"SKU-{n % 300}",
                              "variations": {"Size": "Adult"}, "quantity": 1,
                              "match_status": "unmatched" if unmatched else "matched",
                              "print_job_id": None if unmatched or n % 2 else job_ids[n % len(job_ids)]})
        session.execute(order.OrderItem.__table__.insert(), items)
        session.execute(event.Event.__table__.insert(), [
            {"org_id": org_id, "event_type": f"bench.{i % 9}", "level": "info", "source": "api",
             "entity_type": "print_jobs", "entity_id": str(job_ids[i % len(job_ids)])} for i in range(20_000)])
        session.commit()
    db.get_session().execute(text("ANALYZE"))
    db.get_session().commit()
    return {"job": job_ids[0], "order": order_ids[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--designs", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with common.database() as url, tempfile.TemporaryDirectory() as tmp:
        env = {**common.BASE_ENV, "DATABASE_URL": url, "LOCAL_ROOT_PATH": tmp, "STORAGE_BACKEND": "local"}
        org_id, _ = common.seed(env)
        started = time.perf_counter()
        ids = build(org_id, args.orders, args.designs)
        print(f"built {args.orders} orders, {args.designs} designs, 2000 jobs, 20000 events "
              f"in {time.perf_counter() - started:.1f} s")
        os.environ.update(env)
        from web import create_app

        client = create_app().test_client()
        token = re.search(r'name="csrf-token" content="([^"]+)"',
                          client.get("/console/sign-in").get_data(as_text=True)).group(1)
        signed = client.post("/console/sign-in", data={"email": "bench@example.com", "password": "bench-password",
                                                       "csrf_token": token})
        assert signed.status_code == 302, signed.get_data(as_text=True)[:300]
        pages = ["/ping", "/console/", "/console/jobs", "/console/jobs?status=failed", f"/console/jobs/{ids['job']}",
                 "/console/designs", "/console/designs?q=sunflower&tag=kids", "/console/gang-sheets",
                 "/console/orders", "/console/orders?state=ready", "/console/orders?q=Buyer%209",
                 f"/console/orders/{ids['order']}", "/console/orders/unmatched", "/console/shops",
                 "/console/mockups", "/console/settings", "/console/settings/audit"]
        print(f"\n{'page':<44} {'median ms':>10} {'worst ms':>9}  vs /ping")
        baseline = None
        slow = []
        for path in pages:
            client.get(path)  # the first request compiles the page's templates
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            median = statistics.median(times)
            baseline = baseline or median
            if path != "/ping" and median > TARGET_MS:
                slow.append(path)
            print(f"{path:<44} {median:>10.1f} {max(times):>9.1f}  {median / baseline:>6.1f}x")
        print(f"\ntarget: every page under {TARGET_MS:.0f} ms (median); "
              + ("all pages meet it" if not slow else f"over: {', '.join(slow)}"))


if __name__ == "__main__":
    main()
