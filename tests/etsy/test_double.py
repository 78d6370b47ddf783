"""The double honours Etsy's spec: requests are checked, and every answer is validated against the response schema."""
from __future__ import annotations

import pytest
import requests

from tests.etsy_double import handlers, spec


def _headers(double, token=None, key=None):
    headers = {"x-api-key": key or f"{double.api_key}:{double.shared_secret}"}
    if token:
        headers["Authorization"] = f"Bearer {token['access_token']}"
    return headers


def test_every_served_operation_answers_within_the_spec(etsy_double, seller, make_client):
    store, shop_id = etsy_double.store, seller["shop_id"]
    listing_id = seller["listing"]["listing_id"]
    store.add_image(listing_id, alt_text="front")
    store.add_section(shop_id, "Posters")
    profile = store.add_shipping_profile(shop_id)
    store.listings[listing_id]["shipping_profile_id"] = profile["shipping_profile_id"]
    receipt_ids = store.generate_receipts(shop_id, 5)
    store.cancel_receipt(shop_id, receipt_ids[0])
    store.ship_receipt(shop_id, receipt_ids[1])
    etsy = make_client()

    etsy.get_me()
    etsy.get_shop(shop_id)
    etsy.get_shop_receipts(shop_id, was_canceled=True)
    etsy.get_shop_receipt(shop_id, receipt_ids[1])
    etsy.get_listings_by_shop(shop_id, includes=["Images", "Shop", "User", "Shipping", "Inventory",
                                                 "Translations", "Videos"])
    etsy.get_listing(listing_id, includes=["Images"])
    etsy.get_listing_images(listing_id)
    image = etsy.upload_listing_image(shop_id, listing_id, b"\xff\xd8fake-jpeg", rank=1, alt_text="new")
    etsy.delete_listing_image(shop_id, listing_id, image["listing_image_id"])
    etsy.get_shop_sections(shop_id)
    etsy.get_shop_shipping_profiles(shop_id)
    etsy.get_seller_taxonomy_nodes()

    assert set(etsy_double.validated) == set(handlers.HANDLERS)
    assert etsy_double.violations == []


def test_an_answer_outside_the_spec_is_caught(etsy_double, seller, make_client):
    shop_id = seller["shop_id"]
    receipt = etsy_double.store.add_receipt(shop_id)
    # Etsy's spec spells statuses in lower case; a capitalised one is drift the double must refuse to serve.
    receipt["status"] = "Canceled"
    response = requests.get(f"{etsy_double.base_url}/v3/application/shops/{shop_id}/receipts/{receipt['receipt_id']}",
                            headers=_headers(etsy_double, etsy_double.issue_token(seller["user_id"])), timeout=5)
    assert response.status_code == 500
    assert "status" in etsy_double.violations[0]

    receipt["status"] = "paid"
    receipt["not_in_spec"] = 1
    del receipt["transactions"][0]["sku"]
    requests.get(f"{etsy_double.base_url}/v3/application/shops/{shop_id}/receipts/{receipt['receipt_id']}",
                 headers=_headers(etsy_double, etsy_double.issue_token(seller["user_id"])), timeout=5)
    assert len(etsy_double.violations) == 2
    etsy_double.violations.clear()


def test_schema_conversion_handles_refs_nullable_and_allof():
    receipt = spec.validator({"$ref": "#/components/schemas/ShopReceipt"}, strict=False)
    assert receipt.is_valid({"receipt_id": 1, "buyer_email": None, "grandtotal": {"amount": 5, "divisor": 100,
                                                                                  "currency_code": "USD"}})
    assert not receipt.is_valid({"receipt_id": None})
    assert not receipt.is_valid({"grandtotal": {"amount": "5"}})  # Money through allOf + $ref
    assert not receipt.is_valid({"status": "Canceled"})
    listing = spec.validator({"$ref": "#/components/schemas/ShopListingWithAssociations"}, strict=False)
    assert listing.is_valid({"who_made": None, "shop": None})  # nullable enum, nullable allOf
    assert not listing.is_valid({"who_made": "robot"})
    node = spec.validator({"$ref": "#/components/schemas/SellerTaxonomyNode"}, strict=False)
    assert not node.is_valid({"children": [{"children": [{"id": "x"}]}]})  # recursive $ref


