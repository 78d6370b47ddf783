"""Syncing a shop (the orders job): listings and receipts from Etsy, new items matched, cancellations pulled."""
from __future__ import annotations

import logging
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from etsy import client as etsy
from models import audit, base, errors
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from services import matching, order_sync, production, shop_tokens, work

log = logging.getLogger(__name__)
# Re-read receipts modified this long before the cursor: Etsy's timestamps are not a strict sequence.
OVERLAP_SECONDS = 15 * 60
COMMIT_EVERY = 100


class ParamsSchema(Schema):
    """Parameters of an orders job."""

    shop_id = fields.Integer(required=True, validate=validate.Range(min=1))
    full = fields.Boolean(load_default=False, metadata={"description": "Reconcile every receipt"})
    produce = fields.Boolean(load_default=True, metadata={"description": "Queue ready items for production"})


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """The shop must be the org's and connected; at most one sync per shop is queued or running."""
    shop = session.get(shop_model.Shop, params["shop_id"], with_for_update={"key_share": True})
    if shop is None:
        raise errors.Invalid("Unknown shop", errors={"params": {"shop_id": ["Unknown shop"]}})
    if shop.status != "connected":
        raise errors.Invalid(f"The shop is {shop.status}; connect it first", errors={"params": {"shop_id": [
            f"Shop is {shop.status}"]}})
    busy = session.scalar(select(job_model.PrintJob.id).where(
        job_model.PrintJob.job_type == "orders", job_model.PrintJob.status.in_(("queued", "processing")),
        job_model.PrintJob.params["shop_id"].as_integer() == shop.id).limit(1))
    if busy is not None:
        raise errors.Conflict(f"A sync of this shop is already queued or running (print job {busy})")
    return params


def queue_lock(params: dict[str, Any]) -> str:
    """Two syncs of one shop never run at once."""
    return f"sync:{params['shop_id']}"


def sync(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """One sync pass; a revoked token stops this shop only, malformed payloads are logged and skipped."""
    shop = ctx.session.get(shop_model.Shop, job.params["shop_id"])
    if shop is None or shop.status != "connected":
        raise errors.Conflict(f"Shop {job.params['shop_id']} is not connected")
    client = etsy.EtsyClient.from_settings(token=shop_tokens.provider(shop.id, ctx.settings), settings=ctx.settings)
    stats: dict[str, Any] = {"listings": 0, "receipts": 0, "malformed": 0, "matched": 0, "canceled": 0,
                             "pulled_jobs": 0}
    try:
        ctx.progress(5, "Syncing listings")
        _listings(ctx, shop, client, stats)
        ctx.progress(25, "Syncing receipts")
        _receipts(ctx, shop, client, stats, full=job.params.get("full", False))
    except etsy.EtsyAuthError as exc:
        shop.status, shop.sync_error = "needs_reauth", f"Etsy refused the token: {exc.error or exc}"
        audit.record(ctx.session, "shop.needs_reauth", entity=shop, level="error")
        ctx.session.commit()
        raise shop_tokens.NeedsReauth(f"Etsy refused the shop's token: {exc}") from None
    if job.params.get("produce", True):
        ctx.progress(90, "Queueing ready orders for production")
        stats["production"] = production.produce_due(ctx.session, created_by=job.created_by)
    ctx.progress(100, f"Synced {stats['receipts']} receipts")
    return stats


def _listings(ctx: work.Run, shop: shop_model.Shop, client: etsy.EtsyClient, stats: dict) -> None:
    for n, listing in enumerate(client.iter_listings(_etsy_id(shop), state="active"), start=1):
        try:
            order_sync.upsert_listing(ctx.session, shop, listing)
            stats["listings"] += 1
        except order_sync.Malformed as exc:
            _skip(ctx, shop, exc, stats)
        if n % COMMIT_EVERY == 0:
            ctx.session.commit()
    ctx.session.commit()


def _receipts(ctx: work.Run, shop: shop_model.Shop, client: etsy.EtsyClient, stats: dict, *,
              full: bool) -> None:
    since = None if full or shop.last_modified_cursor is None else shop.last_modified_cursor - OVERLAP_SECONDS
    newest = shop.last_modified_cursor or 0
    batch: list[order_sync.Parsed] = []
    for n, receipt in enumerate(client.iter_receipts(_etsy_id(shop), min_last_modified=since), start=1):
        try:
            batch.append(order_sync.parse_receipt(shop, receipt))
        except order_sync.Malformed as exc:
            _skip(ctx, shop, exc, stats)
        if len(batch) >= COMMIT_EVERY:
            newest = max(newest, _flush(ctx, shop, batch, stats))
            batch = []
            ctx.progress(25 + min(60, n // COMMIT_EVERY), f"Synced {n} receipts")
    newest = max(newest, _flush(ctx, shop, batch, stats))
    # The cursor moves only after a complete pass, so an interrupted sync resumes from the old one.
    shop.last_modified_cursor = newest or None
    shop.last_synced_at, shop.sync_error = base.utcnow(), None
    if full:
        shop.last_full_sync_at = shop.last_synced_at
    audit.record(ctx.session, "shop.synced", entity=shop, payload={k: v for k, v in stats.items()
                                                                   if isinstance(v, int)})
    ctx.session.commit()


def _flush(ctx: work.Run, shop: shop_model.Shop, batch: list[order_sync.Parsed], stats: dict) -> int:
    """Write one page of receipts, pull new cancellations, match new items, commit; the newest update seen."""
    results = order_sync.upsert_receipts(ctx.session, shop, batch)
    stats["receipts"] += len(results)
    for order_id, became_canceled in results:
        if became_canceled:
            stats["canceled"] += 1
            order = ctx.session.get(order_model.Order, order_id, populate_existing=True)
            if order is not None:
                stats["pulled_jobs"] += len(production.pull_canceled(ctx.session, order))
    stats["matched"] += _match(ctx, [order_id for order_id, _ in results])
    ctx.session.commit()
    return max((p.updated for p in batch), default=0)


def _match(ctx: work.Run, order_ids: list[int]) -> int:
    if not order_ids:
        return 0
    items = ctx.session.scalars(select(order_model.OrderItem).where(
        order_model.OrderItem.order_id.in_(order_ids), order_model.OrderItem.match_status == "unmatched")).all()
    return matching.match_items(ctx.session, items)


def _skip(ctx: work.Run, shop: shop_model.Shop, exc: Exception, stats: dict) -> None:
    stats["malformed"] += 1
    log.warning("shop %s: skipped malformed Etsy payload: %s", shop.id, exc)
    audit.record(ctx.session, "shop.malformed_payload", entity=shop, level="warning", payload={"error": str(exc)})


def _etsy_id(shop: shop_model.Shop) -> int:
    if shop.etsy_shop_id is None:
        raise errors.Conflict(f"Shop {shop.id} is not connected")
    return shop.etsy_shop_id
