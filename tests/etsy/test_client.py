"""EtsyClient against the double: pagination, filters, rate limits, retries, errors, uploads."""
from __future__ import annotations

import pytest

from etsy import client, ratelimit


def test_receipts_paginate_100_per_call_with_transactions_embedded(etsy_double, seller, make_client):
    ids = etsy_double.store.generate_receipts(seller["shop_id"], 250)
    receipts = list(make_client().iter_receipts(seller["shop_id"]))
    assert [r["receipt_id"] for r in receipts] == ids
    assert all(r["transactions"] and r["transactions"][0]["receipt_id"] == r["receipt_id"] for r in receipts)
    item = receipts[0]["transactions"][0]
    assert item["sku"].startswith("PRINT-") and item["variations"][0]["formatted_name"] == "Size"
    calls = etsy_double.log.calls("getShopReceipts")
    assert [c.params["limit"] for c in calls] == [["100"]] * 3
    assert [c.params["offset"] for c in calls] == [["0"], ["100"], ["200"]]
    assert etsy_double.log.calls("getShopReceipt") == []


def test_min_last_modified_returns_only_changed_receipts(etsy_double, seller, make_client):
    store, shop_id = etsy_double.store, seller["shop_id"]
    ids = store.generate_receipts(shop_id, 30, start=store.now() - 100_000)
    since = store.now() - 10
    store.cancel_receipt(shop_id, ids[3])
    store.ship_receipt(shop_id, ids[7])
    etsy = make_client()
    changed = {r["receipt_id"]: r for r in etsy.iter_receipts(shop_id, min_last_modified=since)}
    assert set(changed) == {ids[3], ids[7]}
    assert changed[ids[3]]["status"] == "canceled"
    assert changed[ids[7]]["is_shipped"] and changed[ids[7]]["shipments"]
    assert changed[ids[3]]["updated_timestamp"] >= since
    assert [r["receipt_id"] for r in etsy.iter_receipts(shop_id, was_canceled=True)] == [ids[3]]
    assert etsy_double.log.calls("getShopReceipts")[0].params["min_last_modified"] == [str(since)]


def test_listings_paginate(etsy_double, seller, make_client):
    for n in range(120):
        etsy_double.store.add_listing(seller["shop_id"], title=f"Print {n}", created=1_700_000_000 + n)
    etsy_double.store.add_listing(seller["shop_id"], state="draft")
    listings = list(make_client().iter_listings(seller["shop_id"], includes=["Images"]))
    assert len(listings) == 121 and all(item["state"] == "active" and "images" in item for item in listings)
    assert len(etsy_double.log.calls("getListingsByShop")) == 2


def test_rate_headers_reach_the_hook_and_pacing_stays_within_the_limit(etsy_double, seller, make_client):
    seen = []
    etsy = make_client(on_rate_headers=seen.append)
    for _ in range(25):
        etsy.get_shop(seller["shop_id"])
    assert len(seen) == 25
    assert seen[-1]["x-limit-per-second"] == "10" and int(seen[-1]["x-remaining-today"]) == 10_000 - 25
    assert all(c.status == 200 for c in etsy_double.log.calls())
    assert etsy_double.log.max_per_window() <= etsy_double.limiter.per_second


def test_429_waits_for_retry_after_then_succeeds(etsy_double, seller, make_client):
    # Etsy allows less than our budget believes (another app on the key, or a lowered limit).
    etsy_double.limiter.per_second = 3
    etsy = make_client(budget=ratelimit.LocalBudget(50, 10_000), max_attempts=4)
    for _ in range(8):
        assert etsy.get_shop(seller["shop_id"])["shop_id"] == seller["shop_id"]
    calls = etsy_double.log.calls()
    refused = [i for i, c in enumerate(calls) if c.status == 429]
    assert refused, "the double never limited the client"
    for i in refused:
        assert calls[i + 1].at - calls[i].at >= 0.9  # retry-after: 1
    assert etsy_double.log.max_per_window(accepted_only=True) <= 3
    assert sum(c.status == 200 for c in calls) == 8


def test_429_beyond_the_attempts_is_rate_limited(etsy_double, seller, make_client):
    etsy_double.limiter._day_count = etsy_double.limiter.per_day
    with pytest.raises(client.EtsyRateLimited) as caught:
        make_client(max_attempts=1).get_shop(seller["shop_id"])
    assert caught.value.retry_after > 1


def test_daily_budget_spent_raises_without_calling(etsy_double, seller, make_client):
    etsy = make_client(budget=ratelimit.LocalBudget(10, 2))
    etsy.get_shop(seller["shop_id"])
    etsy.get_shop(seller["shop_id"])
    with pytest.raises(client.EtsyRateLimited):
        etsy.get_shop(seller["shop_id"])
    assert len(etsy_double.log.calls()) == 2