def test_requests_are_checked_like_etsy_does(etsy_double, seller, token):
    etsy_double.limiter.per_second = 1000  # raw requests here, unpaced
    base = f"{etsy_double.base_url}/v3/application/shops/{seller['shop_id']}"

    def get(url, headers=None, **params):
        return requests.get(url, headers=_headers(etsy_double, token) if headers is None else headers,
                            params=params, timeout=5)

    assert get(base, headers={}).status_code == 403  # no x-api-key
    assert get(base, headers={"x-api-key": etsy_double.api_key}).status_code == 403  # keystring without secret
    assert get(base, headers=_headers(etsy_double)).status_code == 200  # getShop needs the API key only
    assert get(base + "/receipts", headers=_headers(etsy_double)).json() == {"error": "invalid_token"}
    assert get(base + "/receipts", limit=100).status_code == 200
    for bad in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"sort_on": "price"}, {"was_paid": "maybe"},
                {"min_created": 5}, {"page": 2}):
        response = get(base + "/receipts", **bad)
        assert response.status_code == 400, bad
        assert set(response.json()) == {"error"}
    assert get(f"{etsy_double.base_url}/v3/application/shops/abc").status_code == 400
    assert get(f"{etsy_double.base_url}/v3/application/shops/999").status_code == 404
    assert get(base + "/listings", state="gone").status_code == 400
    assert get(base + "/listings", includes="Images,Bogus").status_code == 400


def test_insufficient_scope_and_foreign_shop_are_refused(etsy_double, seller):
    other = etsy_double.store.add_shop(shop_name="OtherShop")
    read_only = etsy_double.issue_token(seller["user_id"], scopes=("shops_r",))
    url = f"{etsy_double.base_url}/v3/application/shops/{seller['shop_id']}/receipts"
    assert requests.get(url, headers=_headers(etsy_double, read_only), timeout=5).status_code == 403
    mine = etsy_double.issue_token(seller["user_id"])
    url = f"{etsy_double.base_url}/v3/application/shops/{other['shop_id']}/receipts"
    assert requests.get(url, headers=_headers(etsy_double, mine), timeout=5).status_code == 403


def test_rate_limit_headers_and_429(etsy_double, seller, token):
    etsy_double.limiter.per_second = 2
    url = f"{etsy_double.base_url}/v3/application/shops/{seller['shop_id']}"
    answers = [requests.get(url, headers=_headers(etsy_double, token), timeout=5) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert answers[0].headers["x-limit-per-second"] == "2"
    assert answers[0].headers["x-limit-per-day"] == "10000"
    assert int(answers[1].headers["x-remaining-today"]) == 9998
    if answers[2].status_code == 429:  # unless the three took over a second
        assert answers[2].headers["retry-after"] == "1"
        assert answers[2].json() == {"error": "Rate limit exceeded"}
    etsy_double.limiter.per_day = etsy_double.limiter.per_second = 10_000
    etsy_double.limiter._day_count = 10_000
    refused = requests.get(url, headers=_headers(etsy_double, token), timeout=5)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.headers["x-remaining-today"] == "0"


def test_synthetic_receipts_and_request_log(etsy_double, seller, token):
    ids = etsy_double.store.generate_receipts(seller["shop_id"], 10_000)
    assert len(set(ids)) == 10_000
    url = f"{etsy_double.base_url}/v3/application/shops/{seller['shop_id']}/receipts"
    page = requests.get(url, headers=_headers(etsy_double, token), params={"limit": 100, "sort_order": "asc"},
                        timeout=10).json()
    assert page["count"] == 10_000 and len(page["results"]) == 100
    assert [r["receipt_id"] for r in page["results"]] == ids[:100]
    assert all(1 <= len(r["transactions"]) <= 3 for r in page["results"])
    [entry] = etsy_double.log.calls("getShopReceipts")
    assert entry.params == {"limit": ["100"], "sort_order": ["asc"]} and entry.status == 200


def test_list_items_are_validated_each_time_their_content_changes(etsy_double, seller, make_client):
    shop_id = seller["shop_id"]
    ids = etsy_double.store.generate_receipts(shop_id, 30)
    etsy_double.prevalidate()
    etsy = make_client()
    assert len(list(etsy.iter_receipts(shop_id))) == 30
    etsy_double.store.receipts[shop_id][ids[12]]["grandtotal"] = {"amount": 1.5, "divisor": 100,
                                                                   "currency_code": "USD"}
    response = requests.get(f"{etsy_double.base_url}/v3/application/shops/{shop_id}/receipts",
                            headers=_headers(etsy_double, etsy_double.issue_token(seller["user_id"])),
                            params={"limit": 100, "sort_order": "asc"}, timeout=5)
    assert response.status_code == 500
    assert "results/12/grandtotal/amount" in etsy_double.violations[0]
    etsy_double.violations.clear()
    with pytest.raises(AssertionError):
        etsy_double.prevalidate()
    etsy_double.violations.clear()
