"""The double's write operations: bodies checked against the spec, answers validated, Etsy's refusals as Etsy says."""
from __future__ import annotations

import pytest
import requests

from etsy import client
from tests.etsy_double import writes

LISTING = {"quantity": 5, "title": "Cat tee transfer", "description": "DTF transfer", "price": 12.5,
           "who_made": "i_did", "when_made": "made_to_order", "taxonomy_id": 2078, "tags": ["cat", "dtf transfer"]}


def _inventory(prices: dict[str, float]) -> dict:
    return {"products": [{"sku": f"CAT-{size}", "property_values": [
        {"property_id": 513, "property_name": "Size", "value_ids": [], "values": [size]}],
        "offerings": [{"price": price, "quantity": 10, "is_enabled": True, "readiness_state_id": None}]}
        for size, price in prices.items()], "price_on_property": [513], "sku_on_property": [513]}


def test_listing_inventory_and_shipment_writes_answer_within_the_spec(etsy_double, seller, make_client):
    profile = etsy_double.store.add_shipping_profile(seller["shop_id"])
    section = etsy_double.store.add_section(seller["shop_id"], "Tees")
    etsy = make_client()
    listing = etsy.create_draft_listing(seller["shop_id"], {**LISTING, "shipping_profile_id":
                                                            profile["shipping_profile_id"],
                                                            "shop_section_id": section["shop_section_id"]})
    assert listing["state"] == "draft" and listing["tags"] == ["cat", "dtf transfer"]
    inventory = etsy.update_listing_inventory(listing["listing_id"], _inventory({"Adult": 14.0, "Youth": 11.0}))
    assert [p["sku"] for p in inventory["products"]] == ["CAT-Adult", "CAT-Youth"]
    stored = etsy_double.store.listings[listing["listing_id"]]
    assert stored["price"]["amount"] == 1100 and stored["quantity"] == 20
    receipt = etsy_double.store.add_receipt(seller["shop_id"])
    shipped = etsy.create_receipt_shipment(seller["shop_id"], receipt["receipt_id"], carrier_name="usps",
                                           tracking_code="9400111")
    assert shipped["is_shipped"] and shipped["shipments"][-1]["tracking_code"] == "9400111"
    assert set(writes.HANDLERS) <= set(etsy_double.validated)


@pytest.mark.parametrize("change, needle", [
    ({"tags": [f"t{n}" for n in range(14)]}, "tags"),
    ({"taxonomy_id": 99999}, "taxonomy_id"),
    ({"price": "free"}, "price"),
    ({"when_made": "yesterday"}, "when_made"),
    ({"colour": "red"}, "Unexpected parameter"),
    ({"shipping_profile_id": None}, "shipping_profile_id"),
])
def test_draft_listing_refusals_carry_etsys_reason(etsy_double, seller, make_client, change, needle):
    profile = etsy_double.store.add_shipping_profile(seller["shop_id"])
    body = {**LISTING, "shipping_profile_id": profile["shipping_profile_id"], **change}
    with pytest.raises(client.EtsyBadRequest) as info:
        make_client().create_draft_listing(seller["shop_id"], {k: v for k, v in body.items() if v is not None})
    assert needle in info.value.error
    assert [listing["state"] for listing in etsy_double.store.listings.values()] == ["active"]


def test_inventory_bodies_are_validated_against_the_request_schema(etsy_double, seller, make_client):
    listing_id = seller["listing"]["listing_id"]
    etsy = make_client()
    bad = _inventory({"Adult": 14.0})
    del bad["products"][0]["offerings"][0]["readiness_state_id"]
    with pytest.raises(client.EtsyBadRequest, match="readiness_state_id"):
        etsy.update_listing_inventory(listing_id, bad)
    unknown = _inventory({"Adult": 14.0})
    unknown["products"][0]["colour"] = "red"
    with pytest.raises(client.EtsyBadRequest, match="colour"):
        etsy.update_listing_inventory(listing_id, unknown)
    with pytest.raises(client.EtsyBadRequest, match="same properties"):
        mixed = _inventory({"Adult": 14.0, "Youth": 11.0})
        mixed["products"][1]["property_values"] = []
        etsy.update_listing_inventory(listing_id, mixed)
    form = requests.put(f"{etsy.base_url}/listings/{listing_id}/inventory", data={"products": "[]"}, timeout=5,
                        headers={"x-api-key": f"{etsy_double.api_key}:{etsy_double.shared_secret}",
                                 "Authorization": f"Bearer {etsy._token()}"})
    assert form.status_code == 400 and "application/json" in form.json()["error"]


def test_missing_scope_expired_token_and_rate_headers(etsy_double, seller, make_client):
    read_only = etsy_double.issue_token(seller["user_id"], scopes=("transactions_r", "listings_r", "shops_r"))
    etsy = make_client(token=lambda: read_only["access_token"])
    receipt = etsy_double.store.add_receipt(seller["shop_id"])
    with pytest.raises(client.EtsyForbidden, match="insufficient_scope"):
        etsy.create_receipt_shipment(seller["shop_id"], receipt["receipt_id"], carrier_name="usps")
    with pytest.raises(client.EtsyForbidden):
        etsy.create_draft_listing(seller["shop_id"], LISTING)
    etsy_double.oauth.expire_access_tokens()
    with pytest.raises(client.EtsyAuthError):
        make_client().create_receipt_shipment(seller["shop_id"], receipt["receipt_id"], carrier_name="usps")
    assert not etsy_double.store.receipts[seller["shop_id"]][receipt["receipt_id"]]["is_shipped"]
    seen: list[dict] = []
    fresh = etsy_double.issue_token(seller["user_id"])
    make_client(token=lambda: fresh["access_token"], on_rate_headers=seen.append).create_receipt_shipment(
        seller["shop_id"], receipt["receipt_id"], carrier_name="usps", tracking_code="1Z")
    assert seen and "x-remaining-today" in seen[-1]


def test_a_canceled_receipt_cannot_be_shipped(etsy_double, seller, make_client):
    receipt = etsy_double.store.add_receipt(seller["shop_id"])
    etsy_double.store.cancel_receipt(seller["shop_id"], receipt["receipt_id"])
    with pytest.raises(client.EtsyBadRequest) as info:
        make_client().create_receipt_shipment(seller["shop_id"], receipt["receipt_id"], carrier_name="usps")
    assert info.value.status == 409
