"""The operations the double serves, by operationId: each takes the call and answers (status, JSON body)."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request

from tests.etsy_double import auth, bodies, state

Json = dict[str, Any]
Answer = tuple[int, Any]


@dataclasses.dataclass
class Call:
    """A checked request: typed path and query values, and the bearer's grant when the operation needs one."""

    store: state.Store
    path: dict[str, Any]
    query: dict[str, Any]
    grant: auth.Grant | None
    request: Request


def not_found(what: str) -> Answer:
    """Etsy's 404 answer."""
    return 404, {"error": f"{what} not found"}


def own_shop(call: Call) -> Answer | Json:
    """The path's shop when the bearer owns it, else Etsy's 404 or 403 answer."""
    shop = call.store.shops.get(call.path["shop_id"])
    if shop is None:
        return not_found(f"Shop {call.path['shop_id']}")
    if call.grant is not None and shop["user_id"] != call.grant.user_id:
        return 403, {"error": "You do not have permission to access this shop"}
    return shop


def get_me(call: Call) -> Answer:
    shop = call.store.shop_of_user(call.grant.user_id)
    return 200, {"user_id": call.grant.user_id, **({"shop_id": shop["shop_id"]} if shop else {})}


def get_shop(call: Call) -> Answer:
    shop = call.store.shops.get(call.path["shop_id"])
    return (200, shop) if shop else not_found(f"Shop {call.path['shop_id']}")


def get_shop_receipts(call: Call) -> Answer:
    shop = own_shop(call)
    if isinstance(shop, tuple):
        return shop
    count, page = call.store.query_receipts(shop["shop_id"], call.query)
    return 200, {"count": count, "results": page}


def get_shop_receipt(call: Call) -> Answer:
    shop = own_shop(call)
    if isinstance(shop, tuple):
        return shop
    receipt = call.store.receipts[shop["shop_id"]].get(call.path["receipt_id"])
    return (200, receipt) if receipt else not_found(f"Receipt {call.path['receipt_id']}")


def _with_includes(store: state.Store, listing: Json, includes: list[str]) -> Json:
    out = dict(listing)
    shop = store.shops[listing["shop_id"]]
    extras: dict[str, Callable[[], Any]] = {
        "Images": lambda: ("images", list(store.images.get(listing["listing_id"], []))),
        "Shop": lambda: ("shop", shop),
        "User": lambda: ("user", store.users[shop["user_id"]]),
        "Shipping": lambda: ("shipping_profile", next((p for p in store.profiles[shop["shop_id"]]
                                                       if p["shipping_profile_id"] == listing["shipping_profile_id"]),
                                                      None)),
        "Inventory": lambda: ("inventory", None),
        "Translations": lambda: ("translations", None),
        "Videos": lambda: ("videos", []),
    }
    for name in includes:
        key, value = extras[name]()
        out[key] = value
    return out


def get_listings_by_shop(call: Call) -> Answer:
    shop = call.store.shops.get(call.path["shop_id"])
    if shop is None:
        return not_found(f"Shop {call.path['shop_id']}")
    query = call.query
    found = [item for item in call.store.listings.values()
             if item["shop_id"] == shop["shop_id"] and item["state"] == query.get("state", "active")]
    field = {"created": "created_timestamp", "updated": "updated_timestamp", "price": "price",
             "score": "listing_id"}[query.get("sort_on", "created")]
    def key(item: Json) -> tuple[int, int]:
        return (item["price"]["amount"] if field == "price" else item[field]), item["listing_id"]
    found.sort(key=key, reverse=query.get("sort_order", "desc") not in ("asc", "ascending", "up"))
    offset, limit = query.get("offset", 0), query.get("limit", 25)
    page = [_with_includes(call.store, item, query.get("includes") or []) for item in found[offset:offset + limit]]
    return 200, {"count": len(found), "results": page}


def get_listing(call: Call) -> Answer:
    listing = call.store.listings.get(call.path["listing_id"])
    if listing is None:
        return not_found(f"Listing {call.path['listing_id']}")
    return 200, _with_includes(call.store, listing, call.query.get("includes") or [])


def get_listing_images(call: Call) -> Answer:
    images = call.store.images.get(call.path["listing_id"])
    if images is None:
        return not_found(f"Listing {call.path['listing_id']}")
    return 200, {"count": len(images), "results": list(images)}


def _own_listing(call: Call) -> Answer | Json:
    shop = own_shop(call)
    if isinstance(shop, tuple):
        return shop
    listing = call.store.listings.get(call.path["listing_id"])
    if listing is None or listing["shop_id"] != shop["shop_id"]:
        return not_found(f"Listing {call.path['listing_id']}")
    return listing


def upload_listing_image(call: Call) -> Answer:
    listing = _own_listing(call)
    if isinstance(listing, tuple):
        return listing
    if set(call.request.files) - {"image"}:
        return 400, {"error": f"Unexpected parameter(s): {', '.join(sorted(call.request.files))}"}
    try:
        values = bodies.form(call.request, "uploadListingImage")
    except bodies.BodyError as exc:
        return 400, {"error": str(exc)}
    upload = call.request.files.get("image")
    if upload is None or not upload.read(1):
        if "listing_image_id" in values:
            return 409, {"error": "Re-associating existing images is not supported by the double"}
        return 400, {"error": "An image file or listing_image_id is required"}
    lock, images = call.store.lock, call.store.images[listing["listing_id"]]
    with lock:
        rank = values.get("rank", 1)
        if values.get("overwrite") and 1 <= rank <= len(images):
            images.pop(rank - 1)
        image = call.store.add_image(listing["listing_id"], rank=rank, alt_text=values.get("alt_text") or None)
        image["is_black_and_white"] = False
    return 201, image


def delete_listing_image(call: Call) -> Answer:
    listing = _own_listing(call)
    if isinstance(listing, tuple):
        return listing
    with call.store.lock:
        images = call.store.images[listing["listing_id"]]
        kept = [i for i in images if i["listing_image_id"] != call.path["listing_image_id"]]
        if len(kept) == len(images):
            return not_found(f"Image {call.path['listing_image_id']}")
        images[:] = kept
        call.store.rerank(listing["listing_id"])
    return 204, None


def get_shop_sections(call: Call) -> Answer:
    sections = call.store.sections.get(call.path["shop_id"])
    if sections is None:
        return not_found(f"Shop {call.path['shop_id']}")
    return 200, {"count": len(sections), "results": list(sections)}


def get_shop_shipping_profiles(call: Call) -> Answer:
    shop = own_shop(call)
    if isinstance(shop, tuple):
        return shop
    profiles = call.store.profiles[shop["shop_id"]]
    return 200, {"count": len(profiles), "results": list(profiles)}


def get_seller_taxonomy_nodes(call: Call) -> Answer:
    return 200, {"count": len(call.store.taxonomy), "results": call.store.taxonomy}


HANDLERS: dict[str, Callable[[Call], Answer]] = {
    "getMe": get_me, "getShop": get_shop, "getShopReceipts": get_shop_receipts, "getShopReceipt": get_shop_receipt,
    "getListingsByShop": get_listings_by_shop, "getListing": get_listing, "getListingImages": get_listing_images,
    "uploadListingImage": upload_listing_image, "deleteListingImage": delete_listing_image,
    "getShopSections": get_shop_sections, "getShopShippingProfiles": get_shop_shipping_profiles,
    "getSellerTaxonomyNodes": get_seller_taxonomy_nodes,
}
