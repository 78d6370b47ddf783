"""The write operations the double serves: draft listings, their inventory, and receipt shipments."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.etsy_double import bodies, handlers, shapes

Json = dict[str, Any]
Answer = tuple[int, Any]
MAX_TAGS = 13
MAX_TAG_LENGTH = 20
MAX_TITLE = 140
# Letters, numbers, whitespace, - ' ™ © ®: what Etsy accepts in a tag.
TAG = re.compile(r"^[\w\s\-'™©®]+$")
LISTING_ONLY = ("shipping_profile", "images", "production_partners", "views", "skus", "user", "shop", "videos",
                "translations", "inventory")


def _refused(message: str, status: int = 400) -> Answer:
    return status, {"error": message}


def create_draft_listing(call: handlers.Call) -> Answer:
    shop = handlers.own_shop(call)
    if isinstance(shop, tuple):
        return shop
    try:
        body = bodies.form(call.request, "createDraftListing")
    except bodies.BodyError as exc:
        return _refused(str(exc))
    problem = _listing_problem(call, shop, body)
    if problem:
        return _refused(problem)
    listing = call.store.add_listing(
        shop["shop_id"], state="draft", title=body["title"], price=round(body["price"] * 100),
        description=body["description"], quantity=body["quantity"], taxonomy_id=body["taxonomy_id"],
        who_made=body["who_made"], when_made=body["when_made"], tags=body.get("tags") or [],
        materials=body.get("materials") or [], shipping_profile_id=body.get("shipping_profile_id"),
        shop_section_id=body.get("shop_section_id"), is_personalizable=body.get("is_personalizable", False),
        personalization_is_required=body.get("personalization_is_required", False),
        personalization_char_count_max=body.get("personalization_char_count_max"),
        personalization_instructions=body.get("personalization_instructions"),
        is_supply=body.get("is_supply", False), listing_type=body.get("type", "physical"))
    return 201, {k: v for k, v in listing.items() if k not in LISTING_ONLY}


def _listing_problem(call: handlers.Call, shop: Json, body: Json) -> str | None:
    if not body["title"].strip() or len(body["title"]) > MAX_TITLE:
        return f"title must be 1 to {MAX_TITLE} characters"
    if body["quantity"] < 1 or body["price"] <= 0:
        return "quantity and price must be positive"
    tags = body.get("tags") or []
    if len(tags) > MAX_TAGS or any(len(t) > MAX_TAG_LENGTH or not TAG.match(t) for t in tags):
        return f"tags: at most {MAX_TAGS}, each at most {MAX_TAG_LENGTH} letters, numbers, spaces, - or '"
    if body["taxonomy_id"] not in _taxonomy_ids(call.store.taxonomy):
        return f"taxonomy_id {body['taxonomy_id']} is not a seller taxonomy node"
    profiles = {p["shipping_profile_id"] for p in call.store.profiles[shop["shop_id"]]}
    if body.get("type", "physical") != "download" and body.get("shipping_profile_id") not in profiles:
        return "A physical listing needs a shipping_profile_id of the shop"
    sections = {s["shop_section_id"] for s in call.store.sections[shop["shop_id"]]}
    if body.get("shop_section_id") is not None and body["shop_section_id"] not in sections:
        return f"shop_section_id {body['shop_section_id']} is not a section of the shop"
    return None


def _taxonomy_ids(nodes: list[Json]) -> set[int]:
    return {n["id"] for n in nodes} | {i for n in nodes for i in _taxonomy_ids(n.get("children") or [])}


def update_listing_inventory(call: handlers.Call) -> Answer:
    listing = call.store.listings.get(call.path["listing_id"])
    if listing is None:
        return handlers.not_found(f"Listing {call.path['listing_id']}")
    if listing["user_id"] != call.grant.user_id:
        return _refused("You do not have permission to edit this listing", 403)
    try:
        body = bodies.json_body(call.request, "updateListingInventory")
    except bodies.BodyError as exc:
        return _refused(str(exc))
    problem = _inventory_problem(body)
    if problem:
        return _refused(problem)
    inventory = {"products": [_product(call, p) for p in body["products"]],
                 "price_on_property": body.get("price_on_property", []),
                 "quantity_on_property": body.get("quantity_on_property", []),
                 "sku_on_property": body.get("sku_on_property", []),
                 "readiness_state_on_property": body.get("readiness_state_on_property", [])}
    enabled = [o for p in inventory["products"] for o in p["offerings"] if o["is_enabled"]]
    call.store.inventories[listing["listing_id"]] = inventory
    listing.update(price=shapes.money(min(o["price"]["amount"] for o in enabled)),
                   quantity=sum(o["quantity"] for o in enabled), has_variations=len(inventory["products"]) > 1,
                   skus=[p["sku"] for p in inventory["products"] if p["sku"]],
                   updated_timestamp=call.store.now(), last_modified_timestamp=call.store.now())
    return 200, inventory


def _inventory_problem(body: Json) -> str | None:
    products = body["products"]
    if not products:
        return "products must not be empty"
    shapes_seen, combos = set(), set()
    for product in products:
        values = product.get("property_values", [])
        shapes_seen.add(tuple(sorted(v["property_id"] for v in values)))
        combo = tuple(sorted((v["property_id"], tuple(v["values"])) for v in values))
        if combo in combos:
            return f"Duplicate product for {combo}"
        combos.add(combo)
        if any("(" in x or ")" in x for v in values for x in v["values"]):
            return "Property values may not contain parentheses"
        for offering in product["offerings"]:
            if not 0.2 <= offering["price"] <= 50000 or not 0 <= offering["quantity"] <= 999:
                return "Offering price must be 0.20 to 50000 and quantity 0 to 999"
    if len(shapes_seen) > 1:
        return "Every product must have values for the same properties"
    used = {pid for combo in shapes_seen for pid in combo}
    for key in ("price_on_property", "quantity_on_property", "sku_on_property"):
        if not set(body.get(key, [])) <= used:
            return f"{key} names a property no product has"
    if not any(o["is_enabled"] and o["quantity"] > 0 for p in products for o in p["offerings"]):
        return "At least one offering must be enabled with a quantity"
    return None


def _product(call: handlers.Call, product: Json) -> Json:
    offerings = [dict(offering_id=call.store.next_id(), quantity=o["quantity"], is_enabled=o["is_enabled"],
                      is_deleted=False, price=shapes.money(round(o["price"] * 100)),
                      readiness_state_id=o.get("readiness_state_id")) for o in product["offerings"]]
    values = [dict(property_id=v["property_id"], property_name=v.get("property_name"), scale_id=v.get("scale_id"),
                   scale_name=None, values=v["values"],
                   value_ids=v["value_ids"] or [call.store.value_id(x) for x in v["values"]])
              for v in product.get("property_values", [])]
    return {"product_id": call.store.next_id(), "sku": product.get("sku") or "", "is_deleted": False,
            "offerings": offerings, "property_values": values}


def create_receipt_shipment(call: handlers.Call) -> Answer:
    shop = handlers.own_shop(call)
    if isinstance(shop, tuple):
        return shop
    receipt = call.store.receipts[shop["shop_id"]].get(call.path["receipt_id"])
    if receipt is None:
        return handlers.not_found(f"Receipt {call.path['receipt_id']}")
    try:
        body = bodies.form(call.request, "createReceiptShipment")
    except bodies.BodyError as exc:
        return _refused(str(exc))
    if receipt["status"] == "canceled":
        return _refused("A canceled receipt cannot be shipped", 409)
    return 200, call.store.add_shipment(shop["shop_id"], receipt["receipt_id"], body.get("carrier_name", ""),
                                        body.get("tracking_code", ""))


HANDLERS: dict[str, Callable[[handlers.Call], Answer]] = {
    "createDraftListing": create_draft_listing, "updateListingInventory": update_listing_inventory,
    "createReceiptShipment": create_receipt_shipment,
}
