"""Receipts in the double: create, generate in bulk, modify (cancel, ship), and query as getShopReceipts does."""
from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from tests.etsy_double import shapes

Json = dict[str, Any]
ASCENDING = ("asc", "ascending", "up")
SORT_FIELDS = {"created": "created_timestamp", "updated": "updated_timestamp", "receipt_id": "receipt_id"}


class Receipts:
    """Receipt operations of the Store (mixed in; uses its lock, clock, ids and templates)."""

    def add_receipt(self, shop_id: int, *, items: Iterable[Json] | None = None, created: int | None = None,
                    status: str = "paid", buyer_name: str = "Pat Buyer", **fields: Any) -> Json:
        """A receipt; `items` are transaction overrides (listing_id, sku, quantity, title, variations, price...)."""
        with self.lock:
            shop = self.shops[shop_id]
            receipt_id = self.next_id()
            created = created or self.now()
            buyer = self.next_id()
            transactions = [self._transaction(shop, receipt_id, buyer, created, item) for item in (items or [{}])]
            subtotal = sum(t["price"]["amount"] * t["quantity"] for t in transactions)
            receipt = dict(self._templates["ShopReceipt"], receipt_id=receipt_id, seller_user_id=shop["user_id"],
                           seller_email="seller@example.com", buyer_user_id=buyer, buyer_email=f"b{buyer}@example.com",
                           name=buyer_name, first_line="1 Main St", city="Springfield", state="IL", zip="62701",
                           country_iso="US", formatted_address=f"{buyer_name}\n1 Main St\nSpringfield, IL 62701",
                           status=status, payment_method="cc", is_paid=status in ("paid", "completed"),
                           create_timestamp=created, created_timestamp=created, update_timestamp=created,
                           updated_timestamp=created, grandtotal=shapes.money(subtotal + 500),
                           subtotal=shapes.money(subtotal), total_price=shapes.money(subtotal),
                           total_shipping_cost=shapes.money(500), total_tax_cost=shapes.money(0),
                           total_vat_cost=shapes.money(0), discount_amt=shapes.money(0),
                           gift_wrap_price=shapes.money(0), transactions=transactions, **fields)
            self.receipts[shop_id][receipt_id] = receipt
            return receipt

    def _transaction(self, shop: Json, receipt_id: int, buyer: int, created: int, item: Json) -> Json:
        listing_id = item.get("listing_id", 0)
        listing = self.listings.get(listing_id)
        fields = {"transaction_id": self.next_id(), "title": listing["title"] if listing else "Test print",
                  "seller_user_id": shop["user_id"], "buyer_user_id": buyer, "create_timestamp": created,
                  "created_timestamp": created, "paid_timestamp": created, "quantity": 1, "receipt_id": receipt_id,
                  "listing_id": listing_id, "transaction_type": "listing", "product_id": self.next_id(),
                  "sku": (listing["skus"] or [None])[0] if listing else None, "price": shapes.money(1999),
                  "shipping_cost": shapes.money(0), "expected_ship_date": created + 3 * 86400}
        fields.update(item)
        return dict(self._templates["ShopReceiptTransaction"], **fields)

    def generate_receipts(self, shop_id: int, count: int, *, start: int | None = None, spacing: int = 60,
                          seed: int = 1) -> list[int]:
        """`count` synthetic paid receipts, one to three items each, created `spacing` seconds apart; their ids."""
        rng = random.Random(seed)
        with self.lock:
            listings = [item for item in self.listings.values() if item["shop_id"] == shop_id] or [None]
            start = start or self.now() - count * spacing
            ids = []
            for n in range(count):
                items = []
                for _ in range(rng.randint(1, 3)):
                    listing = rng.choice(listings)
                    size = rng.choice(("8x10", "11x14", "16x20"))
                    items.append({"listing_id": listing["listing_id"] if listing else rng.randint(1, 10**9),
                                  "sku": f"PRINT-{size}", "quantity": rng.randint(1, 4),
                                  "variations": [{"property_id": 100, "value_id": rng.randint(1, 10**6),
                                                  "formatted_name": "Size", "formatted_value": size}]})
                ids.append(self.add_receipt(shop_id, items=items, created=start + n * spacing)["receipt_id"])
            return ids

    def update_receipt(self, shop_id: int, receipt_id: int, **fields: Any) -> Json:
        """Change fields of a receipt and bump its update timestamps, as any change on Etsy does."""
        with self.lock:
            receipt = self.receipts[shop_id][receipt_id]
            stamp = max(self.now(), receipt["updated_timestamp"] + 1)
            receipt.update(fields, update_timestamp=stamp, updated_timestamp=stamp)
            return receipt

    def cancel_receipt(self, shop_id: int, receipt_id: int) -> Json:
        """The seller or Etsy canceled the order."""
        return self.update_receipt(shop_id, receipt_id, status="canceled")

    def ship_receipt(self, shop_id: int, receipt_id: int, carrier: str = "usps", tracking: str = "9400") -> Json:
        """Mark shipped with one shipment."""
        return self.add_shipment(shop_id, receipt_id, carrier, tracking)

    def add_shipment(self, shop_id: int, receipt_id: int, carrier: str, tracking: str) -> Json:
        """One more shipment on the receipt, which is then shipped and completed (as createReceiptShipment does)."""
        with self.lock:
            shipments = list(self.receipts[shop_id][receipt_id].get("shipments") or [])
            shipments.append({"receipt_shipping_id": self.next_id(), "shipment_notification_timestamp": self.now(),
                              "carrier_name": carrier, "tracking_code": tracking})
            return self.update_receipt(shop_id, receipt_id, is_shipped=True, status="completed",
                                       shipments=shipments)

    def query_receipts(self, shop_id: int, args: dict[str, Any]) -> tuple[int, list[Json]]:
        """(count, page) as getShopReceipts answers for parsed query `args`."""
        bounds = (("min_created", "created_timestamp", 1), ("max_created", "created_timestamp", -1),
                  ("min_last_modified", "updated_timestamp", 1), ("max_last_modified", "updated_timestamp", -1))
        with self.lock:
            found = list(self.receipts[shop_id].values())
            for arg, field, sign in bounds:
                if arg in args:
                    found = [r for r in found if (r[field] - args[arg]) * sign >= 0]
            for arg, test in (("was_paid", lambda r: r["is_paid"]), ("was_shipped", lambda r: r["is_shipped"]),
                              ("was_canceled", lambda r: r["status"] == "canceled"),
                              ("was_delivered", lambda r: r["status"] == "completed")):
                if args.get(arg) is not None:
                    found = [r for r in found if test(r) == args[arg]]
            field = SORT_FIELDS[args.get("sort_on", "created")]
            found.sort(key=lambda r: (r[field], r["receipt_id"]),
                       reverse=args.get("sort_order", "desc") not in ASCENDING)
            offset, limit = args.get("offset", 0), args.get("limit", 25)
            return len(found), found[offset:offset + limit]