def test_5xx_is_retried_with_backoff_then_unavailable(etsy_double, seller, make_client):
    sleeps = []
    etsy = make_client(max_attempts=4, backoff_base=0.01, backoff_cap=1.0, sleep=sleeps.append)
    etsy_double.faults.fail_next(2, 503)
    assert etsy.get_shop(seller["shop_id"])["shop_id"] == seller["shop_id"]
    assert [c.status for c in etsy_double.log.calls()] == [503, 503, 200]
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] / 2

    etsy_double.log.clear()
    sleeps.clear()
    etsy_double.faults.fail_next(10, 500)
    with pytest.raises(client.EtsyUnavailable):
        etsy.get_shop(seller["shop_id"])
    assert len(etsy_double.log.calls()) == 4 and len(sleeps) == 3
    assert all(0.005 <= s <= 0.01 * 2 ** n for n, s in enumerate(sleeps))
    etsy_double.faults.clear()


def test_timeouts_are_retried_then_unavailable(etsy_double, seller, make_client):
    etsy = make_client(timeout=0.3, max_attempts=3)
    etsy_double.faults.slow_next(1, 3.0)
    assert etsy.get_shop(seller["shop_id"])["shop_id"] == seller["shop_id"]
    etsy_double.faults.slow_next(3, 3.0)
    with pytest.raises(client.EtsyUnavailable) as caught:
        etsy.get_shop(seller["shop_id"])
    assert "ReadTimeout" in str(caught.value)


def test_expired_token_is_an_auth_error_not_retried(etsy_double, seller, make_client, token):
    etsy_double.oauth.expire_access_tokens()
    with pytest.raises(client.EtsyAuthError) as caught:
        make_client().get_shop_receipts(seller["shop_id"])
    assert caught.value.status == 401 and caught.value.error == "invalid_token"
    assert len(etsy_double.log.calls()) == 1
    assert token["access_token"] not in str(caught.value) and etsy_double.shared_secret not in str(caught.value)


def test_token_callable_is_asked_on_every_request(etsy_double, seller, make_client):
    current = {"token": etsy_double.issue_token(seller["user_id"])["access_token"]}
    etsy = make_client(token=lambda: current["token"])
    etsy.get_me()
    etsy_double.oauth.expire_access_tokens()
    current["token"] = etsy_double.issue_token(seller["user_id"])["access_token"]  # the caller refreshed
    assert etsy.get_me()["user_id"] == seller["user_id"]


def test_other_errors_map_to_domain_exceptions(etsy_double, seller, make_client):
    etsy = make_client()
    with pytest.raises(client.EtsyNotFound):
        etsy.get_listing(987654321)
    with pytest.raises(client.EtsyBadRequest) as caught:
        etsy.get_shop_receipts(seller["shop_id"], limit=500)
    assert caught.value.status == 400 and "limit" in caught.value.error
    other = etsy_double.store.add_shop(shop_name="Other")
    with pytest.raises(client.EtsyForbidden):
        etsy.get_shop_receipts(other["shop_id"])
    assert "secret" not in repr(etsy)


def test_upload_listing_image_multipart_with_rank_and_alt_text(etsy_double, seller, make_client):
    listing_id = seller["listing"]["listing_id"]
    first = etsy_double.store.add_image(listing_id)
    etsy_double.store.add_image(listing_id)
    etsy = make_client()
    image = etsy.upload_listing_image(seller["shop_id"], listing_id, b"\x89PNG\r\n\x1a\nfake", filename="front.png",
                                      rank=1, alt_text="Gallery print, front view")
    assert image["rank"] == 1 and image["alt_text"] == "Gallery print, front view"
    images = etsy.get_listing_images(listing_id)
    assert [i["listing_image_id"] for i in images][:2] == [image["listing_image_id"], first["listing_image_id"]]
    assert [i["rank"] for i in images] == [1, 2, 3]
    replaced = etsy.upload_listing_image(seller["shop_id"], listing_id, b"\xff\xd8more", rank=2, overwrite=True)
    assert len(etsy.get_listing_images(listing_id)) == 3 and replaced["rank"] == 2
    etsy.delete_listing_image(seller["shop_id"], listing_id, image["listing_image_id"])
    assert len(etsy.get_listing_images(listing_id)) == 2


def test_uploads_are_not_resent_after_a_5xx(etsy_double, seller, make_client):
    etsy_double.faults.fail_next(1, 500)
    with pytest.raises(client.EtsyUnavailable):
        make_client().upload_listing_image(seller["shop_id"], seller["listing"]["listing_id"], b"\xff\xd8x")
    assert len(etsy_double.log.calls("uploadListingImage")) == 1


def test_from_settings_uses_configured_urls(etsy_settings, seller, token):
    etsy = client.EtsyClient.from_settings(lambda: token["access_token"], etsy_settings,
                                           budget=ratelimit.LocalBudget(10, 100))
    assert etsy.get_shop(seller["shop_id"])["shop_id"] == seller["shop_id"]
