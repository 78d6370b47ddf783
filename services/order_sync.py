"""Upserting Etsy receipts (with embedded transactions) and listings, idempotent on Etsy's ids."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from models import order as order_model
from models import shop as shop_model

log = logging.getLogger(__name__)
CANCELED = ("canceled", "fully refunded")


class Malformed(ValueError):
    """A receipt or listing without the fields we rely on."""


@dataclasses.dataclass
class Parsed:
    """A receipt turned into row values, checked before anything is written."""

    receipt_id: int
    values: dict[str, Any]
    items: list[dict[str, Any]]
    updated: int


def parse_receipt(shop: shop_model.Shop, receipt: dict[str, Any]) -> Parsed:
    """Row values of one receipt and its transactions; Malformed when fields we rely on are missing or wrong."""
    try:
        receipt_id = int(receipt["receipt_id"])
        status = str(receipt.get("status") or "").lower()
        transactions = receipt.get("transactions") or []
        values = {
            "org_id": shop.org_id, "shop_id": shop.id, "etsy_receipt_id": receipt_id,
            "buyer_name": (receipt.get("name") or "")[:300] or None, "status": status or None,
            "is_paid": bool(receipt.get("is_paid")), "is_shipped": bool(receipt.get("is_shipped")),
            "is_canceled": status in CANCELED,
            "grandtotal": _money(receipt.get("grandtotal")), "currency": _currency(receipt.get("grandtotal")),
            "etsy_created_at": _time(receipt.get("created_timestamp") or receipt.get("create_timestamp")),
            "etsy_updated_at": _time(receipt.get("updated_timestamp") or receipt.get("update_timestamp")),
        }
        paid_at = min((t for t in (_time(x.get("paid_timestamp")) for x in transactions) if t), default=None)
        values["paid_at"] = paid_at or (values["etsy_created_at"] if values["is_paid"] else None)
        items = [_item_values(shop, t) for t in transactions]
        updated = int(receipt.get("updated_timestamp") or receipt.get("update_timestamp") or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise Malformed(f"receipt {receipt.get('receipt_id')!r}: {exc.__class__.__name__}: {exc}") from None
    return Parsed(receipt_id, values, items, updated)


def upsert_receipts(session: Session, shop: shop_model.Shop, batch: list[Parsed]) -> list[tuple[int, bool]]:
    """Insert or update a page of orders and their items in three statements; (order id, became_canceled) each."""
    batch = list({p.receipt_id: p for p in batch}.values())
    if not batch:
        return []
    ids = [p.receipt_id for p in batch]
    was = dict(session.execute(select(order_model.Order.etsy_receipt_id, order_model.Order.is_canceled).where(
        order_model.Order.shop_id == shop.id, order_model.Order.etsy_receipt_id.in_(ids))).all())
    stmt = insert(order_model.Order).values([p.values for p in batch])
    kept = [k for k in batch[0].values if k not in ("org_id", "shop_id", "etsy_receipt_id")]
    order_ids = dict((receipt_id, order_id) for order_id, receipt_id in session.execute(stmt.on_conflict_do_update(
        index_elements=["shop_id", "etsy_receipt_id"],
        set_={k: stmt.excluded[k] for k in kept} | {"updated_at": dt.datetime.now(dt.UTC)},
    ).returning(order_model.Order.id, order_model.Order.etsy_receipt_id)))
    items = {i["etsy_transaction_id"]: {**i, "order_id": order_ids[p.receipt_id]} for p in batch for i in p.items}
    if items:
        ins = insert(order_model.OrderItem).values(list(items.values()))
        # Matching and production fields are ours: a re-sync only refreshes what Etsy owns.
        session.execute(ins.on_conflict_do_update(
            index_elements=["org_id", "etsy_transaction_id"],
            set_={k: ins.excluded[k] for k in ("listing_id", "product_id", "sku", "variations", "personalization",
                                               "quantity", "title")}))
    return [(order_ids[p.receipt_id], bool(p.values["is_canceled"] and was.get(p.receipt_id) is False))
            for p in batch]


def upsert_receipt(session: Session, shop: shop_model.Shop, receipt: dict[str, Any]) -> tuple[int, bool]:
    """One receipt: (order id, became_canceled); Malformed before any write."""
    return upsert_receipts(session, shop, [parse_receipt(shop, receipt)])[0]


def _item_values(shop: shop_model.Shop, t: dict[str, Any]) -> dict[str, Any]:
    variations = {}
    personalization = None
    for v in t.get("variations") or []:
        name, value = str(v.get("formatted_name") or ""), str(v.get("formatted_value") or "")
        if "personal" in name.lower():
            personalization = value
        elif name:
            variations[name] = value
    return {"org_id": shop.org_id, "etsy_transaction_id": int(t["transaction_id"]),
            "listing_id": _int(t.get("listing_id")), "product_id": _int(t.get("product_id")),
            "sku": (str(t["sku"]).strip()[:200] or None) if t.get("sku") else None, "variations": variations,
            "personalization": personalization, "quantity": max(1, int(t.get("quantity") or 1)),
            "title": (t.get("title") or "")[:500] or None}


def upsert_listing(session: Session, shop: shop_model.Shop, listing: dict[str, Any]) -> None:
    """Insert or update one listing (title, SKUs, state) for matching."""
    try:
        values = {"org_id": shop.org_id, "shop_id": shop.id, "etsy_listing_id": int(listing["listing_id"]),
                  "title": (listing.get("title") or "")[:500] or None, "state": listing.get("state"),
                  "skus": sorted({str(s) for s in listing.get("skus") or [] if s})}
    except (KeyError, TypeError, ValueError) as exc:
        raise Malformed(f"listing {listing.get('listing_id')!r}: {exc}") from None
    stmt = insert(order_model.Listing).values(**values)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["shop_id", "etsy_listing_id"],
        set_={"title": stmt.excluded.title, "state": stmt.excluded.state, "skus": stmt.excluded.skus}))


def _money(value: Any) -> Decimal | None:
    if not value:
        return None
    return Decimal(int(value["amount"])) / Decimal(int(value.get("divisor") or 100))


def _currency(value: Any) -> str | None:
    return (value or {}).get("currency_code") if isinstance(value, dict) else None


def _time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), dt.UTC) if value else None


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None
