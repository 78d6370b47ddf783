"""The shipments job: each receipt shipment sent to Etsy once, recorded as it lands; the order follows Etsy.

Before createReceiptShipment goes out the attempt is recorded. A retry that finds an attempt but no record of its
answer reads the receipt first and adopts a shipment with the same carrier and tracking code instead of sending
it again (the buyer would be notified twice).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from etsy import client as etsy
from models import audit, base, errors
from models import order as order_model
from models import print_job as job_model
from models import shipment as shipment_model
from models import shop as shop_model
from services import order_sync, shop_tokens, work

LOOKBACK = dt.timedelta(minutes=10)
REFUSALS = (etsy.EtsyBadRequest, etsy.EtsyForbidden, etsy.EtsyNotFound, etsy.EtsyAuthError)


def run(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Send every shipment not yet sent; refusals are recorded with Etsy's reason and fail the job at the end."""
    ids = job.params["shipment_ids"]
    clients: dict[int, etsy.EtsyClient] = {}
    sent, refused = [], []
    for n, shipment_id in enumerate(ids):
        ctx.progress(int(100 * n / len(ids)), f"Shipment {n + 1} of {len(ids)}")
        row = ctx.session.get(shipment_model.Shipment, shipment_id, with_for_update=True)
        if row is None or row.status == "sent":
            continue
        order = ctx.session.get(order_model.Order, row.order_id)
        shop = ctx.session.get(shop_model.Shop, order.shop_id) if order else None
        if order is None or shop is None or shop.status != "connected" or shop.etsy_shop_id is None:
            _refused(ctx, row, "The order's shop is not connected")
            refused.append(row.id)
            continue
        if shop.id not in clients:
            clients[shop.id] = etsy.EtsyClient.from_settings(token=shop_tokens.provider(shop.id, ctx.settings),
                                                             settings=ctx.settings)
        try:
            _send(ctx, row, order, shop, clients[shop.id])
            sent.append(row.id)
        except REFUSALS as exc:
            ctx.session.rollback()
            _refused(ctx, ctx.session.get(shipment_model.Shipment, shipment_id), f"Etsy refused: {exc.error or exc}")
            refused.append(shipment_id)
    if refused:
        reasons = "; ".join(f"shipment {r.id}: {r.error}" for r in
                            (ctx.session.get(shipment_model.Shipment, i) for i in refused) if r is not None)
        raise errors.Invalid(f"{len(refused)} of {len(ids)} shipments were refused: {reasons}"[:1900])
    ctx.progress(100, f"Sent {len(sent)} shipments")
    return {"sent": sent, "already_sent": len(ids) - len(sent)}


def _send(ctx: work.Run, row: shipment_model.Shipment, order: order_model.Order, shop: shop_model.Shop,
          client: etsy.EtsyClient) -> None:
    etsy_shop, receipt_id = int(shop.etsy_shop_id or 0), order.etsy_receipt_id
    if row.attempted_at is not None:
        receipt = client.get_shop_receipt(etsy_shop, receipt_id)
        if _landed(row, receipt) is not None:
            _record(ctx, row, shop, receipt, recovered=True)
            return
    row.status, row.attempted_at, row.error = "sending", base.utcnow(), None
    ctx.session.commit()
    receipt = client.create_receipt_shipment(etsy_shop, receipt_id, carrier_name=row.carrier_name,
                                             tracking_code=row.tracking_code, note_to_buyer=row.note_to_buyer,
                                             send_bcc=row.send_bcc or None)
    _record(ctx, row, shop, receipt, recovered=False)


def _landed(row: shipment_model.Shipment, receipt: dict[str, Any]) -> dict[str, Any] | None:
    """The receipt's shipment this row's earlier attempt created, if it reached Etsy."""
    since = ((row.attempted_at or base.utcnow()) - LOOKBACK).timestamp()
    for shipment in reversed(receipt.get("shipments") or []):
        if ((shipment.get("tracking_code") or "") == (row.tracking_code or "")
                and (shipment.get("carrier_name") or "").lower() == row.carrier_name.lower()
                and (shipment.get("shipment_notification_timestamp") or 0) >= since):
            return shipment
    return None


def _record(ctx: work.Run, row: shipment_model.Shipment, shop: shop_model.Shop, receipt: dict[str, Any],
            recovered: bool) -> None:
    landed = _landed(row, receipt)
    row.status, row.sent_at, row.error = "sent", base.utcnow(), None
    row.etsy_receipt_shipping_id = (landed or {}).get("receipt_shipping_id")
    # The order takes Etsy's own answer (shipped, completed), as a sync would.
    order_sync.upsert_receipt(ctx.session, shop, receipt)
    audit.record(ctx.session, "shipment.sent", entity=row, payload={
        "order_id": row.order_id, "tracking_code": row.tracking_code, "recovered": recovered})
    ctx.session.commit()


def _refused(ctx: work.Run, row: shipment_model.Shipment | None, reason: str) -> None:
    if row is None:
        return
    # Etsy refused the call, so nothing was sent: a later retry may send it.
    row.status, row.error, row.attempted_at = "failed", reason[:1000], None
    audit.record(ctx.session, "shipment.refused", entity=row, level="error", payload={"error": reason})
    ctx.session.commit()
