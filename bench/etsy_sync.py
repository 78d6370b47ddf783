"""Order sync against the local Etsy double at its 10 requests/second limit: our sync vs a naive per-receipt client.

Ours is the real `orders` job (listings, then receipts 100 per call with their transactions embedded, idempotent
upserts). The naive client lists receipt ids page by page and then fetches every receipt on its own, as clients
that ignore embedded transactions do; at one call per receipt it would need over 16 minutes for 10,000 receipts
(and Etsy's whole 10,000-a-day quota), so it is measured on a sample and its figures are extrapolated linearly.
Usage: python bench/etsy_sync.py [--receipts 10000] [--naive-sample 300]
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common


def _connected_shop(env: dict[str, str], double, seller) -> tuple[int, int, object]:
    import config
    from models import db, tenancy
    from models import organization as org_model
    from models import shop as shop_model
    from services import shop_tokens

    org_id, _ = common.seed(env)
    settings = dataclasses.replace(
        config.get_settings(), etsy_api_key=double.api_key, etsy_client_secret=double.shared_secret,
        etsy_api_base_url=double.base_url, etsy_token_url=double.token_url, etsy_authorize_url=double.authorize_url,
        etsy_rate_per_second=10, etsy_rate_per_day=1_000_000)
    session = db.get_session()
    with tenancy.org_scope(org_id):
        assert session.get(org_model.Organization, org_id)
        shop = shop_model.Shop(org_id=org_id, etsy_shop_id=seller["shop_id"], etsy_user_id=seller["user_id"],
                               name="BenchShop", status="connected")
        shop_tokens.store(shop, double.issue_token(seller["user_id"]), settings)
        session.add(shop)
        session.commit()
        shop_id = shop.id
    db.session.remove()
    return org_id, shop_id, settings


def _ours(org_id: int, shop_id: int, settings) -> dict[str, float]:
    from jobs import runner
    from models import db, tenancy
    from models import print_job as job_model
    from services import print_jobs

    session = db.get_session()
    with tenancy.org_scope(org_id):
        job = print_jobs.create(session, job_type="orders", created_by=None,
                             params={"shop_id": shop_id, "full": True, "produce": False})
        session.commit()
        job_id = job.id
    started = time.perf_counter()
    assert runner.execute(org_id, job_id, settings=settings) == "completed"
    seconds = time.perf_counter() - started
    with tenancy.org_scope(org_id):
        result = db.get_session().get(job_model.PrintJob, job_id).result
    db.session.remove()
    return {"seconds": seconds, "receipts": result["receipts"]}


def _naive(org_id: int, shop_id: int, settings, sample: int) -> dict[str, float]:
    from etsy import client as etsy
    from models import db, tenancy
    from models import shop as shop_model
    from services import order_sync, shop_tokens

    client = etsy.EtsyClient.from_settings(token=lambda: shop_tokens.access_token(shop_id, settings),
                                           settings=settings)
    session = db.get_session()
    started = time.perf_counter()
    with tenancy.org_scope(org_id):
        shop = session.get(shop_model.Shop, shop_id)
        ids: list[int] = []
        offset = 0
        while len(ids) < sample:
            page = client.get_shop_receipts(shop.etsy_shop_id, limit=100, offset=offset)
            ids += [r["receipt_id"] for r in page["results"]]
            offset += 100
        for receipt_id in ids[:sample]:
            order_sync.upsert_receipt(session, shop, client.get_shop_receipt(shop.etsy_shop_id, receipt_id))
        session.commit()
    seconds = time.perf_counter() - started
    db.session.remove()
    return {"seconds": seconds, "receipts": sample, "list_calls": offset // 100}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=10_000)
    parser.add_argument("--naive-sample", type=int, default=300)
    args = parser.parse_args()
    from tests.etsy_double import server

    with common.database() as url, server.EtsyDouble(per_second=10, per_day=1_000_000) as double:
        env = {**common.BASE_ENV, "DATABASE_URL": url}
        seller = double.add_seller(shop_name="BenchShop")
        for n in range(20):
            double.store.add_listing(seller["shop_id"], title=f"Print {n}", sku=f"PRINT-{n}")
        double.store.generate_receipts(seller["shop_id"], args.receipts)
        org_id, shop_id, settings = _connected_shop(env, double, seller)
        double.log.clear()
        ours = _ours(org_id, shop_id, settings)
        our_calls = len(double.log.calls())
        peak = double.log.max_per_window(1.0)
        double.log.clear()
        naive = _naive(org_id, shop_id, settings, args.naive_sample)
        naive_calls = len(double.log.calls())
        if double.violations:
            raise SystemExit(f"the double answered outside the spec: {double.violations[:3]}")
    scale = args.receipts / naive["receipts"]
    # One list call per 100 receipts plus one call per receipt.
    naive_calls_full = args.receipts // 100 + args.receipts
    print(f"{args.receipts} receipts (1-3 transactions each) from the Etsy double at 10 requests/second")
    print(f"  ours:  {ours['receipts']} receipts synced with {our_calls} Etsy calls in {ours['seconds']:.1f} s "
          f"({ours['receipts'] / ours['seconds']:.0f} receipts/s; busiest second: {peak} calls)")
    print(f"  naive: {naive['receipts']} receipts with {naive_calls} calls in {naive['seconds']:.1f} s measured; "
          f"for {args.receipts}: ~{naive_calls_full} calls, ~{naive['seconds'] * scale / 60:.0f} min "
          f"(over Etsy's 10,000 calls/day)")
    print(f"  ours needs {naive_calls_full / our_calls:.0f}x fewer calls and is "
          f"~{naive['seconds'] * scale / ours['seconds']:.0f}x faster")


if __name__ == "__main__":
    main()
